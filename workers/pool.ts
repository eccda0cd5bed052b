import { batch } from '@preact/signals-core';
import {
  ConversionError,
  PoolTerminatedError,
  PythonError,
  QueueFullError,
  TaskCancelledError,
  TaskTimeoutError,
  WorkerBootError,
  WorkerCrashedError,
} from './errors.js';
import { detectCapabilities, type PoolCapabilities } from './capabilities.js';
import { duration, resolveOptions, type PoolOptions, type ResolvedOptions } from './options.js';
import type { WorkerMessage } from './protocol.js';
import { PoolLedger, type PoolState } from './pool-ledger.js';
import { SnapshotStore } from './snapshot-store.js';
import { TaskQueue } from './task-queue.js';
import { Task, TaskRecord, type TaskOptions } from './task.js';
import { compiledPyodideWasm, compilePyodideWasm, sharePyodideWasm } from './wasm-module.js';
import { BootFailed, WorkerHandle } from './worker-handle.js';

/** Boot failures in a row (of the retryable kind) before the pool gives up. */
const MAX_BOOT_FAILURES = 3;

/**
 * A pool of warm Pyodide workers that runs Python code off the main thread.
 *
 * @example
 * const pool = new PyodidePool({ max: 4, indexURL: '/pyodide/', setup: 'def double(x):\n    return 2 * x' });
 * await pool.ready();
 * await pool.run('double(x) + 1', { inputs: { x: 20 } });   // 41
 * await pool.map('item * 2', [1, 2, 3]);                      // [2, 4, 6]
 * await pool.terminate();
 */
export class PyodidePool {
  readonly state: PoolState;
  /**
   * What this page and engine let the pool do, feature-detected: `interrupt` (cross-origin
   * isolated, SharedArrayBuffer), `jspi`, `locks`, and `snapshot` once a worker has tried.
   */
  readonly capabilities: PoolCapabilities;
  /** A worker restored from a snapshot: `capabilities.snapshot` is true. */
  #restored = false;
  #options: ResolvedOptions;
  readonly #given: PoolOptions;
  readonly #workerURL: URL | string | undefined;
  #workers: WorkerHandle[] = [];
  readonly #queue = new TaskQueue<TaskRecord>();
  readonly #snapshots: SnapshotStore;
  #nextTaskId = 1;
  #nextWorkerId = 1;
  #bootFailures = 0;
  #bootError: WorkerBootError | undefined;
  #terminated = false;
  /** With `min: 0`, `ready()` still wants one warm worker. */
  #wantOne = false;
  #readyPromise: Promise<void>;
  #resolveReady!: () => void;
  #rejectReady!: (error: unknown) => void;
  readonly #ledger = new PoolLedger();

