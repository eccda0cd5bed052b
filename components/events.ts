import type { OutputEvent, PyodidePool } from '../workers/index.js';

/** A `<py-task>` started a run. Bubbles and crosses shadow roots. */
export class TaskStartEvent extends Event {
  readonly detail: Record<string, never> = {};
  constructor() {
    super('task-start', { bubbles: true, composed: true });
  }
}

/** A running `<py-task>` printed, reported progress, or emitted data. `detail` is the output event. */
export class TaskOutputEvent extends Event {
  constructor(readonly detail: OutputEvent) {
    super('task-output', { bubbles: true, composed: true });
  }
}

/** A `<py-task>` run finished with a result. */
export class TaskResultEvent extends Event {
  constructor(readonly detail: { result: unknown }) {
    super('task-result', { bubbles: true, composed: true });
  }
}

/** A `<py-task>` run failed, timed out, was cancelled, or could not start (bad input, no pool). */
export class TaskErrorEvent extends Event {
  constructor(readonly detail: { error: Error }) {
    super('task-error', { bubbles: true, composed: true });
  }
}

/** A `<worker-pool>`'s workers are warm. */
export class PoolReadyEvent extends Event {
  constructor(readonly detail: { pool: PyodidePool }) {
    super('pool-ready', { bubbles: true, composed: true });
  }
}

/** A `<worker-pool>` could not create or start its pool. */
export class PoolErrorEvent extends Event {
  constructor(readonly detail: { error: Error }) {
    super('pool-error', { bubbles: true, composed: true });
  }
}

/** A `<worker-pool>` made (or dropped) its pool; `<py-task>` and `<pool-monitor>` follow it. Does not bubble. */
export class PoolChangeEvent extends Event {
  constructor(readonly detail: { pool: PyodidePool | undefined }) {
    super('pool-change');
  }
}

declare global {
  interface GlobalEventHandlersEventMap {
    'task-start': TaskStartEvent;
    'task-output': TaskOutputEvent;
    'task-result': TaskResultEvent;
    'task-error': TaskErrorEvent;
    'pool-ready': PoolReadyEvent;
    'pool-error': PoolErrorEvent;
    'pool-change': PoolChangeEvent;
  }
}
