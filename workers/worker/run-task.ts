/**
 * One task inside a pool worker, from its order to its outcome: inputs converted, the code
 * run (synchronously on the fast path; awaited when it awaits; stepped when it is a
 * generator; once per item for a map chunk), the result turned into plain data and every
 * proxy destroyed. `worker/run-loop.ts` runs the loop around it.
 *
 * @internal
 */
import type { PyodideAPI } from 'pyodide';
import type { PyProxy } from 'pyodide/ffi';
import { inputsToPython, isPyProxy, pythonToPlain } from './convert.js';
import type { TaskFailure, TaskOrder } from '../shared/protocol.js';
import { asAsyncRun, type AsyncRun, type PythonModule } from './python-module.js';
import { buffersIn } from '../shared/transfer.js';
import type { Waits } from './waits.js';
import type { Generators } from './generator.js';
import type { Ran, Yielded } from './runtime.js';
import { closeWorker } from './endpoint.js';
import { readable } from '../shared/thrown.js';

/** What running a task takes from the booted interpreter. */
export interface Interpreter {
  pyodide: PyodideAPI;
  py: PythonModule;
  waits: Waits;
  generators: Generators;
  /** Whether `code` must be entered with stack switching. */
  needsSwitch(code: string): boolean;
}

export class TaskRunner {
  readonly #pyodide: PyodideAPI;
  readonly #py: PythonModule;
  readonly #in: Interpreter;

  constructor(interpreter: Interpreter) {
    this.#in = interpreter;
    this.#pyodide = interpreter.pyodide;
    this.#py = interpreter.py;
  }

  /**
   * Run one task. Code without `await` runs and answers synchronously (the fast path);
   * code that awaits, needs a stack switch, or is a generator answers with a promise.
   * `atYield` runs at a generator's yields (where more urgent tasks get their turn).
   */
  run(order: TaskOrder, atYield: Yielded): Ran | Promise<Ran> {
    const pyodide = this.#pyodide;
    const py = this.#py;
    const { waits } = this.#in;
    waits.begin(order);
    let inputs: PyProxy | undefined;
    let pending: Promise<Ran> | undefined;
    try {
      const given = order.items ? { items: order.items, shared: order.inputs } : order.inputs;
      if (given) {
        try {
          inputs = inputsToPython(pyodide, given, py.make);
        } catch (err) {
          throw new Error(`${order.items ? 'items' : 'inputs'} could not be converted to Python: ${(err as Error).message}`, { cause: err });
        }
      }
      const entry = order.items ? py.runMap : py.run;
      const args = (
        order.items ? [order.code, inputs, order.keepGoing === true, order.itemTimeout === undefined ? undefined : order.itemTimeout / 1000] : [order.code, inputs]
      ) as [string, PyProxy, boolean, number | undefined];
      if (this.#in.needsSwitch(order.code)) {
        pending = (entry.callPromising as (...a: unknown[]) => Promise<unknown>)(...args).then(
          (value) => this.#settleAwaited(order, value),
          (err) => this.#failed(order, err),
        );
        return pending;
      }
      const value = (entry as unknown as (...a: unknown[]) => unknown)(...args);
      // Reading a proxy's type calls into Python: once per result, for both checks.
      const type = isPyProxy(pyodide, value) ? value.type : undefined;
      const run = type === 'AsyncRun' ? asAsyncRun(pyodide, value) : undefined;
      if (run) {
        pending = this.#settleAwaited(order, run);
        return pending;
      }
      if (!order.items && type === 'generator') {
        pending = this.#in.generators
          .drive(order, value as PyProxy, atYield)
          .then((result) => (result.done ? this.#plainOutcome(order, result.value) : this.#failed(order, result.error)));
        return pending;
      }
      return this.#plainOutcome(order, value);
    } catch (err) {
      return this.#failed(order, err);
    } finally {
      if (pending) {
        const held = inputs;
        void pending.finally(() => {
          held?.destroy();
          waits.end(order.seq);
        });
      } else {
        try {
          inputs?.destroy();
        } catch {
          // Pyodide failed fatally: the worker is closing.
        }
        waits.end(order.seq);
      }
    }
  }

  /** The outcome of code that awaits: its asyncio task's result, once it ends. */
  async #settleAwaited(order: TaskOrder, value: unknown): Promise<Ran> {
    const run = this.#isAsyncRun(value) ? value : asAsyncRun(this.#pyodide, value);
    if (!run) return this.#plainOutcome(order, value);
    // Awaiting a proxy consumes it: the stop message cancels through a copy of its own.
    this.#in.waits.awaitingFuture(run.future.copy() as AsyncRun['future']);
    try {
      return this.#plainOutcome(order, await run.future);
    } catch (err) {
      return this.#failed(order, err);
    }
  }

  #isAsyncRun(value: unknown): value is AsyncRun {
    return typeof value === 'object' && value !== null && !isPyProxy(this.#pyodide, value) && 'future' in value;
  }

  /** A result as plain data (destroying it if it is a proxy). */
  #plainOutcome(order: TaskOrder, value: unknown): Ran {
    const pyodide = this.#pyodide;
    const py = this.#py;
    try {
      let plain = pythonToPlain(pyodide, value, (v) => py.unconvertible(v));
      // A chunk's values that cannot cross fail as their items, not as the whole chunk.
      if ('problem' in plain && order.items && isPyProxy(pyodide, value) && py.fixMap(value) > 0) {
        plain = pythonToPlain(pyodide, value, (v) => py.unconvertible(v));
      }
      if ('problem' in plain) return { outcome: { seq: order.seq, error: { kind: 'conversion', pythonType: plain.pythonType, message: plain.problem, traceback: '' } } };
      const outcome = { seq: order.seq, value: plain.value };
      // Typed arrays from toJs are fresh copies (never views of the wasm heap): move them.
      if (typeof plain.value === 'object' && plain.value !== null) {
        const buffers = buffersIn(plain.value);
        if (buffers.size > 0) return { outcome, transfer: [...buffers] };
      }
      return { outcome };
    } catch (err) {
      return this.#failed(order, err);
    } finally {
      if (isPyProxy(pyodide, value)) value.destroy();
    }
  }

