/**
 * pyodide-pool/hooks/vue — Vue adapter: the bridge's signals as `shallowRef`s, cleaned
 * up with `onScopeDispose`. Call these inside `setup()` or an effect scope.
 *
 * @example
 * const x = ref(2);
 * const pool = usePool({ indexURL: '/pyodide/', setup: 'def double(x):\n    return 2 * x' });
 * const { running } = usePoolState(pool);
 * const { status, result } = useTask(pool, 'double(x)', { inputs: () => ({ x: x.value }), auto: true });
 */
import { getCurrentScope, onScopeDispose, shallowRef, toValue, watch, type MaybeRefOrGetter, type ShallowRef } from 'vue';
import { PyodidePool, type PoolOptions } from '../workers/index.js';
import { createPoolState, createTask, type PoolSnapshot, type PoolSource, type TaskHookStatus, type TaskProgress } from './index.js';

function cleanup(fn: () => void): void {
  if (getCurrentScope()) onScopeDispose(fn);
}

/** A pool for the life of the current scope (component): terminated when it is disposed. */
export function usePool(options: PoolOptions = {}): PyodidePool {
  const pool = new PyodidePool(options);
  cleanup(() => void pool.terminate());
  return pool;
}

/** The pool's counters and workers, each a ref. */
export function usePoolState(source: MaybeRefOrGetter<PoolSource>): { [K in keyof PoolSnapshot]: ShallowRef<PoolSnapshot[K]> } {
  const refs = {
    workers: shallowRef<PoolSnapshot['workers']>([]),
    queued: shallowRef(0),
    running: shallowRef(0),
    completed: shallowRef(0),
    failed: shallowRef(0),
    ready: shallowRef(false),
  };
  let stop = () => {};
  watch(
    () => toValue(source),
    (next) => {
      stop();
      const { state, dispose } = createPoolState(next);
      const unsubscribe = state.subscribe((s) => {
        refs.workers.value = s.workers;
        refs.queued.value = s.queued;
        refs.running.value = s.running;
        refs.completed.value = s.completed;
        refs.failed.value = s.failed;
        refs.ready.value = s.ready;
      });
      stop = () => {
        unsubscribe();
        dispose();
      };
    },
    { immediate: true },
  );
  cleanup(() => stop());
  return refs;
}

/** Options of {@link useTask}. `inputs` may be a ref, a reactive object or a getter. */
export interface UseTaskOptions {
  inputs?: MaybeRefOrGetter<Record<string, unknown> | undefined>;
  auto?: boolean;
  timeout?: number;
}

/** Python code bound to refs. Disposing the scope cancels its run. */
export function useTask<T = unknown>(source: MaybeRefOrGetter<PoolSource>, code: MaybeRefOrGetter<string>, options: UseTaskOptions = {}) {
  const status = shallowRef<TaskHookStatus>('idle');
  const result = shallowRef<T | undefined>(undefined);
  const error = shallowRef<Error | undefined>(undefined);
  const stdout = shallowRef('');
  const progress = shallowRef<TaskProgress | undefined>(undefined);
  // Deep-read and copy the inputs, so that nested reactive changes are seen and plain data crosses.
  const readInputs = () => {
    const value = toValue(options.inputs);
    return value === undefined ? undefined : (JSON.parse(JSON.stringify(value)) as Record<string, unknown>);
  };
  let handle: ReturnType<typeof createTask<T>> | undefined;
  let unsubscribe = () => {};
  watch(
    [() => toValue(source), () => toValue(code)],
    ([nextSource, nextCode]) => {
      unsubscribe();
      handle?.dispose();
      handle = nextSource ? createTask<T>(nextSource, nextCode, { inputs: readInputs(), auto: options.auto, timeout: options.timeout }) : undefined;
      unsubscribe = handle
        ? handle.snapshot.subscribe((s) => {
            status.value = s.status;
            result.value = s.result;
            error.value = s.error;
            stdout.value = s.stdout;
            progress.value = s.progress;
          })
        : () => {};
    },
    { immediate: true },
  );
  watch(readInputs, (next) => handle?.setInputs(next), { deep: true });
  cleanup(() => {
    unsubscribe();
    handle?.dispose();
  });
  return {
    status,
    result,
    error,
    stdout,
    progress,
    run: (inputs?: Record<string, unknown>): Promise<T> => (handle ? handle.run(inputs ?? readInputs()) : Promise.reject(new Error('useTask: no pool'))),
    cancel: (reason?: unknown) => handle?.cancel(reason),
  };
}
