/**
 * One task lifecycle for everything that shows a task: `<py-task>`, the hooks bridge and
 * every framework adapter are views of a {@link TaskRun}. Modelled on `@lit/task`: it is
 * given code and inputs (or an export's name and its arguments), and owns running, re-running on change, cancelling stale runs,
 * following a rebuilt pool, and disposal. When it follows its pool is decided here, as
 * TanStack Query's observers decide it: from its first subscriber to its last.
 */
import type { ReadonlySignal } from '@preact/signals-core';
import { TaskCancelledError } from '../pool/errors.js';
import type { TaskProgress } from '../pool/task.js';
import { followPool, isPool } from './pool-source.js';
import { RunDriver } from './run-driver.js';
import { RunInbox } from './run-inbox.js';
import { RunState } from './run-state.js';
import { Subscribers } from './subscribers.js';
import { applyChanges, type RunSettings } from './task-run-options.js';
import type { ArgsSource, CodeSource, InputsSource, TaskRunChanges, TaskRunOptions, TaskRunSnapshot, TaskRunStatus } from './task-run-options.js';
import type { PoolSource } from './pool-source.js';
import type { TaskPool } from './task-pool.js';

export type { ArgsSource, CodeSource, InputsSource, TaskRunChanges, TaskRunOptions, TaskRunSnapshot, TaskRunStatus };

/**
 * A task bound to UI state, with one lifecycle: runs never overlap (a new run cancels
 * the one in progress), a stale run never overwrites a newer one, a run waits for a pool
 * that is not there yet, and a run whose pool is rebuilt moves to the new pool.
 *
 * It follows its pool while it is watched: the first `subscribe` connects it (and runs,
 * with `auto`); when the last subscriber leaves, the run in progress is cancelled and
 * nothing is left listening. `connect()` keeps it connected with no subscriber, until
 * `disconnect()` or `dispose()`; a `run()` while nobody watches connects it for that run.
 *
 * Made with `args`, each run is a call of the export `code` names, on a `ModulePool` or
 * `WasmPool` (any pool whose `submit` takes an export's name and `args`).
 *
 * @example
 * const run = new TaskRun(pool, 'double(x)', { inputs: { x: 2 }, auto: true });
 * const stop = run.subscribe((s) => console.log(s.status, s.result)); // idle, queued, … done 4
 * run.update({ inputs: { x: 3 } });                                   // re-runs: 6
 * stop();                                                             // cancels, stops following
 *
 * @example
 * const sum = new TaskRun(modulePool, 'add', { args: [2, 3], auto: true }); // a call: 5
 * sum.update({ args: [4, 5] });                                             // re-runs: 9
 */
export class TaskRun<T = unknown> {
  readonly #inbox = new RunInbox();
  readonly #state = new RunState<T>(this.#inbox.awaitingInput);
  readonly status: ReadonlySignal<TaskRunStatus> = this.#state.status;
  readonly result: ReadonlySignal<T | undefined> = this.#state.result;
  readonly error: ReadonlySignal<Error | undefined> = this.#state.error;
  /**
   * What the current (or last) run printed, up to `STDOUT_LIMIT` characters: past it the
   * rest is not kept and a note ends the text, exactly as `task.stdout` does (the
   * `onOutput` option still sees all of it).
   */
  readonly stdout: ReadonlySignal<string> = this.#state.stdout;
  /**
   * Whether the current (or last) run printed more than `STDOUT_LIMIT` characters, so
   * `stdout` holds only the first `STDOUT_LIMIT` of them and the note.
   *
   * @example
   * effect(() => {
   *   if (run.stdoutTruncated.value) banner.textContent = 'Output truncated';
   * });
   */
  readonly stdoutTruncated: ReadonlySignal<boolean> = this.#state.stdoutTruncated;
  readonly progress: ReadonlySignal<TaskProgress | undefined> = this.#state.progress;
  /** The prompt of the `input()` the current run waits on (answer with `sendInput`), or undefined. */
  readonly awaitingInput: ReadonlySignal<string | undefined> = this.#inbox.awaitingInput;
  /** All of the above as one value that changes identity only when something changed. */
  readonly snapshot: ReadonlySignal<TaskRunSnapshot<T>> = this.#state.snapshot;

