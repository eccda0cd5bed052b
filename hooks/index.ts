/**
 * pyodide-pool/hooks — the framework-free bridge between a pool and UI state. The task
 * lifecycle is the core's {@link TaskRun}; the React, Vue and Svelte adapters only map
 * these signals onto one primitive of their framework.
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
import { computed, type ReadonlySignal } from '@preact/signals-core';
import {
  currentPool,
  followPool,
  TaskRun,
  type PoolHolder,
  type PoolSource,
  type TaskProgress,
  type TaskRunSnapshot,
  type TaskRunStatus,
  type WorkerInfo,
} from '../workers/index.js';

/** Status of a hook-managed task; `idle` until it first runs. */
export type TaskHookStatus = TaskRunStatus;
/** Everything a UI shows of a task, as one immutable value. */
export type TaskSnapshot<T = unknown> = TaskRunSnapshot<T>;
/** What the hooks need of a `<worker-pool>` element. */
export type PoolElementLike = PoolHolder;
/** A task bound to UI state: a connected {@link TaskRun}. */
export type TaskHandle<T = unknown> = TaskRun<T>;

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
  /** Inputs of the runs (each key becomes a Python global). Compared by value. */
  inputs?: Record<string, unknown>;
  /** Run now, and again whenever the inputs change (by value), cancelling the stale run. */
  auto?: boolean;
  /** Timeout of each run in ms. */
  timeout?: number;
  /** Text `input()` reads, line by line. */
  stdin?: string;
}

/** The value of {@link createPoolState} when there is no pool (yet). */
export const EMPTY_POOL_SNAPSHOT: PoolSnapshot = Object.freeze({ workers: Object.freeze([]) as readonly WorkerInfo[], queued: 0, running: 0, completed: 0, failed: 0, ready: false });

/**
 * A pool's state as one signal of plain values, for frameworks that want a single store.
 * Follows a `<worker-pool>`'s rebuilds. Call `dispose` when done.
 *
 * @example
 * const { state, dispose } = createPoolState(pool);
 * state.value.running;
 */
export function createPoolState(source: PoolSource): { state: ReadonlySignal<PoolSnapshot>; dispose(): void } {
  const { pool, dispose } = followPool(source);
  const state = computed<PoolSnapshot>(() => {
    const p = pool.value;
    if (!p || p instanceof Error) return EMPTY_POOL_SNAPSHOT;
    const s = p.state;
    return { workers: s.workers.value, queued: s.queued.value, running: s.running.value, completed: s.completed.value, failed: s.failed.value, ready: s.ready.value };
  });
  return { state, dispose };
}

function snapshotOf(source: PoolSource): PoolSnapshot {
  const pool = currentPool(source);
  if (!pool) return EMPTY_POOL_SNAPSHOT;
  const s = pool.state;
  return { workers: s.workers.value, queued: s.queued.value, running: s.running.value, completed: s.completed.value, failed: s.failed.value, ready: s.ready.value };
}

function sameSnapshot(a: PoolSnapshot, b: PoolSnapshot): boolean {
  return a.workers === b.workers && a.queued === b.queued && a.running === b.running && a.completed === b.completed && a.failed === b.failed && a.ready === b.ready;
}

/**
 * A pool's state as an external store: `getSnapshot()` reads it now (the same object
 * until something changes) and `subscribe(listener)` follows it, a `<worker-pool>`'s
 * rebuilds included, until the returned function is called. Making one subscribes to
 * nothing, so a view may make it while it renders (React) — TanStack's contract, which
 * is also Svelte's store contract.
 *
 * @example
 * const store = poolStateStore(pool);
 * const stop = store.subscribe((state) => console.log(state.running));
 */
export function poolStateStore(source: PoolSource): { getSnapshot(): PoolSnapshot; subscribe(listener: (state: PoolSnapshot) => void): () => void } {
  let last = EMPTY_POOL_SNAPSHOT;
  const getSnapshot = (): PoolSnapshot => {
    const next = snapshotOf(source);
    if (!sameSnapshot(next, last)) last = next;
    return last;
  };
  return {
    getSnapshot,
    subscribe(listener) {
      const { state, dispose } = createPoolState(source);
      const stop = state.subscribe(() => listener(getSnapshot()));
      return () => {
        stop();
        dispose();
      };
    },
  };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * Whether two option objects are the same by value: plain objects and arrays compared
 * member by member, URLs by `href`, everything else (numbers, `Infinity`, functions,
 * Blobs…) by identity — never through JSON, which would turn `Infinity` into `null`.
 *
 * @example
 * sameOptions({ maxQueue: Infinity, packages: ['a'] }, { maxQueue: Infinity, packages: ['a'] }); // true
 */
export function sameOptions(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (a instanceof URL && b instanceof URL) return a.href === b.href;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((value, i) => sameOptions(value, b[i]));
  if (isPlainObject(a) && isPlainObject(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    return [...keys].every((key) => sameOptions(a[key], b[key]));
  }
  return false;
}

/**
 * Bind Python code to UI state: a {@link TaskRun}, already connected. Runs never
 * overlap (a new run cancels the one in progress), a stale run never overwrites a newer
 * one, a run waits for a `<worker-pool>` that has no pool yet, and moves to its new pool
 * when it is rebuilt.
 *
 * @example
 * const t = createTask(el, 'double(x)', { inputs: { x: 2 }, auto: true });
 * effect(() => console.log(t.status.value, t.result.value));
 */
export function createTask<T = unknown>(source: PoolSource, code: string, options: CreateTaskOptions = {}): TaskHandle<T> {
  const run = new TaskRun<T>(source, code, options);
  run.connect();
  return run;
}

/** Options of {@link createMap}. */
export interface CreateMapOptions {
  /** Run now, and again whenever the items change (arrays by value), cancelling the stale run. */
  auto?: boolean;
  /** Ms each item may run. */
  timeout?: number;
  /** Items per chunk (default: sized from measured item times). */
  chunkSize?: number;
  /** `'first'` (default): fail at the first failing item; `'all'`: `{ value } | { error }` per item. */
  settle?: 'first' | 'all';
}

/**
 * Bind a `pool.map` to UI state: a {@link TaskRun} whose runs map `code` over `items`
 * (the Python global `item`), already connected. `result` is the array of values,
 * `progress` counts items (`done`, `total`, and `fraction` for a progress bar), `cancel`
 * stops it between items; `run(items)` maps over new items.
 *
 * @example
 * const m = createMap(pool, 'item ** 2', [1, 2, 3], { auto: true });
 * effect(() => console.log(m.progress.value?.done, m.result.value)); // … 3 [1, 4, 9]
 * await m.run([4, 5]);                                                  // [16, 25]
 */
export function createMap<T = unknown>(source: PoolSource, code: string, items: Iterable<unknown>, options: CreateMapOptions = {}): TaskHandle<T[]> {
  const run = new TaskRun<T[]>(source, code, { ...options, items });
  run.connect();
  return run;
}

export { followPool, TaskRun };
export type { PoolSource, TaskProgress, WorkerInfo };
