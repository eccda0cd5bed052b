/**
 * The run in progress of a {@link TaskRun}, from start to settle, one job per method:
 * begin (superseding the last), read inputs (or a call's arguments) and code, find the
 * pool, submit, attach the task, and show its outcome. A newer run, a cancel or a rebuilt pool makes an older
 * start stale: its outcome is ignored.
 *
 * @internal
 */
import { PoolTerminatedError, TaskCancelledError } from '../pool/errors.js';
import type { OutputEvent } from '../shared/protocol.js';
import { startMap, type RunningTask } from './map-as-task.js';
import type { RunInbox } from './run-inbox.js';
import type { RunState } from './run-state.js';
import { mapsItems, takesCalls, type TaskPool } from './task-pool.js';
import { deferred, type Deferred, type RunSettings, type TaskRunOptions } from './task-run-options.js';

/** What the driver reads of its {@link TaskRun}. */
export interface RunContext<T> {
  readonly settings: RunSettings;
  readonly options: TaskRunOptions;
  readonly inbox: RunInbox;
  readonly state: RunState<T>;
  /** The pool followed now (undefined: not yet, or not followed), or why there is none. */
  pool(): TaskPool | Error | undefined;
  /** Whether the source is followed: then a run whose pool ended waits for the next one. */
  following(): boolean;
  /** The run in progress settled and none follows it. */
  ended(): void;
}

export class RunDriver<T> {
  readonly #context: RunContext<T>;
  /** Bumped by every start and cancel: an older start's outcome is ignored. */
  #generation = 0;
  /** The current run's promise, while it is in progress. */
  #pending: Deferred<T> | undefined;
  /** The current run's task, once submitted, and the pool it went to. */
  #task: RunningTask<T> | undefined;
  #taskPool: TaskPool | undefined;
  #unwatchTask = () => {};
  /** The current run waits for a pool (it has its code and inputs). */
  #awaitingPool = false;

  constructor(context: RunContext<T>) {
    this.#context = context;
  }

  /** A run is in progress (or waits for its pool). */
  get inProgress(): boolean {
    return this.#pending !== undefined;
  }

  /** A new run, superseding the one in progress. */
  run(): Promise<T> {
    const previous = this.#pending;
    const pending = deferred<T>();
    this.#pending = pending;
    previous?.reject(new TaskCancelledError('superseded by a newer run'));
    void this.#start(pending, true);
    return pending.promise;
  }

  /** Cancel the run in progress, if any. */
  cancel(reason?: unknown): void {
    const pending = this.#pending;
    if (!pending) return;
    if (this.#task) {
      // Settles through the task, as cancelled.
      this.#task.cancel(reason);
      return;
    }
    // Still waiting for its pool or code: end it here.
    this.#generation++;
    this.#fail(pending, new TaskCancelledError(reason));
  }

  /** Post to the current run's task; before it exists, it is kept for it. */
  send(data: unknown): void {
    if (!this.#pending) return;
    if (this.#task) this.#task.send(data);
    else this.#context.inbox.hold(data);
  }

  /** The followed pool changed: a run waiting for a pool, or whose pool was rebuilt, starts on it. */
  poolChanged(value: TaskPool | Error | undefined): void {
    const pending = this.#pending;
    if (!pending || value === undefined) return;
    if (this.#task ? this.#taskPool !== value : this.#awaitingPool) void this.#start(pending, false);
  }

  /**
   * Start (or, after a rebuild, restart) the run that `pending` stands for. `fresh`: a new
   * run, which clears the previous outcome and says it started.
   */
  async #start(pending: Deferred<T>, fresh: boolean): Promise<void> {
    const mine = ++this.#generation;
    const current = () => mine === this.#generation && this.#pending === pending;
    this.#begin(fresh);
    try {
      const given = this.#context.settings.call ? { args: this.#readArgs() } : { inputs: this.#readInputs() };
      const { code: source } = this.#context.settings;
      const code = typeof source === 'function' ? await source() : source;
      if (!current()) return;
      const pool = this.#context.pool();
      if (pool instanceof Error) throw pool;
      if (!pool) {
        // Waits: poolChanged starts it again when a pool comes.
        this.#awaitingPool = true;
        return;
      }
      const task = this.#submit(pool, code, given, current);
      this.#attach(task, pool, current);
      await this.#outcome(task, pool, pending, current);
    } catch (err) {
      if (current()) this.#fail(pending, err instanceof Error ? err : new Error(String(err)));
    }
  }

  /** Let go of the task a previous start submitted, and show a run beginning. */
  #begin(fresh: boolean): void {
    const previous = this.#task;
    this.#detachTask();
    this.#awaitingPool = false;
    previous?.cancel('superseded by a newer run');
    if (fresh) this.#context.inbox.clear();
    this.#context.state.begin();
    if (fresh) this.#context.options.onStart?.();
  }

  /** The inputs of this run; anything but a plain object fails it. */
  #readInputs(): Record<string, unknown> | undefined {
    const { inputs: source } = this.#context.settings;
    const inputs = typeof source === 'function' ? source() : source;
    if (inputs !== undefined && (typeof inputs !== 'object' || inputs === null || Array.isArray(inputs))) {
      throw new TypeError('inputs must be an object whose keys become Python globals');
    }
    return inputs;
  }

