/**
 * `WasmPool`: the wazero-pool shape for a bare `.wasm` file, on the same scheduler as
 * every pool — one instance per worker, calls by export name, leases with a limit, and
 * optionally one shared memory for a threaded build.
 */
import { CallPool, moduleURL, type CallPoolOptions } from './call-pool.js';
import { Leases, splitOptions, type AcquireOptions, type WasmLease } from './leases.js';
import type { SchedulableWorker } from './scheduler-ports.js';

/** Options of a {@link WasmPool}. */
export interface WasmPoolOptions extends CallPoolOptions {
  /** The `.wasm` file (fetched and compiled once, on the page), or a compiled module; shared with every worker. */
  wasm: URL | string | WebAssembly.Module;
  /**
   * One shared `WebAssembly.Memory` for every worker's instance (cross-origin-isolated
   * pages only), in 64 KiB pages: the module imports it (as a threaded Rust or C build
   * does). A trap or death in any worker fails every call in flight on the group with
   * `WorkerCrashedError` and rebuilds the group on a fresh memory.
   */
  sharedMemory?: { initial: number; maximum: number };
}

/**
 * A pool of WebAssembly instances, one per worker, of one module compiled once. Calls
 * take numbers (BigInts for i64) and a trailing options object; a trap (`unreachable`, a
 * Rust `panic=abort`, an out-of-bounds access) rejects the call with `WorkerCrashedError`
 * naming the trap, and the instance is replaced. `acquire()` leases one instance (its
 * memory kept between calls) until `release()`; with `max` leased, it waits.
 *
 * @example
 * const pool = new WasmPool({ wasm: new URL('./math.wasm', import.meta.url), max: 4 });
 * await pool.call('add', 2, 3); // 5
 * await pool.call('fib', 40, { timeout: 2_000 });
 * const lease = await pool.acquire();
 * await lease.call('push', 7);
 * lease.release();
 */
export class WasmPool extends CallPool {
  readonly #leases: Leases;
  readonly #shared: boolean;
  /** A group rebuild is under way: the workers it ends do not start another. */
  #rebuilding = false;

  constructor(options: WasmPoolOptions) {
    if (options === null || typeof options !== 'object') throw new TypeError('WasmPool: options must be an object with a `wasm` URL or WebAssembly.Module');
    const { wasm, sharedMemory } = options;
    const compiled = wasm instanceof WebAssembly.Module ? wasm : undefined;
    const url = compiled ? 'the WebAssembly.Module given' : moduleURL('WasmPool', 'wasm', wasm);
    if (sharedMemory !== undefined) {
      const { initial, maximum } = (sharedMemory ?? {}) as { initial?: unknown; maximum?: unknown };
      if (!Number.isInteger(initial) || !Number.isInteger(maximum) || (initial as number) < 0 || (maximum as number) < (initial as number)) {
        throw new TypeError('WasmPool: sharedMemory must be { initial, maximum }, whole numbers of 64 KiB pages, maximum ≥ initial');
      }
      if (!globalThis.crossOriginIsolated)
        throw new TypeError('WasmPool: sharedMemory needs a cross-origin-isolated page (COOP/COEP headers), where memory can be shared between workers');
    }
    const leases = new Leases();
    let lost: (worker: SchedulableWorker, reason: string) => void = () => {};
    super(
      'WasmPool',
      options,
      { kind: 'wasm', url, module: compiled, sharedMemory },
      { claims: leases, lost: (worker, reason) => lost(worker, reason), closed: (error) => leases.endAll(error) },
    );
    this.#leases = leases;
    this.#shared = sharedMemory !== undefined;
    lost = (worker, reason) => this.#lost(worker, reason);
    leases.attach(this.core, (worker, name, args, callOptions) => this.task('WasmLease.call', name, args, callOptions, worker));
  }

  /** The memory every instance shares (`sharedMemory`), as it is now; a rebuilt group gets a new one. */
  get memory(): WebAssembly.Memory | undefined {
    return this.runtime.memory;
  }

  /**
   * Call export `name` with numbers (BigInts for i64); a trailing options object
   * (`signal`, `timeout`, `priority`, `onOutput`) applies to this call.
   *
   * @example
   * await pool.call('add', 2, 3); // 5
   * await pool.call('spin', 1e9, { timeout: 100 }); // rejects with TaskTimeoutError; the worker is replaced
   */
  call<T = unknown>(name: string, ...args: unknown[]): Promise<T> {
    try {
      const [numbers, options] = splitOptions('WasmPool.call', args);
      return this.task('WasmPool.call', name, numbers, options).task.result.then() as Promise<T>;
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /**
   * Lease one instance until `release()`: its calls run on it alone, its memory and
   * globals kept between them. With `max` instances leased, waits for one (rejects with
   * `TaskTimeoutError` after `timeout` ms, `TaskCancelledError` when `signal` aborts).
   *
   * @example
   * const lease = await pool.acquire({ timeout: 1_000 });
   * try { await lease.call('step'); } finally { lease.release(); }
   */
  acquire(options?: AcquireOptions): Promise<WasmLease> {
    return this.#leases.acquire(options);
  }

  /** A worker was lost: its lease ends; on a shared memory, the whole group goes and is rebuilt. */
  #lost(worker: SchedulableWorker, reason: string): void {
    this.#leases.lost(worker, reason);
    if (!this.#shared || this.#rebuilding || this.core.terminated) return;
    this.#rebuilding = true;
    try {
      this.runtime.newMemory();
      const why = `its shared-memory group was rebuilt after worker #${worker.id} ended (${reason})`;
      for (const other of [...this.core.fleet.workers]) {
        if (other.status !== 'starting') this.core.scheduler.endWorker(other, why);
      }
    } finally {
      this.#rebuilding = false;
    }
  }
}
