/**
 * The worker's interpreter: how a pool worker boots Pyodide (normally or from a memory
 * snapshot, with packages and setup), holds the life lock the pool watches, and routes
 * the interpreter's output to the task now running. `pool-worker.ts` runs the tasks.
 *
 * @internal
 */
import type { PyodideAPI } from 'pyodide';
import type { PyProxy } from 'pyodide/ffi';
import { pythonToPlain, type PythonMakers } from './convert.js';
import type { BootConfig, BootFailure, BootResult, WorkerMessage } from '../shared/protocol.js';
import { ControlBlock } from '../shared/control-block.js';
import { BootFailed } from '../shared/boot-failed.js';
import { readable } from '../shared/thrown.js';
import { memoryBytes } from '../shared/primordials.js';
import { interceptPyodideWasm, pyodideWasmURL } from '../shared/wasm-module.js';
import { RUNTIME_BOOTSTRAP } from '../python/runtime.js';
import type { RuntimeHooks } from '../python/hooks.js';
import { initWaits, readStdin, waitHooks } from './waits.js';
import { stamp } from '../shared/boot-timeline.js';
import { postToPool } from './endpoint.js';
import { emitOutput, emitText, outputOf, sendHeldIfDue } from './output.js';
import { lookUpPackage, packageHelp } from './package-help.js';
import { importLoader, keepSnapshot, madeSnapshot, pageModule, preloaded, stages, timedModuleFactory } from './loader.js';

/** A Python callable that can also be entered with stack switching (JSPI). */
type Callable<A extends unknown[], R> = PyProxy & ((...args: A) => R) & { callPromising(...args: A): Promise<R> };

interface Runtime {
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
}

/** The last failure, as the runtime records it (`error_info` in python/runtime.py). */
interface ErrorInfo {
  pythonType: string;
  message: string;
  traceback: string;
  /** The line in the task's source, when the failure happened there. */
  line: number | undefined;
}

/** `error_info` as a plain object (its dict's keys), taking and destroying the proxy. */
function readErrorInfo(info: PyProxy): ErrorInfo {
  try {
    return (info as PyProxy & { toJs(options: object): ErrorInfo }).toJs({ dict_converter: Object.fromEntries });
  } finally {
    info.destroy();
  }
}

export let pyodide: PyodideAPI;
export let runtime: Runtime;
export let control: ControlBlock | undefined;
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
/** Setup defines functions that switch stacks: every task may call them. */
let setupSwitches = false;

/** Whether `code` must be entered with stack switching. */
export function needsSwitch(code: string): boolean {
  return jspi && (setupSwitches || SWITCHING.test(code));
}

/** The pool worker says which task runs now (-1: none), so output reaches that task. */
export function runningTask(seq: number): void {
  outputOf(seq);
}


/** Hold a Web Lock for the worker's whole life: the pool learns of our death when it is released. */
function holdLock(name: string): Promise<void> {
  if (!navigator.locks) return Promise.resolve();
  return new Promise((acquired) => {
    void navigator.locks.request(name, () => {
      acquired();
      return new Promise<never>(() => {});
    });
  });
}

export function post(message: WorkerMessage, transfer: Transferable[] = []): void {
  postToPool(message, transfer);
}

/** The interpreter's wasm memory, kept at boot (before any task code runs). */
let heapMemory: WebAssembly.Memory | undefined;

/**
 * The interpreter's heap in bytes, read from its memory object with captured built-ins:
 * task code that redefines `HEAP8` on Pyodide's module, or the prototypes' getters, does
 * not change it (so `recycle.heapBytes` holds). Pyodide's module is only asked where the
 * memory could not be kept (an engine path that did not go through the interception).
 */
export function heapBytes(): number {
  if (heapMemory) return memoryBytes(heapMemory);
  const module = (pyodide as unknown as { _module?: { HEAP8?: Int8Array } })._module;
  return module?.HEAP8?.buffer.byteLength ?? 0;
}

function streamWriter(type: 'stdout' | 'stderr') {
  const decoder = new TextDecoder();
  return {
    isatty: false,
    write(buffer: Uint8Array): number {
      const text = decoder.decode(buffer, { stream: true });
      if (text && !emitText(type, text)) (type === 'stdout' ? console.log : console.warn)(text);
      return buffer.length;
    },
  };
}

