import * as Comlink from 'comlink';
import { ControlBlock } from '../shared/control-block.js';
import { Exchange } from '../shared/exchange.js';
import type { BootConfig, BootFailure, BootResult, ModuleBootConfig, TaskMessage, WorkerControl, WorkerMessage } from '../shared/protocol.js';

/** `Omit` over each member of a union. */
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
import { startSandboxWorker, type SandboxConfig } from './sandbox-host.js';
import { TaskLine, type WorkerStatus } from './task-line.js';
import type { TaskRecord } from './task.js';
import type { RanBatch, SchedulableWorker } from './scheduler-ports.js';
import { isWorkerMessage } from './message-check.js';
import { BootFailed, type WorkerInfo } from './worker-info.js';

/** How long a worker ended while holding its snapshot waits for the pool to take it. */
const SNAPSHOT_HANDOVER_MS = 2_000;
/** How long a worker ended while packing its snapshot for the pool may go on packing. */
const SNAPSHOT_PACK_MS = 10_000;

let lockSeq = 0;
const lockPrefix = `pyodide-pool:${Math.random().toString(36).slice(2)}:`;

/** What a {@link WorkerHandle} reports to its owner (the fleet). */
export interface WorkerEvents {
  message(handle: WorkerHandle, message: WorkerMessage): void;
  /** The worker ended without being asked to (not reported after `terminate`). */
  died(handle: WorkerHandle, reason: string): void;
  /** Task `seq`'s inputs could not be posted (not cloneable). */
  unsendable(handle: WorkerHandle, seq: number, error: Error): void;
}

/** What a {@link WorkerHandle} starts. */
export interface WorkerStart {
  /** Which worker script: Pyodide's (`pool-worker.js`) or the module pools' (`module-worker.js`). */
  entry: 'pyodide' | 'module';
  /** A worker script of the user's instead (bundlers that move it). */
  workerURL?: URL | string;
  /** The page is cross-origin isolated and the runtime takes interrupts: the worker gets a control block. */
  interruptible: boolean;
  /** Start it sandboxed (Pyodide only). */
  sandbox?: SandboxConfig;
}

/** How a worker is ended on purpose (see `WorkerHandle.terminate`). */
export interface TerminateOptions {
  /** A worker holding the snapshot it made hands it over first (default true). */
  keepSnapshot?: boolean;
}

/**
 * Owns one worker's life: creates it, boots it, watches for its death through a Web
 * Lock the worker holds, and ends it. The tasks in its hands are its {@link TaskLine}
 * (`line`); it is `Dispatchable` through it.
 *
 * @internal
 */
export class WorkerHandle {
  /** Booted, and so warm until it ends. */
  #booted = false;
  #dead = false;
  tasksRun = 0;
  heapBytes = 0;
  bootMode: WorkerInfo['bootMode'];
  /** A task it ran ended in a MemoryError: it is recycled (see `WorkerFleet.recycleReason`). */
  memoryError = false;
  /** The worker it was started to replace, and why. */
  replaces: WorkerInfo['replaces'];
  /** Its interpreter came from the base snapshot (known once warm). */
  baseSnapshot = false;
  /** Why it booted normally though a snapshot was wanted (set by the fleet once warm). */
  snapshotSkipped: WorkerInfo['snapshotSkipped'];
  bootMs: number | undefined;
  /** The tasks in its hands, in run order. */
  readonly line: TaskLine<TaskRecord<SchedulableWorker>>;
  readonly #worker: Worker;
  /** Where a blocked task's answers go (input, receive), on isolated pages. */
  readonly exchange: Exchange | undefined;
  #remote: Comlink.Remote<WorkerControl> | undefined;
  readonly #lockName = lockPrefix + lockSeq++;
  readonly #events: WorkerEvents;
  #onDeath: ((reason: string) => void) | undefined;
  /** It made a snapshot at boot that the pool has not taken yet. */
  #holdsSnapshot = false;
  /** The pool is taking that snapshot now. */
  #handingOver = false;
  /** Resolves when the worker has ended, however it ends. */
  readonly #gone: Promise<undefined>;

  /** Resolves when the worker has ended (after `terminate`, once it has handed over its snapshot). */
  get gone(): Promise<undefined> {
    return this.#gone;
  }
  #markGone!: () => void;

  /** A sandboxed worker: its messages are checked, and it holds no lock. */
  readonly #sandboxed: boolean;
  /** Its messages are checked before they are believed (sandboxed and module workers run code the pool did not write). */
  readonly #checked: boolean;

