/**
 * The tasks in one worker's hands, in run order: handed over (several to a message when
 * they are tiny), answered, stopped, dropped, or taken back for another worker. The pool
 * side of the {@link ControlBlock}, when there is one. Each `WorkerHandle` has one (its
 * `line`), which reaches the worker through a {@link LinePort}; the line changes no task:
 * the scheduler moves each task from phase to phase (see `task-phase.ts`).
 *
 * @internal
 */
import { BootRecord } from '../shared/boot-timeline.js';
import { RING_SIZE, type ControlBlock, type StopOutcome } from '../shared/control-block.js';
import type { RunMessage, TaskMessage, TaskOrder } from '../shared/protocol.js';
import type { TaskRecord } from './task.js';

/**
 * A worker is handed about this many ms of work at once (by its recent task times), so
 * tiny tasks travel many to a message while long ones still go one at a time and a late
 * high-priority task waits behind little.
 */
const PIPELINE_BUDGET_MS = 4;
const MAX_PIPELINE = 256;

/** Where a line's worker is in its life (see `WorkerHandle.status`). */
export type WorkerStatus = 'starting' | 'idle' | 'busy' | 'dead';

/** How a line reaches its worker. */
export interface LinePort {
  /** The worker's status (the handle owns it). */
  status(): WorkerStatus;
  /** A message about the task running now (an answer it asked for, a stop). */
  post(message: TaskMessage): void;
  /** Send tasks to the worker; throws when a task's inputs cannot be cloned. */
  postRun(message: RunMessage, transfer: ArrayBuffer[]): void;
  /** Task `seq`'s inputs could not be sent. */
  unsendable(seq: number, error: Error): void;
}

/** How a task is handed over (see {@link TaskLine.send}). */
export interface SendOptions {
  /** Have the worker say when it starts: it waits behind others, and its timeout counts from then. */
  notify: boolean;
  /** Run it at the next yield of the generator task the worker runs, ahead of it. */
  urgent?: boolean;
}

/** `R`: the task records it holds (the scheduler's, which know their worker). */
export class TaskLine<R extends TaskRecord = TaskRecord> {
  /**
   * Tasks sent and not yet answered, by seq, in run order. `null`: stopped before it
   * began (skipped); kept until the worker passes it, so seqs stay within the ring.
   */
  readonly inflight = new Map<number, R | null>();
  /** Tasks in `inflight` that are not skipped. */
  live = 0;
  /** This worker's boot timeline (it also notes the first task's round trip). */
  readonly timeline = new BootRecord();
  #seq = 0;
  #outbox: TaskOrder[] = [];
  /** Buffers the outbox's tasks move to the worker. */
  #outboxTransfer: ArrayBuffer[] = [];
  /** Recent average ms per task; until the first answer, unknown (one task at a time). */
  #taskMs = Infinity;

  constructor(
    readonly control: ControlBlock | undefined,
    private readonly port: LinePort,
  ) {}

  get status(): WorkerStatus {
    return this.port.status();
  }

  /** Shared memory lets the pool interrupt this worker's tasks and keep it. */
  get interruptible(): boolean {
    return this.control !== undefined;
  }

