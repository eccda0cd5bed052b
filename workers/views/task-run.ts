/**
 * One task lifecycle for everything that shows a task: `<py-task>`, the hooks bridge and
 * every framework adapter are views of a {@link TaskRun}. Modelled on `@lit/task`: it is
 * given code and inputs, and owns running, re-running on change, cancelling stale runs,
 * following a rebuilt pool, and disposal.
 */
import { batch, computed, signal, type ReadonlySignal } from '@preact/signals-core';
import { PoolTerminatedError, TaskCancelledError } from '../pool/errors.js';
import type { PyodidePool } from '../pool/pool.js';
import { followPool, isPool, type PoolSource } from './pool-source.js';
import { RunInbox } from './run-inbox.js';
import type { OutputEvent } from '../shared/protocol.js';
import type { TaskProgress } from '../pool/task.js';
import { startMap, type ItemsSource, type RunningTask } from './map-as-task.js';
import { StdoutLimit } from '../pool/stdout-limit.js';
import { deferred, sameInputs, sameItems, type Deferred } from './task-run-options.js';
import type { CodeSource, InputsSource, TaskRunChanges, TaskRunOptions, TaskRunSnapshot, TaskRunStatus } from './task-run-options.js';

export type { CodeSource, InputsSource, TaskRunChanges, TaskRunOptions, TaskRunSnapshot, TaskRunStatus };

/**
 * A task bound to UI state, with one lifecycle: runs never overlap (a new run cancels
 * the one in progress), a stale run never overwrites a newer one, a run waits for a pool
 * that is not there yet, and a run whose pool is rebuilt moves to the new pool.
 * `connect()` starts following the pool (and runs, with `auto`); `disconnect()` cancels
 * the run and stops following; both may be called again, as views mount and unmount.
 *
 * @example
 * const run = new TaskRun(pool, 'double(x)', { inputs: { x: 2 }, auto: true });
 * run.connect();
 * effect(() => console.log(run.status.value, run.result.value)); // … 'done' 4
 * run.update({ inputs: { x: 3 } });                              // re-runs: 6
 * run.dispose();
 */
export class TaskRun<T = unknown> {
  readonly #status = signal<TaskRunStatus>('idle');
  readonly #result = signal<T | undefined>(undefined);
  readonly #error = signal<Error | undefined>(undefined);
  readonly #stdout = signal('');
  readonly #stdoutTruncated = signal(false);
  /** Bounds the current run's `stdout`, as `task.stdout` is bounded. */
  #stdoutLimit = new StdoutLimit();
  readonly #progress = signal<TaskProgress | undefined>(undefined);
  readonly status: ReadonlySignal<TaskRunStatus> = this.#status;
  readonly result: ReadonlySignal<T | undefined> = this.#result;
  readonly error: ReadonlySignal<Error | undefined> = this.#error;
  /**
   * What the current (or last) run printed, up to `STDOUT_LIMIT` characters: past it the
   * rest is not kept and a note ends the text, exactly as `task.stdout` does (the
   * `onOutput` option still sees all of it).
   */
  readonly stdout: ReadonlySignal<string> = this.#stdout;
  /**
   * Whether the current (or last) run printed more than `STDOUT_LIMIT` characters, so
   * `stdout` holds only the first `STDOUT_LIMIT` of them and the note.
   *
   * @example
   * effect(() => {
   *   if (run.stdoutTruncated.value) banner.textContent = 'Output truncated';
   * });
   */
  readonly stdoutTruncated: ReadonlySignal<boolean> = this.#stdoutTruncated;
  readonly progress: ReadonlySignal<TaskProgress | undefined> = this.#progress;
  /** The prompt of the `input()` the current run waits on (answer with `sendInput`), or undefined. */
  readonly awaitingInput: ReadonlySignal<string | undefined>;
  /** All of the above as one value that changes identity only when something changed. */
  readonly snapshot: ReadonlySignal<TaskRunSnapshot<T>> = computed(() => ({
    status: this.#status.value,
    result: this.#result.value,
    error: this.#error.value,
    stdout: this.#stdout.value,
    stdoutTruncated: this.#stdoutTruncated.value,
    progress: this.#progress.value,
    awaitingInput: this.#inbox.awaitingInput.value,
  }));

