/**
 * What the scheduler needs of the fleet and of a worker, and what the fleet tells it. The
 * fleet (`fleet.ts`, with `WorkerHandle`s) is one implementation; the scheduler's unit
 * tests drive it with fakes. Nothing here knows of Python: a runtime boots behind the fleet.
 *
 * @internal
 */
import type { BootFailure, WorkerMessage } from '../shared/protocol.js';
import type { WorkerEventKind, WorkerEventMore } from './recent-log.js';
import type { WorkerHandle } from './worker-handle.js';
import type { PreemptCandidate } from './dispatcher.js';
import type { WorkerBootError } from './errors.js';
import type { ResolvedOptions } from './options.js';
import type { ChannelWorker } from './task-channel.js';
import type { TaskLine, WorkerStatus } from './task-line.js';
import type { TaskRecord } from './task.js';
import type { WorkerInfo } from './worker-info.js';

/** How a task settles (see `Scheduler.settle`): with its value, or an error (`failed` unless said otherwise). */
export type Ending = { value: unknown } | { error: unknown; status?: 'failed' | 'cancelled' };

/** One batch of outcomes, as the worker reported it. */
export interface RanBatch {
  /** Tasks that ran (not those skipped). */
  tasks: number;
  /** The heap's size after them, when the worker says. */
  heapBytes?: number;
  /** One of them ran out of memory. */
  memoryError: boolean;
}

/** A worker as the scheduler sees it. `WorkerHandle` is one. */
export interface SchedulableWorker extends PreemptCandidate, ChannelWorker {
  readonly id: number;
  readonly status: WorkerStatus;
  /** True once it has ended, on purpose or not. */
  readonly dead: boolean;
  /** The tasks in its hands, in run order. */
  readonly line: TaskLine<TaskRecord<SchedulableWorker>>;
  /** Tasks it has run. */
  readonly tasksRun: number;
  /** Count a batch of outcomes (its tasks run, heap, out-of-memory). */
  ran(batch: RanBatch): void;
}

/** What the fleet tells the scheduler. */
export interface FleetEvents {
  message(worker: SchedulableWorker, message: WorkerMessage): void;
  /** A warm worker died without being asked to; the fleet has already dropped it. */
  died(worker: SchedulableWorker, reason: string): void;
  /** Task `seq` could not be posted to `worker` (inputs not cloneable). */
  unsendable(worker: SchedulableWorker, seq: number, error: Error): void;
  /** `worker` is warm and idle: hand it work. */
  warm(worker: SchedulableWorker): void;
  /** A boot failed and another may be started (the scheduler re-plans). */
  retry(): void;
  /** Boots keep failing: nothing will start again. */
  broken(error: WorkerBootError): void;
  /** The list of workers changed. */
  changed(): void;
  /** A moment in a worker's life, for `pool.state.recent`. */
  noted(worker: SchedulableWorker, event: WorkerEventKind, more?: WorkerEventMore): void;
}

/** The fleet as the scheduler drives it: which workers exist, and their starts and ends. */
export interface Fleet {
  /** Every worker, booting ones and those waiting to be recycled included. */
  readonly workers: readonly SchedulableWorker[];
  /** Workers that count toward `min`/`max` (not spent ones). */
  readonly active: number;
  /** Workers that have booted. */
  readonly warm: number;
  /** Due for recycling: it takes no further task. */
  spent(worker: SchedulableWorker): boolean;
  /** Start the workers `waiting` tasks call for (at least one with `atLeastOne`). True if any started. */
  ensure(waiting: number, atLeastOne: boolean): boolean;
  /** `worker` holds nothing: it retires (spent), is trimmed (beyond `max`), or stays. */
  settle(worker: SchedulableWorker): 'retired' | 'trimmed' | 'serving';
  /** An idle worker above `min` retires after `idleTimeout` unless it gets work first. */
  retireWhenIdle(worker: SchedulableWorker): void;
  /** `worker` was handed work: it does not retire for being idle. */
  busy(worker: SchedulableWorker): void;
  /** End a worker and drop it (no `died` event follows). */
  remove(worker: SchedulableWorker, event?: WorkerEventKind, detail?: string): void;
  /** End every worker for good; resolves once they have ended. */
  end(options: { keepSnapshot: boolean }): Promise<unknown>;
  /** What `pool.state.workers` shows. */
  infos(): WorkerInfo[];
}

/** What the fleet needs of a runtime to boot its workers. */
export interface WorkerRuntime {
  /** Which worker script its workers run (see `WorkerStart`). */
  readonly entry: 'pyodide' | 'module';
  /** Its workers, as an error names them ("a Pyodide worker"). */
  readonly workerName: string;
  /** A worker started while no other boots: it may load the runtime's files at once. */
  prepare(worker: WorkerHandle): void;
  /** Boot `worker` until it is warm; rejects with `BootFailed`. `prepared`: `prepare` was called for it. */
  boot(worker: WorkerHandle, prepared: boolean): Promise<void>;
  /**
   * `worker`'s boot failed: true when that was not the worker's fault (a snapshot that did
   * not restore; a worker ended because its group was rebuilt), so it does not count
   * toward giving up.
   */
  bootFailed(failure: BootFailure, worker: WorkerHandle): boolean;
  /** No worker is booting any more. */
  allBooted(): void;
}

/** Workers bound to one caller each (see `pool/leases.ts`). */
export interface WorkerClaims {
  /** `worker` is leased: it takes only its lease's calls, handed to it directly (`handTo`). */
  held(worker: SchedulableWorker): boolean;
  /** `worker` holds nothing: a waiting `acquire()` may take it first. True if one did. */
  offer(worker: SchedulableWorker): boolean;
  /** How many `acquire()` calls wait for a worker (more workers start for them, up to `max`). */
  readonly waiting: number;
}

/** What the scheduler needs of the pool it serves. */
export interface SchedulerHost {
  options(): ResolvedOptions;
  /** `terminate()` was called. */
  ended(): boolean;
  /** `ready()` waits on a `min: 0` pool: start one worker anyway. */
  wantOne(): boolean;
  /** Enough workers are warm: `ready()` resolves. */
  ready(): void;
  /** Boots keep failing: `ready()` rejects. */
  broken(error: WorkerBootError): void;
  /** A warm worker was lost (it died, or was ended to stop its task), after its tasks were settled or requeued. */
  lost?(worker: SchedulableWorker, reason: string): void;
  /** Workers leased to one caller (`WasmPool.acquire`): none of the queue's tasks go to them. */
  claims?: WorkerClaims;
}
