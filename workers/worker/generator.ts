/**
 * Generator tasks, inside a pool worker. A task whose final expression is a generator is
 * stepped from here, one `yield` at a time: each yielded value reaches the caller
 * (progress or data), and every few milliseconds the worker takes a turn of its event
 * loop. That turn is what makes a yield a preemption point on any page: a stop message
 * (cancel, timeout) is read and lands at the next yield, without interrupting the
 * interpreter, and a more urgent task the pool sent meanwhile runs before the generator
 * resumes, in this worker (its frames never leave the worker's memory).
 *
 * @internal
 */
import type { PyProxy } from 'pyodide/ffi';
import type { TaskOrder, WorkerMessage } from '../shared/protocol.js';
import type { PythonModule } from './python-module.js';
import type { Yielded } from './runtime.js';

/** How a generator task ended: returned, or raised (or was stopped at a yield). */
export type GeneratorEnd = { done: true; value: unknown } | { done: false; error: unknown };

/**
 * A turn of the event loop costs tens of microseconds, more than a tight generator's
 * step: take one only when this long has passed since the last.
 */
const TURN_MS = 2;

/** A turn of the worker's event loop: a MessageChannel turn is a macrotask without the clamping of setTimeout(0). */
class Turns {
  readonly #channel = new MessageChannel();
  #wakers: (() => void)[] = [];

  constructor() {
    this.#channel.port1.onmessage = () => {
      const woken = this.#wakers;
      this.#wakers = [];
      for (const wake of woken) wake();
    };
  }

  next(): Promise<void> {
    return new Promise((resolve) => {
      this.#wakers.push(resolve);
      if (this.#wakers.length === 1) this.#channel.port2.postMessage(0);
    });
  }
}

/** The generator tasks of one interpreter. */
export class Generators {
  readonly #py: PythonModule;
  readonly #post: (message: WorkerMessage) => void;
  readonly #turns = new Turns();
  /** Generator tasks in this worker, by seq, and those asked to stop. */
  readonly #live = new Set<number>();
  readonly #stops = new Set<number>();

  constructor(py: PythonModule, post: (message: WorkerMessage) => void) {
    this.#py = py;
    this.#post = post;
  }

  /** A stop message for task `seq`: true if it is a generator task, which stops at its next yield. */
  stop(seq: number): boolean {
    if (!this.#live.has(seq)) return false;
    this.#stops.add(seq);
    return true;
  }

  /** Step the generator `gen` of task `order` to its end. Destroys `gen`. */
  async drive(order: TaskOrder, gen: PyProxy, atYield: Yielded): Promise<GeneratorEnd> {
    const { seq } = order;
    const py = this.#py;
    this.#live.add(seq);
    // The pool may now stop it with a message, and send urgent tasks to run at its yields.
    this.#post({ t: 'yielding', seq });
    let turn = performance.now();
    try {
      for (;;) {
        if (this.#stops.has(seq)) {
          py.closeGenerator(gen);
          return { done: false, error: new Error(`task ${seq} was stopped at a yield`) };
        }
        let returned: boolean;
        try {
          returned = py.step(gen, order.code);
        } catch (err) {
          return { done: false, error: err };
        }
        if (returned) return { done: true, value: py.takeResult() };
        if (performance.now() - turn < TURN_MS) continue;
        await this.#turns.next();
        // Urgent tasks run here; the run loop gives this one back its interrupts and output.
        await atYield();
        turn = performance.now();
      }
    } finally {
      this.#live.delete(seq);
      this.#stops.delete(seq);
      gen.destroy();
    }
  }
}
