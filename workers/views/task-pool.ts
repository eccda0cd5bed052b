/**
 * What a view needs of a pool: its `state` signals and `submit`, which hands back a
 * `Task`. `PyodidePool`, `ModulePool` and `WasmPool` all are one, so `<pool-monitor>`,
 * {@link TaskRun} and the hooks drive any of them without knowing which.
 */
import type { SubmitCallOptions } from '../pool/call-pool.js';
import type { PoolState } from '../pool/ledger.js';
import type { PyodidePool } from '../pool/pool.js';
import type { Task, TaskOptions } from '../pool/task.js';

/**
 * What a view may pass to `submit`: a Python task's options (`inputs`, `stdin`, …) or a
 * call's (`args`). Each pool reads the ones that concern it.
 */
export type TaskPoolSubmitOptions = TaskOptions & SubmitCallOptions;

/**
 * A pool views can drive: live `state` and `submit(codeOrName, options) => Task`. A
 * `PyodidePool` takes Python code; a `ModulePool` or `WasmPool` takes an export's name
 * and its `args` (and has a `call` method, which is how views tell them apart).
 *
 * @example
 * import type { TaskPool } from 'pyodide-pool';
 * function busyWorkers(pool: TaskPool): number {
 *   return pool.state.workers.value.filter((w) => w.status === 'busy').length;
 * }
 * busyWorkers(new WasmPool({ wasm: new URL('./math.wasm', import.meta.url) }));
 */
export interface TaskPool {
  /** Live counts and workers, as signals. */
  readonly state: PoolState;
  /** Queue work and get its {@link Task} at once: Python code, or an export's name with `args`. */
  submit<T = unknown>(codeOrName: string, options?: TaskPoolSubmitOptions): Task<T>;
}

/** Whether `pool` calls exports by name (a `ModulePool` or `WasmPool`) rather than running Python. @internal */
export function takesCalls(pool: TaskPool): boolean {
  return typeof (pool as { call?: unknown }).call === 'function';
}

/** Whether `pool` maps code over items (a `PyodidePool`). @internal */
export function mapsItems(pool: TaskPool): pool is TaskPool & Pick<PyodidePool, 'map'> {
  return typeof (pool as { map?: unknown }).map === 'function';
}
