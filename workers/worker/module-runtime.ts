/**
 * A module pool's {@link Runtime}, inside its worker: it imports an ES module (or
 * instantiates a compiled WebAssembly module, on the pool's shared memory when there is
 * one) and calls its exports by name. What the module writes to the console while a call
 * runs goes to that call's `onOutput`; what a call throws goes back as its name, message
 * and stack. A WebAssembly trap leaves the instance in no state to trust: the worker closes,
 * naming the trap, and the pool replaces it (the call fails with `WorkerCrashedError`).
 *
 * @internal
 */
import type { BootFailure, BootResult, ModuleBootConfig, TaskFailure, TaskMessage, TaskOrder, WorkerMessage } from '../shared/protocol.js';
import { stamp } from '../shared/boot-timeline.js';
import { readable } from '../shared/thrown.js';
import { remove } from './lockdown.js';
import { holdLock } from './life-lock.js';
import { captureConsole } from './console-capture.js';
import { Output } from './output.js';
import type { Ran, Runtime } from './runtime.js';
import type { Running } from './running.js';

type Exports = Record<string, unknown>;

/** A thrown value as the page rebuilds it: name, message and stack. Never throws (a thrown Proxy, an object with no prototype). */
function scriptFailure(err: unknown): TaskFailure {
  try {
    if (err instanceof Error) return { kind: 'script', pythonType: String(err.name), message: String(err.message), traceback: String(err.stack ?? '') };
    return { kind: 'script', pythonType: 'Error', message: `a non-Error value was thrown: ${readable(err)}`, traceback: '' };
  } catch {
    return { kind: 'script', pythonType: 'Error', message: 'a value was thrown that cannot be read', traceback: '' };
  }
}

/** An engine's stack overflow: Chromium's and WebKit's RangeError, Firefox's InternalError. */
function isStackOverflow(err: Error): boolean {
  return (err instanceof RangeError && /call stack/i.test(err.message)) || err.name === 'InternalError';
}

/**
 * What makes an instance untrustworthy after `err`, or undefined: a trap (also when the
 * module caught it and threw another error with it as its `cause`), or a stack overflow
 * in WebAssembly (a bare instance's, or one with wasm frames on its stack), which leaves a
 * compiled language's own stack pointer wherever the overflow cut it off.
 */
export function trapIn(err: unknown, bareWasm: boolean): string | undefined {
  try {
    for (let at = err, depth = 0; at instanceof Error && depth < 8; at = at.cause, depth++) {
      // WebKit appends the JavaScript that called in: "(evaluating 'fn(...)')".
      if (at instanceof WebAssembly.RuntimeError) return at.message.replace(/ \(evaluating '[^]*'\)$/, '');
      if (isStackOverflow(at) && (bareWasm || /wasm/i.test(String(at.stack)))) return `stack overflow (${at.message})`;
    }
  } catch {
    // A cause chain that throws as it is read: not a trap we can name.
  }
  return undefined;
}

/** The imports a bare WebAssembly module gets: its memory imports are the pool's shared memory; nothing else is given. */
function wasmImports(module: WebAssembly.Module, memory: WebAssembly.Memory | undefined, url: string): WebAssembly.Imports {
  const imports: Record<string, Record<string, WebAssembly.ImportValue>> = {};
  for (const wanted of WebAssembly.Module.imports(module)) {
    if (wanted.kind !== 'memory' || !memory) {
      const what = wanted.kind === 'memory' ? 'a memory (give the pool `sharedMemory`)' : `a ${wanted.kind}`;
      throw new Error(
        `${url} imports ${wanted.module}.${wanted.name}, ${what}; a WasmPool instance gets no imports but its shared memory (load modules with other imports through ModulePool)`,
      );
    }
    (imports[wanted.module] ??= {})[wanted.name] = memory;
  }
  return imports;
}

export class ModuleRuntime implements Runtime {
  #exports: Exports = {};
  /** The memories to report as the heap: the shared one, or those the module exports. */
  #memories: WebAssembly.Memory[] = [];
  readonly #output: Output;
  readonly #post: (message: WorkerMessage) => void;
  /** End the worker, saying why (the run loop hears it first: see `worker/serve.ts`). */
  readonly #close: (reason: string) => void;
  /** A bare WebAssembly instance (not an ES module): any stack overflow in it is a trap. */
  #bareWasm = false;
  /** The console as it was, for what happens outside any call. */
  readonly #nativeError = console.error.bind(console);

