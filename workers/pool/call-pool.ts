/**
 * What the module pools share (`ModulePool`, `WasmPool`): their options, a core with a
 * module runtime, and calls by export name, checked here once: the export's name, the
 * arguments (cloneable, captured at the call as `postMessage` would), and the options
 * every task takes (`transfer`, `signal`, `timeout`, `priority`, `onOutput`).
 *
 * @internal
 */
import { absoluteURL, resolveOptions, type ResolvedOptions } from './options.js';
import { PoolCore, type PoolCoreSetup, type ScheduledTask } from './pool-core.js';
import type { PoolState } from './ledger.js';
import { ModuleRuntime, type ModuleSource } from './module-runtime.js';
import type { SchedulableWorker } from './scheduler-ports.js';
import type { Task } from './task.js';
import { checkTaskOptions } from './task-checks.js';
import { moveInputs } from '../shared/transfer.js';
import type { OutputEvent } from '../shared/protocol.js';

/** Task options that only Python tasks take: refused, rather than dropped, by a call. */
const PYTHON_ONLY = ['inputs', 'stdin', 'onInput'] as const;

/** Sizing and defaults every module pool takes. */
export interface CallPoolOptions {
  /** Workers kept warm (default 1). */
  min?: number;
  /** Workers at most (default: cores − 1, at least 1). */
  max?: number;
  /** Ms an idle worker above `min` waits before it retires (default 30 000). */
  idleTimeout?: number;
  /** Ms each call may run, counted from when it starts (default: none). A call past it ends its worker, which is replaced. */
  timeout?: number;
  /** Calls that may wait at most; more throw `QueueFullError` (default: no limit). */
  maxQueue?: number;
  /** Ms a worker may take to boot before it is ended and retried (default 60 000). */
  bootTimeout?: number;
  /** The module pools' worker script, for bundlers that move it. Default: `module-worker.js` beside this module. */
  workerURL?: URL | string;
}

/** Per-call options. */
export interface CallOptions {
  /** ArrayBuffers among the arguments to move to the worker instead of copying (detached here at once). */
  transfer?: ArrayBuffer[];
  /** Aborting it cancels the call: a waiting one is dropped, a running one ends its worker (JavaScript cannot be interrupted). */
  signal?: AbortSignal;
  /** Ms the call may run, counted from when it starts; the pool's `timeout` unless given. */
  timeout?: number;
  /** Higher runs first; equal priorities run in call order. Default 0. */
  priority?: number;
  /** Receives what the module writes to the console during this call (`log`/`info`/`debug`: stdout, `warn`/`error`/`trace`: stderr). */
  onOutput?: (event: OutputEvent) => void;
}

/** `submit`'s options: a call's, and its arguments. */
export interface SubmitCallOptions extends CallOptions {
  args?: unknown[];
}

/** The pool options that concern a module pool, checked with its name in the errors. */
export function resolveCallOptions(where: string, options: CallPoolOptions): ResolvedOptions {
  const { min, max, idleTimeout, timeout, maxQueue, bootTimeout } = options;
  return resolveOptions({ min, max, idleTimeout, timeout, maxQueue, bootTimeout, snapshot: false }, where);
}

/** An absolute URL for a module option, or a `TypeError` naming it. */
export function moduleURL(where: string, option: string, value: unknown): string {
  if (typeof value !== 'string' && !(value instanceof URL)) throw new TypeError(`${where}: '${option}' must be a URL (a string or a URL object)`);
  return absoluteURL(String(value));
}

/** Arguments as a worker will receive them: checked cloneable now, so that a bad one throws here and nothing is sent. */
function takeArgs(where: string, args: unknown[], transfer: ArrayBuffer[] | undefined): { args: unknown[]; transfer: ArrayBuffer[] } {
  // Numbers, strings and the like need no check (the common case, kept cheap).
  if (!transfer && args.every((arg) => arg === null || (typeof arg !== 'object' && typeof arg !== 'function' && typeof arg !== 'symbol'))) return { args, transfer: [] };
  try {
    if (!transfer) return { args: structuredClone(args), transfer: [] };
    const moved = moveInputs({ args }, transfer);
    return { args: moved.inputs!.args as unknown[], transfer: moved.transfer };
  } catch (err) {
    throw new TypeError(`${where}: the arguments cannot be sent to a worker (${(err as Error).message})`, { cause: err });
  }
}

