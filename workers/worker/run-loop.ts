/**
 * The pool worker's run loop: it runs the tasks it is sent through its {@link Runtime},
 * one at a time and in order. Several tasks may arrive in one message; their outcomes go
 * back in batches. At a generator task's yield it runs the urgent tasks the pool sent to
 * preempt it. It knows nothing of Python: `worker/start.ts` gives it the Pyodide runtime.
 *
 * @internal
 */
import type { ChunkResult, RunMessage, TaskFailure, TaskMessage, TaskOrder, TaskOutcome, WorkerMessage } from '../shared/protocol.js';
import type { Ran, Runtime } from './runtime.js';
import { readable } from '../shared/thrown.js';
import type { Running } from './running.js';

/**
 * Outcomes are sent when no task is left, or every this many ms / outcomes: often enough
 * that the pool refills the pipeline before it runs dry, rarely enough to save messages.
 */
export const FLUSH_MS = 1;
export const FLUSH_COUNT = 64;
/** How many task sources the loop remembers run times for. */
const EXPECTED_MAX = 256;

export interface RunLoopOptions {
  /** Post one message to the page. */
  post(message: WorkerMessage, transfer?: Transferable[]): void;
  /** The clock (ms); `performance.now` unless a test drives it. */
  now?: () => number;
}

export class RunLoop {
  readonly #runtime: Runtime;
  readonly #running: Running;
  readonly #post: RunLoopOptions['post'];
  readonly #now: () => number;
  /** Tasks received and not yet run; `#next` indexes the first. */
  #waiting: TaskOrder[] = [];
  #next = 0;
  /** Outcomes not yet sent, and the time spent producing them. */
  #outcomes: TaskOutcome[] = [];
  /** Buffers each outcome's value holds, moved (not copied) when it is sent. */
  readonly #moving = new WeakMap<TaskOutcome, Transferable[]>();
  #busyMs = 0;
  #lastFlush = 0;
  /** `close()` was called (by task code, or after a fatal error): nothing more runs. */
  #closing = false;
  /** A task awaits (its coroutine or a stack switch): the loop resumes when it ends. */
  #awaiting = false;
  /** Recent run time per task source, to tell whether the next task is likely short. */
  readonly #expectedMs = new Map<string, number>();

  constructor(runtime: Runtime, running: Running, options: RunLoopOptions) {
    this.#runtime = runtime;
    this.#running = running;
    this.#post = options.post;
    this.#now = options.now ?? (() => performance.now());
  }

