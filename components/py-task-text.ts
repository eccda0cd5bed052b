/**
 * The words a `<py-task>` shows and announces for a run: its status line, its error
 * with the Python traceback, and what screen readers hear when a run ends.
 *
 * @internal
 */
import type { TaskRunStatus } from '../workers/index.js';
import { formatValue } from './text.js';

const STATUS_TEXT: Record<TaskRunStatus, string> = {
  idle: 'Not run yet',
  queued: 'Waiting for a worker…',
  running: 'Running…',
  done: 'Done',
  failed: 'Failed',
  cancelled: 'Cancelled',
};

/** The status line. */
export function statusText(status: TaskRunStatus): string {
  return STATUS_TEXT[status];
}

/** An error as the `error` part shows it: the message, then the Python traceback if any. */
export function errorText(error: Error & { traceback?: string }): string {
  return error.traceback ? `${error.message}\n\n${error.traceback}` : error.message;
}

/** What the live region says about a run that ended (nothing while it runs). */
export function announcement(status: TaskRunStatus, result: unknown, error: Error | undefined): string {
  switch (status) {
    case 'done':
      return `Python task done: ${formatValue(result).slice(0, 200)}`;
    case 'failed':
      return `Python task failed: ${error?.message ?? ''}`;
    case 'cancelled':
      return 'Python task cancelled';
    default:
      return '';
  }
}
