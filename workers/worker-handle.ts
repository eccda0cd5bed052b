import * as Comlink from 'comlink';
import type { BootConfig, BootFailure, BootResult, RunMessage, WorkerControl, WorkerMessage } from './protocol.js';
import type { TaskRecord } from './task.js';

/** A worker as `pool.state.workers` shows it. */
export interface WorkerInfo {
  id: number;
  status: 'starting' | 'idle' | 'busy';
  /** Tasks this worker has finished (with a result or an error). */
  tasksRun: number;
  /** Size of its wasm heap in bytes (it only grows; recycling the worker returns it). */
  heapBytes: number;
  /** How it started, once warm: a normal boot or a restore from a memory snapshot. */
  bootMode: 'normal' | 'snapshot' | undefined;
  /** Milliseconds its boot took inside the worker, once warm. */
  bootMs: number | undefined;
}

/** Boot failed; `failure.kind` says whether trying again can help. */
export class BootFailed extends Error {
  constructor(readonly failure: BootFailure) {
    super(failure.message);
  }
}

export interface WorkerEvents {
  message(handle: WorkerHandle, message: WorkerMessage): void;
  /** The worker died without being asked to (crash, `js.close()`, fatal error). */
  died(handle: WorkerHandle, reason: string): void;
}

/** A boot that has not answered by then will not: treat it as failed rather than hang. */
const BOOT_TIMEOUT_MS = 120_000;

let lockSeq = 0;
const lockPrefix = `pyodide-pool:${Math.random().toString(36).slice(2)}:`;

/**
 * Owns one worker's life: creates it, boots it, watches for its death through a Web
 * Lock the worker holds, sends it tasks, interrupts it, and ends it.
 *
 * @internal
 */
export class WorkerHandle {
  status: 'starting' | 'idle' | 'busy' | 'dead' = 'starting';
  task: TaskRecord | undefined;
  tasksRun = 0;
  heapBytes = 0;
  bootMode: WorkerInfo['bootMode'];
  bootMs: number | undefined;
  idleTimer: ReturnType<typeof setTimeout> | undefined;
  /** Past its recycle limit: retires once `replacement` is warm. */
  replacement: WorkerHandle | undefined;
  graceTimer: ReturnType<typeof setTimeout> | undefined;
  readonly #worker: Worker;
  readonly #port: MessagePort;
  readonly #remotePort: MessagePort;
  readonly #interrupt: Uint8Array | undefined;
  readonly #lockName = lockPrefix + lockSeq++;
  readonly #events: WorkerEvents;
  #onDeath: ((reason: string) => void) | undefined;

  constructor(readonly id: number, workerURL: URL | string | undefined, events: WorkerEvents, interruptible: boolean) {
    this.#events = events;
    // Written inline, with static options, so that bundlers (Vite, webpack) recognise the
    // worker and bundle it together with its imports.
    this.#worker = workerURL
      ? new Worker(workerURL, { type: 'module', name: 'pyodide-pool' })
      : new Worker(new URL('./pool-worker.js', import.meta.url), { type: 'module', name: 'pyodide-pool' });
    this.#worker.addEventListener('error', (event) => {
      event.preventDefault();
      this.#die(`worker error: ${event.message || 'the worker script failed'}`);
    });
    const channel = new MessageChannel();
    this.#port = channel.port1;
    this.#remotePort = channel.port2;
    this.#port.onmessage = (event: MessageEvent<WorkerMessage>) => {
      const message = event.data;
      if (message.t === 'locked') this.#watchLock();
      else if (message.t === 'closing') this.#die('the worker closed itself');
      else this.#events.message(this, message);
    };
    this.#interrupt = interruptible ? new Uint8Array(new SharedArrayBuffer(1)) : undefined;
  }

  /** Boot the interpreter. Rejects with {@link BootFailed} on failure or death. */
  async boot(config: Omit<BootConfig, 'lockName' | 'interruptBuffer'>): Promise<BootResult> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const died = new Promise<never>((_, reject) => {
      this.#onDeath = (reason) => reject(new BootFailed({ kind: 'runtime', message: `the worker died while starting (${reason})` }));
      timer = setTimeout(() => this.#die(`no answer within ${BOOT_TIMEOUT_MS / 1000} s`), BOOT_TIMEOUT_MS);
    });
    const control = Comlink.wrap<WorkerControl>(this.#worker);
    const full: BootConfig = { ...config, lockName: this.#lockName, interruptBuffer: this.#interrupt };
    const transfers = config.snapshot ? [config.snapshot.buffer as ArrayBuffer] : [];
    const outcome = await Promise.race([
      control.boot(Comlink.transfer(full, transfers), Comlink.transfer(this.#remotePort, [this.#remotePort])),
      died,
    ]).finally(() => clearTimeout(timer));
    if ('failure' in outcome) throw new BootFailed(outcome.failure);
    this.#onDeath = undefined;
    this.bootMode = outcome.mode;
    this.bootMs = outcome.bootMs;
    this.heapBytes = outcome.heapBytes;
    return outcome;
  }

  /** True once the worker has ended, on purpose or not. */
  get dead(): boolean {
    return this.status === 'dead';
  }

  /** Send a task. Throws (DataCloneError) if its inputs cannot be cloned. */
  run(record: TaskRecord): void {
    const message: RunMessage = { t: 'run', id: record.id, code: record.code, inputs: record.inputs };
    // Clear a stale interrupt (meant for a task that finished first) here, while the
    // worker is idle. Clearing it in the worker when the task starts would also wipe an
    // interrupt meant for this task that arrived before the worker picked it up.
    if (this.#interrupt) Atomics.store(this.#interrupt, 0, 0);
    this.#port.postMessage(message);
    this.status = 'busy';
    this.task = record;
    record.worker = this;
  }

  /** Raise KeyboardInterrupt in the running Python code. False when not possible here. */
  interrupt(): boolean {
    if (!this.#interrupt || this.status === 'dead') return false;
    Atomics.store(this.#interrupt, 0, 2);
    return true;
  }

  /** End the worker on purpose. Idempotent; no `died` event follows. */
  terminate(): void {
    if (this.status === 'dead') return;
    this.status = 'dead';
    this.#end();
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
      bootMs: this.bootMs,
    };
  }

  /**
   * The worker holds its lock until it ends, however it ends: our request is granted
   * exactly then. A `js.close()` sends no event to the Worker object; this still fires.
   */
  #watchLock(): void {
    if (!navigator.locks) return;
    void navigator.locks.request(this.#lockName, () => this.#die('the worker closed'));
  }

  #die(reason: string): void {
    if (this.status === 'dead') return;
    this.status = 'dead';
    this.#end();
    if (this.#onDeath) this.#onDeath(reason);
    else this.#events.died(this, reason);
  }

  #end(): void {
    clearTimeout(this.idleTimer);
    clearTimeout(this.graceTimer);
    this.#worker.terminate();
    this.#port.close();
  }
}
