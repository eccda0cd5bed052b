import { PoolTerminatedError, TaskCancelledError } from './errors.js';
import { detectCapabilities, type PoolCapabilities } from './capabilities.js';
import { moveInputs } from '../shared/transfer.js';
import { MapRun, type MapHost, type MapProgress, type MapSettled } from './map-run.js';
import { checkFiles, checkPath, fileBytes, PoolFiles, type FileSource } from './files.js';
import { resolveOptions, type PoolOptions, type ResolvedOptions } from './options.js';
import type { PoolState } from './ledger.js';
import { SnapshotStore } from './snapshot-store.js';
import type { Task, TaskOptions } from './task.js';
import { PyodideRuntime } from './pyodide-runtime.js';
import { PoolCore } from './pool-core.js';
import { checkTaskOptions } from './task-checks.js';

/** Options of `pool.map()`: a task's options, and how to split and settle. */
export interface MapOptions extends TaskOptions {
  /** Globals every item sees besides `item` (sent with each chunk). */
  inputs?: Record<string, unknown>;
  /** Items per chunk. Default: sized from measured item times (thousands for tiny items, one for slow ones). */
  chunkSize?: number;
  /**
   * `'first'` (default): the first failing item rejects the map with `MapError`.
   * `'all'`: every item runs; the map resolves to `{ value } | { error }` per item.
   */
  settle?: 'first' | 'all';
  /** Called as chunks finish, with how many items are done of how many. */
  onProgress?: (progress: MapProgress) => void;
  /** Milliseconds each item may run (default: the pool's `timeout`). */
  timeout?: number;
}

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
  #options: ResolvedOptions;
  readonly #given: PoolOptions;
  /** The scheduler, the workers, the state, admission and ending: what every pool is. */
  readonly #core: PoolCore;
  /** How its workers boot Pyodide (snapshots, base snapshot, compiled interpreter). */
  readonly #runtime: PyodideRuntime;
  readonly #snapshots: SnapshotStore;
  readonly #files: PoolFiles;

  constructor(options: PoolOptions = {}) {
    this.#given = { ...options };
    this.#options = resolveOptions(options);
    const snapshotWorks = (): boolean | undefined => (this.#runtime.restoredOne ? true : this.#snapshots.disabled ? false : undefined);
    this.capabilities = Object.freeze(
      Object.defineProperty(detectCapabilities(this.#options.sandbox !== undefined), 'snapshot', { get: snapshotWorks, enumerable: true }) as PoolCapabilities,
    );
    const { indexURL, packages, packageBaseUrl, lockFileURL, setup } = this.#options;
    this.#files = new PoolFiles(this.#options.files);
    const filesDigest = () => this.#files.digest;
    const beforeTasks = this.#options.sandbox !== undefined || this.#options.recycle.afterTasks === 1;
    this.#snapshots = new SnapshotStore(
      this.#options.snapshot,
      { indexURL, packages, packageBaseUrl, lockFileURL, setup, filesDigest, beforeTasks },
      this.#options.persistSnapshot,
      this.#options.baseSnapshot !== false,
    );
    this.#runtime = new PyodideRuntime(() => this.#options, this.#snapshots, this.#files);
    this.#core = new PoolCore({ options: () => this.#options, runtime: this.#runtime, workerURL: options.workerURL, interruptible: this.capabilities.interrupt });
    this.state = this.#core.state;
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
    this.#core.reconsider();
  }

  /** Resolves when `min` workers (at least one) are warm; rejects if they cannot start. */
  ready(): Promise<void> {
    return this.#core.ready();
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
    const { signal: abort, transfer: toMove, ...checked } = checkTaskOptions('PyodidePool.submit', options, this.#options.timeout);
    this.#core.checkRoom(this.#options.maxQueue);
    // Moved last, once nothing can refuse the task: a refused task leaves the buffers alone.
    let { inputs } = checked;
    let transfer: ArrayBuffer[] = [];
    if (toMove) ({ inputs, transfer } = moveInputs(inputs, toMove));
    return this.#core.enqueue(code, { ...checked, inputs, transfer }, abort).task as Task<T>;
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
   * Run `code` once per item, with the item as the Python global `item` (each item in a
   * fresh namespace over `setup`, as tasks are); results come back in input order. Items
   * travel in chunks and run in a loop inside the workers, so tiny items cost microseconds
   * each; chunks are sized from measured item times (or `chunkSize`) and idle workers
   * take chunks busy ones have not begun. The first failing item (lowest index) rejects
   * with `MapError` (`index`, `cause`); with `settle: 'all'` the map resolves to
   * `{ value } | { error }` per item instead. `signal` stops it between items and rejects
   * with `TaskCancelledError`; `timeout` applies to each item.
   *
   * @example
   * await pool.map('item * 2', [1, 2, 3]); // [2, 4, 6]
   * await pool.map('1 / item', [1, 0], { settle: 'all' }); // [{ value: 1 }, { error: PythonError }]
   * await pool.map('item ** 2', range, { onProgress: ({ done, total }) => bar.value = done / total });
   */
  map<T = unknown>(code: string, items: Iterable<unknown>, options?: MapOptions & { settle?: 'first' }): Promise<T[]>;
  map<T = unknown>(code: string, items: Iterable<unknown>, options: MapOptions & { settle: 'all' }): Promise<MapSettled<T>[]>;
  map<T = unknown>(code: string, items: Iterable<unknown>, options?: MapOptions): Promise<T[] | MapSettled<T>[]>;
  map(code: string, items: Iterable<unknown>, options: MapOptions = {}): Promise<unknown[]> {
    try {
      return this.#map(code, items, options);
    } catch (err) {
      return Promise.reject(err);
    }
  }

  #map(code: string, items: Iterable<unknown>, options: MapOptions): Promise<unknown[]> {
    const where = 'PyodidePool.map';
    if (typeof code !== 'string') throw new TypeError(`${where}: code must be a string of Python source`);
    if (items === null || items === undefined || typeof (items as Iterable<unknown>)[Symbol.iterator] !== 'function') {
      throw new TypeError(`${where}: items must be iterable (an array, a Set, a generator…)`);
    }
    const { signal: abort, transfer, ...checked } = checkTaskOptions(where, options, this.#options.timeout, 'Python globals of every item');
    const { chunkSize, settle = 'first', onProgress } = options;
    if (chunkSize !== undefined && (!Number.isInteger(chunkSize) || chunkSize < 1)) throw new RangeError(`${where}: chunkSize must be a whole number of items, at least 1`);
    if (settle !== 'first' && settle !== 'all') throw new TypeError(`${where}: settle must be 'first' or 'all'`);
    if (onProgress !== undefined && typeof onProgress !== 'function') throw new TypeError(`${where}: onProgress must be a function`);
    const { timeout: itemTimeout, ...taskOptions } = checked;
    const movable = transfer === undefined ? undefined : new Set(transfer);
    const list = Array.from(items);
    if (this.#core.terminated) throw new PoolTerminatedError();
    if (abort?.aborted) throw new TaskCancelledError(abort.reason);
    const bootError = this.#core.fleet.bootError;
    if (bootError) throw bootError;
    if (list.length === 0) return Promise.resolve([]);
    this.#core.checkRoom(this.#options.maxQueue);
    const host: MapHost = {
      // A map holds a few chunks in the queue at a time, whatever its length: they are
      // not refused by maxQueue once the map has begun.
      submit: (chunk, transfer, timeout) => this.#core.enqueue(code, { ...taskOptions, timeout, transfer, chunk }),
      workers: () => this.#options.max,
    };
    return new MapRun(host, list, { chunkSize, keepGoing: settle === 'all', itemTimeout, onProgress, movable, signal: abort }).promise;
  }

  /**
   * Add or replace a file on every worker, current and future (snapshot-restored and
   * replacement ones too). Resolves once every live worker has it; a worker busy with a
   * task writes it after that task. Rejects with `TypeError` for a bad path or data, and
   * with an `Error` naming the file when it cannot be loaded or written.
   *
   * @example
   * await pool.writeFile('/data/lookup.csv', 'code,name\n1,one\n');
   * await pool.run('open("/data/lookup.csv").read()');
   */
  async writeFile(path: string, data: FileSource): Promise<void> {
    checkFiles({ [checkPath('PyodidePool.writeFile', path)]: data });
    if (this.#core.terminated) throw new PoolTerminatedError();
    const bytes = await fileBytes(path, data);
    this.#files.write(path, bytes);
    const problems = await Promise.all(this.#core.fleet.workers.map((worker) => worker.writeFile(path, bytes)));
    const problem = problems.find((p) => p !== undefined);
    if (problem) throw new Error(problem);
  }

  /**
   * End every worker. Unsettled tasks reject with `PoolTerminatedError` at once; the
   * promise resolves once every worker has ended (one that made the snapshot and has not
   * handed it over yet does so first, so that it is kept for the next visit). Idempotent.
   */
  async terminate(): Promise<void> {
    // A snapshot the pool made and has not stored yet is still taken from its worker.
    const ended = this.#core.terminate(this.#options.persistSnapshot);
    if (!ended) return;
    this.#snapshots.clear();
    await ended;
  }
}
