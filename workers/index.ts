/**
 * pyodide-pool — the pool core. No DOM, no Lit, no framework.
 *
 * @example
 * import { PyodidePool } from 'pyodide-pool';
 * const pool = new PyodidePool({ indexURL: '/pyodide/' });
 * console.log(await pool.run('sum(range(10))')); // 45
 *
 * @packageDocumentation
 */
export { PyodidePool } from './pool.js';
export type { PoolState } from './pool-ledger.js';
export { STDOUT_LIMIT, Task } from './task.js';
export { TaskRun } from './task-run.js';
export { currentPool, followPool } from './pool-source.js';
export type { PoolHolder, PoolSource } from './pool-source.js';
export type {
  CodeSource,
  InputsSource,
  TaskRunChanges,
  TaskRunOptions,
  TaskRunSnapshot,
  TaskRunStatus,
} from './task-run-options.js';
export type { TaskOptions, TaskProgress, TaskStatus } from './task.js';
export type { PoolOptions, SandboxOptions } from './options.js';
export type { MapOptions } from './pool.js';
export type { MapProgress, MapSettled } from './map-run.js';
export type { ItemsSource } from './map-task.js';
export type { FileSource } from './pool-files.js';
export type { PoolCapabilities } from './capabilities.js';
export type { WorkerInfo } from './worker-info.js';
export type { SnapshotSkip } from './snapshot-store.js';
export { formatTimeline } from './boot-timeline.js';
export type { BootStage, BootStageName } from './boot-timeline.js';
export type { OutputEvent } from './protocol.js';
export {
  ConversionError,
  MapError,
  PoolError,
  PoolTerminatedError,
  PythonError,
  QueueFullError,
  TaskCancelledError,
  TaskTimeoutError,
  WorkerBootError,
  WorkerCrashedError,
} from './errors.js';
export type { PythonErrorInit } from './errors.js';
