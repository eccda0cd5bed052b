/**
 * The pool's workers as a fleet: it starts them (up to `min`, and on demand up to `max`),
 * boots them through its runtime (`WorkerRuntime`: Pyodide's is `pyodide-runtime.ts`),
 * replaces the ones past their recycle limit, trims them when `max` is lowered, retires
 * idle ones after `idleTimeout`, and gives up with a `WorkerBootError` when boots keep
 * failing. It decides nothing about tasks: the pool does, through the events.
 *
 * @internal
 */
import { workersToStart } from './dispatcher.js';
import { WorkerBootError } from './errors.js';
import type { ResolvedOptions } from './options.js';
import type { Fleet, FleetEvents, WorkerRuntime } from './scheduler-ports.js';
import { WorkerHandle } from './worker-handle.js';
import type { SandboxConfig } from './sandbox-host.js';
import { BootFailed, type RecycleReason, type WorkerInfo } from './worker-info.js';
import type { WorkerEventKind } from './recent-log.js';

/** Boot failures in a row (of the retryable kind) before the fleet gives up. */
const MAX_BOOT_FAILURES = 3;
/** After that many while other workers are warm, how long the fleet waits before it tries to grow again (ms). */
const BOOT_BACKOFF_MS = 5_000;

export class WorkerFleet implements Fleet {
  #workers: WorkerHandle[] = [];
  #nextId = 1;
  #bootFailures = 0;
  #bootError: WorkerBootError | undefined;
  /** A worker has booted: the config works. */
  #bootedOnce = false;
  /** Until when (ms) no worker starts, after boots kept failing beside warm workers. */
  #quietUntil = 0;
  #ended = false;
  /** Each idle worker's countdown to retiring (see `retireWhenIdle`): the fleet's alone. */
  readonly #idleTimers = new Map<WorkerHandle, ReturnType<typeof setTimeout>>();
  /** Workers recycled whose successors have not started yet: the next to start replaces the first. */
  #replacing: { id: number; reason: RecycleReason }[] = [];

  constructor(
    private readonly options: () => ResolvedOptions,
    private readonly workerURL: URL | string | undefined,
    private readonly interruptible: boolean,
    private readonly runtime: WorkerRuntime,
    private readonly events: FleetEvents,
  ) {}

  /** Every worker, booting ones and those waiting to be recycled included. */
  get workers(): readonly WorkerHandle[] {
    return this.#workers;
  }

  /** Why workers cannot start, once boots have kept failing. */
  get bootError(): WorkerBootError | undefined {
    return this.#bootError;
  }

  /**
   * Workers that count toward `min`/`max`: not those that are spent (they take no further
   * task and retire once they hold none, so their successors boot meanwhile).
   */
  get active(): number {
    return this.#workers.filter((w) => !this.spent(w)).length;
  }

  /** Workers that have booted. */
  get warm(): number {
    return this.#workers.filter((w) => w.status === 'idle' || w.status === 'busy').length;
  }

