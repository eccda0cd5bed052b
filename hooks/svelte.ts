/**
 * pyodide-pool/hooks/svelte — Svelte adapter. The stores follow Svelte's store contract
 * (`subscribe` calls back at once and returns an unsubscribe function), so they work with
 * Svelte 4's `$store` and Svelte 5's `fromStore`. No import of Svelte is needed: the
 * core's `TaskRun` and `poolStateStore` already are such stores.
 *
 * @example
 * <script>
 *   import { poolState, task } from 'pyodide-pool/hooks/svelte';
 *   const counts = poolState(pool);
 *   const doubled = task(pool, 'double(x)', { inputs: { x: 2 }, auto: true });
 *   const sum = call(modulePool, 'add', [2, 3], { auto: true }); // any pool: exports by name
 * </script>
 * <p>{$doubled.status}: {$doubled.result} — {$sum.result} — {$counts.running} running</p>
 */
import { TaskRun } from '../workers/index.js';
import { poolStateStore, type CreateCallOptions, type CreateMapOptions, type CreateTaskOptions, type PoolSnapshot, type PoolSource, type TaskSnapshot } from './index.js';

/** Svelte's readable store contract. */
export interface Readable<T> {
  subscribe(run: (value: T) => void): () => void;
}

/**
 * A task store: its value is the task's snapshot (with `awaitingInput`); `run`, `cancel`,
 * `setInputs`, `send` and `sendInput` act on it.
 */
export interface TaskStore<T> extends Readable<TaskSnapshot<T>> {
  run(inputs?: Record<string, unknown>): Promise<T>;
  cancel(reason?: unknown): void;
  /** Post plain data to the running task (Python: `receive()` / `await receive_async()`). */
  send(data: unknown): void;
  /** Answer the `input()` the task waits on; false if none waits. */
  sendInput(text: string): boolean;
  setInputs(inputs: Record<string, unknown> | undefined): void;
}

/**
 * The pool's counters and workers as one readable store; any pool (`PyodidePool`,
 * `ModulePool`, `WasmPool`) or a `<worker-pool>`.
 *
 * @example
 * const counts = poolState(wasmPool); // {$counts.workers.length} workers, {$counts.running} running
 */
export function poolState(source: PoolSource): Readable<PoolSnapshot> {
  return { subscribe: poolStateStore(source).subscribe };
}

/**
 * A task as a readable store: the core's `TaskRun`, which follows its pool while it has
 * subscribers. With `auto` it runs when the first arrives (and again when `setInputs`
 * changes the inputs), and when the last leaves (the component is destroyed) the run in
 * progress is cancelled and nothing is left listening. A later subscriber starts it again.
 */
export function task<T = unknown>(source: PoolSource, code: string, options: CreateTaskOptions = {}): TaskStore<T> {
  const run = new TaskRun<T>(source, code, options);
  return { subscribe: run.subscribe, run: run.run, cancel: run.cancel, send: run.send, sendInput: run.sendInput, setInputs: (inputs) => void run.setInputs(inputs) };
}

/** A map store: its value is the map's snapshot (`result`: the values; `progress`: items done). */
export interface MapStore<T> extends Readable<TaskSnapshot<T[]>> {
  /** Map again, over these items or the current ones. */
  run(items?: Iterable<unknown>): Promise<T[]>;
  /** Stop between items; the run settles as cancelled. */
  cancel(reason?: unknown): void;
  /** New items (arrays compared by value); with `auto`, a change maps again. */
  setItems(items: Iterable<unknown>): void;
}

/**
 * `pool.map(code, items)` as a readable store, following its pool while it has
 * subscribers, as {@link task} does.
 *
 * @example
 * const squares = map(pool, 'item ** 2', [1, 2, 3], { auto: true });
 * // {$squares.progress?.done} of 3: {$squares.result}
 */
export function map<T = unknown>(source: PoolSource, code: string, items: Iterable<unknown>, options: CreateMapOptions = {}): MapStore<T> {
  const run = new TaskRun<T[]>(source, code, { ...options, items });
  return { subscribe: run.subscribe, run: run.run as MapStore<T>['run'], cancel: run.cancel, setItems: (next) => void run.update({ items: next }) };
}

/** A call store: its value is the call's snapshot (`stdout`: what the export logged). */
export interface CallStore<T> extends Readable<TaskSnapshot<T>> {
  /** Call again, with these arguments or the current ones. */
  run(args?: readonly unknown[]): Promise<T>;
  /** Cancel the call in progress; a running one ends its worker, which is replaced. */
  cancel(reason?: unknown): void;
  /** New arguments (compared by value); with `auto`, a change calls again. */
  setArgs(args: readonly unknown[]): void;
}

/**
 * A call of a `ModulePool`'s or `WasmPool`'s export as a readable store, following its
 * pool while it has subscribers, as {@link task} does: with `auto` it calls when the first
 * arrives and again when `setArgs` changes the arguments; the last leaving cancels it.
 *
 * @example
 * <script>
 *   let { pool, a, b } = $props();
 *   const sum = call(pool, 'add', [a, b], { auto: true });
 *   $effect(() => sum.setArgs([a, b]));
 * </script>
 * <p>{$sum.status}: {$sum.error?.message ?? $sum.result}</p>
 */
export function call<T = unknown>(source: PoolSource, name: string, args: readonly unknown[] = [], options: CreateCallOptions = {}): CallStore<T> {
  const run = new TaskRun<T>(source, name, { ...options, args });
  return { subscribe: run.subscribe, run: run.run as CallStore<T>['run'], cancel: run.cancel, setArgs: (next) => void run.update({ args: next }) };
}