  /** A call run's arguments (a copy); anything but an array fails it. */
  #readArgs(): unknown[] {
    const { args: source = [] } = this.#context.settings;
    const args = typeof source === 'function' ? source() : source;
    if (!Array.isArray(args)) throw new TypeError("args must be an array: the export's arguments, in order");
    return [...(args as unknown[])];
  }

  /**
   * Hand the run to the pool: a task (Python code, or a call of an export by name), or for
   * a map run a map that looks like one. A call to a Python pool, or code to a pool of
   * exports, fails here, saying which to use: neither pool could tell.
   */
  #submit(pool: TaskPool, code: string, given: { inputs?: Record<string, unknown>; args?: unknown[] }, current: () => boolean): RunningTask<T> {
    const { settings, options, state, inbox } = this.#context;
    const { timeout, stdin } = settings;
    const onOutput = (event: OutputEvent) => {
      if (current()) this.#output(event);
    };
    if (settings.call) {
      if (!takesCalls(pool)) throw new TypeError(`a call of "${code}" needs a pool that calls exports by name (a ModulePool or WasmPool); this pool runs Python code (use a task)`);
      return pool.submit<T>(code, { args: given.args, timeout, onOutput });
    }
    if (takesCalls(pool))
      throw new TypeError("this pool calls exports by name (a ModulePool or WasmPool), not Python code: use a call (createCall, useCall) with the export's name and its args");
    const items = typeof settings.items === 'function' ? settings.items() : settings.items;
    if (items) {
      if (!mapsItems(pool)) throw new TypeError('a map run needs a pool that maps code over items (a PyodidePool)');
      const { chunkSize, settle } = options;
      return startMap<T>(pool, code, items, { timeout, chunkSize, settle, onOutput, onProgress: ({ done, total }) => current() && state.items(done, total) });
    }
    const onInput = options.onInput ?? ((prompt: string) => (current() ? inbox.ask(prompt) : Promise.resolve(null)));
    return pool.submit<T>(code, { inputs: given.inputs, timeout, stdin, onOutput, onInput });
  }

  /** Make `task` the run's task: give it what was sent early and show its status. */
  #attach(task: RunningTask<T>, pool: TaskPool, current: () => boolean): void {
    this.#task = task;
    this.#context.inbox.deliver(task);
    this.#taskPool = pool;
    this.#unwatchTask = task.status.subscribe((status) => {
      if (current() && (status === 'queued' || status === 'running')) this.#context.state.status.value = status;
    });
  }

  /** Wait for the task and show how it ended; a pool ended under a followed run waits for the next. */
  async #outcome(task: RunningTask<T>, pool: TaskPool, pending: Deferred<T>, current: () => boolean): Promise<void> {
    let value: T;
    try {
      value = await task.result;
    } catch (err) {
      // Its pool was ended under it while it follows the source (a <worker-pool>
      // rebuilding): it waits for the next pool, which poolChanged starts it on, and
      // until then it is queued and a cancel settles it. Not following, it simply failed.
      if (err instanceof PoolTerminatedError && current() && this.#context.following() && this.#context.pool() !== pool) {
        this.#detachTask();
        this.#awaitingPool = true;
        this.#context.state.status.value = 'queued';
        return;
      }
      throw err;
    }
    if (!current()) return;
    this.#detachTask();
    this.#pending = undefined;
    this.#context.state.succeed(value);
    this.#context.options.onResult?.(value);
    pending.resolve(value);
    this.#context.ended();
  }

  #fail(pending: Deferred<T>, error: Error): void {
    this.#detachTask();
    this.#awaitingPool = false;
    if (this.#pending === pending) this.#pending = undefined;
    this.#context.state.fail(error);
    this.#context.options.onError?.(error);
    pending.reject(error);
    if (!this.#pending) this.#context.ended();
  }

  #output(event: OutputEvent): void {
    const kept = this.#context.state.output(event);
    if (kept) this.#context.options.onStdout?.(kept);
    this.#context.options.onOutput?.(event);
  }

  #detachTask(): void {
    // Whatever waited for input belongs to the task going away.
    this.#context.inbox.endInput();
    this.#unwatchTask();
    this.#unwatchTask = () => {};
    this.#task = undefined;
    this.#taskPool = undefined;
  }
}