  /** Start the workers the dispatcher asks for, with `waiting` tasks queued. True if any started. */
  ensure(waiting: number, atLeastOne: boolean): boolean {
    if (this.#ended || this.#bootError) return false;
    // Boots kept failing beside warm workers: those serve, and growing waits a while.
    if (this.#quietUntil > 0 && performance.now() < this.#quietUntil && this.warm > 0) return false;
    const start = workersToStart({
      active: this.active,
      starting: this.#workers.filter((w) => w.status === 'starting').length,
      waiting,
      min: Math.max(this.options().min, atLeastOne ? 1 : 0),
      max: this.options().max,
    });
    for (let i = 0; i < start; i++) this.#spawn();
    return start > 0;
  }

  /**
   * Due for recycling: past `recycle.heapBytes` after a task, or holding or having run its
   * `recycle.afterTasks` tasks. A spent worker takes no further task (with `afterTasks:
   * 1`, the `isolate: 'task'` case, no task ever shares a worker with an earlier one).
   */
  spent(worker: WorkerHandle): boolean {
    return this.recycleReason(worker) !== undefined;
  }

  /** Why `worker` is due for recycling (see {@link spent}), or undefined. */
  recycleReason(worker: WorkerHandle): RecycleReason | undefined {
    const { heapBytes, afterTasks } = this.options().recycle;
    // A MemoryError leaves the heap at its largest, and whatever failed to allocate half done.
    if (worker.memoryError) return 'memory-error';
    // The heap counts once a task has run: a setup that leaves a large heap behind must
    // not retire every worker the moment it is warm.
    if (worker.tasksRun > 0 && worker.heapBytes > heapBytes) return 'heap';
    if (worker.tasksRun + worker.line.live >= afterTasks) return 'tasks';
    return undefined;
  }

  /** What `pool.state.workers` shows of each worker. */
  infos(): WorkerInfo[] {
    return this.#workers.map((worker) => ({ ...worker.info(), recycling: this.recycleReason(worker) }));
  }

  /**
   * `worker` has nothing left in hand. Returns `retired` when it was spent (the pool
   * re-plans, booting its successor if none is booting yet), `trimmed` when it was one
   * too many for a lowered `max`, and `serving` when it stays.
   */
  settle(worker: WorkerHandle): 'retired' | 'trimmed' | 'serving' {
    this.busy(worker);
    const reason = this.recycleReason(worker);
    if (reason) {
      // Its successor says whom it replaces, and why.
      this.#replacing.push({ id: worker.id, reason });
      if (this.options().debug) console.debug(`pyodide-pool: worker ${worker.id} recycled (${reason}; heap ${Math.round(worker.heapBytes / 2 ** 20)} MiB)`);
      this.remove(worker, 'recycled', reason);
      return 'retired';
    }
    if (this.active > this.options().max) {
      this.remove(worker, 'trimmed');
      return 'trimmed';
    }
    return 'serving';
  }

  /** An idle worker above `min` retires after `idleTimeout` unless it gets work first. */
  retireWhenIdle(worker: WorkerHandle): void {
    const { min, idleTimeout } = this.options();
    if (worker.status !== 'idle' || this.spent(worker) || this.active <= min) return;
    this.busy(worker);
    this.#idleTimers.set(
      worker,
      setTimeout(() => {
        this.#idleTimers.delete(worker);
        if (worker.status === 'idle' && this.active > this.options().min) this.remove(worker, 'retired', `idle for ${idleTimeout} ms`);
      }, idleTimeout),
    );
  }

  /** `worker` was handed work (or is being decided about): its idle countdown stops. */
  busy(worker: WorkerHandle): void {
    clearTimeout(this.#idleTimers.get(worker));
    this.#idleTimers.delete(worker);
  }

  /** End a worker and drop it from the fleet (no `died` event follows); `event` says why, for `pool.state.recent`. */
  remove(worker: WorkerHandle, event: WorkerEventKind = 'ended', detail?: string): void {
    this.events.noted(worker, event, detail === undefined ? undefined : { detail });
    this.busy(worker);
    worker.terminate();
    this.#workers = this.#workers.filter((w) => w !== worker);
    this.events.changed();
  }

  /**
   * End every worker for good; resolves once they have all ended. With `keepSnapshot`, a
   * worker still holding the snapshot it made hands it over first (it is kept for the
   * next visit).
   */
  end({ keepSnapshot }: { keepSnapshot: boolean }): Promise<unknown> {
    this.#ended = true;
    const workers = this.#workers;
    for (const worker of workers) {
      this.events.noted(worker, 'ended', { detail: 'the pool ended' });
      this.busy(worker);
      worker.terminate({ keepSnapshot });
    }
    this.#workers = [];
    this.events.changed();
    return Promise.all(workers.map((w) => w.gone));
  }

  #spawn(): WorkerHandle {
    const replaces = this.#replacing.shift();
    const worker = new WorkerHandle(
      this.#nextId++,
      {
        message: (w, m) => this.events.message(w, m),
        died: (w, reason) => {
          // Unexpected by definition: say why, since the page may never see the cause.
          console.warn(`pyodide-pool: worker ${w.id} died (${reason}); replacing it`);
          // Before its boot was even asked for (a script that fails to load: Firefox
          // reports that sooner than Chromium), it is a boot failure, counted as one.
          if (w.bootMode === undefined) this.#bootFailed(w, new BootFailed({ kind: 'runtime', message: `the worker died while starting (${reason})` }));
          else {
            this.#replacing.push({ id: w.id, reason: 'crashed' });
            this.remove(w, 'died', reason);
            this.events.died(w, reason);
          }
        },
        unsendable: (w, seq, err) => this.events.unsendable(w, seq, err),
      },
      { entry: this.runtime.entry, workerURL: this.workerURL, interruptible: this.interruptible, sandbox: this.#sandboxConfig() },
    );
    // Loading Pyodide's scripts takes CPU the first boot needs: a worker that starts while
    // another boots waits for that one anyway (its snapshot, or its trial of the stored
    // one), so it loads them once its turn comes.
    worker.replaces = replaces;
    const first = !this.#workers.some((w) => w.status === 'starting');
    if (first) this.runtime.prepare(worker);
    this.#workers.push(worker);
    this.events.noted(worker, 'started', replaces && { replaces: replaces.id, detail: `replaces #${replaces.id} (${replaces.reason})` });
    this.events.changed();
    void this.#boot(worker, first);
    return worker;
  }

  /** What a sandboxed worker is started with; undefined for a normal pool. */
  #sandboxConfig(): SandboxConfig | undefined {
    const { sandbox, indexURL, packages, packageBaseUrl, lockFileURL } = this.options();
    if (!sandbox) return undefined;
    return { connect: sandbox.connect, workerURL: sandbox.workerURL, indexURL, packages, packageBaseUrl, lockFileURL };
  }

  async #boot(worker: WorkerHandle, prepared: boolean): Promise<void> {
    try {
      await this.runtime.boot(worker, prepared);
    } catch (err) {
      this.#bootFailed(worker, err);
      return;
    }
    if (worker.dead || this.#ended) return;
    this.#bootFailures = 0;
    this.#bootedOnce = true;
    if (!this.#workers.some((w) => w.status === 'starting')) this.runtime.allBooted();
    this.events.noted(worker, 'booted', { mode: worker.bootMode === 'snapshot' ? 'snapshot' : worker.baseSnapshot ? 'base-snapshot' : 'normal' });
    this.events.warm(worker);
  }

  #bootFailed(worker: WorkerHandle, err: unknown): void {
    const failure = err instanceof BootFailed ? err.failure : { kind: 'runtime' as const, message: String(err) };
    this.remove(worker, 'boot-failed', failure.message);
    if (this.#ended) return;
    // A snapshot that did not restore is not the worker's fault: the runtime boots the next without it.
    const counts = !this.runtime.bootFailed(failure, worker);
    // A config failure fails again, so the fleet gives up at once; unless a worker booted
    // with the same config before (a file that failed to load once): then it is retried.
    if ((failure.kind === 'config' && !this.#bootedOnce) || (counts && ++this.#bootFailures >= MAX_BOOT_FAILURES)) {
      if (this.warm > 0) {
        // The pool still has warm workers: they go on serving (nothing queued is failed),
        // and the fleet tries to grow again later.
        console.warn(
          `pyodide-pool: ${this.#bootFailures} boots failed in a row (${failure.message}); the ${this.warm} warm workers serve, and more start in ${BOOT_BACKOFF_MS / 1000} s`,
        );
        this.#bootFailures = 0;
        this.#quietUntil = performance.now() + BOOT_BACKOFF_MS;
        return;
      }
      this.#bootError = new WorkerBootError(`Could not start ${this.runtime.workerName}: ${failure.message}`, { cause: err, packageName: failure.packageName });
      this.events.broken(this.#bootError);
      return;
    }
    this.events.retry();
  }
}