  constructor(running: Running, post: (message: WorkerMessage) => void, close: (reason: string) => void) {
    this.#post = post;
    this.#close = close;
    this.#output = new Output(running, post);
    captureConsole((type, text) => this.#output.emitText(type, text));
  }

  /**
   * An error nothing caught (a timer the module left behind threw): a trap ends the worker,
   * naming it; anything else is logged here and leaves the worker (and the call running,
   * which did not throw it) alone. Returns true if it was handled without ending the worker.
   */
  uncaught(err: unknown): boolean {
    const trap = trapIn(err, this.#bareWasm);
    if (trap) {
      this.#close(`WebAssembly trap outside a call: ${trap}`);
      return false;
    }
    this.#nativeError('module pool: an error no call caught (the worker carries on):', err);
    return true;
  }

  async boot(config: ModuleBootConfig): Promise<BootResult | { failure: BootFailure }> {
    const started = performance.now();
    const from = stamp();
    await holdLock(config.lockName);
    this.#post({ t: 'locked' });
    // Only the pool speaks to the page (through the function it took at start): a module
    // cannot post messages that imitate the pool's protocol.
    remove(globalThis, 'postMessage');
    this.#bareWasm = config.kind === 'wasm';
    try {
      if (config.kind === 'module') {
        this.#exports = (await import(/* @vite-ignore */ config.url)) as Exports;
        this.#memories = Object.values(this.#exports).filter((value): value is WebAssembly.Memory => value instanceof WebAssembly.Memory);
      } else {
        const instance = await WebAssembly.instantiate(config.module, wasmImports(config.module, config.memory, config.url));
        this.#exports = instance.exports as Exports;
        const own = Object.values(this.#exports).filter((value): value is WebAssembly.Memory => value instanceof WebAssembly.Memory);
        this.#memories = config.memory ? [config.memory] : own;
      }
    } catch (err) {
      const what = config.kind === 'module' ? 'import the module' : 'instantiate the WebAssembly module';
      return { failure: { kind: 'config', message: `could not ${what} ${config.url}: ${(err as Error)?.message ?? String(err)}` } };
    }
    return { mode: 'normal', bootMs: performance.now() - started, heapBytes: this.heapBytes(), stages: [{ name: 'module', start: from, end: stamp() }], answeredAt: stamp() };
  }

  run(order: TaskOrder): Ran | Promise<Ran> {
    const seq = order.seq;
    const fn = this.#exports[order.code];
    if (typeof fn !== 'function') {
      const message = order.code in this.#exports ? `the export "${order.code}" is not a function` : `the module has no export named "${order.code}"`;
      return { outcome: { seq, error: { kind: 'script', pythonType: 'TypeError', message, traceback: '' } } };
    }
    let value: unknown;
    try {
      value = (fn as (...args: unknown[]) => unknown)(...(order.args ?? []));
    } catch (err) {
      return this.#failed(order, err);
    }
    if (value instanceof Promise || (typeof value === 'object' && value !== null && typeof (value as PromiseLike<unknown>).then === 'function')) {
      return Promise.resolve(value).then(
        (settled) => this.#done(seq, settled),
        (err: unknown) => this.#failed(order, err),
      );
    }
    return this.#done(seq, value);
  }

  #done(seq: number, value: unknown): Ran {
    this.#output.sendHeld();
    return { outcome: { seq, value } };
  }

  #failed(order: TaskOrder, err: unknown): Ran {
    this.#output.sendHeld();
    // A trap: the instance's memory may be half written. The worker goes, and says why.
    const trap = trapIn(err, this.#bareWasm);
    if (trap) this.#close(`WebAssembly trap in ${order.code}(): ${trap}`);
    return { outcome: { seq: order.seq, error: scriptFailure(err) } };
  }

  /** Exports are plain functions: no message reaches them, and a stop cannot land (the pool ends the worker instead). */
  deliver(message: TaskMessage): void {
    void message;
  }

  heapBytes(): number {
    return this.#memories.reduce((sum, memory) => sum + memory.buffer.byteLength, 0);
  }
}
