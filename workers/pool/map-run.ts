/**
 * One `pool.map`: its items cut into chunks that run as tasks, each chunk's items run one
 * by one inside the worker (one compiled body, a loop), so a tiny item costs microseconds
 * rather than a message. Chunks are sized from the item times measured so far (about
 * {@link TARGET_MS} of work each, growing at most {@link RAMP}× per step from one item,
 * and never more than a fair share of what is left, so the last chunks are small and
 * uneven items balance); the scheduler lets an idle worker take chunks another holds but
 * has not begun. Results land in input order.
 *
 * @internal
 */
import { MapError, PoolError, PoolTerminatedError, TaskCancelledError, TaskTimeoutError, WorkerBootError } from './errors.js';
import { failureError } from './task-endings.js';
import type { ChunkResult } from '../shared/protocol.js';
import type { ChunkSpec, TaskRecord } from './task.js';
import { buffersIn } from '../shared/transfer.js';

/** Ms of work a chunk aims at: long enough to make its message cheap, short enough that an urgent task waits little. */
const TARGET_MS = 10;
/** How much larger than the largest measured chunk the next may be. */
const RAMP = 4;
const MAX_CHUNK = 65_536;
/** Chunks in flight per worker: one running, one ready to go. */
const PER_WORKER = 2;

/** `onProgress` of a map: items finished so far, of how many. */
export interface MapProgress {
  done: number;
  total: number;
}

/** One item's outcome with `settle: 'all'`. */
export type MapSettled<T = unknown> = { value: T } | { error: PoolError };

/** What a map needs of its pool. */
export interface MapHost {
  /** Queue a chunk as a task; `timeout` is the chunk's own (every item's allowance). */
  submit(chunk: ChunkSpec, transfer: ArrayBuffer[], timeout: number | undefined): TaskRecord;
  /** How many workers may run chunks at once. */
  workers(): number;
}

export interface MapRunOptions {
  chunkSize: number | undefined;
  keepGoing: boolean;
  itemTimeout: number | undefined;
  onProgress: ((progress: MapProgress) => void) | undefined;
  /** Buffers the items hold that go to the workers moved, not copied. */
  movable: Set<ArrayBuffer> | undefined;
  signal: AbortSignal | undefined;
}

interface Chunk {
  start: number;
  count: number;
  record: TaskRecord;
}

/** What sizes the next chunk: what is left, and what the chunks so far measured. */
export interface ChunkPace {
  remaining: number;
  workers: number;
  /** Ms the landed chunks took, and how many items they ran. */
  measuredMs: number;
  measuredItems: number;
  /** The largest chunk landed so far. */
  largest: number;
}

/**
 * Items in the next chunk: one until a chunk has been measured, then about
 * {@link TARGET_MS} of work at the measured pace, at most {@link RAMP}× the largest
 * chunk so far, and never more than a fair share of what is left (so the last chunks are
 * small and no worker ends long after the others).
 *
 * @example
 * nextChunkSize({ remaining: 1e6, workers: 2, measuredMs: 1, measuredItems: 1000, largest: 1000 }); // 4000
 */
export function nextChunkSize({ remaining, workers, measuredMs, measuredItems, largest }: ChunkPace): number {
  if (remaining <= 0) return 0;
  if (measuredItems === 0) return 1;
  const fair = Math.ceil(remaining / (PER_WORKER * Math.max(1, workers)));
  const perItem = Math.max(measuredMs / measuredItems, 0.0001);
  const paced = Math.floor(TARGET_MS / perItem);
  return Math.max(1, Math.min(paced, largest * RAMP, fair, MAX_CHUNK, remaining));
}

export class MapRun {
  readonly promise: Promise<unknown[]>;
  readonly #host: MapHost;
  readonly #items: unknown[];
  readonly #options: MapRunOptions;
  readonly #values: unknown[];
  readonly #errors = new Map<number, PoolError>();
  readonly #running = new Set<Chunk>();
  #next = 0;
  #done = 0;
  #measuredMs = 0;
  #measuredItems = 0;
  #largest = 0;
  /** The lowest failing index so far (without `keepGoing`). */
  #failure: { index: number; error: PoolError } | undefined;
  #ended = false;
  #resolve!: (values: unknown[]) => void;
  #reject!: (error: unknown) => void;
  readonly #onAbort = () => this.#end(new TaskCancelledError(this.#options.signal?.reason));

