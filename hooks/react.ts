/**
 * pyodide-pool/hooks/react — React adapter. Each hook reads one framework-free store
 * through `useSyncExternalStore`; the behaviour lives in the core (`TaskRun`,
 * `poolStateStore`). Stores are made during render without side effects: React's
 * subscription is what connects a run (and its unsubscription on unmount what cancels
 * it), so the first render is already right and StrictMode's double calls leak nothing.
 *
 * @example
 * function Doubler({ x }: { x: number }) {
 *   const pool = usePool({ max: 2, indexURL: '/pyodide/', setup: 'def double(x):\n    return 2 * x' });
 *   const { running } = usePoolState(pool);
 *   const { status, result } = useTask(pool, 'double(x)', { inputs: { x }, auto: true });
 *   return <p>{status === 'done' ? result : '…'} ({running} running)</p>;
 * }
 *
 * @example
 * // Any pool: an ES module's exports (ModulePool) or a .wasm file's (WasmPool).
 * function Sum({ pool, a, b }: { pool: ModulePool; a: number; b: number }) {
 *   const { status, result, error } = useCall<number>(pool, 'add', [a, b], { auto: true });
 *   return <p>{error ? error.message : status === 'done' ? result : '…'}</p>;
 * }
 */
import { useEffect, useMemo, useRef, useState, useSyncExternalStore } from 'react';
import { PyodidePool, TaskRun, type PoolOptions } from '../workers/index.js';
import { poolStateStore, sameOptions, type CreateCallOptions, type CreateMapOptions, type PoolSnapshot, type PoolSource, type TaskSnapshot } from './index.js';

/**
 * A pool that lives and dies with the component. It is made after mount (so `undefined`
 * on the first render), kept across re-renders and across StrictMode's simulated
 * unmount/remount, rebuilt when the options change by value, and terminated on unmount.
 */
