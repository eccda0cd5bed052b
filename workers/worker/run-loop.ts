/**
 * The pool worker's entry point: once `worker/interpreter.ts` has booted Pyodide, it runs
 * the tasks it is sent, one at a time and in order. Several tasks may arrive in one
 * message; their outcomes go back in batches. Loaded as a module worker.
 *
 * @internal
 */
import * as Comlink from 'comlink';
import type { ChunkResult, RunMessage, TaskFailure, TaskMessage, TaskOrder, TaskOutcome, WorkerControl, WorkerMessage } from '../shared/protocol.js';
import { boot, writeFile, control, heapBytes, post } from './interpreter.js';
import { giveModule, preloadSnapshot, prepare, pyodideVersion, stages, takeSnapshot } from './loader.js';
import { moving, runTask } from './run-task.js';
import { stopGenerator } from './generator.js';
import { onTaskMessage, resumeWaits, suspendWaits } from './waits.js';
import { endpoint } from './endpoint.js';

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
    const outcome = runTask(order, preempting);
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

/**
 * At a generator task's yield: run the tasks the pool sent to preempt it, in order, then
 * let it resume. True if any ran.
 */
async function preempting(): Promise<boolean> {
  let ran = false;
  for (;;) {
    const at = waiting.findIndex((order, i) => i >= next && order.preempt);
    if (at < 0 || closing) return ran;
    const order = waiting.splice(at, 1)[0]!;
    ran = true;
    // The generator's input, messages and output are set aside while this one runs.
    const waits = suspendWaits();
    try {
      if (control && !control.begin(order.seq)) {
        outcomes.push({ seq: order.seq, skipped: true });
        continue;
      }
      post({ t: 'start', seq: order.seq });
      const started = performance.now();
      let outcome = runTask(order, preempting);
      if (outcome instanceof Promise) outcome = await outcome;
      finished(order, outcome, started);
    } finally {
      flush();
      resumeWaits(waits);
    }
  }
}

/**
 * A stop for a task sent but not begun (one sent to preempt a generator, waiting for its
 * yield): it is skipped, and the pool hears so at once. False if it is not waiting here.
 */
function dropWaiting(seq: number): boolean {
  const at = waiting.findIndex((order, i) => i >= next && order.seq === seq);
  if (at < 0) return false;
  waiting.splice(at, 1);
  outcomes.push({ seq, skipped: true });
  flush();
  return true;
}

function finished(order: TaskOrder, outcome: TaskOutcome, started: number): void {
  control?.end();
  if (closing) return;
  const now = performance.now();
  // A map chunk says how long it took: the pool sizes the next chunks by it.
  if (order.items && 'value' in outcome) (outcome.value as ChunkResult).ms = now - started;
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

// Code that closes the worker (Python: `import js; js.close()`) would leave the pool
// dispatching to a worker that is about to vanish; say so first, then close.
const nativeClose = self.close.bind(self);
self.close = ((reason?: unknown) => {
  closing = true;
  // Outcomes of tasks that did finish still reach the pool.
  flush();
  post(typeof reason === 'string' ? { t: 'closing', reason: reason.slice(0, 2_000) } : { t: 'closing' });
  nativeClose();
}) as typeof self.close;

// Tasks come on the Worker's own channel (see `worker/endpoint.ts`), next to Comlink's
// control messages: this listener comes first and keeps them from Comlink. The pool sends
// tasks only once the worker is warm.
endpoint.addEventListener('message', ((event: MessageEvent<RunMessage | TaskMessage | { t?: undefined }>) => {
  const message = event.data;
  if (message?.t === undefined) return;
  event.stopImmediatePropagation();
  if (message.t !== 'run') {
    // A generator task stops at its next yield; others as their waits allow.
    if (message.t === 'stop' && (stopGenerator(message.seq) || dropWaiting(message.seq))) return;
    return onTaskMessage(message);
  }
  waiting.push(...message.tasks);
  runWaiting();
}) as EventListener);

const api: WorkerControl = { prepare, pyodideVersion, preloadSnapshot, giveModule, boot, writeFile, takeSnapshot };
Comlink.expose(api, endpoint);
// The worker's clock starts when the page creates it: until now, its script loaded and ran.
stages.add('script', performance.timeOrigin);