/** Where Pyodide looks for its lock file and wheels: only what the pool was given. */
function packageOptions(config: BootConfig): { packageBaseUrl?: string; lockFileURL?: string } {
  return { ...(config.packageBaseUrl && { packageBaseUrl: config.packageBaseUrl }), ...(config.lockFileURL && { lockFileURL: config.lockFileURL }) };
}

/** Normalised distribution name, as Pyodide keys `loadedPackages`. */
function distName(spec: string): string {
  const file = spec.includes('/') || spec.endsWith('.whl') ? spec.slice(spec.lastIndexOf('/') + 1).split('-')[0]! : spec;
  return file.toLowerCase().replace(/[-_.]+/g, '-');
}

async function loadPackages(packages: string[]): Promise<void> {
  if (packages.length === 0) return;
  const errors: string[] = [];
  let thrown: unknown;
  try {
    await pyodide.loadPackage(packages, { messageCallback: () => {}, errorCallback: (m) => errors.push(m) });
  } catch (err) {
    thrown = err;
  }
  // loadPackage resolves even when a package failed; check what actually arrived.
  const loaded = new Set(Object.keys(pyodide.loadedPackages).map(distName));
  for (const spec of packages) {
    if (loaded.has(distName(spec))) continue;
    const at = errors.findIndex((m) => m.includes(distName(spec)) || m.includes(spec));
    // Pyodide says "The following error occurred while loading x:", then the error.
    const detail = at < 0 ? (errors[0] ?? String(thrown ?? 'not found')) : errors[at]!.endsWith(':') && errors[at + 1] ? `${errors[at]} ${errors[at + 1]}` : errors[at]!;
    // A name (not a wheel URL): say where it was looked for and how to make it loadable.
    const help = spec.includes('/') || spec.endsWith('.whl') ? '' : `; ${packageHelp(spec, lookUpPackage(pyodide as never, spec))}`;
    throw new BootFailed({ kind: 'config', packageName: spec, message: `package '${spec}' could not be loaded: ${detail}${help}` });
  }
}

/**
 * The loaded packages that brought binary extensions (shared libraries): those whose
 * wheel is not platform-independent, or any library the dynamic linker loaded.
 */
function binaryPackages(): string[] {
  const names = new Set<string>();
  const lock = (pyodide as unknown as { lockfile?: { packages?: Record<string, { file_name?: string; package_type?: string }> } }).lockfile?.packages ?? {};
  for (const [name, source] of Object.entries(pyodide.loadedPackages)) {
    const file = (lock[name]?.file_name ?? (typeof source === 'string' && source.endsWith('.whl') ? source : '')).split('/').pop() ?? '';
    if (lock[name]?.package_type === 'shared_library' || (file.endsWith('.whl') && !file.endsWith('-any.whl'))) names.add(name);
  }
  const ldso = (pyodide as unknown as { _module?: { LDSO?: { loadedLibsByName?: Record<string, unknown> } } })._module?.LDSO?.loadedLibsByName;
  if (names.size === 0 && ldso) for (const lib of Object.keys(ldso)) if (lib.endsWith('.so')) names.add(lib.split('/').pop()!);
  return [...names];
}

