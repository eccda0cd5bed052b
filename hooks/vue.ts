/**
 * pyodide-pool/hooks/vue — Vue adapter: one `shallowRef` per store, fed by the core's
 * `TaskRun` (or `poolStateStore`) and released with `onScopeDispose`. Subscribing is what
 * connects a run; the scope's disposal unsubscribes, which cancels it. Call these inside
 * `setup()` or an effect scope.
 *
 * @example
 * const x = ref(2);
 * const pool = usePool({ indexURL: '/pyodide/', setup: 'def double(x):\n    return 2 * x' });
 * const { running } = usePoolState(pool);
 * const { status, result } = useTask(pool, 'double(x)', { inputs: () => ({ x: x.value }), auto: true });
 * // Any pool: an ES module's exports (ModulePool) or a .wasm file's (WasmPool).
 * const sum = useCall(modulePool, 'add', () => [x.value, 1], { auto: true });
 */
import { computed, getCurrentScope, onScopeDispose, shallowRef, toRaw, toValue, watch, type ComputedRef, type MaybeRefOrGetter } from 'vue';
import { PyodidePool, TaskRun, type PoolOptions } from '../workers/index.js';
import { poolStateStore, type CreateCallOptions, type CreateMapOptions, type PoolSnapshot, type PoolSource, type TaskSnapshot } from './index.js';

function cleanup(fn: () => void): void {
  if (getCurrentScope()) onScopeDispose(fn);
}

/** Read-only refs, one per field of a shallowRef's value. */
function fieldsOf<S extends object>(value: { readonly value: S }): { [K in keyof S]: ComputedRef<S[K]> } {
  return Object.fromEntries(Object.keys(value.value).map((key) => [key, computed(() => value.value[key as keyof S])])) as { [K in keyof S]: ComputedRef<S[K]> };
}

/** A run's snapshot as refs for the life of the scope: subscribing connects it; the scope's end disconnects and disposes it. */
function refsOf<T>(run: TaskRun<T>): { [K in keyof TaskSnapshot<T>]: ComputedRef<TaskSnapshot<T>[K]> } {
  const value = shallowRef(run.getSnapshot());
  const stop = run.subscribe((next) => (value.value = next));
  cleanup(() => {
    stop('the component unmounted');
    run.dispose();
  });
  return fieldsOf(value);
}

/**
 * Vue's reactive proxies cannot cross to a worker: unwrap them, rebuilding plain objects
 * and arrays (so that a change deep inside is a change by value) and passing every other
 * value (Date, Map, typed arrays, File, BigInt…) through untouched, to be cloned by the
 * worker boundary as the core does.
 */
function unwrap(value: unknown): unknown {
  const raw = toRaw(value);
  if (Array.isArray(raw)) return raw.map(unwrap);
  if (raw !== null && typeof raw === 'object' && (Object.getPrototypeOf(raw) === Object.prototype || Object.getPrototypeOf(raw) === null)) {
    return Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, unwrap(v)]));
  }
  return raw;
}

/** A pool for the life of the current scope (component): terminated when it is disposed. */
export function usePool(options: PoolOptions = {}): PyodidePool {
  const pool = new PyodidePool(options);
  cleanup(() => void pool.terminate());
  return pool;
}

/** The pool's counters and workers, each a read-only ref; `source` may be a ref or getter. */
export function usePoolState(source: MaybeRefOrGetter<PoolSource>): { [K in keyof PoolSnapshot]: ComputedRef<PoolSnapshot[K]> } {
  const state = shallowRef<PoolSnapshot>(poolStateStore(toValue(source)).getSnapshot());
  let stop = () => {};
  watch(
    () => toValue(source),
    (next) => {
      stop();
      stop = poolStateStore(next).subscribe((value) => (state.value = value));
    },
    { immediate: true },
  );
  cleanup(() => stop());
  return fieldsOf(state);
}

/** Options of {@link useTask}. `inputs` may be a ref, a reactive object or a getter. */
export interface UseTaskOptions {
  inputs?: MaybeRefOrGetter<Record<string, unknown> | undefined>;
  auto?: boolean;
  timeout?: number;
  /** Text `input()` reads, line by line. */
  stdin?: string;
}

