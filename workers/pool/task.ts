import { signal, type ReadonlySignal, type Signal } from '@preact/signals-core';
import type { OutputEvent } from '../shared/protocol.js';
import { TaskChannel } from './task-channel.js';
import { STDOUT_LIMIT, StdoutLimit } from './stdout-limit.js';
import { QUEUED, type StopRequest, type TaskPhase } from './task-phase.js';

export { STDOUT_LIMIT };
export type { StopRequest };

/** Where a task is in its life. `done`, `failed` and `cancelled` are final. */
export type TaskStatus = 'queued' | 'running' | 'done' | 'failed' | 'cancelled';

/** The last `progress()` report of a task. */
export interface TaskProgress {
  fraction: number;
  message: string | undefined;
  /** A map run (`TaskRun` with `items`): items done so far, of `total`. */
  done?: number;
  total?: number;
}

/** Per-task options of `pool.submit()` / `pool.run()`. */
export interface TaskOptions {
  /** Plain data; each key becomes a Python global of the task. */
  inputs?: Record<string, unknown>;
  /** Aborting it cancels the task (queued: dropped; running: interrupted). */
  signal?: AbortSignal;
  /** Milliseconds the task may run, counted from when it starts running. */
  timeout?: number;
  /** Higher runs first; equal priorities run in submission order. Default 0. */
  priority?: number;
  /** Receives the task's output events in order, while it runs. */
  onOutput?: (event: OutputEvent) => void;
  /**
   * Text that `input()` and `sys.stdin` read, line by line (any page). When it runs out,
   * `input()` raises `EOFError`.
   */
  stdin?: string;
  /**
   * Answers each `input(prompt)` while the task waits for it (needs a cross-origin-isolated
   * page; elsewhere `input()` raises `EOFError` saying so). Returning or resolving
   * `null`, throwing or rejecting ends the input (`EOFError`).
   *
   * @example
   * pool.submit('name = input("name? ")\nf"hi {name}"', { onInput: (prompt) => window.prompt(prompt) ?? '' });
   */
  onInput?: (prompt: string) => string | null | Promise<string | null>;
  /**
   * ArrayBuffers (inside `inputs`) to move to the worker instead of copying: they are
   * detached in the caller at once, as with `postMessage`. With `map`, each item takes
   * the listed buffers it holds.
   *
   * @example
   * const pixels = new Uint8Array(16 * 2 ** 20);
   * await pool.run('len(data)', { inputs: { data: pixels }, transfer: [pixels.buffer] });
   */
  transfer?: ArrayBuffer[];
}

/**
 * A submitted task: its live state as signals and its outcome as a promise.
 *
 * @example
 * const task = pool.submit('print("hi")\n6 * 7');
 * task.status.value;   // 'queued' | 'running' | …
 * await task.result;   // 42
 * task.stdout.value;   // 'hi\n'
 */
export class Task<T = unknown> {
  /** Unique within its pool. */
  readonly id: number;
  readonly status: ReadonlySignal<TaskStatus>;
  /** Everything the task printed to stdout so far (up to `STDOUT_LIMIT` characters). */
  readonly stdout: ReadonlySignal<string>;
  /** The last progress report, or undefined. */
  readonly progress: ReadonlySignal<TaskProgress | undefined>;
  /**
   * Settles exactly once: with the value of the code's final expression, or with a
   * `PoolError`. Marked as handled, so an unobserved failure is not reported as an
   * unhandled rejection (its status says it failed); `pool.run()` does not do that.
   */
  readonly result: Promise<T>;
  /** The prompt of the `input()` the task waits on now (see `onInput`), or undefined. */
  readonly awaitingInput: ReadonlySignal<string | undefined>;
  readonly #cancel: (reason?: unknown) => void;
  readonly #channel: TaskChannel;

  /** @internal Tasks are made by `pool.submit()`. */
  constructor(record: TaskRecord) {
    this.id = record.id;
    this.status = record.status;
    this.stdout = record.stdout;
    this.progress = record.progress;
    this.result = record.promise as Promise<T>;
    this.awaitingInput = record.channel.awaitingInput;
    this.#cancel = (reason) => record.cancelRequested(reason);
    this.#channel = record.channel;
  }

  /**
   * Post plain data (anything structured clone takes) to the task; in Python,
   * `from worker_pool import receive, receive_async`. Messages keep their order; ones
   * sent before the task starts wait for it; once it has settled they are dropped.
   * Throws `DataCloneError` for data that cannot be cloned.
   *
   * @example
   * const task = pool.submit('from worker_pool import receive_async\n(await receive_async())["n"] * 2');
   * task.send({ n: 21 });
   * await task.result; // 42
   */
  send(data: unknown): void {
    this.#channel.send(data);
  }

  /** Cancel: a queued task is dropped, a running one is interrupted. No-op once settled. */
  cancel(reason?: unknown): void {
    this.#cancel(reason);
  }
}

/** A chunk of a `map`: its items, run one by one in the worker (see `pool/map-run.ts`). */
export interface ChunkSpec {
  items: unknown[];
  /** Run on past a failing item (`settle: 'all'`). */
  keepGoing: boolean;
  /** Ms each item may run. */
  itemTimeout: number | undefined;
}

/**
 * The pool's own view of a task: everything needed to schedule, stop and settle it. `W`
 * is what holds it while handed over (the scheduler's `WorkerHandle`).
 * @internal
 */
