/**
 * pyodide-pool/hooks — the framework-free bridge between a pool and UI state. The task
 * lifecycle is the core's {@link TaskRun}; the React, Vue and Svelte adapters only map
 * these signals onto one primitive of their framework. Every `source` takes any pool
 * (`PyodidePool`, `ModulePool`, `WasmPool`), a `<worker-pool>`, or a signal of either.
 *
 * @example
 * import { createCall, createTask } from 'pyodide-pool/hooks';
 * const t = createTask(pool, 'double(x)', { inputs: { x: 2 }, auto: true });
 * t.result.value;          // 4, once done
 * await t.run({ x: 3 });   // 6
 * t.dispose();
 * const sum = createCall(modulePool, 'add', [2, 3], { auto: true });
 * sum.result.value;        // 5, once done
 *
 * @packageDocumentation
 */
import { computed, type ReadonlySignal } from '@preact/signals-core';
import {
  type ArgsSource,
  EMPTY_POOL_SNAPSHOT,
  followPool,
  poolSnapshot,
  poolStateStore,
  TaskRun,
  type PoolHolder,
  type PoolSnapshot,
  type PoolSource,
  type PoolStateStore,
  type TaskPool,
  type TaskProgress,
  type TaskRunSnapshot,
  type TaskRunStatus,
  type WorkerInfo,
} from '../workers/index.js';

/** @deprecated The same type as {@link TaskRunStatus}: use that name. */
export type TaskHookStatus = TaskRunStatus;
/** Everything a UI shows of a task, as one immutable value. */
export type TaskSnapshot<T = unknown> = TaskRunSnapshot<T>;
/** @deprecated The same type as {@link PoolHolder}: use that name. */
export type PoolElementLike = PoolHolder;
/** A task bound to UI state: a {@link TaskRun}. */
export type TaskHandle<T = unknown> = TaskRun<T>;

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

/**
 * A pool's state as one signal of plain values, for frameworks that want a single store.
 * Follows a `<worker-pool>`'s rebuilds. Call `dispose` when done. (A store with
 * `subscribe`/`getSnapshot` is {@link poolStateStore}.)
 *
 * @example
 * const { state, dispose } = createPoolState(pool);
 * state.value.running;
 */
export function createPoolState(source: PoolSource): { state: ReadonlySignal<PoolSnapshot>; dispose(): void } {
  const { pool, dispose } = followPool(source);
  return { state: computed(() => poolSnapshot(pool.value)), dispose };
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
 * Bind Python code to UI state: a {@link TaskRun}, connected now (it needs no subscriber:
 * signals are read directly) until `dispose()`. Runs never
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
 * (the Python global `item`), connected now until `dispose()`. `result` is the array of values,
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

/** Options of {@link createCall}. */
export interface CreateCallOptions {
  /** Call now, and again whenever the arguments change (by value), cancelling the stale call. */
  auto?: boolean;
  /** Ms each call may run; past it the worker running it is ended and replaced (JavaScript cannot be interrupted). */
  timeout?: number;
}

/**
 * Bind a call of a `ModulePool`'s or `WasmPool`'s export to UI state: a {@link TaskRun}
 * whose runs are `pool.submit(name, { args })`, connected now until `dispose()`. The same
 * lifecycle and signals as {@link createTask}: `status`, `result`, `error` (what the
 * export threw, or `WorkerCrashedError` for a trap), `stdout` (what it logged), and
 * `run(args)` / `cancel()`. `args` may be a function, read at each run; arrays are
 * compared by value. A cancelled call that is running ends its worker, which is replaced.
 *
 * @example
 * const pool = new ModulePool({ module: new URL('./calc.js', import.meta.url) });
 * const sum = createCall<number>(pool, 'add', [2, 3], { auto: true });
 * effect(() => console.log(sum.status.value, sum.result.value)); // … done 5
 * sum.update({ args: [4, 5] });                                   // re-runs: 9
 * await sum.run([1, 1]);                                          // 2
 * sum.dispose();
 */
export function createCall<T = unknown>(source: PoolSource, name: string, args: ArgsSource = [], options: CreateCallOptions = {}): TaskHandle<T> {
  const run = new TaskRun<T>(source, name, { ...options, args });
  run.connect();
  return run;
}

export { EMPTY_POOL_SNAPSHOT, followPool, poolStateStore, TaskRun };
export type { ArgsSource, PoolHolder, PoolSnapshot, PoolSource, PoolStateStore, TaskPool, TaskProgress, TaskRunStatus, WorkerInfo };
