/**
 * Leases of a {@link WasmPool}'s instances: `acquire()` binds a caller to one warm worker
 * (its instance, memory and globals) until `release()`, and waits while every instance
 * is leased, as wazero-pool's Get/Put with a limit, as promises that honour `signal` and
 * `timeout`. A leased worker takes no queued call; its caller's calls go to it directly,
 * one after another. A lease whose worker ended (a trap, a death, a call past its timeout)
 * ends with a `WorkerCrashedError` saying why.
 *
 * @internal
 */
import { PoolTerminatedError, TaskCancelledError, TaskTimeoutError, WorkerCrashedError } from './errors.js';
import type { PoolCore, ScheduledTask } from './pool-core.js';
import { checkSignal } from './task-checks.js';
import type { Fleet, SchedulableWorker, WorkerClaims } from './scheduler-ports.js';

/** Options of `WasmPool.acquire()`. */
export interface AcquireOptions {
  /** Aborting it gives up waiting (rejects with `TaskCancelledError`). */
  signal?: AbortSignal;
  /** Ms to wait for an instance at most (rejects with `TaskTimeoutError`). */
  timeout?: number;
}

/** A waiting `acquire()`. */
interface Waiter {
  grant(worker: SchedulableWorker): void;
  reject(error: unknown): void;
}

/** How a lease sends its calls (the pool checks and records them). */
export type LeaseCall = (worker: SchedulableWorker, name: string, args: unknown[], options: object) => ScheduledTask;

/**
 * One caller's hold on one instance. Calls on it run one after another on that instance,
 * which keeps its memory and globals between them; `release()` gives it back.
 *
 * @example
 * const lease = await pool.acquire();
 * try {
 *   await lease.call('push', 7);
 *   await lease.call('sum'); // the same instance: 7
 * } finally {
 *   lease.release();
 * }
 */
export class WasmLease {
  #worker: SchedulableWorker | undefined;
  /** Set by `release()`: calls made from then on reject with it. */
  #released: Error | undefined;
  /** Set when the instance ended: calls not yet sent reject with it. */
  #lost: Error | undefined;
  /** The last call made on this lease: the next waits for it. */
  #last: Promise<unknown> = Promise.resolve();
  readonly #send: LeaseCall;
  readonly #leases: Leases;

  /** @internal */
  constructor(leases: Leases, worker: SchedulableWorker, send: LeaseCall) {
    this.#leases = leases;
    this.#worker = worker;
    this.#send = send;
  }

  /** The leased worker's id (as in `pool.state.workers`), while its instance lives. */
  get workerId(): number | undefined {
    return this.#lost ? undefined : this.#worker?.id;
  }

  /** Why the lease takes no more calls: its instance ended, or it was released. */
  get ended(): Error | undefined {
    return this.#lost ?? this.#released;
  }

