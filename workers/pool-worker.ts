/**
 * The pool worker's entry point: once `worker-interpreter.ts` has booted Pyodide, it runs
 * the tasks it is sent, one at a time and in order. Several tasks may arrive in one
 * message; their outcomes go back in batches. Loaded as a module worker.
 *
 * @internal
 */
import * as Comlink from 'comlink';
import type { PyProxy } from 'pyodide/ffi';
import { inputsToPython, isPyProxy, pythonToPlain } from './convert.js';
import type { RunMessage, TaskFailure, TaskOrder, TaskOutcome, WorkerControl, WorkerMessage } from './protocol.js';
import { boot, control, heapBytes, post, prepare, pyodide, runningTask, runtime } from './worker-interpreter.js';

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
  runningTask(order.seq);
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
    runningTask(-1);
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