  /** A message from the page for the loop: tasks to run, or a message / stop for one. */
  receive(message: RunMessage | TaskMessage): void {
    if (message.t === 'run') {
      this.#waiting.push(...message.tasks);
      this.#runWaiting();
      return;
    }
    // A stop for a task not begun is the loop's; the runtime takes the rest (a generator
    // stops at its next yield, others as their waits allow).
    if (message.t === 'stop' && this.#dropWaiting(message.seq)) return;
    this.#runtime.deliver(message);
  }

  /**
   * The worker is closing (task code called `close()`, or the interpreter failed fatally):
   * nothing more runs, the outcomes of tasks that did finish still reach the pool, and
   * the pool hears why before the worker vanishes.
   */
  close(reason?: unknown): void {
    this.#closing = true;
    this.#flush();
    this.#post(typeof reason === 'string' ? { t: 'closing', reason: reason.slice(0, 2_000) } : { t: 'closing' });
  }

  /** Run every waiting task in order, sending outcomes in batches. */
  #runWaiting(): void {
    if (this.#awaiting) return;
    this.#lastFlush = this.#now();
    while (this.#next < this.#waiting.length && !this.#closing) {
      const order = this.#waiting[this.#next++]!;
      // Outcomes wait for company only while the next task is known to be short: a long
      // (or unknown) one would hold them back for as long as it runs.
      if (this.#outcomes.length > 0 && !((this.#expectedMs.get(order.code) ?? Infinity) < FLUSH_MS)) this.#flush();
      if (!this.#running.begin(order)) {
        this.#outcomes.push({ seq: order.seq, skipped: true });
        continue;
      }
      if (order.notify) {
        // The pool starts this task's timeout now: tell it at once, after what came before.
        this.#flush();
        this.#post({ t: 'start', seq: order.seq });
      }
      const started = this.#now();
      const ran = this.#runtime.run(order, this.#preempting);
      if (ran instanceof Promise) {
        // The worker is free while the task awaits: messages (a stop, a message for the
        // task) arrive, and tasks sent meanwhile wait in `#waiting`.
        this.#awaiting = true;
        this.#flush();
        // A runtime never rejects (a failure is an outcome); if one did, the task still
        // ends, with the reason, rather than leaving the loop waiting for good.
        const failed = (err: unknown): Ran => ({
          outcome: { seq: order.seq, error: { kind: 'conversion', pythonType: '', message: `the task failed in the worker: ${readable(err)}`, traceback: '' } },
        });
        void ran.then(
          (done) => this.#resumeAfter(order, done, started),
          (err: unknown) => this.#resumeAfter(order, failed(err), started),
        );
        return;
      }
      this.#finished(order, ran, started);
    }
    if (this.#closing) return;
    this.#waiting = [];
    this.#next = 0;
    this.#flush();
  }

  /** A task that awaited has ended: record it, and run what waits. */
  #resumeAfter(order: TaskOrder, ran: Ran, started: number): void {
    this.#awaiting = false;
    try {
      this.#finished(order, ran, started);
    } finally {
      this.#runWaiting();
    }
  }

  /**
   * At a generator task's yield: run the tasks the pool sent to preempt it, in order, then
   * let it resume. True if any ran.
   */
  readonly #preempting = async (): Promise<boolean> => {
    let ran = false;
    for (;;) {
      const at = this.#waiting.findIndex((order, i) => i >= this.#next && order.preempt);
      if (at < 0 || this.#closing) break;
      const order = this.#waiting.splice(at, 1)[0]!;
      ran = true;
      try {
        if (!this.#running.begin(order)) {
          this.#outcomes.push({ seq: order.seq, skipped: true });
          continue;
        }
        this.#post({ t: 'start', seq: order.seq });
        const started = this.#now();
        let done = this.#runtime.run(order, this.#preempting);
        if (done instanceof Promise) done = await done;
        this.#finished(order, done, started);
      } finally {
        this.#flush();
      }
    }
    // Interrupts and output are the yielding task's again.
    if (ran) this.#running.resume();
    return ran;
  };

  /**
   * A stop for a task sent but not begun (one sent to preempt a generator, waiting for its
   * yield): it is skipped, and the pool hears so at once. False if it is not waiting here.
   */
  #dropWaiting(seq: number): boolean {
    const at = this.#waiting.findIndex((order, i) => i >= this.#next && order.seq === seq);
    if (at < 0) return false;
    this.#waiting.splice(at, 1);
    this.#outcomes.push({ seq, skipped: true });
    this.#flush();
    return true;
  }

  #finished(order: TaskOrder, ran: Ran, started: number): void {
    this.#running.end();
    if (this.#closing) return;
    const now = this.#now();
    const { outcome, transfer } = ran;
    // A map chunk says how long it took: the pool sizes the next chunks by it.
    if (order.items && 'value' in outcome) (outcome.value as ChunkResult).ms = now - started;
    this.#busyMs += now - started;
    this.#remember(order.code, now - started);
    if (transfer) this.#moving.set(outcome, transfer);
    this.#outcomes.push(outcome);
    if (this.#outcomes.length >= FLUSH_COUNT || now - this.#lastFlush >= FLUSH_MS) this.#flush();
  }

  #remember(code: string, ms: number): void {
    const expected = this.#expectedMs;
    const before = expected.get(code);
    if (before === undefined && expected.size >= EXPECTED_MAX) expected.delete(expected.keys().next().value!);
    expected.set(code, before === undefined ? ms : before * 0.5 + ms * 0.5);
  }

  /** Send the outcomes gathered so far. */
  #flush(): void {
    this.#lastFlush = this.#now();
    if (this.#outcomes.length === 0) return;
    const list = this.#outcomes;
    const message: WorkerMessage = { t: 'results', list, heap: this.#runtime.heapBytes(), busyMs: this.#busyMs };
    this.#outcomes = [];
    this.#busyMs = 0;
    // Binary results move out of the worker rather than being copied.
    const transfer = list.flatMap((outcome) => this.#moving.get(outcome) ?? []);
    try {
      this.#post(message, transfer);
    } catch {
      // One value could not be cloned: send them one by one, so only that task fails.
      for (const outcome of list) {
        try {
          this.#post({ ...message, list: [outcome], busyMs: 0 }, this.#moving.get(outcome));
        } catch (err) {
          const error: TaskFailure = { kind: 'conversion', pythonType: '', message: `the result could not be sent: ${(err as Error).message}`, traceback: '' };
          this.#post({ ...message, list: [{ seq: outcome.seq, error }], busyMs: 0 });
        }
      }
    }
  }
}