  constructor(options: PoolOptions = {}) {
    this.#given = { ...options };
    this.#options = resolveOptions(options);
    this.#workerURL = options.workerURL;
    const snapshotWorks = (): boolean | undefined => (this.#restored ? true : this.#snapshots.disabled ? false : undefined);
    this.capabilities = Object.freeze(Object.defineProperty(detectCapabilities(), 'snapshot', { get: snapshotWorks, enumerable: true }) as PoolCapabilities);
    const { indexURL, packages, setup } = this.#options;
    // Workers about to restore from a stored snapshot need the compiled interpreter, and
    // no worker has compiled it yet: start now, while the snapshot's bytes are read.
    this.#snapshots = new SnapshotStore(this.#options.snapshot, { indexURL, packages, setup }, this.#options.persistSnapshot, () => {
      void compilePyodideWasm(indexURL);
    });
    this.state = this.#ledger.view;
    this.#readyPromise = new Promise((resolve, reject) => {
      this.#resolveReady = resolve;
      this.#rejectReady = reject;
    });
    this.#readyPromise.catch(() => {});
    this.#ensureWorkers();
  }

  /** The options in force, defaults applied. */
  get options(): Readonly<ResolvedOptions> {
    return this.#options;
  }

  /**
   * Change sizing and defaults of a live pool: `min`, `max`, `idleTimeout`, `timeout`,
   * `maxQueue`, `interruptGrace`. Workers are started or retired to fit (busy workers
   * beyond `max` finish their task first). Options that need new workers (`indexURL`,
   * `packages`, `setup`, `snapshot`) need a new pool.
   *
   * @example
   * pool.configure({ max: 8, timeout: 10_000 });
   */
  configure(changes: Pick<PoolOptions, 'min' | 'max' | 'idleTimeout' | 'timeout' | 'maxQueue' | 'interruptGrace'>): void {
    const next = resolveOptions({ ...this.#given, ...changes });
    Object.assign(this.#given, changes);
    this.#options = next;
    if (this.#terminated) return;
    for (const worker of [...this.#workers]) {
      if (worker.status === 'idle') this.#becameIdle(worker);
    }
    this.#pump();
  }

  /** Resolves when `min` workers (at least one) are warm; rejects if they cannot start. */
  ready(): Promise<void> {
    if (!this.#terminated && this.#workers.length === 0 && !this.#bootError) {
      this.#wantOne = true;
      this.#ensureWorkers();
    }
    return this.#readyPromise;
  }

  /**
   * Queue Python code and get its {@link Task} handle at once.
   * Throws `QueueFullError` when `maxQueue` tasks already wait, `PoolTerminatedError`
   * after `terminate()`, and `TypeError` / `RangeError` for bad arguments.
   *
   * @example
   * const task = pool.submit('from worker_pool import progress\nprogress(0.5)\n6 * 7', {
   *   onOutput: (event) => console.log(event),
   * });
   * await task.result; // 42
   */
  submit<T = unknown>(code: string, options: TaskOptions = {}): Task<T> {
    if (typeof code !== 'string') throw new TypeError('PyodidePool.submit: code must be a string of Python source');
    const { inputs, signal: abort, priority = 0, onOutput } = options;
    if (inputs !== undefined && inputs !== null && (typeof inputs !== 'object' || Array.isArray(inputs))) {
      throw new TypeError('PyodidePool.submit: inputs must be an object whose keys become Python globals');
    }
    if (typeof priority !== 'number' || Number.isNaN(priority)) throw new TypeError('PyodidePool.submit: priority must be a number');
    if (onOutput !== undefined && typeof onOutput !== 'function') throw new TypeError('PyodidePool.submit: onOutput must be a function');
    const timeout = options.timeout === undefined ? this.#options.timeout : duration('timeout', options.timeout);
    if (this.#terminated) throw new PoolTerminatedError();
    // Counts tasks handed to a worker but not begun too: to the user they are queued.
    if (this.#ledger.queued.peek() >= this.#options.maxQueue && !this.#idleWorker()) {
      throw new QueueFullError(`The pool's queue is full (maxQueue ${this.#options.maxQueue})`);
    }
    const record: TaskRecord = new TaskRecord(this.#nextTaskId++, code, inputs ?? undefined, priority, timeout, onOutput, (reason) =>
      this.#cancel(record, reason),
    );
    this.#ledger.added();
    if (abort?.aborted) {
      this.#settle(record, new TaskCancelledError(abort.reason), 'cancelled');
      return record.task as Task<T>;
    }
    record.watch(abort);
    if (this.#bootError) {
      this.#settle(record, this.#bootError);
      return record.task as Task<T>;
    }
    this.#queue.push(record);
    this.#pump();
    return record.task as Task<T>;
  }

  /**
   * Run Python code and get the value of its final expression.
   *
   * @example
   * await pool.run('sum(range(n))', { inputs: { n: 10 } }); // 45
   */
  run<T = unknown>(code: string, options?: TaskOptions): Promise<T> {
    try {
      // A promise of its own: the task's is marked handled, and a failure nobody awaits
      // should still be reported. Not `async`: that costs extra turns on the hot path.
      return this.submit<T>(code, options).result.then();
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /**
   * Run `code` once per item, with the item as the Python global `item`; results come
   * back in input order. The first failure rejects and cancels the tasks still pending.
   *
   * @example
   * await pool.map('item * 2', [1, 2, 3]); // [2, 4, 6]
   */
  async map<T = unknown>(code: string, items: Iterable<unknown>, options: Omit<TaskOptions, 'inputs'> = {}): Promise<T[]> {
    const tasks: Task<T>[] = [];
    try {
      for (const item of items) tasks.push(this.submit<T>(code, { ...options, inputs: { item } }));
      return await Promise.all(tasks.map((t) => t.result));
    } catch (err) {
      for (const task of tasks) task.cancel(err);
      throw err;
    }
  }

  /** End every worker. Unsettled tasks reject with `PoolTerminatedError`. Idempotent. */
  async terminate(): Promise<void> {
    if (this.#terminated) return;
    this.#terminated = true;
    const error = new PoolTerminatedError();
    batch(() => {
      for (const record of this.#queue.drain()) this.#settle(record, error);
      for (const worker of this.#workers) {
        for (const record of worker.inflight.values()) if (record) this.#settle(record, error);
        worker.terminate();
      }
      this.#workers = [];
      this.#ledger.ready.value = false;
      this.#publishWorkers();
    });
    this.#rejectReady(error);
    this.#snapshots.clear();
  }

  // ---- scheduling ----------------------------------------------------------------

  #idleWorker(): WorkerHandle | undefined {
    return this.#workers.find((w) => w.status === 'idle');
  }

  /**
   * Hand waiting tasks to workers, then size the pool. Idle workers take what they can;
   * a busy worker is refilled only when it reports outcomes (`refill`), so a task
   * submitted while every worker is busy waits here, where priorities still apply.
   */
  #pump(refill?: WorkerHandle): void {
    if (this.#terminated) return;
    batch(() => {
      const handed = this.#distribute(refill);
      const spawned = this.#ensureWorkers();
      if (handed || spawned) this.#publishWorkers();
    });
  }

  /** Each next task goes to the worker with the fewest in hand that has room. Returns true if any went. */
  #distribute(refill: WorkerHandle | undefined): boolean {
    if (this.#queue.size === 0) return false;
    // On most submits every worker is busy: nothing to plan.
    if (!refill && !this.#workers.some((w) => w.live === 0 && w.capacity() > 0)) return false;
    const trimming = this.#activeCount() > this.#options.max;
    const rooms = new Map<WorkerHandle, number>();
    for (const worker of this.#workers) {
      if (worker.live > 0 && worker !== refill) continue;
      const room = this.#room(worker, trimming);
      if (room > 0) rooms.set(worker, room);
    }
    let handed = false;
    while (rooms.size > 0 && this.#queue.size > 0) {
      let best: WorkerHandle | undefined;
      for (const worker of rooms.keys()) if (!best || worker.live < best.live) best = worker;
      this.#dispatch(best!, this.#queue.shift()!);
      handed = true;
      const left = rooms.get(best!)! - 1;
      if (left > 0) rooms.set(best!, left);
      else rooms.delete(best!);
    }
    return handed;
  }

  /** How many tasks `worker` may be handed now. */
  #room(worker: WorkerHandle, trimming: boolean): number {
    const capacity = worker.capacity();
    if (capacity === 0) return 0;
    const oneAtATime = worker.live === 0 ? 1 : 0;
    // Leaving the pool soon (recycled, or beyond a lowered max): no queue of its own.
    if (worker.replacement || trimming || this.#recycleDue(worker)) return oneAtATime;
    const untilRecycle = this.#options.recycle.afterTasks - worker.tasksRun - worker.live;
    return Math.max(oneAtATime, Math.min(capacity, untilRecycle));
  }

  #dispatch(worker: WorkerHandle, record: TaskRecord): void {
    const first = worker.live === 0;
    // A timed task queued behind others has its timeout started by the worker's `start`.
    worker.send(record, record.timeout !== undefined && !first);
    clearTimeout(worker.idleTimer);
    if (first) this.#begin(record);
  }

  /** The task is running (or about to, first in its worker's line): count it and start its timeout. */
  #begin(record: TaskRecord): void {
    if (!this.#ledger.started(record)) return;
    if (record.timeout !== undefined) {
      const timeout = record.timeout;
      record.timer = setTimeout(() => this.#stop(record, { kind: 'timeout', timeout }), timeout);
    }
  }

  /** A task handed to a worker that never began it goes back to the front of the queue. */
  #requeue(record: TaskRecord): void {
    clearTimeout(record.timer);
    record.timer = undefined;
    record.worker = undefined;
    this.#ledger.requeued(record);
    this.#queue.unshift(record);
  }

  /** Start workers until `min` exist, or while waiting tasks outnumber starting workers (up to `max`). True if any started. */
  #ensureWorkers(): boolean {
    if (this.#terminated || this.#bootError) return false;
    const { min, max } = this.#options;
    const want = Math.max(min, this.#wantOne ? 1 : 0);
    let starting = this.#workers.filter((w) => w.status === 'starting').length;
    let active = this.#activeCount();
    const before = active;
    while (active < want || (this.#queue.size > starting && active < max)) {
      this.#spawn();
      starting++;
      active++;
    }
    return active > before;
  }

  #spawn(): WorkerHandle {
    const worker = new WorkerHandle(
      this.#nextWorkerId++,
      this.#workerURL,
      {
        message: (w, m) => this.#onMessage(w, m),
        died: (w, reason) => {
          // Unexpected by definition: say why, since the page may never see the cause.
          console.warn(`pyodide-pool: worker ${w.id} died (${reason}); replacing it`);
          // Before its boot was even asked for (a script that fails to load: Firefox
          // reports that sooner than Chromium), it is a boot failure, counted as one.
          if (w.bootMode === undefined) this.#bootFailed(w, new BootFailed({ kind: 'runtime', message: `the worker died while starting (${reason})` }));
          else this.#onDied(w, reason);
        },
        unsendable: (w, seq, err) => this.#unsendable(w, seq, err),
      },
      this.capabilities.interrupt,
    );
    worker.prepare(this.#options.indexURL);
    this.#workers.push(worker);
    this.#publishWorkers();
    void this.#boot(worker);
    return worker;
  }

  async #boot(worker: WorkerHandle): Promise<void> {
    const { indexURL, packages, setup } = this.#options;
    const lease = await this.#snapshots.lease();
    if (worker.dead) return lease.release(undefined, false);
    try {
      // A restore is short and the page's compile started first: wait for it rather than
      // compile a second copy. A normal boot has other work to overlap its own compile with.
      const wasmModule = lease.bytes ? await compilePyodideWasm(indexURL) : compiledPyodideWasm(indexURL);
      const result = await worker.boot({ indexURL, packages, setup, makeSnapshot: lease.make, snapshot: lease.bytes, wasmModule }, this.#options.bootTimeout);
      if (result.mode === 'snapshot') this.#restored = true;
      if (result.wasmModule) sharePyodideWasm(indexURL, result.wasmModule);
      lease.release(result.snapshot);
    } catch (err) {
      lease.release(undefined, false);
      this.#bootFailed(worker, err);
      return;
    }
    if (worker.dead || this.#terminated) return;
    this.#bootFailures = 0;
    worker.status = 'idle';
    if (!this.#workers.some((w) => w.status === 'starting')) this.#snapshots.store();
    // A worker waiting for this one as its replacement can retire now, if it is idle.
    for (const old of this.#workers) {
      if (old.replacement === worker && old.status === 'idle') this.#retire(old);
    }
    if (this.#warmCount() >= Math.max(1, this.#options.min) && !this.#ledger.ready.peek()) {
      this.#ledger.ready.value = true;
      this.#resolveReady();
    }
    this.#becameIdle(worker);
  }

  #bootFailed(worker: WorkerHandle, err: unknown): void {
    worker.terminate();
    this.#remove(worker);
    if (this.#terminated) return;
    const failure = err instanceof BootFailed ? err.failure : { kind: 'runtime' as const, message: String(err) };
    if (failure.kind === 'snapshot') {
      // The snapshot did not restore (a stale stored one, or this Pyodide cannot): not the worker's fault.
      this.#snapshots.restoreFailed();
    } else if (failure.kind === 'config' || ++this.#bootFailures >= MAX_BOOT_FAILURES) {
      this.#break(new WorkerBootError(`Could not start a Pyodide worker: ${failure.message}`, { cause: err, packageName: failure.packageName }));
      return;
    }
    this.#pump();
  }

  /** Boot keeps failing: reject `ready()` and everything waiting; refuse new work. */
  #break(error: WorkerBootError): void {
    this.#bootError = error;
    this.#rejectReady(error);
    batch(() => {
      for (const record of this.#queue.drain()) this.#settle(record, error);
      this.#publishWorkers();
    });
  }

  /** Workers that count toward min/max: not those waiting to be recycled. */
  #activeCount(): number {
    return this.#workers.filter((w) => !w.replacement).length;
  }

  #warmCount(): number {
    return this.#workers.filter((w) => w.status === 'idle' || w.status === 'busy').length;
  }

  #becameIdle(worker: WorkerHandle): void {
    clearTimeout(worker.graceTimer);
    clearTimeout(worker.idleTimer);
    worker.status = 'idle';
    if (this.#recycleDue(worker)) {
      const replacement = worker.replacement;
      if (replacement && (replacement.status === 'idle' || replacement.status === 'busy')) {
        this.#retire(worker);
        this.#pump();
        this.#publishWorkers();
        return;
      }
      // Keep serving until the replacement is warm.
      if (!replacement || replacement.dead) worker.replacement = this.#spawn();
    }
    if (this.#activeCount() > this.#options.max && !worker.replacement) {
      // `max` was lowered: this worker is one too many.
      worker.terminate();
      this.#remove(worker);
      return;
    }
    this.#pump();
    this.#steal(worker);
    this.#publishWorkers();
    if (worker.status === 'idle' && !worker.replacement && this.#activeCount() > this.#options.min) {
      worker.idleTimer = setTimeout(() => {
        if (worker.status === 'idle' && this.#activeCount() > this.#options.min) this.#retire(worker);
      }, this.#options.idleTimeout);
    }
  }

  /**
   * An idle worker with nothing left to take relieves the busiest one of half the tasks it
   * holds but has not begun: a line sized for tiny tasks may turn out to hold long ones.
   */
  #steal(thief: WorkerHandle): void {
    if (thief.status !== 'idle' || this.#queue.size > 0 || this.#room(thief, false) === 0) return;
    let victim: WorkerHandle | undefined;
    for (const worker of this.#workers) {
      if (worker !== thief && worker.live > 1 && (!victim || worker.live > victim.live)) victim = worker;
    }
    if (!victim) return;
    const taken = victim.release(Math.ceil((victim.live - 1) / 2));
    if (taken.length === 0) return;
    for (const record of taken.reverse()) this.#requeue(record);
    this.#pump();
  }

  /** Past `recycle.heapBytes` or `recycle.afterTasks`. */
  #recycleDue(worker: WorkerHandle): boolean {
    const { heapBytes, afterTasks } = this.#options.recycle;
    return worker.heapBytes > heapBytes || worker.tasksRun >= afterTasks;
  }

  /** End an idle worker on purpose. */
  #retire(worker: WorkerHandle): void {
    worker.terminate();
    this.#remove(worker);
  }

  // ---- worker events -----------------------------------------------------------

  #onMessage(worker: WorkerHandle, message: WorkerMessage): void {
    if (message.t === 'out') {
      const record = worker.inflight.get(message.seq);
      if (record && !record.settled) record.output(message.ev);
    } else if (message.t === 'start') {
      const record = worker.inflight.get(message.seq);
      if (record) this.#begin(record);
    } else if (message.t === 'results') {
      batch(() => this.#onResults(worker, message));
    }
  }

  #onResults(worker: WorkerHandle, message: Extract<WorkerMessage, { t: 'results' }>): void {
    worker.heapBytes = message.heap;
    let ran = 0;
    for (const outcome of message.list) {
      const record = worker.take(outcome.seq);
      if (!record) continue; // stopped before it began, and already settled
      if ('skipped' in outcome) {
        // Skipped without being stopped: cannot happen, but never lose a task.
        if (record.stop) this.#settleStopped(record, record.stop);
        else this.#requeue(record);
        continue;
      }
      ran++;
      worker.tasksRun++;
      if (record.stop) this.#settleStopped(record, record.stop);
      else if ('value' in outcome) this.#settle(record, undefined, 'done', outcome.value);
      else if (outcome.error.kind === 'python') this.#settle(record, new PythonError(outcome.error));
      else this.#settle(record, new ConversionError(outcome.error.message, outcome.error.pythonType || undefined));
    }
    worker.measured(ran, message.busyMs);
    const head = worker.head();
    if (head) this.#begin(head);
    if (worker.live === 0) this.#becameIdle(worker);
    else {
      this.#pump(worker);
      this.#publishWorkers();
    }
  }

  #onDied(worker: WorkerHandle, reason: string): void {
    batch(() => {
      this.#remove(worker);
      const { begun, notBegun } = worker.unfinished();
      begun.forEach((record, i) => {
        if (record.stop) this.#settleStopped(record, record.stop);
        else if (i === begun.length - 1) this.#settle(record, new WorkerCrashedError(`The worker running task ${record.id} died: ${reason}`));
        else this.#settle(record, new WorkerCrashedError(`The worker died (${reason}) before sending the result of task ${record.id}`));
      });
      // Handed over but never begun: they run elsewhere, ahead of what waits.
      for (const record of notBegun.reverse()) {
        if (record.stop) this.#settleStopped(record, record.stop);
        else this.#requeue(record);
      }
      this.#pump();
    });
  }

  #unsendable(worker: WorkerHandle, seq: number, error: Error): void {
    const record = worker.take(seq);
    if (record) this.#settle(record, new ConversionError(`inputs could not be sent to the worker: ${error.message}`));
    if (worker.live === 0 && worker.status === 'busy') this.#becameIdle(worker);
  }

  #remove(worker: WorkerHandle): void {
    this.#workers = this.#workers.filter((w) => w !== worker);
    this.#publishWorkers();
  }

  // ---- cancel, timeout, settle ---------------------------------------------------

  #cancel(record: TaskRecord, reason: unknown): void {
    if (record.settled) return;
    if (this.#queue.delete(record)) {
      this.#settle(record, new TaskCancelledError(reason), 'cancelled');
    } else if (record.worker) {
      this.#stop(record, { kind: 'cancel', reason });
    }
  }

  /**
   * Stop a task handed to a worker. One it has not begun is dropped at once. A running
   * one gets KeyboardInterrupt when the page allows it, keeping the worker warm, and
   * settles when its worker answers; if it has not within `interruptGrace` (or cannot be
   * interrupted), the worker is terminated and replaced.
   */
  #stop(record: TaskRecord, request: NonNullable<TaskRecord['stop']>): void {
    const worker = record.worker;
    if (record.settled || record.stop || !worker) return;
    record.stop = request;
    const outcome = worker.stop(record);
    if (outcome === 'skipped') {
      this.#settleStopped(record, request);
      if (worker.live === 0 && worker.status === 'busy') this.#becameIdle(worker);
      else if (worker.head()) this.#begin(worker.head()!);
    } else if (outcome === 'interrupted') {
      clearTimeout(worker.graceTimer);
      worker.graceTimer = setTimeout(() => {
        if (worker.inflight.get(record.seq) !== record) return;
        console.warn(`pyodide-pool: task ${record.id} ignored KeyboardInterrupt for ${this.#options.interruptGrace} ms; replacing worker ${worker.id}`);
        this.#recycle(worker);
      }, this.#options.interruptGrace);
    } else if (outcome === 'impossible') {
      this.#recycle(worker);
    }
    // 'finished': its outcome is on the way and settles it with the stop's error.
  }

  /** Terminate a worker whose task must stop now, settle that task, and carry on. */
  #recycle(worker: WorkerHandle): void {
    worker.terminate();
    this.#onDied(worker, 'terminated to stop its task');
  }

  #settle(record: TaskRecord, error: unknown, status: 'done' | 'failed' | 'cancelled' = 'failed', value?: unknown): void {
    this.#ledger.settle(record, error, status, value);
  }

  /** Settle a task that was asked to stop: cancelled, or failed with its timeout. */
  #settleStopped(record: TaskRecord, stop: NonNullable<TaskRecord['stop']>): void {
    if (stop.kind === 'cancel') this.#settle(record, new TaskCancelledError(stop.reason), 'cancelled');
    else this.#settle(record, new TaskTimeoutError(stop.timeout));
  }

  #publishWorkers(): void {
    this.#ledger.workers.value = this.#workers.map((w) => w.info());
  }
}