/** Python code bound to refs; each field a read-only ref. Disposing the scope cancels its run. */
export function useTask<T = unknown>(source: MaybeRefOrGetter<PoolSource>, code: MaybeRefOrGetter<string>, options: UseTaskOptions = {}) {
  const inputs = () => unwrap(toValue(options.inputs)) as Record<string, unknown> | undefined;
  const task = new TaskRun<T>(toValue(source), toValue(code), { inputs: inputs(), auto: options.auto, timeout: options.timeout, stdin: options.stdin });
  const refs = refsOf(task);
  watch([() => toValue(source), () => toValue(code)], ([nextSource, nextCode]) => task.update({ source: nextSource, code: nextCode }));
  // Deep on the reactive value itself (reading the unwrapped copy is not tracked).
  // A deep change may sit inside a value the run holds by reference (a Map): say so.
  watch(
    () => toValue(options.inputs),
    () => task.update({ inputs: inputs() }, { changed: true }),
    { deep: true },
  );
  return {
    ...refs,
    run: (next?: Record<string, unknown>): Promise<T> => task.run(next === undefined ? undefined : (unwrap(next) as Record<string, unknown>)),
    cancel: (reason?: unknown) => task.cancel(reason),
    /** Post plain data to the running task (Python: `receive()` / `await receive_async()`). */
    send: (data: unknown) => task.send(unwrap(data)),
    /** Answer the `input()` the task waits on (`awaitingInput` holds its prompt); false if none waits. */
    sendInput: (text: string) => task.sendInput(text),
  };
}

/**
 * `pool.map(code, items)` bound to refs: `items` may be a ref, a reactive array or a
 * getter; with `auto` it maps again when they change (deeply), cancelling a stale run.
 * Each field is a read-only ref (`result`: the array of values; `progress`: items done).
 * Disposing the scope cancels its run.
 *
 * @example
 * const { status, result, progress, cancel } = useMap(pool, 'item ** 2', numbers, { auto: true });
 */
export function useMap<T = unknown>(
  source: MaybeRefOrGetter<PoolSource>,
  code: MaybeRefOrGetter<string>,
  items: MaybeRefOrGetter<Iterable<unknown>>,
  options: CreateMapOptions = {},
) {
  const current = () => unwrap(toValue(items)) as Iterable<unknown>;
  const run = new TaskRun<T[]>(toValue(source), toValue(code), { ...options, items: current() });
  const refs = refsOf(run);
  watch([() => toValue(source), () => toValue(code)], ([nextSource, nextCode]) => run.update({ source: nextSource, code: nextCode }));
  watch(
    () => toValue(items),
    () => run.update({ items: current() }, { changed: true }),
    { deep: true },
  );
  return {
    ...refs,
    run: (next?: Iterable<unknown>): Promise<T[]> => run.run(next === undefined ? undefined : (unwrap(next) as Iterable<unknown>)),
    cancel: (reason?: unknown) => run.cancel(reason),
  };
}

/** Options of {@link useCall}. */
export type UseCallOptions = CreateCallOptions;

/**
 * A call of a `ModulePool`'s or `WasmPool`'s export bound to refs, as {@link useTask}
 * binds Python: `name` and `args` may be refs or getters (`args` also a reactive array);
 * with `auto` it calls again when they change (deeply), cancelling a stale call. Each
 * field is a read-only ref (`error`: what the export threw, or `WorkerCrashedError` for a
 * trap; `stdout`: what it logged). Disposing the scope cancels its call.
 *
 * @example
 * const a = ref(2);
 * const { status, result, error, run } = useCall<number>(pool, 'add', () => [a.value, 3], { auto: true });
 * a.value = 4; // calls again: 7
 */
export function useCall<T = unknown>(
  source: MaybeRefOrGetter<PoolSource>,
  name: MaybeRefOrGetter<string>,
  args: MaybeRefOrGetter<readonly unknown[]> = [],
  options: UseCallOptions = {},
) {
  const current = () => unwrap(toValue(args)) as readonly unknown[];
  const call = new TaskRun<T>(toValue(source), toValue(name), { args: current(), auto: options.auto, timeout: options.timeout });
  const refs = refsOf(call);
  watch([() => toValue(source), () => toValue(name)], ([nextSource, nextName]) => call.update({ source: nextSource, code: nextName }));
  // Deep on the reactive value itself, as useTask's inputs (reading the unwrapped copy is not tracked).
  watch(
    () => toValue(args),
    () => call.update({ args: current() }, { changed: true }),
    { deep: true },
  );
  return {
    ...refs,
    /** Call again, with these arguments or the current ones. */
    run: (next?: readonly unknown[]): Promise<T> => call.run(next === undefined ? undefined : (unwrap(next) as readonly unknown[])),
    /** Cancel the call in progress; a running one ends its worker, which is replaced. */
    cancel: (reason?: unknown) => call.cancel(reason),
  };
}
