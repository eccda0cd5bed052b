/**
 * pyodide-pool/hooks — the framework-free bridge between a pool and UI state. All
 * behaviour lives here; the React, Vue and Svelte adapters only map these signals onto
 * one primitive of their framework.
 *
 * @example
 * import { createTask } from 'pyodide-pool/hooks';
 * const t = createTask(pool, 'double(x)', { inputs: { x: 2 }, auto: true });
 * t.result.value;          // 4, once done
 * await t.run({ x: 3 });   // 6
 * t.dispose();
 *
 * @packageDocumentation
 */
import { computed, signal, type ReadonlySignal } from '@preact/signals-core';
import { dequal } from 'dequal';
import { TaskCancelledError, type PyodidePool, type Task, type TaskProgress, type WorkerInfo } from '../workers/index.js';

/** A pool, or a `<worker-pool>` element (anything with a `pool` property that announces changes with `pool-change`). */
export type PoolSource = PyodidePool | PoolElementLike | null | undefined;

/** What the hooks need of a `<worker-pool>` element, without importing the elements. */
export interface PoolElementLike extends EventTarget {
  readonly pool: PyodidePool | undefined;
}

/** Status of a hook-managed task; `idle` until it first runs. */
export type TaskHookStatus = 'idle' | 'queued' | 'running' | 'done' | 'failed' | 'cancelled';

/** Everything a UI shows of a task, as one immutable value. */
export interface TaskSnapshot<T = unknown> {
  status: TaskHookStatus;
  result: T | undefined;
  error: Error | undefined;
  stdout: string;
  progress: TaskProgress | undefined;
}

/** Pool counters as one immutable value (zeros when there is no pool yet). */
export interface PoolSnapshot {
  workers: readonly WorkerInfo[];
  queued: number;
  running: number;
  completed: number;
  failed: number;
  ready: boolean;
}

/** Options of {@link createTask}. */
export interface CreateTaskOptions {
  /** Inputs of the runs (each key becomes a Python global). */
  inputs?: Record<string, unknown>;
  /** Run now, and again whenever the inputs change (by value), cancelling the stale run. */
  auto?: boolean;
  /** Timeout of each run in ms. */
  timeout?: number;
}

/** A task bound to UI state. */
export interface TaskHandle<T = unknown> {
  readonly status: ReadonlySignal<TaskHookStatus>;
  readonly result: ReadonlySignal<T | undefined>;
  readonly error: ReadonlySignal<Error | undefined>;
  readonly stdout: ReadonlySignal<string>;
  readonly progress: ReadonlySignal<TaskProgress | undefined>;
  /** All of the above as one value that changes identity only when something changed. */
  readonly snapshot: ReadonlySignal<TaskSnapshot<T>>;
  /** Run now (cancelling a run in progress), with these inputs or the current ones. */
  run(inputs?: Record<string, unknown>): Promise<T>;
  /** Cancel the run in progress, if any. */
  cancel(reason?: unknown): void;
  /** New inputs: ignored when equal by value; with `auto`, a change starts a new run. Returns whether they changed. */
  setInputs(inputs: Record<string, unknown> | undefined): boolean;
  /** Cancel any run and stop reacting. The handle can still be read. */
  dispose(): void;
}

const EMPTY_POOL: PoolSnapshot = Object.freeze({ workers: [], queued: 0, running: 0, completed: 0, failed: 0, ready: false });

function isPool(source: PoolSource): source is PyodidePool {
  return !!source && 'submit' in source && typeof (source as PyodidePool).submit === 'function';
}

/**
 * The current pool of a source, as a signal: constant for a pool; for a `<worker-pool>`
 * element it follows the element's rebuilds. Call the returned `dispose` when done.
 */
export function poolSignal(source: PoolSource): { pool: ReadonlySignal<PyodidePool | undefined>; dispose(): void } {
  if (!source || isPool(source)) return { pool: signal(source ?? undefined), dispose: () => {} };
  const current = signal(source.pool);
  const onChange = () => (current.value = source.pool);
  source.addEventListener('pool-change', onChange);
  return { pool: current, dispose: () => source.removeEventListener('pool-change', onChange) };
}