  #source: PoolSource;
  #code: CodeSource;
  #inputs: InputsSource;
  #timeout: number | undefined;
  #stdin: string | undefined;
  /** Set for a map run: what it maps over. */
  #items: ItemsSource | undefined;
  #auto: boolean;
  readonly #inbox = new RunInbox();
  readonly #options: TaskRunOptions;
  #pool: ReadonlySignal<PyodidePool | Error | undefined> | undefined;
  #stopFollowing = () => {};
  /** Bumped by every run and cancel: an older run's outcome is ignored. */
  #generation = 0;
  /** The current run's promise, while it is in progress. */
  #pending: Deferred<T> | undefined;
  /** The current run's task, once submitted, and the pool it went to. */
  #task: RunningTask<T> | undefined;
  #taskPool: PyodidePool | undefined;
  #unwatchTask = () => {};
  /** The current run waits for a pool (it has its code and inputs). */
  #awaitingPool = false;
  #connected = false;
  #disposed = false;

  constructor(source: PoolSource, code: CodeSource, options: TaskRunOptions = {}) {
    // Bound, so views can hand them around (React, Svelte) without wrapping them.
    this.run = this.run.bind(this);
    this.cancel = this.cancel.bind(this);
    this.send = this.send.bind(this);
    this.sendInput = this.sendInput.bind(this);
    this.awaitingInput = this.#inbox.awaitingInput;
    this.#source = source;
    this.#code = code;
    this.#inputs = options.inputs;
    this.#timeout = options.timeout;
    this.#stdin = options.stdin;
    this.#items = options.items;
    this.#auto = options.auto ?? false;
    this.#options = options;
  }

  /**
   * The store contract (Svelte's, and what React's `useSyncExternalStore` takes): calls
   * `listener` with the snapshot now and on every change; returns the unsubscribe.
   */
  readonly subscribe = (listener: (snapshot: TaskRunSnapshot<T>) => void): (() => void) => this.snapshot.subscribe(listener);

  /** The snapshot now (same object until something changes). */
  readonly getSnapshot = (): TaskRunSnapshot<T> => this.snapshot.value;