/** The core of a module pool: its options, its workers and its calls. */
export abstract class CallPool {
  /** Live counts and workers, as signals (the same shape as `PyodidePool.state`). */
  readonly state: PoolState;
  /** @internal */
  protected readonly core: PoolCore;
  /** @internal */
  protected readonly runtime: ModuleRuntime;
  #options: ResolvedOptions;
  readonly #given: CallPoolOptions;
  readonly #where: string;

  /** @internal */
  protected constructor(where: string, options: CallPoolOptions, source: ModuleSource, hooks: Pick<PoolCoreSetup, 'lost' | 'claims' | 'closed'> = {}) {
    this.#where = where;
    this.#given = { ...options };
    this.#options = resolveCallOptions(where, options);
    this.runtime = new ModuleRuntime(source, () => this.#options.bootTimeout);
    this.core = new PoolCore({ options: () => this.#options, runtime: this.runtime, workerURL: options.workerURL, interruptible: false, ...hooks });
    this.state = this.core.state;
  }

  /** The options in force, defaults applied. */
  get options(): Readonly<Pick<ResolvedOptions, 'min' | 'max' | 'idleTimeout' | 'timeout' | 'maxQueue' | 'bootTimeout'>> {
    const { min, max, idleTimeout, timeout, maxQueue, bootTimeout } = this.#options;
    return { min, max, idleTimeout, timeout, maxQueue, bootTimeout };
  }

  /**
   * Change sizing and defaults of a live pool: workers start or retire to fit.
   *
   * @example
   * pool.configure({ max: 8, timeout: 5_000 });
   */
  configure(changes: Pick<CallPoolOptions, 'min' | 'max' | 'idleTimeout' | 'timeout' | 'maxQueue'>): void {
    const next = resolveCallOptions(`${this.#where}.configure`, { ...this.#given, ...changes });
    Object.assign(this.#given, changes);
    this.#options = next;
    this.core.reconsider();
  }

  /** Resolves when `min` workers (at least one) are warm; rejects with `WorkerBootError` if they cannot start. */
  ready(): Promise<void> {
    return this.core.ready();
  }

  /**
   * Queue a call of export `name` and get its {@link Task} handle at once (what the hooks
   * and `<py-task>`-style views drive). Throws as `call` rejects.
   *
   * @example
   * const task = pool.submit('resize', { args: [image, 256], transfer: [image.buffer] });
   * await task.result;
   */
  submit<T = unknown>(name: string, options: SubmitCallOptions = {}): Task<T> {
    const where = `${this.#where}.submit`;
    if (options === null || typeof options !== 'object') throw new TypeError(`${where}: options must be an object`);
    const { args = [], ...rest } = options;
    return this.task(where, name, args, rest).task as Task<T>;
  }

  /** Check and queue a call; on a leased worker (`worker`), hand it straight to it. @internal */
  protected task(where: string, name: string, args: unknown[], options: CallOptions, worker?: SchedulableWorker): ScheduledTask {
    if (typeof name !== 'string' || name === '') throw new TypeError(`${where}: the export's name must be a non-empty string`);
    if (!Array.isArray(args)) throw new TypeError(`${where}: args must be an array`);
    for (const key of PYTHON_ONLY) {
      if ((options as Record<string, unknown>)[key] !== undefined) throw new TypeError(`${where}: '${key}' is for Python tasks; an export gets its arguments as args`);
    }
    const { signal, transfer: toMove, priority, timeout, onOutput } = checkTaskOptions(where, options, this.#options.timeout);
    this.core.checkRoom(worker ? Infinity : this.#options.maxQueue);
    const { args: sent, transfer } = takeArgs(where, args, toMove);
    const init = { priority, timeout, onOutput, transfer, args: sent };
    return worker ? this.core.handTo(worker, name, init, signal) : this.core.enqueue(name, init, signal);
  }

  /**
   * End every worker. Unsettled calls reject with `PoolTerminatedError` at once; resolves
   * once every worker has ended. Idempotent.
   */
  async terminate(): Promise<void> {
    await this.core.terminate(false);
  }
}
