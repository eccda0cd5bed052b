/**
 * Stopping a task in a worker's hands, for cancel and timeout: drop it if its worker has
 * not begun it, interrupt it (KeyboardInterrupt) or message it (an awaiting task) where
 * that keeps the worker, and end the worker where nothing else will do. The page's clock
 * has the last say: a task asked to stop that has not settled within `interruptGrace`
 * has its worker ended. Owned by the scheduler, which it tells what to settle and end.
 *
 * @internal
 */
import { TaskCancelledError } from './errors.js';
import { stopEnding } from './task-endings.js';
import type { TaskRecord as AnyTaskRecord } from './task.js';
import type { PhaseEvent, StopRequest } from './task-phase.js';
import type { TaskTimers } from './task-timers.js';
import type { Ending, SchedulableWorker } from './scheduler-ports.js';

type TaskRecord = AnyTaskRecord<SchedulableWorker>;

/** How soon a stop that found the worker holding the control block's lock is tried again. */
const STOP_RETRY_MS = 2;

/** What the stopper needs of the scheduler. */
export interface StopHost {
  /** Ms a task asked to stop has to settle (`interruptGrace`). */
  grace(): number;
  /** Change a task's phase (the scheduler's one transition function). */
  move(record: TaskRecord, event: PhaseEvent<SchedulableWorker>): void;
  /** The tasks' timers (the grace replaces a task's timeout). */
  readonly timers: TaskTimers<TaskRecord>;
  settle(record: TaskRecord, ending: Ending): void;
  /** `worker` let go of a task it had not begun. */
  released(worker: SchedulableWorker): void;
  /** End `worker` at once to stop its task: its tasks settle or run elsewhere. */
  endWorker(worker: SchedulableWorker): void;
}

export class Stopper {
  readonly #host: StopHost;

  constructor(host: StopHost) {
    this.#host = host;
  }

  /** Cancel a task in a worker's hands. */
  cancel(record: TaskRecord, reason: unknown): void {
    if (record.chunk && record.worker) {
      // A map chunk stops between items: one not begun is dropped, a running one ends
      // after its item (chunks are a few ms of work) and its worker is kept, on any page.
      const worker = record.worker;
      if (worker.line.drop(record)) {
        this.#host.settle(record, { error: new TaskCancelledError(reason), status: 'cancelled' });
        this.#host.released(worker);
      } else if (worker.line.interruptible) {
        this.stop(record, { kind: 'cancel', reason });
      } else if (!record.stop) {
        // Without shared memory it ends after its items (a few ms of work), keeping its
        // worker; the page's clock ends the worker if it has not within the grace.
        this.#host.move(record, { type: 'stop', request: { kind: 'cancel', reason } });
        this.#armGrace(record, worker);
      }
    } else if (record.worker) {
      this.stop(record, { kind: 'cancel', reason });
    }
  }

  /**
   * Stop a task handed to a worker. One it has not begun is dropped at once. A running
   * one gets KeyboardInterrupt when the page allows it, keeping the worker warm, and
   * settles when its worker answers. The page's clock, not the worker's shared words,
   * has the last say: if it has not settled within `interruptGrace` (it ignored the
   * interrupt, cannot be interrupted, or its worker says it ended but sends no outcome),
   * the worker is ended and replaced and the task settles with the stop's error.
   */
  stop(record: TaskRecord, request: StopRequest): void {
    const worker = record.worker;
    if (record.settled || record.stop || !worker) return;
    this.#host.move(record, { type: 'stop', request });
    this.#armGrace(record, worker);
    this.#tryStop(record, worker);
  }

  /** From now on `record` has `interruptGrace` to settle (its timeout, if any, is over). */
  #armGrace(record: TaskRecord, worker: SchedulableWorker): void {
    this.#host.timers.set(record, this.#host.grace(), () => this.#graceOver(record, worker));
  }

  #tryStop(record: TaskRecord, worker: SchedulableWorker): void {
    if (record.settled || worker.line.inflight.get(record.seq) !== record) return;
    const outcome = worker.line.stop(record);
    if (outcome === 'skipped') {
      this.#host.settle(record, stopEnding(record.stop!));
      // It held that task, so it was busy: nothing left in hand now means idle.
      this.#host.released(worker);
    } else if (outcome === 'impossible') {
      this.#host.endWorker(worker);
    } else if (outcome === 'locked') {
      // The worker holds the control block's lock (paused mid-step, or misbehaving): try
      // again soon; the grace timer ends it if it never lets go.
      setTimeout(() => this.#tryStop(record, worker), STOP_RETRY_MS);
    }
    // 'interrupted' and 'finished': its outcome settles it, or the grace runs out.
  }

  /** `record` was asked to stop `interruptGrace` ago and has not settled: end its worker. */
  #graceOver(record: TaskRecord, worker: SchedulableWorker): void {
    if (record.settled || worker.dead || worker.line.inflight.get(record.seq) !== record) return;
    const grace = this.#host.grace();
    // A generator set aside for an urgent task that has begun (and has its own timeout
    // and grace) stops at its next yield, once that task is over: wait for it. One that
    // has not begun waits for a yield that may never come: no reason to wait.
    if (record.preemptible && [...worker.line.inflight.values()].some((other) => other && other !== record && other.preempting && other.status.peek() === 'running')) {
      this.#armGrace(record, worker);
      return;
    }
    console.warn(`pyodide-pool: task ${record.id} did not stop within ${grace} ms of being asked to; replacing worker ${worker.id}`);
    this.#host.endWorker(worker);
  }
}