  constructor(host: MapHost, items: unknown[], options: MapRunOptions) {
    this.#host = host;
    this.#items = items;
    this.#options = options;
    this.#values = new Array(items.length);
    this.promise = new Promise((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
    options.signal?.addEventListener('abort', this.#onAbort, { once: true });
    this.#issue();
  }

  /** Queue chunks until each worker has its share in flight. */
  #issue(): void {
    const total = this.#items.length;
    const inFlight = PER_WORKER * Math.max(1, this.#host.workers());
    while (!this.#ended && !this.#failure && this.#next < total && this.#running.size < inFlight) {
      const start = this.#next;
      const count = this.#size(total - start);
      const items = this.#items.slice(start, start + count);
      const movable = this.#options.movable;
      const transfer = movable ? items.flatMap((item) => [...buffersIn(item)].filter((buffer) => movable.delete(buffer))) : [];
      const { keepGoing, itemTimeout } = this.#options;
      let record: TaskRecord;
      try {
        record = this.#host.submit({ items, keepGoing, itemTimeout }, transfer, itemTimeout === undefined ? undefined : itemTimeout * count);
      } catch (err) {
        return this.#end(err);
      }
      const chunk: Chunk = { start, count, record };
      this.#next += count;
      this.#running.add(chunk);
      record.promise.then(
        (value) => this.#landed(chunk, value as ChunkResult),
        (error) => this.#failed(chunk, error),
      );
    }
  }

  /** How many items the next chunk takes, of `remaining`. */
  #size(remaining: number): number {
    if (this.#options.chunkSize !== undefined) return Math.min(this.#options.chunkSize, remaining);
    return nextChunkSize({ remaining, workers: this.#host.workers(), measuredMs: this.#measuredMs, measuredItems: this.#measuredItems, largest: this.#largest });
  }

  #landed(chunk: Chunk, result: ChunkResult): void {
    // Not running: the map dropped it (ended, or an earlier item failed).
    if (!this.#running.delete(chunk)) return;
    const ran = this.#options.keepGoing || result.errors.length === 0 ? chunk.count : result.values.length + 1;
    this.#measuredMs += result.ms ?? 0;
    this.#measuredItems += ran;
    this.#largest = Math.max(this.#largest, chunk.count);
    const { values } = result;
    for (let i = 0; i < values.length; i++) this.#values[chunk.start + i] = values[i];
    for (const { index, kind, pythonType, message, traceback, line } of result.errors) {
      const error = failureError({ kind, pythonType, message, traceback, line: line ?? undefined }, this.#options.itemTimeout);
      if (this.#options.keepGoing) this.#errors.set(chunk.start + index, error);
      else return this.#fail(chunk.start + index, error);
    }
    this.#progress(chunk.count);
    this.#check();
  }

  #failed(chunk: Chunk, error: unknown): void {
    if (!this.#running.delete(chunk)) return;
    // The map itself ends: terminated, boots failing, or a cancel that came from elsewhere.
    if (!(error instanceof PoolError) || error instanceof PoolTerminatedError || error instanceof WorkerBootError || error instanceof TaskCancelledError) {
      return this.#end(error);
    }
    // The chunk's own timeout is every item's allowance: report the item's.
    const cause = error instanceof TaskTimeoutError ? new TaskTimeoutError(this.#options.itemTimeout ?? error.timeout) : error;
    if (!this.#options.keepGoing) return this.#fail(chunk.start, cause);
    for (let i = 0; i < chunk.count; i++) this.#errors.set(chunk.start + i, cause);
    this.#progress(chunk.count);
    this.#check();
  }

  /** Item `index` failed: chunks after it are cancelled; the map rejects once none before it runs. */
  #fail(index: number, error: PoolError): void {
    if (!this.#failure || index < this.#failure.index) this.#failure = { index, error };
    for (const chunk of this.#running) {
      if (chunk.start > this.#failure.index) {
        this.#running.delete(chunk);
        chunk.record.task.cancel('an earlier item of the map failed');
      }
    }
    this.#check();
  }

  #progress(count: number): void {
    this.#done += count;
    const onProgress = this.#options.onProgress;
    if (!onProgress) return;
    try {
      onProgress({ done: this.#done, total: this.#items.length });
    } catch (err) {
      // A throwing listener must not break the map; report it like an event handler would.
      reportError(err);
    }
  }

  /** Settle when nothing that could change the outcome is left; otherwise queue more. */
  #check(): void {
    const failure = this.#failure;
    if (failure) {
      for (const chunk of this.#running) if (chunk.start < failure.index) return;
      return this.#end(new MapError(failure.index, failure.error));
    }
    if (this.#done < this.#items.length) return this.#issue();
    if (!this.#options.keepGoing) return this.#end(undefined, this.#values);
    // A loop, not values.map: items of a failed chunk are holes that map would skip.
    const settled: MapSettled[] = new Array(this.#values.length);
    for (let i = 0; i < settled.length; i++) {
      const error = this.#errors.get(i);
      settled[i] = error ? { error } : { value: this.#values[i] };
    }
    this.#end(undefined, settled);
  }

  #end(error: unknown, values?: unknown[]): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#options.signal?.removeEventListener('abort', this.#onAbort);
    for (const chunk of this.#running) chunk.record.task.cancel(error);
    this.#running.clear();
    if (values) this.#resolve(values);
    else this.#reject(error);
  }
}
