/**
 * `ModulePool`: a pool of workers that each import one ES module and call its exports by
 * name, on the same scheduler as `PyodidePool`.
 */
import { CallPool, moduleURL, type CallOptions, type CallPoolOptions } from './call-pool.js';

/** Options of a {@link ModulePool}. */
export interface ModulePoolOptions extends CallPoolOptions {
  /** The ES module every worker imports (it may instantiate WebAssembly: a Rust, Go or C build). */
  module: URL | string;
}

/**
 * A pool of warm workers, each with one ES module imported, whose exports are called by
 * name: priorities, backpressure, timeouts, crash and silent-death detection, `state`
 * signals, `<pool-monitor>` and the hooks, as with `PyodidePool`. What an export throws
 * rejects the call with its name, message and stack; a WebAssembly trap (`unreachable`, a
 * Rust `panic=abort`) rejects it with `WorkerCrashedError` naming the trap, and the worker
 * is replaced. A call past its `timeout` (or cancelled while it runs) ends its worker:
 * JavaScript cannot be interrupted.
 *
 * @example
 * // codec.js: export async function encode(pixels, quality) { … }
 * const pool = new ModulePool({ module: new URL('./codec.js', import.meta.url), max: 4 });
 * const bytes = await pool.call('encode', [pixels, 80], { transfer: [pixels.buffer], timeout: 5_000 });
 * await pool.terminate();
 */
export class ModulePool extends CallPool {
  constructor(options: ModulePoolOptions) {
    if (options === null || typeof options !== 'object') throw new TypeError('ModulePool: options must be an object with a `module` URL');
    super('ModulePool', options, { kind: 'module', url: moduleURL('ModulePool', 'module', options.module) });
  }

  /**
   * Call export `name` with `args` (sync or async; its result, awaited). Rejects with what
   * it threw, `TypeError` for a missing export, `WorkerCrashedError` for a trap or a dead
   * worker, `TaskTimeoutError`, `TaskCancelledError`, `QueueFullError` or
   * `PoolTerminatedError`.
   *
   * @example
   * await pool.call('add', [2, 3]); // 5
   * await pool.call('slow', [], { timeout: 100, priority: 1, onOutput: (e) => console.log(e.text) });
   */
  call<T = unknown>(name: string, args: unknown[] = [], options: CallOptions = {}): Promise<T> {
    try {
      return this.task('ModulePool.call', name, args, options).task.result.then() as Promise<T>;
    } catch (err) {
      return Promise.reject(err);
    }
  }
}