  constructor(
    readonly id: number,
    events: WorkerEvents,
    { entry, workerURL, interruptible, sandbox }: WorkerStart,
  ) {
    // Without shared memory a task cannot be stopped without ending the worker, so the
    // worker gets one task at a time (see `capacity`).
    this.line = new TaskLine(interruptible ? new ControlBlock() : undefined, {
      status: () => this.status,
      post: (message) => this.post(message),
      postRun: (message, transfer) => this.#worker.postMessage(message, transfer),
      unsendable: (seq, error) => this.#events.unsendable(this, seq, error),
    });
    this.#events = events;
    this.#gone = new Promise((resolve) => (this.#markGone = () => resolve(undefined)));
    // Written inline, with static options, so that bundlers (Vite, webpack) recognise the
    // worker and bundle it together with its imports.
    this.#sandboxed = sandbox !== undefined;
    this.#checked = this.#sandboxed || entry === 'module';
    this.#worker = sandbox
      ? startSandboxWorker(sandbox, (reason) => this.#die(reason))
      : workerURL
        ? new Worker(workerURL, { type: 'module', name: entry === 'module' ? 'module-pool' : 'pyodide-pool' })
        : entry === 'module'
          ? new Worker(new URL('../module-worker.js', import.meta.url), { type: 'module', name: 'module-pool' })
          : new Worker(new URL('../pool-worker.js', import.meta.url), { type: 'module', name: 'pyodide-pool' });
    this.#worker.addEventListener('error', (event) => {
      event.preventDefault();
      this.#die(`worker error: ${event.message || 'the worker script failed'}`);
    });
    this.#worker.addEventListener('message', (event: MessageEvent<WorkerMessage | { t?: undefined }>) => {
      const message = event.data;
      if (!message?.t) return; // one of Comlink's
      // Code in a sandboxed worker or a module pool's cannot post, but it shares the
      // worker with the pool's code: what is not a well-formed message is dropped rather
      // than trusted.
      if (this.#checked && !isWorkerMessage(message)) return;
      // A sandboxed worker holds no lock (its origin is opaque): there is nothing to watch.
      if (message.t === 'locked') {
        if (!this.#sandboxed) this.#watchLock();
      } else if (message.t === 'closing') this.#die(message.reason ?? 'the worker closed itself');
      else this.#events.message(this, message);
    });
    this.exchange = this.line.control ? new Exchange(this.line.control.words) : undefined;
  }

  /**
   * Write a file into the worker's filesystem (before its interpreter is up, once it is).
   * Resolves with a message when the path cannot be written, and undefined once written
   * or once the worker is gone (its replacement gets the file at boot).
   */
  async writeFile(path: string, data: Uint8Array): Promise<string | undefined> {
    if (this.#dead) return undefined;
    return Promise.race([this.#api().writeFile(path, data), this.#gone]);
  }

  /**
   * The snapshot this worker made at boot, packed; undefined if it has none or has ended.
   * A worker ended on purpose before handing it over lives on until it has (see `terminate`).
   */
  async takeSnapshot(): Promise<Uint8Array | undefined> {
    if (!this.#holdsSnapshot) return undefined;
    this.#holdsSnapshot = false;
    this.#handingOver = true;
    try {
      return await Promise.race([this.#api().takeSnapshot(), this.#gone]);
    } finally {
      this.#handingOver = false;
      if (this.#dead) this.#end();
    }
  }

  /** A message about the task running now (an answer it asked for, a stop). */
  post(message: TaskMessage): void {
    if (this.status !== 'dead') this.#worker.postMessage(message);
  }

  /** Tasks handed over and not yet answered (see `Dispatchable`). */
  get live(): number {
    return this.line.live;
  }

  /** How many more tasks it should be handed now (see `Dispatchable`). */
  capacity(): number {
    return this.line.capacity();
  }

  /** Count a batch of outcomes. The heap never shrinks: a smaller figure is not believed. */
  ran({ tasks, heapBytes, memoryError }: RanBatch): void {
    this.tasksRun += tasks;
    if (typeof heapBytes === 'number' && heapBytes > this.heapBytes) this.heapBytes = heapBytes;
    if (memoryError) this.memoryError = true;
  }

  /** The task it runs now, or is about to: first in its line. */
  head(): TaskRecord<SchedulableWorker> | undefined {
    return this.line.head();
  }

  /** The version of the Pyodide at `indexURL`, as the worker's loader has it (undefined: none, or the worker ended). */
  async pyodideVersion(indexURL: string): Promise<string | undefined> {
    if (this.#dead) return undefined;
    return Promise.race([this.#api().pyodideVersion(indexURL), this.#gone]);
  }

  /** Let the worker load Pyodide's scripts while the pool gets the boot ready. */
  prepare(indexURL: string): void {
    void this.#api().prepare(indexURL);
  }

  /** Hand over the page's compiled interpreter (undefined: the worker loads its own). */
  giveModule(module: WebAssembly.Module | undefined): void {
    if (!this.#dead) void this.#api().giveModule(module);
  }

  /** Let the worker read the snapshot it will restore from while the page compiles the interpreter. */
  preloadSnapshot(snapshot: Blob | Uint8Array): void {
    void this.#api().preloadSnapshot(snapshot);
  }

  /**
   * Boot the interpreter. Rejects with {@link BootFailed} on failure or death, and ends
   * the worker if it has not answered within `timeoutMs`: a stalled boot (Firefox can
   * stall instantiating wasm, pyodide#5044) must fail, and be retried, rather than hang.
   */
  async boot(config: Omit<BootConfig, 'lockName' | 'control'> | DistributiveOmit<ModuleBootConfig, 'lockName' | 'control'>, timeoutMs: number): Promise<BootResult> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const died = new Promise<never>((_, reject) => {
      this.#onDeath = (reason) => reject(new BootFailed({ kind: 'runtime', message: `the worker died while starting (${reason})` }));
      timer = setTimeout(() => this.#die(`its boot did not answer within ${timeoutMs / 1000} s`), timeoutMs);
    });
    // One boot call, whichever worker script answers it (Pyodide's or the module pools').
    const control = this.#api() as unknown as Comlink.Remote<{ boot(config: BootConfig | ModuleBootConfig): Promise<BootResult | { failure: BootFailure }> }>;
    const full = { ...config, lockName: this.#lockName, control: this.line.control?.buffer } as BootConfig | ModuleBootConfig;
    const outcome = await Promise.race([control.boot(full), died]).finally(() => clearTimeout(timer));
    if ('failure' in outcome) throw new BootFailed(outcome.failure);
    this.#onDeath = undefined;
    this.#booted = true;
    this.bootMode = outcome.mode;
    this.baseSnapshot = outcome.fromBase === true;
    this.bootMs = outcome.bootMs;
    this.heapBytes = outcome.heapBytes;
    this.#holdsSnapshot = outcome.snapshotMade === true;
    this.line.timeline.booted(outcome.stages, outcome.answeredAt);
    return outcome;
  }

  /**
   * Where the worker is in its life, owned here alone: `starting` until its boot
   * answers, then `busy` while it holds tasks and `idle` when it holds none, and `dead`
   * once it has ended, on purpose or not.
   */
  get status(): WorkerStatus {
    if (this.#dead) return 'dead';
    if (!this.#booted) return 'starting';
    return this.line.live > 0 ? 'busy' : 'idle';
  }

  /** True once the worker has ended, on purpose or not. */
  get dead(): boolean {
    return this.#dead;
  }

  /**
   * End the worker on purpose. Idempotent; no `died` event follows. With `keepSnapshot`
   * (the default), a worker holding a snapshot the pool has not taken yet ends once it
   * has handed it over (`gone` says when).
   */
  terminate({ keepSnapshot = true }: TerminateOptions = {}): void {
    if (this.#dead) return;
    this.#dead = true;
    if ((this.#holdsSnapshot || this.#handingOver) && keepSnapshot) {
      // Its snapshot is about to be taken, or being taken (a worker retired after its
      // first task may be packing it right then), and kept: it ends once it has handed
      // it over, or after a while if that does not happen.
      setTimeout(() => this.#end(), this.#handingOver ? SNAPSHOT_PACK_MS : SNAPSHOT_HANDOVER_MS);
    } else this.#end();
    // A boot still waiting must not wait forever.
    this.#onDeath?.('terminated');
  }

  info(): WorkerInfo {
    return {
      id: this.id,
      status: this.status === 'dead' ? 'starting' : this.status,
      tasksRun: this.tasksRun,
      heapBytes: this.heapBytes,
      bootMode: this.bootMode,
      baseSnapshot: this.baseSnapshot,
      snapshotSkipped: this.snapshotSkipped,
      ...(this.replaces && { replaces: this.replaces }),
      bootMs: this.bootMs,
      bootTimeline: this.#booted ? this.line.timeline.stages() : undefined,
    };
  }

  /**
   * The worker holds its lock until it ends, however it ends: our request is granted
   * exactly then. A `js.close()` sends no event to the Worker object; this still fires.
   */
  #api(): Comlink.Remote<WorkerControl> {
    this.#remote ??= Comlink.wrap<WorkerControl>(this.#worker);
    return this.#remote;
  }

  #watchLock(): void {
    if (!navigator.locks) return;
    void navigator.locks.request(this.#lockName, () => this.#die('the worker closed'));
  }

  #die(reason: string): void {
    if (this.#dead) return;
    this.#dead = true;
    this.#end();
    if (this.#onDeath) this.#onDeath(reason);
    else this.#events.died(this, reason);
  }

  #end(): void {
    this.#markGone();
    this.#worker.terminate();
  }
}