  /** Start following the pool; with `auto`, run. Idempotent. */
  connect(): void {
    if (this.#connected || this.#disposed) return;
    this.#connected = true;
    this.#follow(false);
    if (this.#auto) this.#runQuietly();
  }

  /** Cancel the run in progress and stop following the pool. `connect()` may follow. */
  disconnect(reason: unknown = 'the view was removed'): void {
    if (!this.#connected) return;
    this.#connected = false;
    this.cancel(reason);
    this.#stopFollowing();
    this.#stopFollowing = () => {};
    this.#pool = undefined;
  }

  /** Disconnect for good. The run can still be read. */
  dispose(): void {
    this.disconnect('the task was disposed');
    this.#disposed = true;
  }

  /**
   * Run now (cancelling a run in progress), with these inputs (for a map run: these
   * items) or the current ones. Resolves with the result; rejects with the error, which
   * `error`/`status` also hold.
   */
  run(inputs?: Record<string, unknown> | Iterable<unknown>): Promise<T> {
    if (inputs !== undefined) {
      if (this.#items !== undefined) this.#items = inputs as Iterable<unknown>;
      else this.#inputs = inputs as Record<string, unknown>;
    }
    if (this.#disposed) return Promise.reject(new TaskCancelledError('the task was disposed'));
    if (!this.#connected) {
      // A run needs its pool followed; `auto` is for connect() to act on, not for this.
      this.#connected = true;
      this.#follow(false);
    }
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
    const task = this.#task;
    if (task) {
      // Settles through the task, as cancelled.
      task.cancel(reason);
      return;
    }
    // Still waiting for its pool or code: end it here.
    this.#generation++;
    this.#fail(pending, new TaskCancelledError(reason));
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
    if (!this.#pending) return;
    if (this.#task) this.#task.send(data);
    else this.#inbox.hold(data);
  }

  /**
   * Change the source, code, inputs (compared by value) or timeout. With `auto`, a change
   * starts a new run. Returns whether anything changed. `changed: true` says the inputs
   * changed even if they compare equal: a caller that watched them change in place
   * (inside a Map the run already holds, say) knows better than a comparison can.
   */
  update(changes: TaskRunChanges, { changed: told = false }: { changed?: boolean } = {}): boolean {
    let changed = told;
    let sourceChanged = false;
    if ('source' in changes && changes.source !== this.#source) {
      this.#source = changes.source;
      changed = sourceChanged = true;
    }
    if ('auto' in changes && (changes.auto ?? false) !== this.#auto) {
      this.#auto = changes.auto ?? false;
      changed = true;
    }
    if ('code' in changes && changes.code !== this.#code && changes.code !== undefined) {
      this.#code = changes.code;
      changed = true;
    }
    if ('inputs' in changes && (told || !sameInputs(changes.inputs, this.#inputs))) {
      this.#inputs = changes.inputs;
      changed = true;
    }
    if ('timeout' in changes && changes.timeout !== this.#timeout) {
      this.#timeout = changes.timeout;
      changed = true;
    }
    if ('stdin' in changes && changes.stdin !== this.#stdin) {
      this.#stdin = changes.stdin;
      changed = true;
    }
    if ('items' in changes && (told || !sameItems(changes.items, this.#items))) {
      this.#items = changes.items;
      changed = true;
    }
    // With `auto` the new source is followed and a fresh run starts; without, a run in
    // progress (or waiting for a pool) moves to the new source's pool.
    if (sourceChanged && this.#connected) this.#follow(!this.#auto);
    if (changed && this.#auto && this.#connected) this.#runQuietly();
    return changed;
  }

  /** New inputs, compared by value; with `auto`, a change re-runs. Returns whether they changed. */
  setInputs(inputs: Record<string, unknown> | undefined): boolean {
    return this.update({ inputs });
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
    const { pool, dispose } = followPool(this.#source);
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

  #poolChanged(value: PyodidePool | Error | undefined): void {
    const pending = this.#pending;
    if (!pending) {
      // Results from the old pool (another setup, other packages) are stale.
      if (this.#auto && isPool(value) && this.#status.peek() !== 'idle') this.#runQuietly();
    } else if (this.#task ? this.#taskPool !== value && value !== undefined : this.#awaitingPool && value !== undefined) {
      // Waiting for a pool and this may be it; or the pool was rebuilt under the run.
      void this.#start(pending, false);
    }
  }

  /**
   * Start (or, after a rebuild, restart) the run that `pending` stands for. `fresh`: a new
   * run, which clears the previous outcome and says it started.
   */
  async #start(pending: Deferred<T>, fresh: boolean): Promise<void> {
    const mine = ++this.#generation;
    const current = () => mine === this.#generation && this.#pending === pending;
    const previous = this.#task;
    this.#detachTask();
    this.#awaitingPool = false;
    previous?.cancel('superseded by a newer run');
    if (fresh) this.#inbox.clear();
    batch(() => {
      this.#status.value = 'queued';
      this.#error.value = undefined;
      this.#stdout.value = '';
      this.#stdoutTruncated.value = false;
      this.#progress.value = undefined;
    });
    this.#stdoutLimit = new StdoutLimit();
    if (fresh) this.#options.onStart?.();
    try {
      const inputs = typeof this.#inputs === 'function' ? this.#inputs() : this.#inputs;
      if (inputs !== undefined && (typeof inputs !== 'object' || inputs === null || Array.isArray(inputs))) {
        throw new TypeError('inputs must be an object whose keys become Python globals');
      }
      const code = typeof this.#code === 'function' ? await this.#code() : this.#code;
      if (!current()) return;
      const pool = this.#pool?.peek();
      if (pool instanceof Error) throw pool;
      if (!pool) {
        // Waits: #poolChanged starts it again when a pool comes.
        this.#awaitingPool = true;
        return;
      }
      const onOutput = (event: OutputEvent) => {
        if (current()) this.#output(event);
      };
      const items = this.#items === undefined ? undefined : typeof this.#items === 'function' ? this.#items() : this.#items;
      const { chunkSize, settle } = this.#options;
      const task: RunningTask<T> = items
        ? startMap<T>(pool, code, items, {
            timeout: this.#timeout,
            chunkSize,
            settle,
            onOutput,
            onProgress: ({ done, total }) => {
              if (current()) this.#progress.value = { fraction: total === 0 ? 1 : done / total, message: `${done} of ${total}`, done, total };
            },
          })
        : pool.submit<T>(code, {
            inputs,
            timeout: this.#timeout,
            stdin: this.#stdin,
            onOutput,
            onInput: this.#options.onInput ?? ((prompt) => (current() ? this.#inbox.ask(prompt) : Promise.resolve(null))),
          });
      this.#task = task;
      this.#inbox.deliver(task);
      this.#taskPool = pool;
      this.#unwatchTask = task.status.subscribe((status) => {
        if (current() && (status === 'queued' || status === 'running')) this.#status.value = status;
      });
      let value: T;
      try {
        value = await task.result;
      } catch (err) {
        // Its pool was ended under it while it follows the source (a <worker-pool>
        // rebuilding): it waits for the next pool, which #poolChanged starts it on, and
        // until then it is queued and a cancel settles it. Disconnected, it simply failed.
        if (err instanceof PoolTerminatedError && current() && this.#connected && this.#pool?.peek() !== pool) {
          this.#detachTask();
          this.#awaitingPool = true;
          this.#status.value = 'queued';
          return;
        }
        throw err;
      }
      if (!current()) return;
      this.#detachTask();
      this.#pending = undefined;
      batch(() => {
        this.#result.value = value;
        this.#status.value = 'done';
      });
      this.#options.onResult?.(value);
      pending.resolve(value);
    } catch (err) {
      if (current()) this.#fail(pending, err instanceof Error ? err : new Error(String(err)));
    }
  }

  #fail(pending: Deferred<T>, error: Error): void {
    this.#detachTask();
    this.#awaitingPool = false;
    if (this.#pending === pending) this.#pending = undefined;
    batch(() => {
      this.#error.value = error;
      this.#status.value = error instanceof TaskCancelledError ? 'cancelled' : 'failed';
    });
    this.#options.onError?.(error);
    pending.reject(error);
  }

  #output(event: OutputEvent): void {
    if (event.type === 'stdout') this.#keepStdout(event.text);
    else if (event.type === 'progress') this.#progress.value = { fraction: event.fraction, message: event.message };
    this.#options.onOutput?.(event);
  }

  /** Add to `stdout`, bounded as `task.stdout` is. */
  #keepStdout(text: string): void {
    const kept = this.#stdoutLimit.keep(text);
    if (!kept) return;
    batch(() => {
      this.#stdout.value += kept;
      this.#stdoutTruncated.value = this.#stdoutLimit.truncated;
    });
    this.#options.onStdout?.(kept);
  }

  #detachTask(): void {
    // Whatever waited for input belongs to the task going away.
    this.#inbox.endInput();
    this.#unwatchTask();
    this.#unwatchTask = () => {};
    this.#task = undefined;
    this.#taskPool = undefined;
  }
}
