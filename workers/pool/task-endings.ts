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

/** The error of a failure the worker described (`timeout`: a map item ran past `ms`). */
export function failureError(failure: Omit<TaskFailure, 'kind'> & { kind: TaskFailure['kind'] | 'timeout' }, ms = 0): PoolError {
  if (failure.kind === 'python') return new PythonError(failure);
  if (failure.kind === 'timeout') return new TaskTimeoutError(ms);
  return new ConversionError(failure.message, failure.pythonType || undefined);
}

/** How a task asked to stop settles: cancelled, or failed with its timeout. */
export function stopEnding(stop: StopRequest): { error: PoolError; status: 'cancelled' | 'failed' } {
  return stop.kind === 'cancel' ? { error: new TaskCancelledError(stop.reason), status: 'cancelled' } : { error: new TaskTimeoutError(stop.timeout), status: 'failed' };
}
