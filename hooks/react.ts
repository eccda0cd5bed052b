/**
 * pyodide-pool/hooks/react — React adapter. Each hook maps the bridge's signals onto
 * `useSyncExternalStore`; the behaviour lives in `hooks/index.ts`.
 *
 * @example
 * function Doubler({ x }: { x: number }) {
 *   const pool = usePool({ max: 2, indexURL: '/pyodide/', setup: 'def double(x):\n    return 2 * x' });
 *   const { running } = usePoolState(pool);
 *   const { status, result } = useTask(pool, 'double(x)', { inputs: { x }, auto: true });
 *   return <p>{status === 'done' ? result : '…'} ({running} running)</p>;
 * }
 */
import { useCallback, useEffect, useRef, useState, useSyncExternalStore } from 'react';
import { PyodidePool, type PoolOptions } from '../workers/index.js';
import { createPoolState, createTask, type PoolSnapshot, type PoolSource, type TaskHandle, type TaskSnapshot } from './index.js';

const IDLE: TaskSnapshot<never> = Object.freeze({ status: 'idle', result: undefined, error: undefined, stdout: '', progress: undefined });
const EMPTY: PoolSnapshot = Object.freeze({ workers: [], queued: 0, running: 0, completed: 0, failed: 0, ready: false });

/**
 * A pool that lives and dies with the component. It is made after mount (so `undefined`
 * on the first render), kept across re-renders and across StrictMode's simulated
 * unmount/remount, rebuilt when the options change by value, and terminated on unmount.
 */
export function usePool(options: PoolOptions = {}): PyodidePool | undefined {
  const key = JSON.stringify(options, (_k, v: unknown) => (v instanceof URL ? v.href : v));
  const [pool, setPool] = useState<PyodidePool>();
  const held = useRef<{ pool: PyodidePool; key: string; timer?: ReturnType<typeof setTimeout> }>(undefined);
  useEffect(() => {
    let entry = held.current;
    if (entry && entry.key === key && entry.timer !== undefined) {
      // StrictMode unmounted and remounted us in one go: keep the pool we have.
      clearTimeout(entry.timer);
      entry.timer = undefined;
    } else {
      void entry?.pool.terminate();
      entry = { pool: new PyodidePool(JSON.parse(key) as PoolOptions), key };
      held.current = entry;
    }
    const mine = entry;
    setPool(mine.pool);
    return () => {
      // Terminate a moment later, unless this was only a simulated unmount.
      mine.timer = setTimeout(() => {
        void mine.pool.terminate();
        if (held.current === mine) held.current = undefined;
      }, 0);
    };
  }, [key]);
  return pool;
}

/** The pool's counters and workers, re-rendering when they change. */
export function usePoolState(source: PoolSource): PoolSnapshot {
  const [store, setStore] = useState<ReturnType<typeof createPoolState>>();
  useEffect(() => {
    const made = createPoolState(source);
    setStore(made);
    return () => made.dispose();
  }, [source]);
  const subscribe = useCallback((onChange: () => void) => (store ? store.state.subscribe(onChange) : () => {}), [store]);
  return useSyncExternalStore(subscribe, () => store?.state.value ?? EMPTY);
}

/** Options of {@link useTask}. */
export interface UseTaskOptions {
  /** Inputs, compared by value: an inline object does not cause a re-run loop. */
  inputs?: Record<string, unknown>;
  /** Run on mount and whenever the inputs change, cancelling a stale run. */
  auto?: boolean;
  /** Timeout of each run in ms. */
  timeout?: number;
}

/** What {@link useTask} returns. */
export interface UseTaskResult<T> extends TaskSnapshot<T> {
  run: (inputs?: Record<string, unknown>) => Promise<T>;
  cancel: (reason?: unknown) => void;
}

/** Python code bound to component state. Unmounting cancels its run. */
export function useTask<T = unknown>(source: PoolSource, code: string, options: UseTaskOptions = {}): UseTaskResult<T> {
  const { inputs, auto = false, timeout } = options;
  const [handle, setHandle] = useState<TaskHandle<T>>();
  const latestInputs = useRef(inputs);
  latestInputs.current = inputs;
  useEffect(() => {
    if (!source) return;
    const made = createTask<T>(source, code, { inputs: latestInputs.current, auto, timeout });
    setHandle(made);
    return () => made.dispose();
  }, [source, code, auto, timeout]);
  useEffect(() => {
    handle?.setInputs(inputs);
  });
  const subscribe = useCallback((onChange: () => void) => (handle ? handle.snapshot.subscribe(onChange) : () => {}), [handle]);
  const snapshot = useSyncExternalStore(subscribe, () => (handle?.snapshot.value ?? IDLE) as TaskSnapshot<T>);
  const run = useCallback(
    (next?: Record<string, unknown>) => (handle ? handle.run(next ?? latestInputs.current) : Promise.reject(new Error('useTask: no pool yet'))),
    [handle],
  );
  const cancel = useCallback((reason?: unknown) => handle?.cancel(reason), [handle]);
  return { ...snapshot, run, cancel };
}