function loadRuntime(): void {
  // The runtime's modules (python/runtime.ts): they stay alive for the worker's life, as
  // the functions below are borrowed from them.
  const mod = pyodide.pyimport('_pyodide_pool') as PyProxy & Record<string, PyProxy>;
  const map = pyodide.pyimport('_pyodide_pool_map') as PyProxy & Record<string, PyProxy>;
  const generator = pyodide.pyimport('_pyodide_pool_generator') as PyProxy & Record<string, PyProxy>;
  const waits = pyodide.pyimport('_pyodide_pool_waits') as PyProxy & Record<string, PyProxy>;
  runtime = {
    run: mod.run as Runtime['run'],
    runMap: map.run_map as Runtime['runMap'],
    fixMap: map.fix_map as Runtime['fixMap'],
    step: generator.step as Runtime['step'],
    takeResult: generator.take_result as Runtime['takeResult'],
    closeGenerator: generator.close_generator as Runtime['closeGenerator'],
    unconvertible: mod.unconvertible_type as Runtime['unconvertible'],
    make: {
      datetime: mod.datetime_from_ms as unknown as PythonMakers['datetime'],
      file: mod.blob_file as unknown as PythonMakers['file'],
    },
    errorInfo: () => readErrorInfo(mod.error_info!),
  };
  // Everything below holds JavaScript references, so it comes after any snapshot.
  initWaits({ pyodide, control, make: runtime.make, post });
  (waits.install_hooks as unknown as (hooks: RuntimeHooks) => void)({
    ...waitHooks,
    progress: (fraction: number, message: string | undefined) => emitOutput({ type: 'progress', fraction, message }),
    emit: (data: unknown): string | undefined => {
      const plain = pythonToPlain(pyodide, data, (v) => runtime.unconvertible(v));
      if ('problem' in plain) return plain.problem;
      try {
        emitOutput({ type: 'data', data: plain.value });
      } catch (err) {
        return `cannot send the data: ${(err as Error).message}`;
      }
      return undefined;
    },
  });
  pyodide.setStdout(streamWriter('stdout'));
  pyodide.setStderr(streamWriter('stderr'));
  pyodide.setStdin({ stdin: readStdin, isatty: false });
  // Duck-typed on purpose (see interruptView): Pyodide only indexes element 0.
  // Its checks are also where output a burst gathered goes out while Python computes.
  if (control) pyodide.setInterruptBuffer(control.interruptView(sendHeldIfDue) as unknown as Int32Array);
}

export async function boot(config: BootConfig): Promise<BootResult | { failure: BootFailure }> {
  const started = performance.now();
  control = config.control ? new ControlBlock(config.control) : undefined;
  setupSwitches = jspi && SWITCHING.test(config.setup);
  await holdLock(config.lockName);
  post({ t: 'locked' });
  const fromSnapshot = config.restore === true;
  const fromBase = !fromSnapshot && config.base === true;
  const failedKind = fromSnapshot ? 'snapshot' : fromBase ? 'base' : 'runtime';
  try {
    let loadPyodide: (typeof import('pyodide'))['loadPyodide'];
    try {
      ({ loadPyodide } = await importLoader(config.indexURL));
    } catch (err) {
      throw new BootFailed({ kind: 'config', message: `could not load Pyodide from ${config.indexURL}pyodide.mjs (${(err as Error).message}); check indexURL` });
    }
    // A promise: Pyodide waits for it only once its own start is done.
    const snapshotOptions = {
      ...((fromSnapshot || fromBase) && { _loadSnapshot: preloaded ?? Promise.reject(new Error('no snapshot was given')) }),
      ...(!fromSnapshot && config.makeSnapshot && { _makeSnapshot: true }),
    };
    const wasm = interceptPyodideWasm(pyodideWasmURL(config.indexURL), pageModule, (start) => stages.add('wasm', start));
    try {
      const createPyodideModule = await timedModuleFactory(config.indexURL).catch(() => undefined);
      pyodide = await stages.time('interpreter', loadPyodide({ indexURL: config.indexURL, ...packageOptions(config), ...snapshotOptions, ...(createPyodideModule && { createPyodideModule: createPyodideModule as never }) }));
    } catch (err) {
      throw new BootFailed({ kind: failedKind, message: `Pyodide failed to start: ${(err as Error).message}` });
    } finally {
      wasm.undo();
    }
    heapMemory = wasm.memory();
    if (config.packages.length > 0) await stages.time('packages', loadPackages(config.packages));
    // Before setup, and after a restore too: the filesystem lives outside the snapshot.
    const writing = stamp();
    for (const file of config.files ?? []) {
      const problem = writeOne(file.path, file.data);
      if (problem) throw new BootFailed({ kind: 'config', message: problem });
    }
    for (const file of early.splice(0)) writeOne(file.path, file.data);
    if (config.files?.length) stages.add('write-files', writing);
    booted = true;
    let snapshotError: string | undefined;
    let snapshotErrorKind: BootResult['snapshotErrorKind'];
    // Pyodide cannot snapshot packages with binary extensions yet: a restore would lack
    // their loaded libraries. Say so, and boot the others normally.
    const binary = config.makeSnapshot && !fromSnapshot ? binaryPackages() : [];
    if (binary.length > 0) {
      snapshotError = `packages with binary extensions cannot be snapshotted yet (${binary.join(', ')})`;
      snapshotErrorKind = 'packages';
    }
    const runtimeStart = stamp();
    if (fromSnapshot) {
      (pyodide.pyimport('_pyodide_pool') as PyProxy & { reseed(): void; destroy(): void }).reseed();
    } else {
      await stages.time('bootstrap', async () => pyodide.runPython(RUNTIME_BOOTSTRAP));
      if (config.setup.trim()) await stages.time('setup', () => runSetup(config.setup));
      if (config.makeSnapshot && !snapshotError) {
        const making = stamp();
        try {
          keepSnapshot(pyodide.makeMemorySnapshot());
        } catch (err) {
          snapshotError = (err as Error).message;
          snapshotErrorKind = err instanceof RangeError || /memory|allocat/i.test(snapshotError) ? 'too-large' : 'failed';
        }
        stages.add('snapshot-make', making);
      }
    }
    const hooks = stamp();
    loadRuntime();
    stages.add('runtime', fromSnapshot ? runtimeStart : hooks);
    const result: BootResult = {
      mode: fromSnapshot ? 'snapshot' : 'normal',
      bootMs: performance.now() - started,
      heapBytes: heapBytes(),
      pyodideVersion: pyodide.version,
      snapshotMade: madeSnapshot !== undefined,
      snapshotError,
      snapshotErrorKind,
      fromBase,
      wasmModule: wasm.compiled(),
      stages: stages.stages,
      answeredAt: stamp(),
    };
    return result;
  } catch (err) {
    if (err instanceof BootFailed) return { failure: err.failure };
    return { failure: { kind: failedKind, message: readable(err) } };
  }
}

