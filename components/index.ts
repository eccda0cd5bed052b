/**
 * pyodide-pool/components — defines `<worker-pool>`, `<py-task>` and `<pool-monitor>`.
 *
 * @example
 * ```html
 * <script type="module" src="…/pyodide-pool/components.js"></script>
 * <worker-pool index-url="/pyodide/">
 *   <py-task auto inputs='{"x": 21}'><script type="text/python">x * 2</script></py-task>
 *   <pool-monitor></pool-monitor>
 * </worker-pool>
 * ```
 *
 * @packageDocumentation
 */
export { WorkerPoolElement } from './worker-pool.js';
export { PyTaskElement } from './py-task.js';
export type { PyTaskStatus } from './py-task.js';
export { PoolMonitorElement } from './pool-monitor.js';
export { PoolMonitorInspectEvent } from './pool-inspector.js';
export type { LaneEnd, LaneState, TimelineBar, TimelineLane, TimelineView } from './timeline-view.js';
export type { DrawStats } from './timeline-controller.js';
export { CodePolicyError, configureElements } from './code-policy.js';
export type { ElementsConfig } from './code-policy.js';
export { PoolChangeEvent, PoolErrorEvent, PoolReadyEvent, TaskErrorEvent, TaskOutputEvent, TaskResultEvent, TaskStartEvent } from './events.js';
