/**
 * What the pool did lately, for charts: each task's timings (queued, started, ended, on
 * which worker, how it ended) and each worker's life (start, boot and its mode, recycling,
 * retirement, death), in fixed-size rings — nothing grows with the number of tasks. Read
 * as `pool.state.recent`.
 *
 * Cheap on the hot path: a task costs one small object, written in place as it moves; the
 * signal's value (copies of the rings) is only built when someone reads it, at most once
 * per microtask turn however many tasks settled in it.
 *
 * @internal
 */
import { computed, signal, type ReadonlySignal } from '@preact/signals-core';
import { TaskTimeoutError, WorkerCrashedError } from './errors.js';
import { taskDetails, type TaskDetails } from './task-details.js';
import type { TaskRecord, TaskStatus } from './task.js';
import { TimingRing } from './timing-ring.js';

/** How many task timings `pool.state.recent` keeps (the oldest are dropped first). */
export const RECENT_TASKS = 10_000;
/** How many worker events it keeps. */
export const RECENT_WORKER_EVENTS = 500;
/** How many settled tasks' details it keeps while details are kept (see `keepDetails`). */
export const RECENT_DETAILS = 200;

/** What a task is to the pool: a plain task, a chunk of a `map`, or a generator task (it yields). */
export type TaskKind = 'task' | 'map-chunk' | 'generator';

/** How a task ended. `crashed`: its worker died or had to be ended under it. */
export type TaskOutcome = 'done' | 'failed' | 'cancelled' | 'timeout' | 'crashed';

/**
 * One task's timings, on the page's clock (`performance.now()` ms). The pool updates an
 * entry as the task moves; each change gives `recent` a new value.
 */
export interface TaskTiming {
  readonly id: number;
  readonly kind: TaskKind;
  /** The first line of its code (a module pool's call: the export's name), up to 120 characters. */
  readonly label: string;
  readonly queued: number;
  /**
   * When it began in a worker (undefined while it waits; reset if it goes back to the
   * queue). Tiny tasks handed to a worker several at once answer in batches: their start
   * and end share out the batch's time in the worker, which is all the page learns of them.
   */
  readonly started: number | undefined;
  readonly ended: number | undefined;
  /** The worker it ran (or runs) on. */
  readonly worker: number | undefined;
  /** Undefined until it ends. */
  readonly outcome: TaskOutcome | undefined;
  /** It ran at a generator's yield, ahead of it. */
  readonly urgent: boolean;
}

/** What happened to a worker: see {@link WorkerEvent}. */
export type WorkerEventKind = 'started' | 'booted' | 'boot-failed' | 'recycled' | 'retired' | 'trimmed' | 'died' | 'ended';

/**
 * A moment in a worker's life. `started`: its boot began (`replaces`, `detail`: the
 * worker it replaces, and why); `booted`: it is warm (`mode` says how); `recycled` (`detail`: why),
 * `retired` (idle past `idleTimeout`), `trimmed` (beyond a lowered `max`), `died`
 * (`detail`: why), `boot-failed`, and `ended` (stopped to end its task, or the pool ended).
 */
export interface WorkerEvent {
  readonly worker: number;
  readonly at: number;
  readonly event: WorkerEventKind;
  /** `booted` only: a restore of the pool's snapshot, a boot from the base snapshot shipped with the package, or a normal boot. */
  readonly mode?: 'snapshot' | 'base-snapshot' | 'normal';
  readonly detail?: string;
  /** `started` only: the worker this one replaces (recycled, or dead). */
  readonly replaces?: number;
}

/** What a worker event says beyond its kind. */
export type WorkerEventMore = Pick<WorkerEvent, 'mode' | 'detail' | 'replaces'>;

/**
 * The value of `pool.state.recent`: the latest task timings and worker events, oldest
 * first, at most {@link RECENT_TASKS} and {@link RECENT_WORKER_EVENTS}.
 *
 * @example
 * effect(() => {
 *   const { tasks } = pool.state.recent.value;
 *   const failed = tasks.filter((t) => t.outcome === 'failed').length;
 *   console.log(`${failed} of the last ${tasks.length} tasks failed`);
 * });
 */
export interface RecentActivity {
  readonly tasks: readonly TaskTiming[];
  readonly workers: readonly WorkerEvent[];
  /**
   * A task's details as text (code, inputs summarised, stdout, progress, result or
   * error): for a task still waiting or running, or one of the last {@link RECENT_DETAILS}
   * settled while details were kept (see {@link keepDetails}); otherwise undefined.
   */
  details(id: number): TaskDetails | undefined;
  /**
   * Keep settled tasks' details (as text, bounded) until the returned function is called:
   * `<pool-monitor inspect>` does this while it is on the page. Counted: details are kept
   * while anyone keeps them.
   */
  keepDetails(): () => void;
}

/** A fixed-size ring, oldest first when copied. */
class Ring<T> {
  readonly #items: (T | undefined)[];
  #next = 0;
  #full = false;
  constructor(readonly size: number) {
    this.#items = new Array<T | undefined>(size);
  }
  push(item: T): void {
    this.#items[this.#next] = item;
    this.#next = (this.#next + 1) % this.size;
    if (this.#next === 0) this.#full = true;
  }
  toArray(): T[] {
    const items = this.#items as T[];
    return this.#full ? items.slice(this.#next).concat(items.slice(0, this.#next)) : items.slice(0, this.#next);
  }
}

export class RecentLog {
  readonly #tasks = new TimingRing(RECENT_TASKS);
  readonly #workers = new Ring<WorkerEvent>(RECENT_WORKER_EVENTS);
  /** Settled tasks' details, newest last, while anyone keeps them. */
  readonly #details = new Map<number, TaskDetails>();
  #keeping = 0;
  readonly #version = signal(0);
  #bumping = false;
  #clock: number | undefined;

