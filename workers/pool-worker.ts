/**
 * The pool worker's entry point: it boots Pyodide (normally or from a memory snapshot),
 * then runs the tasks it is sent, one at a time and in order. Several tasks
 * may arrive in one message; their outcomes go back in batches. Loaded as a module worker.
 *
 * @internal
 */
import * as Comlink from 'comlink';
import type { PyodideAPI } from 'pyodide';
import type { PyProxy } from 'pyodide/ffi';
import { inputsToPython, isPyProxy, pythonToPlain } from './convert.js';
import type {
  BootConfig,
  BootFailure,
  BootResult,
  OutputEvent,
  RunMessage,
  TaskFailure,
  TaskOrder,
  TaskOutcome,
  WorkerControl,
  WorkerMessage,
} from './protocol.js';
import { ControlBlock } from './control-block.js';
import { interceptPyodideWasm, pyodideWasmURL } from './wasm-module.js';
import { RUNTIME_BOOTSTRAP } from './python-runtime.js';

interface Runtime {
  run: PyProxy & ((code: string, inputs: PyProxy | undefined) => unknown);
  unconvertible: PyProxy & ((value: PyProxy) => string | undefined);
  datetime: PyProxy & ((ms: number) => PyProxy);
  errorInfo: () => [string, string, string, number | undefined];
}

let pyodide: PyodideAPI;
let runtime: Runtime;
let control: ControlBlock | undefined;
/** The task now running, or -1: output outside a task goes to the console. */
let currentSeq = -1;
/** Tasks received and not yet run; `next` indexes the first. */
let waiting: TaskOrder[] = [];
let next = 0;
/** Outcomes not yet sent, and the time spent producing them. */
let outcomes: TaskOutcome[] = [];
let busyMs = 0;
let lastFlush = 0;
/** `close()` was called (by task code, or after a fatal error): nothing more runs. */
let closing = false;
/** Recent run time per task source, to tell whether the next task is likely short. */
const expectedMs = new Map<string, number>();
const EXPECTED_MAX = 256;
/**
 * Outcomes are sent when no task is left, or every this many ms / outcomes: often enough
 * that the pool refills the pipeline before it runs dry, rarely enough to save messages.
 */
const FLUSH_MS = 1;
const FLUSH_COUNT = 64;

class BootError extends Error {
  constructor(readonly failure: BootFailure) {
    super(failure.message);
  }
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

function post(message: WorkerMessage): void {
  self.postMessage(message);
}

function heapBytes(): number {
  const module = (pyodide as unknown as { _module?: { HEAP8?: Int8Array } })._module;
  return module?.HEAP8?.buffer.byteLength ?? 0;
}

function emitOutput(ev: OutputEvent): void {
  if (currentSeq >= 0) post({ t: 'out', seq: currentSeq, ev });
}

function streamWriter(type: 'stdout' | 'stderr') {
  const decoder = new TextDecoder();
  return {
    isatty: false,
    write(buffer: Uint8Array): number {
      const text = decoder.decode(buffer, { stream: true });
      if (text) {
        if (currentSeq >= 0) emitOutput({ type, text });
        else (type === 'stdout' ? console.log : console.warn)(text);
      }
      return buffer.length;
    },
  };
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
    const detail = errors.find((m) => m.includes(distName(spec)) || m.includes(spec)) ?? errors[0] ?? String(thrown ?? 'not found');
    throw new BootError({ kind: 'config', packageName: spec, message: `package '${spec}' could not be loaded: ${detail}` });
  }
}

