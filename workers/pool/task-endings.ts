/**
 * How a task's end becomes the error it rejects with: a failure the worker described, a
 * stop the pool asked for, a worker that died. Shared by the scheduler (whole tasks) and
 * the map driver (the items of a chunk).
 *
 * @internal
 */
import { ConversionError, PythonError, TaskCancelledError, TaskTimeoutError, type PoolError } from './errors.js';
import type { TaskFailure } from '../shared/protocol.js';
import type { StopRequest } from './task.js';

/** JavaScript's own error classes, rebuilt as themselves on the page; any other name is an `Error` of that name. */
const NATIVE_ERRORS: Record<string, ErrorConstructor> = { TypeError, RangeError, SyntaxError, ReferenceError, EvalError, URIError };

/** What a module's export threw, rebuilt with its name, message and stack. */
function scriptError(failure: Pick<TaskFailure, 'pythonType' | 'message' | 'traceback'>): Error {
  const error = new (NATIVE_ERRORS[failure.pythonType] ?? Error)(failure.message);
  if (error.name !== failure.pythonType && failure.pythonType) Object.defineProperty(error, 'name', { value: failure.pythonType, configurable: true, writable: true });
  if (failure.traceback) Object.defineProperty(error, 'stack', { value: failure.traceback, configurable: true, writable: true });
  return error;
}

/**
 * The error of a failure the worker described (`timeout`: a map item ran past `ms`): a
 * `PythonError`, a `ConversionError`, or what a module's export threw (`script`).
 */
export function failureError(failure: Omit<TaskFailure, 'kind'> & { kind: TaskFailure['kind'] | 'timeout' }, ms = 0): Error {
  if (failure.kind === 'python') return new PythonError(failure);
  if (failure.kind === 'script') return scriptError(failure);
  if (failure.kind === 'timeout') return new TaskTimeoutError(ms);
  return new ConversionError(failure.message, failure.pythonType || undefined);
}

/** How a task asked to stop settles: cancelled, or failed with its timeout. */
export function stopEnding(stop: StopRequest): { error: PoolError; status: 'cancelled' | 'failed' } {
  return stop.kind === 'cancel' ? { error: new TaskCancelledError(stop.reason), status: 'cancelled' } : { error: new TaskTimeoutError(stop.timeout), status: 'failed' };
}