  readonly value: ReadonlySignal<RecentActivity> = computed(() => this.#activity(this.#version.value));

  /** A task was submitted. */
  queued(record: TaskRecord): void {
    this.#tasks.add(record, this.#now(), firstLine(record.code));
    this.#changed();
  }

  /** It began on `worker`. */
  started(record: TaskRecord, worker: number | undefined, urgent: boolean): void {
    const s = this.#tasks.slotOf(record);
    if (s < 0) return;
    this.#tasks.begin(s, this.#now(), worker ?? -1, urgent);
    this.#changed();
  }

  /**
   * A worker answered a batch: `records` ran back to back over its last `busyMs`, ending
   * now. Handed over several at once, most were never seen to begin; each gets an equal
   * share of that span (one known to have begun keeps its start), so the timeline shows
   * them where they ran rather than all at the batch's end.
   */
  ranTogether(records: readonly TaskRecord[], worker: number, busyMs: number): void {
    const ring = this.#tasks;
    const now = this.#now();
    const share = busyMs / records.length;
    let at = now - busyMs;
    for (const record of records) {
      const s = ring.slotOf(record);
      at += share;
      if (s < 0 || !Number.isNaN(ring.ended(s))) continue;
      if (Number.isNaN(ring.started(s))) ring.begin(s, at - share, worker, false);
      ring.end(s, Math.max(ring.started(s), Math.min(at, now)));
    }
  }

  /** It went back to the queue before it began. */
  requeued(record: TaskRecord): void {
    const s = this.#tasks.slotOf(record);
    if (s < 0) return;
    this.#tasks.begin(s, NaN, -1, false);
    this.#changed();
  }

  /** It turned out to be a generator task. */
  generator(record: TaskRecord): void {
    const s = this.#tasks.slotOf(record);
    if (s >= 0 && this.#tasks.isKind(s, 'task')) this.#tasks.kind(s, 'generator');
  }

  /** It settled, with `value` (done) or `error`. */
  settled(record: TaskRecord, status: TaskStatus, value: unknown, error: unknown): void {
    const ring = this.#tasks;
    const s = ring.slotOf(record);
    if (s < 0) return;
    // Already set when it ended in a batch (see `ranTogether`).
    if (Number.isNaN(ring.ended(s))) ring.end(s, this.#now());
    ring.settle(
      s,
      status === 'done'
        ? 'done'
        : status === 'cancelled'
          ? 'cancelled'
          : error instanceof TaskTimeoutError
            ? 'timeout'
            : error instanceof WorkerCrashedError
              ? 'crashed'
              : 'failed',
    );
    if (this.#keeping > 0) {
      this.#details.set(record.id, taskDetails(record, ring.timing(s), status === 'done' ? { value } : { error }));
      if (this.#details.size > RECENT_DETAILS) this.#details.delete(this.#details.keys().next().value!);
    }
    this.#changed();
  }

  /** Something happened to a worker. */
  worker(worker: number, event: WorkerEventKind, more: WorkerEventMore = {}): void {
    this.#workers.push({ worker, at: this.#now(), event, ...more });
    this.#changed();
  }

  /** The value for one version. The rings are copied when first read: a view that never looks at them costs nothing. */
  #activity(_version: number): RecentActivity {
    let tasks: readonly TaskTiming[] | undefined;
    let workers: readonly WorkerEvent[] | undefined;
    const copyTasks = () => (tasks ??= this.#tasks.toArray());
    const copyWorkers = () => (workers ??= this.#workers.toArray());
    return {
      get tasks() {
        return copyTasks();
      },
      get workers() {
        return copyWorkers();
      },
      details: (id) => this.#detailsOf(id),
      keepDetails: () => this.#keep(),
    };
  }

  #detailsOf(id: number): TaskDetails | undefined {
    const kept = this.#details.get(id);
    if (kept) return kept;
    // A task still waiting or running is read live.
    const live = this.#tasks.live(id);
    return live && taskDetails(live.record, this.#tasks.timing(live.slot), {});
  }

  #keep(): () => void {
    this.#keeping++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      if (--this.#keeping === 0) this.#details.clear();
    };
  }

  /**
   * The clock, read once per turn: a batch of outcomes settles dozens of tasks in one turn,
   * microseconds apart, and they share its time. The turn's `#changed` clears it.
   */
  #now(): number {
    return (this.#clock ??= performance.now());
  }

  /** One new value per microtask turn, however many tasks moved in it. */
  #changed(): void {
    if (this.#bumping) return;
    this.#bumping = true;
    queueMicrotask(() => {
      this.#bumping = false;
      this.#clock = undefined;
      this.#version.value++;
    });
  }
}

/** The first non-blank line of `code`, shortened. */
function firstLine(code: string): string {
  let start = 0;
  while (start < code.length) {
    let end = code.indexOf('\n', start);
    if (end < 0) end = code.length;
    const line = code.slice(start, end).trim();
    if (line) return line.length > 120 ? `${line.slice(0, 119)}…` : line;
    start = end + 1;
  }
  return '';
}
