/**
 * The runtime's Python modules (`_pyodide_pool` and its map, generator and waits modules,
 * see `workers/python/`) as JavaScript sees them: the functions a pool worker calls to run, step and describe tasks, and the
 * forms their answers take. Also which code needs a stack switch to run.
 *
 * @internal
 */
import type { PyodideAPI } from 'pyodide';
import type { PyProxy } from 'pyodide/ffi';
import type { PythonMakers } from './convert.js';
import type { RuntimeHooks } from '../python/hooks.js';

/** A Python callable that can also be entered with stack switching (JSPI). */
export type Callable<A extends unknown[], R> = PyProxy & ((...args: A) => R) & { callPromising(...args: A): Promise<R> };

export interface PythonModule {
  run: Callable<[code: string, inputs: PyProxy | undefined], unknown>;
  /** A map chunk: `code` per item of `inputs.items`; `timeout` in seconds per item. */
  runMap: Callable<[code: string, inputs: PyProxy, keepGoing: boolean, timeout: number | undefined], unknown>;
  /** Turns a chunk's unconvertible values into failures of their items; returns how many. */
  fixMap: PyProxy & ((result: PyProxy) => number);
  /** Advance a generator task to its next yield; true once it returned (`takeResult`). */
  step: PyProxy & ((gen: PyProxy, code: string) => boolean);
  takeResult: PyProxy & (() => unknown);
  closeGenerator: PyProxy & ((gen: PyProxy) => void);
  unconvertible: PyProxy & ((value: PyProxy) => string | undefined);
  /** What input conversion needs to make datetimes and file objects. */
  make: PythonMakers;
  errorInfo: () => ErrorInfo;
  /** Hand the runtime the worker's hooks (waits, output): after any snapshot, as they are JavaScript. */
  installHooks(hooks: RuntimeHooks): void;
}

/** The last failure, as the runtime records it (`error_info` in python/runtime.py). */
export interface ErrorInfo {
  pythonType: string;
  message: string;
  traceback: string;
  /** The line in the task's source, when the failure happened there. */
  line: number | undefined;
}

/** `error_info` as a plain object (its dict's keys), taking and destroying the proxy. */
export function readErrorInfo(info: PyProxy): ErrorInfo {
  try {
    return (info as PyProxy & { toJs(options: object): ErrorInfo }).toJs({ dict_converter: Object.fromEntries });
  } finally {
    info.destroy();
  }
}

/** The modules' functions, borrowed from them: the modules stay alive for the worker's life. */
export function bindPythonModule(pyodide: PyodideAPI): PythonModule {
  const mod = pyodide.pyimport('_pyodide_pool') as PyProxy & Record<string, PyProxy>;
  const map = pyodide.pyimport('_pyodide_pool_map') as PyProxy & Record<string, PyProxy>;
  const generator = pyodide.pyimport('_pyodide_pool_generator') as PyProxy & Record<string, PyProxy>;
  const waits = pyodide.pyimport('_pyodide_pool_waits') as PyProxy & Record<string, PyProxy>;
  return {
    run: mod.run as PythonModule['run'],
    runMap: map.run_map as PythonModule['runMap'],
    fixMap: map.fix_map as PythonModule['fixMap'],
    step: generator.step as PythonModule['step'],
    takeResult: generator.take_result as PythonModule['takeResult'],
    closeGenerator: generator.close_generator as PythonModule['closeGenerator'],
    unconvertible: mod.unconvertible_type as PythonModule['unconvertible'],
    make: {
      datetime: mod.datetime_from_ms as unknown as PythonMakers['datetime'],
      file: mod.blob_file as unknown as PythonMakers['file'],
    },
    errorInfo: () => readErrorInfo(mod.error_info!),
    installHooks: (hooks) => (waits.install_hooks as unknown as (hooks: RuntimeHooks) => void)(hooks),
  };
}

/**
 * The engine can switch stacks (JSPI), so code may block on a promise (`asyncio.run`,
 * `run_sync`) when entered with `callPromising`.
 */
export const jspi = typeof (WebAssembly as { Suspending?: unknown }).Suspending === 'function';

/**
 * Source that calls what needs a stack switch. Only such code is entered with
 * `callPromising`: that entry costs tens of microseconds, more than a tiny task itself.
 */
const SWITCHING = /\b(?:asyncio\s*\.\s*run|run_until_complete|run_sync)\b|\bfrom\s+asyncio\s+import\b[^\n]*\brun\b/;

/** Whether `code` calls what needs a stack switch (on an engine that can switch). */
export function switches(code: string): boolean {
  return jspi && SWITCHING.test(code);
}

/** What `run` returns for code that awaits: the asyncio task running it. */
export interface AsyncRun {
  future: PyProxy & PromiseLike<unknown> & { cancel(): void };
}

/** `value` as an AsyncRun (taking its future, destroying the wrapper), or undefined. */
export function asAsyncRun(pyodide: PyodideAPI, value: unknown): AsyncRun | undefined {
  if (!pyodide.ffi || !(value instanceof pyodide.ffi.PyProxy) || value.type !== 'AsyncRun') return undefined;
  // Attribute proxies are borrowed from their owner: copy before destroying it.
  const future = (value as PyProxy & AsyncRun).future.copy() as AsyncRun['future'];
  value.destroy();
  return { future };
}