/**
 * A pool's state as one signal of plain values, for frameworks that want a single store.
 *
 * @example
 * const { state, dispose } = createPoolState(pool);
 * state.value.running;
 */
export function createPoolState(source: PoolSource): { state: ReadonlySignal<PoolSnapshot>; dispose(): void } {
  const { pool, dispose } = poolSignal(source);
  const state = computed<PoolSnapshot>(() => {
    const p = pool.value;
    if (!p) return EMPTY_POOL;
    const s = p.state;
    return { workers: s.workers.value, queued: s.queued.value, running: s.running.value, completed: s.completed.value, failed: s.failed.value, ready: s.ready.value };
  });
  return { state, dispose };
}

/**
 * Bind Python code to UI state. Runs never overlap: a new run cancels the one in
 * progress, and a stale run can never overwrite the state of a newer one.
 */
export function createTask<T = unknown>(source: PoolSource, code: string, options: CreateTaskOptions = {}): TaskHandle<T> {
  const { pool, dispose: stopFollowing } = poolSignal(source);
  const status = signal<TaskHookStatus>('idle');
  const result = signal<T | undefined>(undefined);
  const error = signal<Error | undefined>(undefined);
  const stdout = signal('');
  const progress = signal<TaskProgress | undefined>(undefined);
  const snapshot = computed<TaskSnapshot<T>>(() => ({
    status: status.value,
    result: result.value,
    error: error.value,
    stdout: stdout.value,
    progress: progress.value,
  }));
  let inputs = options.inputs;
  let current: Task<T> | undefined;
  let generation = 0;
  let disposed = false;
  let waitingForPool = false;

  async function run(nextInputs?: Record<string, unknown>): Promise<T> {
    if (nextInputs !== undefined) inputs = nextInputs;
    const mine = ++generation;
    current?.cancel('superseded by a newer run');
    current = undefined;
    const p = pool.peek();
    if (disposed) throw new TaskCancelledError('the task was disposed');
    if (!p) {
      // A <worker-pool> whose pool is not made yet: run once it is.
      waitingForPool = true;
      status.value = 'queued';
      return new Promise<T>((resolve, reject) => {
        const stop = pool.subscribe((ready) => {
          if (!ready) return;
          queueMicrotask(() => stop());
          waitingForPool = false;
          if (mine === generation) run().then(resolve, reject);
          else reject(new TaskCancelledError('superseded by a newer run'));
        });
      });
    }
    const task = p.submit<T>(code, { inputs, timeout: options.timeout });
    current = task;
    stdout.value = '';
    progress.value = undefined;
    error.value = undefined;
    const stopMirror = task.status.subscribe((s) => {
      if (mine === generation && (s === 'queued' || s === 'running')) status.value = s;
    });
    const stopStdout = task.stdout.subscribe((text) => mine === generation && (stdout.value = text));
    const stopProgress = task.progress.subscribe((value) => mine === generation && (progress.value = value));
    try {
      const value = await task.result;
      if (mine === generation) {
        result.value = value;
        status.value = 'done';
      }
      return value;
    } catch (err) {
      if (mine === generation) {
        error.value = err as Error;
        status.value = err instanceof TaskCancelledError ? 'cancelled' : 'failed';
      }
      throw err;
    } finally {
      stopMirror();
      stopStdout();
      stopProgress();
      if (current === task) current = undefined;
    }
  }

  function cancel(reason?: unknown): void {
    if (current) current.cancel(reason);
    else if (waitingForPool) {
      generation++;
      waitingForPool = false;
      status.value = 'cancelled';
      error.value = new TaskCancelledError(reason);
    }
  }

  const runQuietly = () => {
    void run().catch(() => undefined);
  };

  if (options.auto) runQuietly();

  return {
    status,
    result,
    error,
    stdout,
    progress,
    snapshot,
    run(nextInputs) {
      const outcome = run(nextInputs);
      // Failures are also in `error`/`status`; an ignored rejection is not "unhandled".
      outcome.catch(() => {});
      return outcome;
    },
    cancel,
    setInputs(next) {
      if (dequal(next, inputs)) return false;
      inputs = next;
      if (options.auto && !disposed) runQuietly();
      return true;
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      cancel('the task was disposed');
      stopFollowing();
    },
  };
}

export type { TaskProgress, WorkerInfo };
