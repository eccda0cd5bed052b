/**
 * Every error the pool hands to callers. All extend {@link PoolError}, and each sets
 * `name` to its class name so errors stay recognisable after `structuredClone`, in logs,
 * and across realms where `instanceof` fails. The names are written out, not taken from
 * the constructor: minifiers rename classes.
 *
 * @example
 * try {
 *   await pool.run('1 / 0');
 * } catch (err) {
 *   if (err instanceof PythonError) console.log(err.pythonType, err.line); // 'ZeroDivisionError', 1
 * }
 */
export class PoolError extends Error {
  override name = 'PoolError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** Details of a Python exception, as the worker reports it. */
export interface PythonErrorInit {
  pythonType: string;
  message: string;
  traceback: string;
  line?: number;
}

/** The task's Python code raised an exception. */
export class PythonError extends PoolError {
  override name = 'PythonError';

  /** The exception's class name, e.g. `'ZeroDivisionError'`. */
  readonly pythonType: string;
  /** The formatted traceback, limited to frames of the task's and setup's code. */
  readonly traceback: string;
  /** The line of the task's code the error points at (1-based), when known. */
  readonly line: number | undefined;

  constructor(init: PythonErrorInit) {
    super(init.message ? `${init.pythonType}: ${init.message}` : init.pythonType);
    this.pythonType = init.pythonType;
    this.traceback = init.traceback;
    this.line = init.line;
  }
}

/** The task ran longer than its `timeout` (counted from when it started running). */
export class TaskTimeoutError extends PoolError {
  override name = 'TaskTimeoutError';

  readonly timeout: number;
  constructor(timeout: number) {
    super(`Task timed out after ${timeout} ms`);
    this.timeout = timeout;
  }
}

/** The task was cancelled with `task.cancel()` or its AbortSignal. */
export class TaskCancelledError extends PoolError {
  override name = 'TaskCancelledError';

  /** The value given to `cancel(reason)` or the AbortSignal's `reason`. */
  readonly reason: unknown;
  constructor(reason?: unknown) {
    super(reason === undefined ? 'Task cancelled' : `Task cancelled: ${describe(reason)}`);
    this.reason = reason;
  }
}

/** The worker running the task died (crash, fatal Pyodide error, `js.close()`). */
export class WorkerCrashedError extends PoolError {
  override name = 'WorkerCrashedError';
}

/** The pool already holds `maxQueue` waiting tasks. */
export class QueueFullError extends PoolError {
  override name = 'QueueFullError';
}

/** The pool was terminated before the task settled. */
export class PoolTerminatedError extends PoolError {
  override name = 'PoolTerminatedError';

  constructor(message = 'The pool was terminated') {
    super(message);
  }
}

/** Inputs or a result could not cross the worker boundary as plain data. */
export class ConversionError extends PoolError {
  override name = 'ConversionError';

  /** The Python type that could not be converted, when known. */
  readonly pythonType: string | undefined;
  constructor(message: string, pythonType?: string) {
    super(message);
    this.pythonType = pythonType;
  }
}

/**
 * Workers could not be started: Pyodide failed to load from `indexURL`, a package
 * could not be installed, or `setup` raised. `ready()` and every waiting task reject
 * with it, and the pool refuses new work until it is terminated.
 * Not part of the original contract: a boot failure needed a name of its own.
 */
export class WorkerBootError extends PoolError {
  override name = 'WorkerBootError';

  /** The package that failed to load, when that was the cause. */
  readonly packageName: string | undefined;
  constructor(message: string, options?: { cause?: unknown; packageName?: string }) {
    super(message, { cause: options?.cause });
    this.packageName = options?.packageName;
  }
}

/**
 * An item of a `map` failed: `index` is its place in the input, `cause` its own error (a
 * `PythonError`, `ConversionError`, `TaskTimeoutError` or `WorkerCrashedError`). The
 * message names both.
 *
 * @example
 * try {
 *   await pool.map('1 / item', [1, 0, 2]);
 * } catch (err) {
 *   if (err instanceof MapError) console.log(err.index, err.cause); // 1, PythonError: ZeroDivisionError…
 * }
 */
export class MapError extends PoolError {
  override name = 'MapError';

  /** The failing item's index in the input. */
  readonly index: number;
  declare readonly cause: PoolError;
  constructor(index: number, cause: PoolError) {
    super(`map item ${index} failed: ${cause.message}`, { cause });
    this.index = index;
  }
}

function describe(reason: unknown): string {
  if (reason instanceof Error) return reason.message;
  return typeof reason === 'string' ? reason : String(reason);
}
