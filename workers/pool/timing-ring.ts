/**
 * The task timings behind `pool.state.recent`, in a fixed-size ring of typed columns: a
 * task costs a few number writes and no object, however many run (tens of thousands a
 * second, when tiny tasks pipeline). The `TaskTiming` objects views read are made only when
 * the ring is read, and kept per slot until that slot changes, so a view that reads it
 * every frame makes objects only for the tasks that moved.
 *
 * @internal
 */
import type { TaskRecord } from './task.js';
import type { TaskKind, TaskOutcome, TaskTiming } from './recent-log.js';

const KINDS: readonly TaskKind[] = ['task', 'map-chunk', 'generator'];
/** Outcome codes: 0 while it has none. */
const OUTCOMES: readonly (TaskOutcome | undefined)[] = [undefined, 'done', 'failed', 'cancelled', 'timeout', 'crashed'];

/** A slot's number, or -1 when its task was pushed out of the ring. */
export type Slot = number;

export class TimingRing {
  readonly #ids: Float64Array;
  readonly #queued: Float64Array;
  /** NaN: not (yet) known. */
  readonly #started: Float64Array;
  readonly #ended: Float64Array;
  /** -1: none. */
  readonly #worker: Int32Array;
  readonly #outcome: Uint8Array;
  readonly #kind: Uint8Array;
  readonly #urgent: Uint8Array;
  readonly #labels: string[];
  /** The task itself while it is unsettled (the pool holds it anyway), for its live details. */
  readonly #live: (TaskRecord | undefined)[];
  /** What views were last given for each slot; cleared when the slot changes. */
  readonly #made: (TaskTiming | undefined)[];
  #next = 0;
  #count = 0;

  constructor(readonly size: number) {
    this.#ids = new Float64Array(size);
    this.#queued = new Float64Array(size);
    this.#started = new Float64Array(size);
    this.#ended = new Float64Array(size);
    this.#worker = new Int32Array(size);
    this.#outcome = new Uint8Array(size);
    this.#kind = new Uint8Array(size);
    this.#urgent = new Uint8Array(size);
    this.#labels = new Array<string>(size);
    this.#live = new Array<TaskRecord | undefined>(size);
    this.#made = new Array<TaskTiming | undefined>(size);
  }

  /** A new task, queued at `now`, labelled `label`. */
  add(record: TaskRecord, now: number, label: string): void {
    const s = this.#next;
    this.#next = (s + 1) % this.size;
    if (this.#count < this.size) this.#count++;
    this.#ids[s] = record.id;
    this.#queued[s] = now;
    this.#started[s] = NaN;
    this.#ended[s] = NaN;
    this.#worker[s] = -1;
    this.#outcome[s] = 0;
    this.#kind[s] = record.chunk ? 1 : 0;
    this.#urgent[s] = 0;
    this.#labels[s] = label;
    this.#live[s] = record;
    this.#made[s] = undefined;
    record.logEntry = s;
  }

  /** Where `record` is, or -1 once it was pushed out (or was never added). */
  slotOf(record: TaskRecord): Slot {
    const s = record.logEntry;
    return typeof s === 'number' && this.#ids[s] === record.id && this.#live[s] !== undefined ? s : -1;
  }

  started(s: Slot): number {
    return this.#started[s]!;
  }

  ended(s: Slot): number {
    return this.#ended[s]!;
  }

  /** Set (or, with NaN, clear) when it began, and where. */
  begin(s: Slot, at: number, worker: number, urgent: boolean): void {
    this.#started[s] = at;
    this.#worker[s] = worker;
    this.#urgent[s] = urgent ? 1 : 0;
    this.#made[s] = undefined;
  }

  end(s: Slot, at: number): void {
    this.#ended[s] = at;
    this.#made[s] = undefined;
  }

  /** It settled: its outcome, and it lets go of its task. */
  settle(s: Slot, outcome: TaskOutcome): void {
    this.#outcome[s] = OUTCOMES.indexOf(outcome);
    this.#live[s] = undefined;
    this.#made[s] = undefined;
  }

  kind(s: Slot, kind: TaskKind): void {
    this.#kind[s] = KINDS.indexOf(kind);
    this.#made[s] = undefined;
  }

  isKind(s: Slot, kind: TaskKind): boolean {
    return KINDS[this.#kind[s]!] === kind;
  }

  /** The timing of slot `s`, as views see it. */
  timing(s: Slot): TaskTiming {
    const made = this.#made[s];
    if (made) return made;
    const started = this.#started[s]!;
    const ended = this.#ended[s]!;
    const worker = this.#worker[s]!;
    const timing: TaskTiming = {
      id: this.#ids[s]!,
      kind: KINDS[this.#kind[s]!]!,
      label: this.#labels[s]!,
      queued: this.#queued[s]!,
      started: Number.isNaN(started) ? undefined : started,
      ended: Number.isNaN(ended) ? undefined : ended,
      worker: worker < 0 ? undefined : worker,
      outcome: OUTCOMES[this.#outcome[s]!],
      urgent: this.#urgent[s] === 1,
    };
    return (this.#made[s] = timing);
  }

  /** Every timing, oldest first. */
  toArray(): TaskTiming[] {
    const out = new Array<TaskTiming>(this.#count);
    const first = this.#count < this.size ? 0 : this.#next;
    for (let i = 0; i < this.#count; i++) out[i] = this.timing((first + i) % this.size);
    return out;
  }

  /** The slot of the task numbered `id` that is still unsettled, and that task; undefined otherwise. */
  live(id: number): { slot: Slot; record: TaskRecord } | undefined {
    for (let i = 0; i < this.#count; i++) {
      const s = (this.#next - 1 - i + this.size) % this.size;
      if (this.#ids[s] !== id) continue;
      const record = this.#live[s];
      return record && { slot: s, record };
    }
    return undefined;
  }
}