  readonly #settings: RunSettings;
  readonly #subscribers = new Subscribers(
    () => this.#connect(),
    (reason) => {
      if (!this.#held) this.#disconnect(reason ?? 'the view was removed');
    },
  );
  /** `connect()` was called: stay connected with no subscriber. */
  #held = false;
  /** Following the pool. */
  #connected = false;
  /** Connected only by a `run()` nobody watches: let go when it is over. */
  #onlyForRun = false;
  #disposed = false;
  #pool: ReadonlySignal<TaskPool | Error | undefined> | undefined;
  #stopFollowing = () => {};
  readonly #driver: RunDriver<T>;

  constructor(source: PoolSource, code: CodeSource, options: TaskRunOptions = {}) {
    // Bound, so views can hand them around (React, Svelte) without wrapping them.
    this.run = this.run.bind(this);
    this.cancel = this.cancel.bind(this);
    this.send = this.send.bind(this);
    this.sendInput = this.sendInput.bind(this);
    const { inputs, timeout, stdin, items, args, auto = false } = options;
    if (args !== undefined && items !== undefined) throw new TypeError('TaskRun: `args` (a call) and `items` (a map) cannot be combined');
    this.#settings = { source, code, inputs, timeout, stdin, items, call: args !== undefined, args, auto };
    this.#driver = new RunDriver<T>({
      settings: this.#settings,
      options,
      inbox: this.#inbox,
      state: this.#state,
      pool: () => this.#pool?.peek(),
      following: () => this.#connected,
      ended: () => {
        // It alone kept the run connected: let go.
        if (this.#onlyForRun) this.#disconnect(undefined);
      },
    });
  }

  /**
   * The store contract (Svelte's, and what React's `useSyncExternalStore` takes): calls
   * `listener` with the snapshot now and on every change; returns the unsubscribe. The
   * first subscriber connects the run (with `auto`, it runs); the last to leave
   * disconnects it, cancelling the run in progress with the reason it gives, if any.
   *
   * @example
   * const stop = run.subscribe(({ status }) => (label.textContent = status));
   * stop('the panel closed');
   */
  readonly subscribe = (listener: (snapshot: TaskRunSnapshot<T>) => void): ((reason?: unknown) => void) =>
    // Listen first, so the first value is the one before the run starts.
    this.#subscribers.add(() => this.#state.snapshot.subscribe(listener));

  /** The snapshot now (same object until something changes). */
  readonly getSnapshot = (): TaskRunSnapshot<T> => this.#state.snapshot.value;

  /** Stay connected with no subscriber (follow the pool; with `auto`, run) until `disconnect()` or `dispose()`. Idempotent. */
  connect(): void {
    if (this.#disposed) return;
    this.#held = true;
    this.#connect();
  }

  /**
   * Cancel the run in progress and stop following the pool, subscribers or not (they
   * keep their listeners). `connect()` may follow, or a first subscriber once none is left.
   */
  disconnect(reason: unknown = 'the view was removed'): void {
    this.#held = false;
    this.#disconnect(reason);
  }

  /** Disconnect for good, subscribers or not. The run can still be read. */
  dispose(): void {
    this.#held = false;
    this.#disconnect('the task was disposed');
    this.#disposed = true;
  }

  /**
   * Run now (cancelling a run in progress), with these inputs (for a map run: these
   * items; for a call: these arguments) or the current ones. Resolves with the result;
   * rejects with the error, which `error`/`status` also hold.
   */
  run(inputs?: Record<string, unknown> | Iterable<unknown>): Promise<T> {
    if (inputs !== undefined) {
      if (this.#settings.call) this.#settings.args = inputs as readonly unknown[];
      else if (this.#settings.items !== undefined) this.#settings.items = inputs as Iterable<unknown>;
      else this.#settings.inputs = inputs as Record<string, unknown>;
    }
    if (this.#disposed) return Promise.reject(new TaskCancelledError('the task was disposed'));
    if (!this.#connected) {
      // A run needs its pool followed; `auto` is for connecting to act on, not for this.
      this.#follow(false);
      this.#onlyForRun = true;
    }
    return this.#driver.run();
  }

  /** Cancel the run in progress, if any. */
  cancel(reason?: unknown): void {
    this.#driver.cancel(reason);
  }

  /**
   * Answer the `input()` the current run waits on (see `awaitingInput`). Returns false
   * when nothing waits for input. Needs a cross-origin-isolated page for `input()` to
   * wait at all; elsewhere give `stdin`.
   */
  sendInput(text: string): boolean {
    return this.#inbox.answer(text);
  }

  /**
   * Post plain data to the current run (Python: `from worker_pool import receive`).
   * Sent before its task starts, it waits for it; with no run in progress it is dropped.
   */
  send(data: unknown): void {
    this.#driver.send(data);
  }

  /**
   * Change the source, code, inputs or args (compared by value) or timeout. With `auto`, a change
   * starts a new run. Returns whether anything changed. `changed: true` says the inputs
   * changed even if they compare equal: a caller that watched them change in place
   * (inside a Map the run already holds, say) knows better than a comparison can.
   */
  update(changes: TaskRunChanges, { changed: told = false }: { changed?: boolean } = {}): boolean {
    const { changed, sourceChanged } = applyChanges(this.#settings, changes, told);
    // With `auto` the new source is followed and a fresh run starts; without, a run in
    // progress (or waiting for a pool) moves to the new source's pool.
    if (sourceChanged && this.#connected) this.#follow(!this.#settings.auto);
    if (changed && this.#settings.auto && this.#connected) this.#runQuietly();
    return changed;
  }

  /** New inputs, compared by value; with `auto`, a change re-runs. Returns whether they changed. */
  setInputs(inputs: Record<string, unknown> | undefined): boolean {
    return this.update({ inputs });
  }

  /** Follow the pool; with `auto`, run. A run already following it keeps it (and is now watched). */
  #connect(): void {
    this.#onlyForRun = false;
    if (this.#connected || this.#disposed) return;
    this.#follow(false);
    if (this.#settings.auto) this.#runQuietly();
  }

  /** Cancel the run in progress and stop following the pool. */
  #disconnect(reason: unknown): void {
    if (!this.#connected) return;
    this.#connected = false;
    this.#onlyForRun = false;
    this.cancel(reason);
    this.#stopFollowing();
    this.#stopFollowing = () => {};
    this.#pool = undefined;
  }

  #runQuietly(): void {
    void this.run().catch(() => undefined);
  }

  /**
   * Listen to the source; a new pool takes over the run in progress, or re-runs with
   * `auto`. `notify`: the source's pool right now counts as a change too.
   */
  #follow(notify: boolean): void {
    this.#stopFollowing();
    this.#connected = true;
    const { pool, dispose } = followPool(this.#settings.source);
    this.#pool = pool;
    let first = !notify;
    const stop = pool.subscribe((value) => {
      if (first) {
        first = false;
        return;
      }
      this.#poolChanged(value);
    });
    this.#stopFollowing = () => {
      stop();
      dispose();
    };
  }

  #poolChanged(value: TaskPool | Error | undefined): void {
    // Waiting for a pool and this may be it; or the pool was rebuilt under the run.
    if (this.#driver.inProgress) this.#driver.poolChanged(value);
    // Results from the old pool (another setup, other packages) are stale.
    else if (this.#settings.auto && isPool(value) && this.#state.status.peek() !== 'idle') this.#runQuietly();
  }
}
