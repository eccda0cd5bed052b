/**
 * The seam between the run loop and what runs the tasks. The run loop
 * (`worker/run-loop.ts`) receives orders, runs them one at a time through a `Runtime`,
 * batches their outcomes, handles stops and closing; it knows nothing of Python. Pyodide
 * is one runtime (`worker/pyodide-runtime.ts`); another (plain ES modules or WebAssembly
 * instances called by export name) implements the same interface.
 *
 * A runtime also answers the page's control calls (boot; for Pyodide, snapshots and files:
 * `WorkerControl` in `shared/protocol.ts`) through Comlink, and runs one task from its order to
 * its outcome (converting the inputs in and the result out), takes the messages meant
 * for the task it runs, and says how big its heap is. Which task runs is not its to
 * decide or to track: it asks the {@link Running} it is given.
 *
 * @internal
 */
import type { TaskMessage, TaskOrder, TaskOutcome } from '../shared/protocol.js';

/**
 * Runs at a task's preemption points (a generator task's yields): the urgent tasks the
 * pool sent meanwhile run first. Resolves true if any ran (the task's own state, such
 * as its output routing, was set aside and is back).
 */
export type Yielded = () => Promise<boolean>;

/** One task's end: its outcome, and the buffers the outcome may move (not copy) to the page. */
export interface Ran {
  outcome: TaskOutcome;
  transfer?: Transferable[];
}

export interface Runtime {
  /**
   * Run task `order` (already begun in the {@link Running}). Answers synchronously when
   * it can (the fast path of a task that neither awaits nor yields), else with a promise;
   * never throws: a failure is an outcome. `atYield` runs at its preemption points.
   */
  run(order: TaskOrder, atYield: Yielded): Ran | Promise<Ran>;
  /**
   * A message for a task: data it may receive, or a stop. A stop lands where the runtime
   * can take it without an interrupt (a generator's next yield, an awaited coroutine);
   * messages for a task that is not running are dropped.
   */
  deliver(message: TaskMessage): void;
  /** The runtime's memory in bytes, reported with each batch of outcomes (`recycle.heapBytes`). */
  heapBytes(): number;
}
