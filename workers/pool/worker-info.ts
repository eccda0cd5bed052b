/**
 * What the rest of the pool sees of a worker: its public snapshot, how a boot fails, and
 * the events its handle reports.
 *
 * @internal
 */
import type { BootStage } from '../shared/boot-timeline.js';
import type { SnapshotSkip } from './snapshot-store.js';

/** A worker as `pool.state.workers` shows it. */
export interface WorkerInfo {
  id: number;
  status: 'starting' | 'idle' | 'busy';
  /** Tasks this worker has finished (with a result or an error). */
  tasksRun: number;
  /** Size of its wasm heap in bytes (it only grows; recycling the worker returns it). */
  heapBytes: number;
  /**
   * How it started, once warm: a restore from the pool's memory snapshot (setup and
   * packages in it), or a normal boot (packages and setup run here).
   */
  bootMode: 'normal' | 'snapshot' | undefined;
  /**
   * A normal boot whose interpreter was restored from the base snapshot shipped with the
   * package (a first visit's first worker) rather than started cold.
   */
  baseSnapshot: boolean;
  /**
   * Once warm: why it booted normally when a snapshot was wanted (see the README's
   * "Fast start"), undefined when it restored one (or made the pool's snapshot from the
   * base snapshot, as a first visit's first worker does).
   *
   * @example
   * const w = pool.state.workers.value[0];
   * if (w.snapshotSkipped === 'packages') console.info('numpy is loaded: workers boot normally');
   */
  snapshotSkipped: SnapshotSkip | undefined;
  /** Milliseconds its boot took inside the worker, once warm. */
  bootMs: number | undefined;
  /**
   * Once warm: when each stage of its boot started and ended, on the page's clock
   * (`performance.now()` ms), page and worker side, sorted by start. The `debug` option
   * prints it. `first-task` joins once its first task is answered.
   *
   * @example
   * for (const s of pool.state.workers.value[0].bootTimeline ?? []) console.log(s.name, s.end - s.start);
   */
  bootTimeline: readonly BootStage[] | undefined;
  /**
   * Due for recycling, and why: it takes no further task and is replaced once it holds
   * none. `'heap'`: its heap passed `recycle.heapBytes` (1 GiB by default) after a task;
   * `'memory-error'`: a task ran out of memory (a `MemoryError`); `'tasks'`: it ran
   * `recycle.afterTasks` tasks (`isolate: 'task'`); `'crashed'`: its interpreter cannot go on.
   */
  recycling?: RecycleReason;
  /** The worker this one was started to replace, and why (see `recycling`). */
  replaces?: { id: number; reason: RecycleReason };
}

/** Why a worker is recycled (see {@link WorkerInfo.recycling}). */
export type RecycleReason = 'heap' | 'memory-error' | 'tasks' | 'crashed';

// Boot failed; `failure.kind` says whether trying again can help (one class with the worker's).
export { BootFailed } from '../shared/boot-failed.js';
