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
import type { TaskOrder } from '../shared/protocol.js';
import { control, post, runningTask, runtime } from './interpreter.js';

/** Runs at a generator's yields: the tasks sent to run before it resumes. True if it ran any. */
export type Yielded = () => Promise<boolean>;

/** How a generator task ended: returned, or raised (or was stopped at a yield). */
export type GeneratorEnd = { done: true; value: unknown } | { done: false; error: unknown };

/**
 * A turn of the event loop costs tens of microseconds, more than a tight generator's
 * step: take one only when this long has passed since the last.
 */
const TURN_MS = 2;

/** Generator tasks in this worker, by seq, and those asked to stop. */
const live = new Set<number>();
const stops = new Set<number>();

/** A stop message for task `seq`: true if it is a generator task, which stops at its next yield. */
export function stopGenerator(seq: number): boolean {
  if (!live.has(seq)) return false;
  stops.add(seq);
  return true;
}

// A MessageChannel turn is a macrotask without the clamping of setTimeout(0).
const turns = new MessageChannel();
let wakers: (() => void)[] = [];
turns.port1.onmessage = () => {
  const woken = wakers;
  wakers = [];
  for (const wake of woken) wake();
};

function nextTurn(): Promise<void> {
  return new Promise((resolve) => {
    wakers.push(resolve);
    if (wakers.length === 1) turns.port2.postMessage(0);
  });
}

/** Step the generator `gen` of task `order` to its end. Destroys `gen`. */
export async function driveGenerator(order: TaskOrder, gen: PyProxy, atYield: Yielded): Promise<GeneratorEnd> {
  const { seq } = order;
  live.add(seq);
  // The pool may now stop it with a message, and send urgent tasks to run at its yields.
  post({ t: 'yielding', seq });
  let turn = performance.now();
  try {
    for (;;) {
      if (stops.has(seq)) {
        runtime.closeGenerator(gen);
        return { done: false, error: new Error(`task ${seq} was stopped at a yield`) };
      }
      let returned: boolean;
      try {
        returned = runtime.step(gen, order.code);
      } catch (err) {
        return { done: false, error: err };
      }
      if (returned) return { done: true, value: runtime.takeResult() };
      if (performance.now() - turn < TURN_MS) continue;
      await nextTurn();
      if (await atYield()) {
        // Output and interrupts are this task's again.
        runningTask(seq);
        control?.resume(seq);
      }
      turn = performance.now();
    }
  } finally {
    live.delete(seq);
    stops.delete(seq);
    gen.destroy();
  }
}
