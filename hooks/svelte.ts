/**
 * pyodide-pool/hooks/svelte — Svelte adapter. The stores follow Svelte's store contract
 * (`subscribe` calls back at once and returns an unsubscribe function), so they work with
 * Svelte 4's `$store` and Svelte 5's `fromStore`. No import of Svelte is needed.
 *
 * @example
 * <script>
 *   import { poolState, task } from 'pyodide-pool/hooks/svelte';
 *   const counts = poolState(pool);
 *   const doubled = task(pool, 'double(x)', { inputs: { x: 2 }, auto: true });
 * </script>
 * <p>{$doubled.status}: {$doubled.result} — {$counts.running} running</p>
 */
import { createPoolState, createTask, type CreateTaskOptions, type PoolSnapshot, type PoolSource, type TaskSnapshot } from './index.js';

/** Svelte's readable store contract. */
export interface Readable<T> {
  subscribe(run: (value: T) => void): () => void;
}

/** A task store: its value is the task's snapshot; `run`, `cancel`, `setInputs` act on it. */
export interface TaskStore<T> extends Readable<TaskSnapshot<T>> {
  run(inputs?: Record<string, unknown>): Promise<T>;
  cancel(reason?: unknown): void;
  setInputs(inputs: Record<string, unknown> | undefined): void;
}

/** The pool's counters and workers as one readable store. */
export function poolState(source: PoolSource): Readable<PoolSnapshot> {
  return {
    subscribe(run) {
      const { state, dispose } = createPoolState(source);
      const unsubscribe = state.subscribe(run);
      return () => {
        unsubscribe();
        dispose();
      };
    },
  };
}

/**
 * A task as a readable store. With `auto`, it runs when first subscribed and again when
 * `setInputs` changes the inputs; when the last subscriber leaves (the component is
 * destroyed), the run in progress is cancelled.
 */
export function task<T = unknown>(source: PoolSource, code: string, options: CreateTaskOptions = {}): TaskStore<T> {
  const handle = createTask<T>(source, code, { ...options, auto: false });
  let subscribers = 0;
  let started = false;
  return {
    subscribe(run) {
      subscribers++;
      const unsubscribe = handle.snapshot.subscribe(run);
      if (options.auto && !started) {
        started = true;
        void handle.run().catch(() => undefined);
      }
      return () => {
        unsubscribe();
        if (--subscribers === 0) handle.cancel('no longer shown');
      };
    },
    run: (inputs) => handle.run(inputs),
    cancel: (reason) => handle.cancel(reason),
    setInputs(inputs) {
      if (handle.setInputs(inputs) && options.auto && started) void handle.run().catch(() => undefined);
    },
  };
}