  #describeFailure(err: unknown): TaskFailure {
    if (err instanceof this.#pyodide.ffi.PythonError) {
      const { pythonType, message, traceback, line } = this.#py.errorInfo();
      return { kind: 'python', pythonType, message, traceback, line: line ?? undefined };
    }
    return { kind: 'conversion', pythonType: '', message: readable(err), traceback: '' };
  }

  /**
   * Pyodide failed fatally (its interpreter cannot run again): a JavaScript error inside
   * the interpreter, such as the browser's stack overflowing under a deep recursion.
   */
  #fatal(err: unknown): boolean {
    // Checked before Pyodide's API is touched: after a fatal error, it throws.
    if ((err as { pyodide_fatal_error?: unknown })?.pyodide_fatal_error === true) return true;
    if (/fatal error|fatally failed|already exited/i.test(String((err as Error)?.message))) return true;
    try {
      return !(err instanceof this.#pyodide.ffi.PythonError) && (err as { pyodide_fatal_error?: unknown })?.pyodide_fatal_error === true;
    } catch {
      return true; // the API throws: Pyodide failed fatally
    }
  }

  #failed(order: TaskOrder, err: unknown): Ran {
    if (this.#fatal(err)) {
      // The interpreter is gone for good; closing tells the pool (and why), which replaces us.
      closeWorker(fatalReason(err));
      return { outcome: { seq: order.seq, skipped: true } };
    }
    let error: TaskFailure;
    try {
      error = this.#describeFailure(err);
    } catch (inner) {
      // Describing the failure runs Python too, and a late KeyboardInterrupt can land
      // there. Whatever happens, the task must get its answer: never let it escape.
      error = { kind: 'python', pythonType: (err as { type?: string })?.type ?? 'Error', message: readable(err), traceback: readable(inner) };
    }
    return { outcome: { seq: order.seq, error } };
  }
}

/** Why Pyodide failed, as the pool says it when it replaces the worker. */
function fatalReason(err: unknown): string {
  const text = readable(err);
  const overflow = err instanceof RangeError || /call stack|stack overflow|too much recursion/i.test(text);
  return overflow ? `the browser's stack overflowed (${text}): recursion too deep for this engine; Pyodide cannot go on after it` : `Pyodide failed fatally (${text})`;
}
