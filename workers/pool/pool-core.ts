/**
 * What every pool is, whatever runs in its workers: the scheduler and the fleet it drives,
 * the ledger behind `pool.state`, `ready()`, admission (`maxQueue`, a pool that cannot
 * boot, a task cancelled before it was queued), `configure()` and `terminate()`.
 * `PyodidePool` and the module pools (`ModulePool`, `WasmPool`) are its public faces, each
 * with its own runtime (how its workers boot) and its own way of making tasks.
 *
 * @internal
 */
import { PoolTerminatedError, QueueFullError, TaskCancelledError } from './errors.js';
import { PoolLedger, type PoolState } from './ledger.js';
import type { ResolvedOptions } from './options.js';
import { Scheduler } from './scheduler.js';
import type { SchedulableWorker, WorkerClaims, WorkerRuntime } from './scheduler-ports.js';
import { WorkerFleet } from './fleet.js';
import { TaskRecord } from './task.js';

/** A task record as the scheduler holds it. */
export type ScheduledTask = TaskRecord<SchedulableWorker>;

/** What a task is made with, once its options are checked. */
export type TaskInit = ConstructorParameters<typeof TaskRecord>[2];

/** How a pool's core is set up. */
export interface PoolCoreSetup {
  options: () => ResolvedOptions;
  /** How its workers boot. */
  runtime: WorkerRuntime;
  /** A worker script of the user's (bundlers that move it). */
  workerURL?: URL | string;
  /** Workers get a control block (interrupts, pipelining): isolated pages, runtimes that take interrupts. */
  interruptible: boolean;
  /** A worker was lost (died, or ended to stop its task): a pool whose workers share state reacts (see `WasmPool`). */
  lost?: (worker: SchedulableWorker, reason: string) => void;
  /** Workers leased to one caller (see `WasmPool.acquire`). */
  claims?: WorkerClaims;
  /** The pool can take no more work: it was terminated, or its boots keep failing (`error` says which). */
  closed?: (error: Error) => void;
}

export class PoolCore {
  readonly ledger = new PoolLedger();
  readonly state: PoolState = this.ledger.view;
  readonly scheduler: Scheduler;
  /** The workers (the scheduler drives them; the pool reads them). */
  fleet!: WorkerFleet;
  #terminated = false;
  #nextTaskId = 1;
  /** With `min: 0`, `ready()` still wants one warm worker. */
  #wantOne = false;
  readonly #ready: Promise<void>;
  #resolveReady!: () => void;
  #rejectReady!: (error: unknown) => void;
  readonly #closed: ((error: Error) => void) | undefined;

  constructor({ options, runtime, workerURL, interruptible, lost, claims, closed }: PoolCoreSetup) {
    this.#closed = closed;
    this.#ready = new Promise((resolve, reject) => {
      this.#resolveReady = resolve;
      this.#rejectReady = reject;
    });
    this.#ready.catch(() => {});
    const host = {
      options,
      ended: () => this.#terminated,
      wantOne: () => this.#wantOne,
      ready: () => this.#resolveReady(),
      broken: (error: Error) => {
        this.#rejectReady(error);
        this.#closed?.(error);
      },
      lost,
      claims,
    };
    this.scheduler = new Scheduler(host, this.ledger, (events) => (this.fleet = new WorkerFleet(options, workerURL, interruptible, runtime, events)));
    this.scheduler.ensure();
  }

  /** `terminate()` was called. */
  get terminated(): boolean {
    return this.#terminated;
  }

  /** Resolves when `min` workers (at least one) are warm; rejects if they cannot start. */
  ready(): Promise<void> {
    if (!this.#terminated && this.fleet.workers.length === 0 && !this.fleet.bootError) {
      this.#wantOne = true;
      this.scheduler.ensure();
    }
    return this.#ready;
  }

  /** Throws `PoolTerminatedError` after `terminate()`, and `QueueFullError` when `maxQueue` tasks wait and no worker is idle. */
  checkRoom(maxQueue: number): void {
    if (this.#terminated) throw new PoolTerminatedError();
    // Counts tasks handed to a worker but not begun too: to the user they are queued.
    if (this.ledger.queued.peek() >= maxQueue && !this.scheduler.idleWorker()) {
      throw new QueueFullError(`The pool's queue is full (maxQueue ${maxQueue})`);
    }
  }

  /** A task nothing refuses any more: record it, and queue it (or settle it at once). */
  enqueue(code: string, init: TaskInit, abort?: AbortSignal): ScheduledTask {
    const record = this.#record(code, init, abort);
    if (!record.settled) this.scheduler.add(record);
    return record;
  }

  /** A leased worker's call: recorded as any task, and handed to that worker, which is idle and held for its caller. */
  handTo(worker: SchedulableWorker, code: string, init: TaskInit, abort?: AbortSignal): ScheduledTask {
    const record = this.#record(code, init, abort);
    if (!record.settled) this.scheduler.handTo(worker, record);
    return record;
  }

  /** Record a task: settled at once when it was cancelled already or no worker can start. */
  #record(code: string, init: TaskInit, abort: AbortSignal | undefined): ScheduledTask {
    const record: ScheduledTask = new TaskRecord(this.#nextTaskId++, code, init, (reason) => this.scheduler.cancel(record, reason));
    this.ledger.added(record);
    if (abort?.aborted) {
      this.scheduler.settle(record, { error: new TaskCancelledError(abort.reason), status: 'cancelled' });
      return record;
    }
    record.watch(abort);
    const bootError = this.fleet.bootError;
    if (bootError) this.scheduler.settle(record, { error: bootError });
    return record;
  }

  /** Options changed (`configure`): workers start or retire to fit. */
  reconsider(): void {
    if (!this.#terminated) this.scheduler.reconsider();
  }

  /**
   * End every worker: unsettled tasks reject with `PoolTerminatedError` at once. Returns
   * undefined when already terminated, else a promise of every worker's end.
   */
  terminate(keepSnapshot: boolean): Promise<unknown> | undefined {
    if (this.#terminated) return undefined;
    this.#terminated = true;
    const error = new PoolTerminatedError();
    const ended = this.scheduler.endAll(error, { keepSnapshot });
    this.ledger.ready.value = false;
    this.#rejectReady(error);
    this.#closed?.(error);
    return ended;
  }
}
