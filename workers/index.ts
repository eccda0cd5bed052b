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
export { PyodidePool } from './pool/pool.js';
export { ModulePool } from './pool/module-pool.js';
export type { ModulePoolOptions } from './pool/module-pool.js';
export { WasmPool } from './pool/wasm-pool.js';
export type { WasmPoolOptions } from './pool/wasm-pool.js';
export { WasmLease } from './pool/leases.js';
export type { AcquireOptions } from './pool/leases.js';
export type { CallOptions, CallPoolOptions, SubmitCallOptions } from './pool/call-pool.js';
export type { PoolState } from './pool/ledger.js';
export { RECENT_DETAILS, RECENT_TASKS, RECENT_WORKER_EVENTS } from './pool/recent-log.js';
export type { RecentActivity, TaskKind, TaskOutcome, TaskTiming, WorkerEvent, WorkerEventKind } from './pool/recent-log.js';
export type { TaskDetails } from './pool/task-details.js';
export { STDOUT_LIMIT, Task } from './pool/task.js';
export { TaskRun } from './views/task-run.js';
export { currentPool, followPool } from './views/pool-source.js';
export type { PoolHolder, PoolSource } from './views/pool-source.js';
export type { TaskPool, TaskPoolSubmitOptions } from './views/task-pool.js';
export { EMPTY_POOL_SNAPSHOT, poolSnapshot, poolStateStore } from './views/pool-state.js';
export type { PoolSnapshot, PoolStateStore } from './views/pool-state.js';
export type { ArgsSource, CodeSource, InputsSource, TaskRunChanges, TaskRunOptions, TaskRunSnapshot, TaskRunStatus } from './views/task-run-options.js';
export type { TaskOptions, TaskProgress, TaskStatus } from './pool/task.js';
export type { PoolOptions, SandboxOptions } from './pool/options.js';
export type { MapOptions } from './pool/pool.js';
export type { MapProgress, MapSettled } from './pool/map-run.js';
export type { ItemsSource } from './views/map-as-task.js';
export type { FileSource } from './pool/files.js';
export type { PoolCapabilities } from './pool/capabilities.js';
export type { WorkerInfo } from './pool/worker-info.js';
export type { SnapshotSkip } from './pool/snapshot-store.js';
export { formatTimeline } from './shared/boot-timeline.js';
export type { BootStage, BootStageName } from './shared/boot-timeline.js';
export type { OutputEvent } from './shared/protocol.js';
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
} from './pool/errors.js';
export type { PythonErrorInit } from './pool/errors.js';
