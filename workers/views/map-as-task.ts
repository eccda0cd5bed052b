/**
 * A `pool.map` as a task for {@link TaskRun}: the same handle shape as a `Task` (result,
 * status, cancel, send), so `<py-task>`, the hooks bridge and the framework adapters show
 * a map with the one lifecycle they share.
 *
 * @internal
 */
import { signal, type ReadonlySignal } from '@preact/signals-core';
import { TaskCancelledError } from '../pool/errors.js';
import type { MapProgress } from '../pool/map-run.js';
import type { MapOptions, PyodidePool } from '../pool/pool.js';
import type { Task, TaskStatus } from '../pool/task.js';

/** What a run holds of its task: a `Task`, or a map made to look like one. */
export type RunningTask<T> = Pick<Task<T>, 'result' | 'status' | 'cancel' | 'send'>;

/** Where the items of a map run come from: the items, or a function giving them at each run. */
export type ItemsSource = Iterable<unknown> | (() => Iterable<unknown>);

/** Start `pool.map(code, items)` with a handle like a task's. Messages (`send`) have nowhere to go: dropped. */
export function startMap<T>(
  pool: Pick<PyodidePool, 'map'>,
  code: string,
  items: Iterable<unknown>,
  options: Pick<MapOptions, 'timeout' | 'chunkSize' | 'settle' | 'onOutput'> & { onProgress: (progress: MapProgress) => void },
): RunningTask<T> {
  const controller = new AbortController();
  // A map has begun as soon as its first chunks are queued; it has no queued phase of its own.
  const status = signal<TaskStatus>('running');
  const result = pool.map(code, items, { ...options, signal: controller.signal }) as Promise<unknown> as Promise<T>;
  result.then(
    () => (status.value = 'done'),
    (error) => (status.value = error instanceof TaskCancelledError ? 'cancelled' : 'failed'),
  );
  return {
    result,
    status: status as ReadonlySignal<TaskStatus>,
    cancel: (reason?: unknown) => controller.abort(reason),
    send: () => {},
  };
}