export function usePool(options: PoolOptions = {}): PyodidePool | undefined {
  // The options of the current pool: replaced only by options that differ by value.
  const [wanted, setWanted] = useState(options);
  if (!sameOptions(wanted, options)) setWanted(options);
  const [pool, setPool] = useState<PyodidePool>();
  const held = useRef<{ pool: PyodidePool; options: PoolOptions; timer?: ReturnType<typeof setTimeout> }>(undefined);
  useEffect(() => {
    let entry = held.current;
    if (entry && entry.options === wanted && entry.timer !== undefined) {
      // StrictMode unmounted and remounted us in one go: keep the pool we have.
      clearTimeout(entry.timer);
      entry.timer = undefined;
    } else {
      void entry?.pool.terminate();
      entry = { pool: new PyodidePool(wanted), options: wanted };
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
  }, [wanted]);
  return pool;
}

/**
 * The pool's counters and workers, re-rendering when they change. Any pool: a
 * `PyodidePool`, `ModulePool`, `WasmPool`, or a `<worker-pool>`.
 *
 * @example
 * const { workers, running, completed } = usePoolState(wasmPool);
 */
export function usePoolState(source: PoolSource): PoolSnapshot {
  const store = useMemo(() => poolStateStore(source), [source]);
  return useSyncExternalStore(store.subscribe, store.getSnapshot);
}

/** Options of {@link useTask}. */
export interface UseTaskOptions {
  /** Inputs, compared by value: an inline object does not cause a re-run loop. */
  inputs?: Record<string, unknown>;
  /** Run on mount and whenever the code or inputs change, cancelling a stale run. */
  auto?: boolean;
  /** Timeout of each run in ms. */
  timeout?: number;
  /** Text `input()` reads, line by line. */
  stdin?: string;
}

/** What {@link useTask} returns. */
export interface UseTaskResult<T> extends TaskSnapshot<T> {
  run: (inputs?: Record<string, unknown>) => Promise<T>;
  cancel: (reason?: unknown) => void;
  /** Post plain data to the running task (Python: `receive()` / `await receive_async()`). */
  send: (data: unknown) => void;
  /** Answer the `input()` the task waits on (`awaitingInput` holds its prompt); false if none waits. */
  sendInput: (text: string) => boolean;
}

/** Python code bound to component state. It connects when React subscribes; unmounting cancels its run. */
export function useTask<T = unknown>(source: PoolSource, code: string, options: UseTaskOptions = {}): UseTaskResult<T> {
  const { inputs, auto = false, timeout, stdin } = options;
  const [task] = useState(() => new TaskRun<T>(source, code, { inputs, auto, timeout, stdin }));
  // Hand over what changed (compared by value inside). Declared before the store, so on
  // mount it runs before the subscription that connects the run.
  useEffect(() => {
    task.update({ source, code, inputs, auto, timeout, stdin });
  });
  const snapshot = useSyncExternalStore(task.subscribe, task.getSnapshot);
  return useMemo(() => ({ ...snapshot, run: task.run, cancel: task.cancel, send: task.send, sendInput: task.sendInput }), [snapshot, task]);
}

/** What {@link useMap} returns: the map's snapshot (`result` is the array of values, `progress` counts items). */
export interface UseMapResult<T> extends TaskSnapshot<T[]> {
  /** Map again, over these items or the current ones. */
  run: (items?: Iterable<unknown>) => Promise<T[]>;
  /** Stop between items; the run settles as cancelled. */
  cancel: (reason?: unknown) => void;
}

/**
 * `pool.map(code, items)` bound to component state: with `auto` it maps on mount and
 * whenever the items change by value, cancelling a stale run; unmounting cancels it.
 *
 * @example
 * const { status, result, progress, cancel } = useMap(pool, 'item ** 2', numbers, { auto: true });
 * return <progress value={progress?.fraction ?? 0} />;
 */
export function useMap<T = unknown>(source: PoolSource, code: string, items: Iterable<unknown>, options: CreateMapOptions = {}): UseMapResult<T> {
  const { auto = false, timeout, chunkSize, settle } = options;
  const [run] = useState(() => new TaskRun<T[]>(source, code, { items, auto, timeout, chunkSize, settle }));
  useEffect(() => {
    run.update({ source, code, items, auto, timeout });
  });
  const snapshot = useSyncExternalStore(run.subscribe, run.getSnapshot);
  return useMemo(() => ({ ...snapshot, run: run.run as (items?: Iterable<unknown>) => Promise<T[]>, cancel: run.cancel }), [snapshot, run]);
}

/** Options of {@link useCall}. */
export type UseCallOptions = CreateCallOptions;

/** What {@link useCall} returns: the call's snapshot (`stdout`: what the export logged), `run` and `cancel`. */
export interface UseCallResult<T> extends TaskSnapshot<T> {
  /** Call again, with these arguments or the current ones. */
  run: (args?: readonly unknown[]) => Promise<T>;
  /** Cancel the call in progress; a running one ends its worker, which is replaced. */
  cancel: (reason?: unknown) => void;
}

/**
 * A call of a `ModulePool`'s or `WasmPool`'s export bound to component state, as
 * {@link useTask} binds Python: with `auto` it calls on mount and whenever `name` or
 * `args` change (compared by value: an inline array does not loop), cancelling a stale
 * call; unmounting cancels it. `error` holds what the export threw (its name and
 * message), or `WorkerCrashedError` for a WebAssembly trap.
 *
 * @example
 * function Thumbnail({ pool, image }: { pool: ModulePool; image: Uint8Array }) {
 *   const { status, result, error, run } = useCall<Uint8Array>(pool, 'resize', [image, 256], { auto: true, timeout: 5_000 });
 *   if (error) return <button onClick={() => run()}>Retry ({error.message})</button>;
 *   return status === 'done' ? <img src={URL.createObjectURL(new Blob([result!]))} /> : <p>{status}</p>;
 * }
 */
export function useCall<T = unknown>(source: PoolSource, name: string, args: readonly unknown[] = [], options: UseCallOptions = {}): UseCallResult<T> {
  const { auto = false, timeout } = options;
  const [call] = useState(() => new TaskRun<T>(source, name, { args, auto, timeout }));
  // As in useTask: declared before the store, so that on mount it runs before the subscription that connects the run.
  useEffect(() => {
    call.update({ source, code: name, args, auto, timeout });
  });
  const snapshot = useSyncExternalStore(call.subscribe, call.getSnapshot);
  return useMemo(() => ({ ...snapshot, run: call.run as (args?: readonly unknown[]) => Promise<T>, cancel: call.cancel }), [snapshot, call]);
}
