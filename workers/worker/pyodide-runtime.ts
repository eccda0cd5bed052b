/**
 * Pyodide as a pool worker's {@link Runtime}: it owns the interpreter and everything
 * bound to it (the runtime's Python module, the waits, the generator tasks, the output
 * streams), boots it (`worker/boot.ts`), and runs tasks on it (`worker/run-task.ts`).
 * Which task runs is the {@link Running}'s answer, which it reads and never writes.
 *
 * @internal
 */
import type { PyodideAPI } from 'pyodide';
import type { BootConfig, BootFailure, BootResult, TaskMessage, WorkerControl, TaskOrder, WorkerMessage } from '../shared/protocol.js';
import { memoryBytes } from '../shared/primordials.js';
import { pythonToPlain } from './convert.js';
import { bindPythonModule, jspi, switches } from './python-module.js';
import { bootInterpreter } from './boot.js';
import { Files } from './files.js';
import { Generators } from './generator.js';
import { Loader } from './loader.js';
import { Output } from './output.js';
import { TaskRunner, type Interpreter } from './run-task.js';
import type { Ran, Runtime, Yielded } from './runtime.js';
import type { Running } from './running.js';
import { Waits } from './waits.js';

export class PyodideRuntime implements Runtime, WorkerControl {
  readonly #running: Running;
  readonly #post: (message: WorkerMessage) => void;
  readonly #loader = new Loader();
  readonly #files = new Files();
  readonly #output: Output;
  #pyodide: PyodideAPI | undefined;
  /** The interpreter's wasm memory, kept at boot (before any task code runs). */
  #heapMemory: WebAssembly.Memory | undefined;
  /** Setup defines functions that switch stacks: every task may call them. */
  #setupSwitches = false;
  /** What runs tasks, once the boot bound the runtime's Python module. */
  #interpreter: Interpreter | undefined;
  #tasks: TaskRunner | undefined;

  constructor(running: Running, post: (message: WorkerMessage) => void) {
    this.#running = running;
    this.#post = post;
    this.#output = new Output(running, post);
  }

  // The page's control calls (see WorkerControl); the loader holds what the boot takes.
  prepare(indexURL: string): void {
    this.#loader.prepare(indexURL);
  }
  pyodideVersion(indexURL: string): Promise<string | undefined> {
    return this.#loader.pyodideVersion(indexURL);
  }
  giveModule(module: WebAssembly.Module | undefined): void {
    this.#loader.giveModule(module);
  }
  preloadSnapshot(snapshot: Blob | Uint8Array): void {
    this.#loader.preloadSnapshot(snapshot);
  }
  takeSnapshot(): Uint8Array | undefined {
    return this.#loader.takeSnapshot();
  }
  writeFile(path: string, data: Uint8Array): Promise<string | undefined> {
    return this.#files.write(path, data);
  }

  boot(config: BootConfig): Promise<BootResult | { failure: BootFailure }> {
    this.#running.attach(config.control);
    this.#setupSwitches = switches(config.setup);
    return bootInterpreter(config, {
      loader: this.#loader,
      files: this.#files,
      post: this.#post,
      started: (pyodide, memory) => {
        this.#pyodide = pyodide;
        this.#heapMemory = memory;
      },
      install: () => this.#install(this.#pyodide!),
      heapBytes: () => this.heapBytes(),
    });
  }

  /**
   * The interpreter's heap in bytes, read from its memory object with captured built-ins:
   * task code that redefines `HEAP8` on Pyodide's module, or the prototypes' getters, does
   * not change it (so `recycle.heapBytes` holds). Pyodide's module is only asked where the
   * memory could not be kept (an engine path that did not go through the interception).
   */
  heapBytes(): number {
    if (this.#heapMemory) return memoryBytes(this.#heapMemory);
    const module = (this.#pyodide as unknown as { _module?: { HEAP8?: Int8Array } } | undefined)?._module;
    return module?.HEAP8?.buffer.byteLength ?? 0;
  }

  run(order: TaskOrder, atYield: Yielded): Ran | Promise<Ran> {
    return this.#tasks!.run(order, atYield);
  }

  deliver(message: TaskMessage): void {
    const interpreter = this.#interpreter;
    if (!interpreter) return;
    // A generator task stops at its next yield; others as their waits allow.
    if (message.t === 'stop' && interpreter.generators.stop(message.seq)) return;
    interpreter.waits.deliver(message);
  }

  /** Bind the runtime's Python module and give it the worker's hooks, streams and interrupts. */
  #install(pyodide: PyodideAPI): void {
    const py = bindPythonModule(pyodide);
    const control = this.#running.control;
    const output = this.#output;
    // Everything below holds JavaScript references, so it comes after any snapshot.
    const waits = new Waits({ pyodide, control, make: py.make, post: this.#post, sendHeld: () => output.sendHeld() }, this.#running);
    py.installHooks({
      ...waits.hooks,
      can_block: waits.canBlock,
      progress: (fraction: number, message: string | undefined) => output.emit({ type: 'progress', fraction, message }),
      emit: (data: unknown): string | undefined => {
        const plain = pythonToPlain(pyodide, data, (v) => py.unconvertible(v));
        if ('problem' in plain) return plain.problem;
        try {
          output.emit({ type: 'data', data: plain.value });
        } catch (err) {
          return `cannot send the data: ${(err as Error).message}`;
        }
        return undefined;
      },
    });
    pyodide.setStdout(this.#streamWriter('stdout'));
    pyodide.setStderr(this.#streamWriter('stderr'));
    pyodide.setStdin({ stdin: waits.readStdin, isatty: false });
    // Duck-typed on purpose (see interruptView): Pyodide only indexes element 0.
    // Its checks are also where output a burst gathered goes out while Python computes.
    if (control) pyodide.setInterruptBuffer(control.interruptView(output.sendHeldIfDue) as unknown as Int32Array);
    const setupSwitches = this.#setupSwitches;
    this.#interpreter = {
      pyodide,
      py,
      waits,
      generators: new Generators(py, this.#post),
      needsSwitch: (code) => jspi && (setupSwitches || switches(code)),
    };
    this.#tasks = new TaskRunner(this.#interpreter);
  }

  #streamWriter(type: 'stdout' | 'stderr') {
    const decoder = new TextDecoder();
    const output = this.#output;
    return {
      isatty: false,
      write(buffer: Uint8Array): number {
        const text = decoder.decode(buffer, { stream: true });
        if (text && !output.emitText(type, text)) (type === 'stdout' ? console.log : console.warn)(text);
        return buffer.length;
      },
    };
  }
}