export class TaskRecord<W = unknown> {
  readonly status: Signal<TaskStatus> = signal('queued');
  readonly stdout = signal('');
  readonly progress = signal<TaskProgress | undefined>(undefined);
  readonly promise: Promise<unknown>;
  readonly task: Task;
  /**
   * Where it is (see `task-phase.ts`): written by the scheduler alone, through its one
   * transition function. The getters below read it.
   */
  phase: TaskPhase<W> = QUEUED;
  /** Its entry in `pool.state.recent`: written by the recent log alone (see `recent-log.ts`). */
  logEntry: unknown = undefined;
  /** Set for a map chunk: its items; cancelling it lets the item running end (no interrupt). */
  readonly chunk: ChunkSpec | undefined;
  /** input() answers and messages (see `TaskChannel`). */
  readonly channel: TaskChannel;
  readonly inputs: Record<string, unknown> | undefined;
  /** A module pool's call: the export's arguments (`code` names the export). */
  readonly args: unknown[] | undefined;
  readonly priority: number;
  readonly timeout: number | undefined;
  readonly onOutput: ((event: OutputEvent) => void) | undefined;
  readonly stdin: string | undefined;
  /** Buffers its inputs hold that go to the worker moved, not copied (they cannot be sent twice). */
  readonly transfer: ArrayBuffer[];
  #resolve!: (value: unknown) => void;
  #reject!: (error: unknown) => void;
  #detachSignal: (() => void) | undefined;
  /** The promise has settled (guards its once-only settling; the phase says so to the pool). */
  #outcome = false;

  constructor(
    readonly id: number,
    readonly code: string,
    options: Omit<TaskOptions, 'signal'> & { priority: number; timeout: number | undefined; chunk?: ChunkSpec; args?: unknown[] },
    readonly cancelRequested: (reason?: unknown) => void,
  ) {
    this.chunk = options.chunk;
    this.inputs = options.inputs;
    this.args = options.args;
    this.priority = options.priority;
    this.timeout = options.timeout;
    this.onOutput = options.onOutput;
    this.stdin = options.stdin;
    this.transfer = options.transfer ?? [];
    this.channel = new TaskChannel(options.onInput);
    this.promise = new Promise((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
    this.promise.catch(() => {});
    this.task = new Task(this);
  }

  /** Its outcome is known. */
  get settled(): boolean {
    return this.phase.name === 'settled';
  }

  /** The worker holding it, while handed over. */
  get worker(): W | undefined {
    return this.phase.name === 'handed' ? this.phase.worker : undefined;
  }

  /** Its number on its worker (0 while not handed over). */
  get seq(): number {
    return this.phase.name === 'handed' ? this.phase.seq : 0;
  }

  /** Set once cancel or timeout asked it to stop, while handed over. */
  get stop(): StopRequest | undefined {
    return this.phase.name === 'handed' ? this.phase.stop : undefined;
  }

  /** Its worker said it awaits: a stop message can end it without ending the worker. */
  get awaiting(): boolean {
    return this.phase.name === 'handed' && this.phase.runs !== 'code';
  }

  /** A generator task at its yields: a more urgent task may run in its worker meanwhile. */
  get preemptible(): boolean {
    return this.phase.name === 'handed' && this.phase.runs === 'yielding';
  }

  /** Sent to run at a generator's yield, ahead of it. */
  get preempting(): boolean {
    return this.phase.name === 'handed' && this.phase.urgent;
  }

  /** Follow an AbortSignal; call once. */
  watch(abort: AbortSignal | undefined): void {
    if (!abort) return;
    const onAbort = () => this.cancelRequested(abort.reason);
    abort.addEventListener('abort', onAbort, { once: true });
    this.#detachSignal = () => abort.removeEventListener('abort', onAbort);
  }

  readonly #stdoutLimit = new StdoutLimit();

  /**
   * Add to `stdout`, up to {@link STDOUT_LIMIT} characters (shared with `TaskRun`: see
   * pool/stdout-limit.ts). Listeners (`onOutput`) still see all of it.
   */
  #keepStdout(text: string): void {
    const kept = this.#stdoutLimit.keep(text);
    if (kept) this.stdout.value += kept;
  }

  /** Route one output event to the signals and the caller's listener. */
  output(event: OutputEvent): void {
    if (event.type === 'stdout') this.#keepStdout(event.text);
    else if (event.type === 'progress') this.progress.value = { fraction: event.fraction, message: event.message };
    if (!this.onOutput) return;
    try {
      this.onOutput(event);
    } catch (err) {
      // A throwing listener must not break the pool or the task; report it like an event handler would.
      reportError(err);
    }
  }

  /** Settle with a value. Returns false if the task had already settled. */
  resolve(value: unknown): boolean {
    if (!this.#finish('done')) return false;
    this.#resolve(value);
    return true;
  }

  /** Settle with an error. Returns false if the task had already settled. */
  reject(error: unknown, status: 'failed' | 'cancelled' = 'failed'): boolean {
    if (!this.#finish(status)) return false;
    this.#reject(error);
    return true;
  }

  #finish(status: TaskStatus): boolean {
    if (this.#outcome) return false;
    this.#outcome = true;
    this.#detachSignal?.();
    this.channel.close();
    this.status.value = status;
    return true;
  }
}