/** Files `writeFile` got before the interpreter was up, applied after the boot's own. */
const early: { path: string; data: Uint8Array }[] = [];
let booted = false;

/** Write one file (making its directories); a message saying why not, on failure. */
function writeOne(path: string, data: Uint8Array): string | undefined {
  try {
    const dir = path.slice(0, path.lastIndexOf('/'));
    if (dir) pyodide.FS.mkdirTree(dir);
    pyodide.FS.writeFile(path, data);
  } catch (err) {
    return `the file '${path}' could not be written: ${(err as Error)?.message ?? err}`;
  }
  return undefined;
}

/** Write (or replace) a file for the tasks from now on; a module under it is re-imported fresh. */
export async function writeFile(path: string, data: Uint8Array): Promise<string | undefined> {
  if (!booted) {
    early.push({ path, data });
    return undefined;
  }
  const problem = writeOne(path, data);
  if (!problem) pyodide.runPython('import importlib\nimportlib.invalidate_caches()');
  return problem;
}

/** Run `setup` (awaiting it if it awaits); a BootFailed says what it raised. */
async function runSetup(setup: string): Promise<void> {
  const mod = pyodide.pyimport('_pyodide_pool') as PyProxy & { run_setup: Callable<[src: string], unknown>; error_info: PyProxy };
  try {
    if (!setup.trim()) return;
    const value = setupSwitches ? await mod.run_setup.callPromising(setup) : mod.run_setup(setup);
    const run = asAsyncRun(value);
    if (run) {
      await run.future; // awaiting a proxy consumes it
    }
  } catch (err) {
    if (!(err instanceof pyodide.ffi.PythonError) || !mod.error_info) throw err;
    const info = readErrorInfo(mod.error_info);
    const where = info.line ? ` (setup line ${info.line})` : '';
    throw new BootFailed({ kind: 'config', message: `setup raised ${info.pythonType}: ${info.message}${where}\n${info.traceback}` });
  } finally {
    mod.destroy();
  }
}

/** What `run` returns for code that awaits: the asyncio task running it. */
export interface AsyncRun {
  future: PyProxy & PromiseLike<unknown> & { cancel(): void };
}

/** `value` as an AsyncRun (taking its future, destroying the wrapper), or undefined. */
export function asAsyncRun(value: unknown): AsyncRun | undefined {
  if (!pyodide.ffi || !(value instanceof pyodide.ffi.PyProxy) || value.type !== 'AsyncRun') return undefined;
  // Attribute proxies are borrowed from their owner: copy before destroying it.
  const future = (value as PyProxy & AsyncRun).future.copy() as AsyncRun['future'];
  value.destroy();
  return { future };
}