function loadRuntime(): void {
  const mod = pyodide.pyimport('_pyodide_pool') as PyProxy & Record<string, PyProxy>;
  runtime = {
    run: mod.run as Runtime['run'],
    unconvertible: mod.unconvertible_type as Runtime['unconvertible'],
    datetime: mod.datetime_from_ms as Runtime['datetime'],
    errorInfo: () => {
      const info = mod.error_info as PyProxy & { toJs(): [string, string, string, number | undefined] };
      try {
        return info.toJs();
      } finally {
        info.destroy();
      }
    },
  };
  // Everything below holds JavaScript references, so it comes after any snapshot.
  (mod.install_hooks as unknown as (hooks: object) => void)({
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
  // `mod` stays alive for the worker's life: the functions above are borrowed from it.
  pyodide.setStdout(streamWriter('stdout'));
  pyodide.setStderr(streamWriter('stderr'));
  // Duck-typed on purpose (see interruptView): Pyodide only indexes element 0.
  if (control) pyodide.setInterruptBuffer(control.interruptView() as unknown as Int32Array);
}

/** Pyodide's loader module, imported once (by `prepare`, or else by `boot`). */
let loader: Promise<(typeof import('pyodide'))> | undefined;

function importLoader(indexURL: string): Promise<(typeof import('pyodide'))> {
  loader ??= import(/* @vite-ignore */ `${indexURL}pyodide.mjs`);
  return loader;
}

function prepare(indexURL: string): void {
  // Both imports are what loadPyodide does first; done now, they overlap the pool's
  // snapshot lookup and wasm compile instead of following them. Failures surface in boot.
  importLoader(indexURL).catch(() => {});
  import(/* @vite-ignore */ `${indexURL}pyodide.asm.mjs`).catch(() => {});
}

async function boot(config: BootConfig): Promise<BootResult | { failure: BootFailure }> {
  const started = performance.now();
  control = config.control ? new ControlBlock(config.control) : undefined;
  await holdLock(config.lockName);
  post({ t: 'locked' });
  const fromSnapshot = config.snapshot !== undefined;
  try {
    let loadPyodide: (typeof import('pyodide'))['loadPyodide'];
    try {
      ({ loadPyodide } = await importLoader(config.indexURL));
    } catch (err) {
      throw new BootError({ kind: 'config', message: `could not load Pyodide from ${config.indexURL}pyodide.mjs (${(err as Error).message}); check indexURL` });
    }
    const snapshotOptions = fromSnapshot ? { _loadSnapshot: config.snapshot } : config.makeSnapshot ? { _makeSnapshot: true } : {};
    const wasm = interceptPyodideWasm(pyodideWasmURL(config.indexURL), config.wasmModule);
    try {
      pyodide = await loadPyodide({ indexURL: config.indexURL, ...snapshotOptions });
    } catch (err) {
      throw new BootError({ kind: fromSnapshot ? 'snapshot' : 'runtime', message: `Pyodide failed to start: ${(err as Error).message}` });
    } finally {
      wasm.undo();
    }
    await loadPackages(config.packages);
    let snapshot: Uint8Array | undefined;
    let snapshotError: string | undefined;
    if (fromSnapshot) {
      (pyodide.pyimport('_pyodide_pool') as PyProxy & { reseed(): void; destroy(): void }).reseed();
    } else {
      pyodide.runPython(RUNTIME_BOOTSTRAP);
      runSetup(config.setup);
      if (config.makeSnapshot) {
        try {
          snapshot = pyodide.makeMemorySnapshot();
        } catch (err) {
          snapshotError = (err as Error).message;
        }
      }
    }
    loadRuntime();
    const result: BootResult = {
      mode: fromSnapshot ? 'snapshot' : 'normal',
      bootMs: performance.now() - started,
      heapBytes: heapBytes(),
      pyodideVersion: pyodide.version,
      snapshot,
      snapshotError,
      wasmModule: wasm.compiled(),
    };
    return snapshot ? Comlink.transfer(result, [snapshot.buffer]) : result;
  } catch (err) {
    if (err instanceof BootError) return { failure: err.failure };
    return { failure: { kind: fromSnapshot ? 'snapshot' : 'runtime', message: (err as Error)?.message ?? String(err) } };
  }
}

function runSetup(setup: string): void {
  const mod = pyodide.pyimport('_pyodide_pool') as PyProxy & { run_setup(src: string): void; error_info: PyProxy };
  try {
    if (setup.trim()) mod.run_setup(setup);
  } catch {
    const info = mod.error_info.toJs() as [string, string, string, number | undefined];
    const where = info[3] ? ` (setup line ${info[3]})` : '';
    throw new BootError({ kind: 'config', message: `setup raised ${info[0]}: ${info[1]}${where}\n${info[2]}` });
  } finally {
    mod.destroy();
  }
}

function describeFailure(err: unknown): TaskFailure {
  if (err instanceof pyodide.ffi.PythonError) {
    const [pythonType, message, traceback, line] = runtime.errorInfo();
    return { kind: 'python', pythonType, message, traceback, line: line ?? undefined };
  }
  const message = (err as Error)?.message ?? String(err);
  return { kind: 'conversion', pythonType: '', message, traceback: '' };
}

/** Run every waiting task in order, sending outcomes in batches. */
function runWaiting(): void {
  lastFlush = performance.now();
  while (next < waiting.length && !closing) {
    const order = waiting[next++]!;
    // Outcomes wait for company only while the next task is known to be short: a long
    // (or unknown) one would hold them back for as long as it runs.
    if (outcomes.length > 0 && !((expectedMs.get(order.code) ?? Infinity) < FLUSH_MS)) flush();
    if (control && !control.begin(order.seq)) {
      outcomes.push({ seq: order.seq, skipped: true });
      continue;
    }
    if (order.notify) {
      // The pool starts this task's timeout now: tell it at once, after what came before.
      flush();
      post({ t: 'start', seq: order.seq });
    }
    const started = performance.now();
    let outcome: TaskOutcome;
    try {
      outcome = runTask(order);
    } catch (err) {
      // Last line of defence: an uncaught error would end the worker and lose the task.
      outcome = { seq: order.seq, error: { kind: 'python', pythonType: 'Error', message: String((err as Error)?.message ?? err), traceback: '' } };
    } finally {
      control?.end();
    }
    if (closing) return;
    const now = performance.now();
    busyMs += now - started;
    remember(order.code, now - started);
    outcomes.push(outcome);
    if (outcomes.length >= FLUSH_COUNT || now - lastFlush >= FLUSH_MS) flush();
  }
  waiting = [];
  next = 0;
  flush();
}

function remember(code: string, ms: number): void {
  const before = expectedMs.get(code);
  if (before === undefined && expectedMs.size >= EXPECTED_MAX) expectedMs.delete(expectedMs.keys().next().value!);
  expectedMs.set(code, before === undefined ? ms : before * 0.5 + ms * 0.5);
}

/** Send the outcomes gathered so far. */
function flush(): void {
  lastFlush = performance.now();
  if (outcomes.length === 0) return;
  const list = outcomes;
  const message: WorkerMessage = { t: 'results', list, heap: heapBytes(), busyMs };
  outcomes = [];
  busyMs = 0;
  try {
    post(message);
  } catch {
    // One value could not be cloned: send them one by one, so only that task fails.
    for (const outcome of list) {
      try {
        post({ ...message, list: [outcome], busyMs: 0 });
      } catch (err) {
        const error: TaskFailure = { kind: 'conversion', pythonType: '', message: `the result could not be sent: ${(err as Error).message}`, traceback: '' };
        post({ ...message, list: [{ seq: outcome.seq, error }], busyMs: 0 });
      }
    }
  }
}

function runTask(order: TaskOrder): TaskOutcome {
  currentSeq = order.seq;
  let inputs: PyProxy | undefined;
  let value: unknown;
  try {
    if (order.inputs) {
      try {
        inputs = inputsToPython(pyodide, order.inputs, runtime.datetime);
      } catch (err) {
        throw new Error(`inputs could not be converted to Python: ${(err as Error).message}`);
      }
    }
    value = runtime.run(order.code, inputs);
    const plain = pythonToPlain(pyodide, value, (v) => runtime.unconvertible(v));
    if ('problem' in plain) return { seq: order.seq, error: { kind: 'conversion', pythonType: plain.pythonType, message: plain.problem, traceback: '' } };
    return { seq: order.seq, value: plain.value };
  } catch (err) {
    if (!(err instanceof pyodide.ffi.PythonError) && /fatal error/i.test(String((err as Error)?.message))) {
      // The interpreter is gone for good; closing tells the pool, which replaces us.
      self.close();
      return { seq: order.seq, skipped: true };
    }
    let error: TaskFailure;
    try {
      error = describeFailure(err);
    } catch (inner) {
      // Describing the failure runs Python too, and a late KeyboardInterrupt can land
      // there. Whatever happens, the task must get its answer: never let it escape.
      error = { kind: 'python', pythonType: (err as { type?: string })?.type ?? 'Error', message: String((err as Error)?.message ?? err), traceback: String((inner as Error)?.message ?? '') };
    }
    return { seq: order.seq, error };
  } finally {
    if (isPyProxy(pyodide, value)) value.destroy();
    inputs?.destroy();
    currentSeq = -1;
  }
}

// Code that closes the worker (Python: `import js; js.close()`) would leave the pool
// dispatching to a worker that is about to vanish; say so first, then close.
const nativeClose = self.close.bind(self);
self.close = () => {
  closing = true;
  // Outcomes of tasks that did finish still reach the pool.
  flush();
  post({ t: 'closing' });
  nativeClose();
};

// Tasks come on the Worker's own channel, next to Comlink's control messages: this
// listener comes first and keeps them from Comlink. The pool sends tasks only once the
// worker is warm.
self.addEventListener('message', (event: MessageEvent<RunMessage | { t?: undefined }>) => {
  if (event.data?.t !== 'run') return;
  event.stopImmediatePropagation();
  waiting.push(...event.data.tasks);
  runWaiting();
});

const api: WorkerControl = { prepare, boot };
Comlink.expose(api);