  /** How many more tasks this worker should be handed now. */
  capacity(): number {
    if (this.status !== 'idle' && this.status !== 'busy') return 0;
    if (!this.control || this.#taskMs === Infinity) return this.live === 0 ? 1 : 0;
    const depth = Math.max(1, Math.min(MAX_PIPELINE, Math.floor(PIPELINE_BUDGET_MS / Math.max(this.#taskMs, 0.001))));
    return Math.max(0, Math.min(depth - this.live, RING_SIZE - 1 - this.inflight.size));
  }

  /**
   * Hand over a task; it is posted with the others sent in the same turn. Returns its
   * seq (its number on this worker).
   */
  send(record: R, { notify, urgent = false }: SendOptions): number {
    const seq = ++this.#seq;
    this.timeline.sent(seq);
    this.inflight.set(seq, record);
    this.live++;
    const order: TaskOrder = { seq, code: record.code, inputs: record.inputs, notify };
    if (record.args) order.args = record.args;
    if (record.stdin !== undefined) order.stdin = record.stdin;
    if (record.channel.onInput) order.interactive = true;
    if (record.chunk) {
      order.items = record.chunk.items;
      if (record.chunk.keepGoing) order.keepGoing = true;
      if (record.chunk.itemTimeout !== undefined) order.itemTimeout = record.chunk.itemTimeout;
    }
    if (urgent) order.preempt = true;
    this.#outbox.push(order);
    this.#outboxTransfer.push(...record.transfer);
    if (this.#outbox.length === 1) queueMicrotask(() => this.#post());
    return seq;
  }

  /** The first task not yet answered: the one running, or about to. */
  head(): R | undefined {
    for (const record of this.inflight.values()) if (record) return record;
    return undefined;
  }

  /** Take task `seq` out of the pipeline when its outcome arrives. */
  take(seq: number): R | null | undefined {
    this.timeline.answered(seq);
    const record = this.inflight.get(seq);
    this.inflight.delete(seq);
    if (record) this.live--;
    return record;
  }

  /** Learn the worker's pace from a batch of outcomes. */
  measured(tasks: number, busyMs: number): void {
    if (tasks === 0) return;
    const perTask = busyMs / tasks;
    this.#taskMs = this.#taskMs === Infinity ? perTask : this.#taskMs * 0.7 + perTask * 0.3;
  }

  /**
   * Stop one of this worker's tasks: `skipped` (had not begun, never will), `interrupted`
   * (KeyboardInterrupt raised), `finished` (its outcome is on the way), or `impossible`
   * (no shared memory on this page: only ending the worker stops it).
   */
  stop(record: R): StopOutcome | 'impossible' {
    if (this.status === 'dead') return 'impossible';
    if (!this.control) {
      // A task that awaits leaves its worker free to read a stop message; so does a
      // generator at its yields, for a task sent to preempt it that has not begun.
      if (!record.awaiting && !(record.preempting && record.status.peek() === 'queued')) return 'impossible';
      this.port.post({ t: 'stop', seq: record.seq });
      return 'interrupted';
    }
    const outcome = this.control.stop(record.seq);
    if (outcome === 'skipped') {
      this.inflight.set(record.seq, null);
      this.live--;
    }
    // An interrupt lands only while Python runs; a task that awaits needs its coroutine
    // cancelled, and a generator set aside for an urgent task stops at its next yield.
    if ((outcome === 'interrupted' || record.preemptible) && outcome !== 'skipped' && outcome !== 'locked' && record.awaiting) this.port.post({ t: 'stop', seq: record.seq });
    return outcome;
  }

  /**
   * Drop `record` if the worker has not begun it (true), so it never runs; a begun one is
   * left to end. Only with shared memory can the pool tell, so without it: false.
   */
  drop(record: R): boolean {
    if (!this.control || this.status === 'dead' || !this.control.claim(record.seq)) return false;
    this.inflight.set(record.seq, null);
    this.live--;
    return true;
  }

  /**
   * Take back up to `count` tasks from the end of the line that the worker has not begun
   * (so another worker can run them). Returns them in run order; never the first one.
   */
  release(count: number): R[] {
    if (!this.control || this.status === 'dead') return [];
    const live = [...this.inflight].filter((entry): entry is [number, R] => entry[1] !== null);
    const taken: R[] = [];
    for (let i = live.length - 1; i >= 1 && taken.length < count; i--) {
      const [seq, record] = live[i]!;
      // Its moved buffers are in the worker's hands: it cannot run elsewhere.
      if (record.transfer.length > 0) break;
      // Claims go from the end backwards: once one has begun, all before it have too.
      if (!this.control.claim(seq)) break;
      this.inflight.set(seq, null);
      this.live--;
      taken.push(record);
    }
    return taken.reverse();
  }

  /**
   * After a death: the tasks that never began (to run elsewhere) and those that did
   * (their outcome is lost). Without shared memory, only the first task can have begun.
   */
  unfinished(): { begun: R[]; notBegun: R[] } {
    const reached = this.control?.reached;
    const begun: R[] = [];
    const notBegun: R[] = [];
    let first = true;
    for (const [seq, record] of this.inflight) {
      if (!record) continue;
      const hasBegun = reached !== undefined ? seq <= reached : first && !this.#outbox.some((order) => order.seq === seq);
      (hasBegun ? begun : notBegun).push(record);
      first = false;
    }
    this.inflight.clear();
    this.live = 0;
    return { begun, notBegun };
  }

  #post(): void {
    const tasks = this.#outbox;
    const transfer = this.#outboxTransfer;
    this.#outbox = [];
    this.#outboxTransfer = [];
    if (this.status === 'dead' || tasks.length === 0) return;
    try {
      this.port.postRun({ t: 'run', tasks }, transfer);
      return;
    } catch {
      // Some task's inputs cannot be cloned: send one by one, so only those fail.
    }
    for (const order of tasks) {
      try {
        this.port.postRun({ t: 'run', tasks: [order] }, this.inflight.get(order.seq)?.transfer ?? []);
      } catch (err) {
        this.port.unsendable(order.seq, err as Error);
      }
    }
  }
}
