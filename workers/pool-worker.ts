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
import type { RunMessage, TaskFailure, TaskMessage, TaskOrder, TaskOutcome, WorkerControl, WorkerMessage } from './protocol.js';
import { asAsyncRun, type AsyncRun, boot, writeFile, control, heapBytes, needsSwitch, post, pyodide, runningTask, runtime } from './worker-interpreter.js';
import { giveModule, preloadSnapshot, prepare, stages, takeSnapshot } from './worker-loader.js';
import { buffersIn } from './transfer.js';
import { awaitingFuture, beginWaits, endWaits, onTaskMessage } from './worker-waits.js';

/** Tasks received and not yet run; `next` indexes the first. */
let waiting: TaskOrder[] = [];
let next = 0;
/** Buffers each outcome's value holds, moved (not copied) when it is sent. */
const moving = new WeakMap<TaskOutcome, ArrayBuffer[]>();
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

/** A task awaits (its coroutine or a stack switch): the loop resumes when it ends. */
let awaiting = false;

/** Run every waiting task in order, sending outcomes in batches. */
function runWaiting(): void {
  if (awaiting) return;
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
    const outcome = runTask(order);
    if (outcome instanceof Promise) {
      // The worker is free while the task awaits: messages (a stop, a message for the
      // task) arrive, and tasks sent meanwhile wait in `waiting`.
      awaiting = true;
      flush();
      void outcome.then((done) => {
        awaiting = false;
        try {
          finished(order, done, started);
        } finally {
          runWaiting();
        }
      });
      return;
    }
    finished(order, outcome, started);
  }
  if (closing) return;
  waiting = [];
  next = 0;
  flush();
}

function finished(order: TaskOrder, outcome: TaskOutcome, started: number): void {
  control?.end();
  if (closing) return;
  const now = performance.now();
  busyMs += now - started;
  remember(order.code, now - started);
  outcomes.push(outcome);
  if (outcomes.length >= FLUSH_COUNT || now - lastFlush >= FLUSH_MS) flush();
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
  // Binary results move out of the worker rather than being copied.
  const transfer = list.flatMap((outcome) => moving.get(outcome) ?? []);
  try {
    post(message, transfer);
  } catch {
    // One value could not be cloned: send them one by one, so only that task fails.
    for (const outcome of list) {
      try {
        post({ ...message, list: [outcome], busyMs: 0 }, moving.get(outcome));
      } catch (err) {
        const error: TaskFailure = { kind: 'conversion', pythonType: '', message: `the result could not be sent: ${(err as Error).message}`, traceback: '' };
        post({ ...message, list: [{ seq: outcome.seq, error }], busyMs: 0 });
      }
    }
  }
}

/**
 * Run one task. Code without `await` runs and answers synchronously (the fast path);
 * code that awaits, or needs a stack switch, answers with a promise.
 */
function runTask(order: TaskOrder): TaskOutcome | Promise<TaskOutcome> {
  runningTask(order.seq);
  beginWaits(order);
  let inputs: PyProxy | undefined;
  let pending: Promise<TaskOutcome> | undefined;
  try {
    if (order.inputs) {
      try {
        inputs = inputsToPython(pyodide, order.inputs, runtime.make);
      } catch (err) {
        throw new Error(`inputs could not be converted to Python: ${(err as Error).message}`);
      }
    }
    if (needsSwitch(order.code)) {
      pending = runtime.run.callPromising(order.code, inputs).then((value) => settleAwaited(order, value), (err) => failed(order, err));
      return pending;
    }
    const value = runtime.run(order.code, inputs);
    const run = asAsyncRun(value);
    if (run) {
      pending = settleAwaited(order, run);
      return pending;
    }
    return plainOutcome(order, value);
  } catch (err) {
    return failed(order, err);
  } finally {
    if (pending) {
      const held = inputs;
      void pending.finally(() => {
        held?.destroy();
        endTask();
      });
    } else {
      inputs?.destroy();
      endTask();
    }
  }
}

function endTask(): void {
  endWaits();
  runningTask(-1);
}

/** The outcome of code that awaits: its asyncio task's result, once it ends. */
async function settleAwaited(order: TaskOrder, value: unknown): Promise<TaskOutcome> {
  const run = isAsyncRun(value) ? value : asAsyncRun(value);
  if (!run) return plainOutcome(order, value);
  // Awaiting a proxy consumes it: the stop message cancels through a copy of its own.
  awaitingFuture(run.future.copy() as AsyncRun['future']);
  try {
    return plainOutcome(order, await run.future);
  } catch (err) {
    return failed(order, err);
  }
}

function isAsyncRun(value: unknown): value is AsyncRun {
  return typeof value === 'object' && value !== null && !isPyProxy(pyodide, value) && 'future' in value;
}

/** A result as plain data (destroying it if it is a proxy). */
function plainOutcome(order: TaskOrder, value: unknown): TaskOutcome {
  try {
    const plain = pythonToPlain(pyodide, value, (v) => runtime.unconvertible(v));
    if ('problem' in plain) return { seq: order.seq, error: { kind: 'conversion', pythonType: plain.pythonType, message: plain.problem, traceback: '' } };
    const outcome = { seq: order.seq, value: plain.value };
    // Typed arrays from toJs are fresh copies (never views of the wasm heap): move them.
    if (typeof plain.value === 'object' && plain.value !== null) {
      const buffers = buffersIn(plain.value);
      if (buffers.size > 0) moving.set(outcome, [...buffers]);
    }
    return outcome;
  } catch (err) {
    return failed(order, err);
  } finally {
    if (isPyProxy(pyodide, value)) value.destroy();
  }
}

function failed(order: TaskOrder, err: unknown): TaskOutcome {
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
self.addEventListener('message', (event: MessageEvent<RunMessage | TaskMessage | { t?: undefined }>) => {
  const message = event.data;
  if (message?.t === undefined) return;
  event.stopImmediatePropagation();
  if (message.t !== 'run') return onTaskMessage(message);
  waiting.push(...message.tasks);
  runWaiting();
});

const api: WorkerControl = { prepare, preloadSnapshot, giveModule, boot, writeFile, takeSnapshot };
Comlink.expose(api);
// The worker's clock starts when the page creates it: until now, its script loaded and ran.
stages.add('script', performance.timeOrigin);