  /**
   * Call export `name` on the leased instance with `args` (numbers, or BigInts for i64); a
   * trailing options object (`signal`, `timeout`, `onOutput`) applies to this call.
   *
   * @example
   * await lease.call('add', 2, 3); // 5
   */
  call<T = unknown>(name: string, ...args: unknown[]): Promise<T> {
    const refused = this.#lost ?? this.#released;
    if (refused) return Promise.reject(refused);
    const worker = this.#worker!;
    const run = async (): Promise<T> => {
      if (this.#lost) throw this.#lost;
      const [callArgs, options] = splitOptions('WasmLease.call', args);
      return (await this.#send(worker, name, callArgs, options).task.result) as T;
    };
    // One call at a time on the instance, in call order.
    const next = this.#last.then(run, run);
    this.#last = next.catch(() => {});
    return next;
  }

  /** Give the instance back (idempotent). Calls already made still run; later ones reject. */
  release(): void {
    if (this.#released) return;
    this.#released = new Error('This lease was released');
    const worker = this.#worker;
    if (worker && !this.#lost) void this.#last.then(() => this.#leases.release(worker, this));
  }

  /** @internal The instance ended: the lease ends with why. */
  lost(error: Error): void {
    this.#lost ??= error;
  }
}

/** What a trailing options object of a wasm call may hold. */
const CALL_OPTION_KEYS = new Set(['signal', 'timeout', 'priority', 'onOutput', 'transfer']);

/**
 * Split a trailing options object off a wasm call's arguments, and check that the rest are
 * numbers (BigInts for i64): a WebAssembly export would turn anything else into 0 or NaN
 * without a word.
 */
export function splitOptions(where: string, args: unknown[]): [unknown[], object] {
  const last = args[args.length - 1];
  const hasOptions = typeof last === 'object' && last !== null && Object.getPrototypeOf(last) === Object.prototype && Object.keys(last).every((key) => CALL_OPTION_KEYS.has(key));
  const numbers = hasOptions ? args.slice(0, -1) : args;
  numbers.forEach((arg, i) => {
    if (typeof arg !== 'number' && typeof arg !== 'bigint') {
      const what = arg === null ? 'null' : Array.isArray(arg) ? 'an array' : typeof arg;
      throw new TypeError(
        `${where}: argument ${i + 1} is ${what}; WebAssembly exports take numbers (BigInts for i64), and a trailing options object ({ signal, timeout, priority, onOutput })`,
      );
    }
  });
  return [numbers, hasOptions ? (last as object) : {}];
}

export class Leases implements WorkerClaims {
  readonly #held = new Map<SchedulableWorker, WasmLease>();
  readonly #waiters: Waiter[] = [];
  #core!: PoolCore;
  #send!: LeaseCall;

  /** Bind to the pool's core once it exists (the core is made with these claims). */
  attach(core: PoolCore, send: LeaseCall): void {
    this.#core = core;
    this.#send = send;
  }

  get waiting(): number {
    return this.#waiters.length;
  }

  held(worker: SchedulableWorker): boolean {
    return this.#held.has(worker);
  }

  offer(worker: SchedulableWorker): boolean {
    const waiter = this.#waiters.shift();
    if (!waiter) return false;
    waiter.grant(worker);
    return true;
  }

  /** Wait for an instance (see `WasmPool.acquire`). */
  acquire(options: AcquireOptions = {}): Promise<WasmLease> {
    let timeout: number | undefined;
    try {
      if (options === null || typeof options !== 'object') throw new TypeError('WasmPool.acquire: options must be an object');
      checkSignal('WasmPool.acquire', options.signal);
      timeout = options.timeout;
      // 0 is "only if one is free now".
      if (timeout !== undefined && (typeof timeout !== 'number' || !(timeout >= 0)))
        throw new RangeError(`WasmPool.acquire: timeout must be a number of milliseconds ≥ 0, got ${String(timeout)}`);
    } catch (err) {
      return Promise.reject(err as Error);
    }
    const { signal } = options;
    if (this.#core.terminated) return Promise.reject(new PoolTerminatedError());
    if (signal?.aborted) return Promise.reject(new TaskCancelledError(signal.reason));
    const bootError = this.#core.fleet.bootError;
    if (bootError) return Promise.reject(bootError);
    return new Promise<WasmLease>((resolve, reject) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        const at = this.#waiters.indexOf(waiter);
        if (at >= 0) this.#waiters.splice(at, 1);
      };
      const waiter: Waiter = {
        grant: (worker) => {
          done();
          // Its idle countdown stops: a leased worker retires only once given back.
          (this.#core.fleet as Fleet).busy(worker);
          const lease = new WasmLease(this, worker, this.#send);
          this.#held.set(worker, lease);
          resolve(lease);
        },
        reject: (error) => {
          done();
          reject(error);
        },
      };
      const onAbort = () => waiter.reject(new TaskCancelledError(signal!.reason));
      signal?.addEventListener('abort', onAbort, { once: true });
      if (timeout !== undefined) timer = setTimeout(() => waiter.reject(new TaskTimeoutError(timeout)), timeout);
      this.#waiters.push(waiter);
      // An idle worker takes it now; otherwise one frees up, or starts (up to `max`).
      const idle = this.#core.scheduler.idleWorker();
      if (idle) this.offer(idle);
      else this.#core.scheduler.ensure();
    });
  }

  /** The pool ended, or cannot boot: every waiting `acquire()` rejects with `error`, every lease ends. */
  endAll(error: Error): void {
    for (const waiter of [...this.#waiters]) waiter.reject(error);
    for (const lease of this.#held.values()) lease.lost(error);
    this.#held.clear();
  }

  /** `lease` gives its worker back: it takes queued calls again (or the next `acquire()`). */
  release(worker: SchedulableWorker, lease: WasmLease): void {
    if (this.#held.get(worker) !== lease) return;
    this.#held.delete(worker);
    if (worker.status === 'idle') this.#core.scheduler.becameIdle(worker);
  }

  /** `worker` ended: its lease ends with why. */
  lost(worker: SchedulableWorker, reason: string): void {
    const lease = this.#held.get(worker);
    if (!lease) return;
    this.#held.delete(worker);
    lease.lost(new WorkerCrashedError(`The leased instance (worker #${worker.id}) ended: ${reason}`));
  }
}
