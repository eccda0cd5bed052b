/**
 * Where views get their pool: a pool (any {@link TaskPool}: a `PyodidePool`, `ModulePool`
 * or `WasmPool`), a holder of one that announces rebuilds (a `<worker-pool>`, described
 * here without importing the elements), or a signal of either.
 */
import { signal, type ReadonlySignal } from '@preact/signals-core';
import type { TaskPool } from './task-pool.js';

/**
 * Something that holds a pool and says when it changes with a `pool-change` event, such
 * as a `<worker-pool>` element (described here without importing the elements).
 */
export interface PoolHolder<P extends TaskPool = TaskPool> extends EventTarget {
  readonly pool: P | undefined;
  /** Why it has no pool, when it could not make one. */
  readonly poolError?: Error | undefined;
}

/**
 * Where a run gets its pool: a pool (any {@link TaskPool}), a {@link PoolHolder} (a
 * `<worker-pool>`), or a signal of either. A signal may also hold an `Error`: runs then
 * fail with it (e.g. "no `<worker-pool>` found"). `undefined` means "not yet": runs wait,
 * status `queued`. `P` narrows the pools it may stand for (by default, any).
 */
export type PoolSource<P extends TaskPool = TaskPool> = P | PoolHolder<P> | ReadonlySignal<P | PoolHolder<P> | Error | null | undefined> | null | undefined;

/** @internal */
export function isPool(value: unknown): value is TaskPool {
  return !!value && typeof (value as TaskPool).submit === 'function';
}

function isSignal(value: unknown): value is ReadonlySignal<unknown> {
  return !!value && typeof value === 'object' && 'peek' in value && typeof (value as ReadonlySignal<unknown>).subscribe === 'function' && !('submit' in value);
}

/**
 * The pool a source stands for right now, read without subscribing to anything.
 *
 * @example
 * currentPool(document.querySelector('worker-pool')); // its PyodidePool, or undefined
 */
export function currentPool<P extends TaskPool = TaskPool>(source: PoolSource<P>): P | undefined {
  let value: unknown = isSignal(source) ? source.peek() : source;
  if (value && !isPool(value) && !(value instanceof Error)) value = (value as PoolHolder<P>).pool;
  return isPool(value) ? (value as P) : undefined;
}

/**
 * The pool a source stands for now, as a signal, following a holder's rebuilds and a
 * signal's changes. `dispose()` stops listening.
 *
 * @example
 * const { pool, dispose } = followPool(document.querySelector('worker-pool'));
 * pool.value; // the element's current pool (or undefined, or an Error)
 */
export function followPool<P extends TaskPool = TaskPool>(source: PoolSource<P>): { pool: ReadonlySignal<P | Error | undefined>; dispose(): void } {
  const current = signal<P | Error | undefined>(undefined);
  let holder: PoolHolder<P> | undefined;
  const read = () => (current.value = holder?.pool ?? holder?.poolError ?? undefined);
  const hold = (next: P | PoolHolder<P> | Error | null | undefined) => {
    holder?.removeEventListener('pool-change', read);
    holder = undefined;
    if (!next || isPool(next) || next instanceof Error) {
      current.value = next ?? undefined;
      return;
    }
    holder = next;
    holder.addEventListener('pool-change', read);
    read();
  };
  let stop = () => {};
  if (isSignal(source)) stop = source.subscribe((value) => hold(value as P | PoolHolder<P> | Error | undefined));
  else hold(source as P | PoolHolder<P> | null | undefined);
  return {
    pool: current,
    dispose() {
      stop();
      hold(undefined);
    },
  };
}
