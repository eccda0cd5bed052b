/**
 * The pool's counters, as signals, kept in step with every task's status. A task counts
 * as queued from `submit()` until it runs (waiting in the pool, or handed to a worker
 * that has not begun it), then as running, until it settles (exactly once).
 *
 * @internal
 */
import { batch, computed, signal, type ReadonlySignal } from '@preact/signals-core';
import type { TaskRecord } from './task.js';
import type { WorkerInfo } from './worker-info.js';

/** The pool's live state. Every field is a read-only `@preact/signals-core` signal. */
export interface PoolState {
  workers: ReadonlySignal<readonly WorkerInfo[]>;
  queued: ReadonlySignal<number>;
  running: ReadonlySignal<number>;
  completed: ReadonlySignal<number>;
  /** Settled with an error, cancelled included. */
  failed: ReadonlySignal<number>;
  /** True once `ready()` would resolve. */
  ready: ReadonlySignal<boolean>;
}

export class PoolLedger {
  readonly workers = signal<readonly WorkerInfo[]>([]);
  readonly queued = signal(0);
  readonly running = signal(0);
  readonly completed = signal(0);
  readonly failed = signal(0);
  readonly ready = signal(false);
  /** What `pool.state` hands out: read-only views of the above. */
  readonly view: PoolState = {
    workers: computed(() => this.workers.value),
    queued: computed(() => this.queued.value),
    running: computed(() => this.running.value),
    completed: computed(() => this.completed.value),
    failed: computed(() => this.failed.value),
    ready: computed(() => this.ready.value),
  };

  /** A task was submitted. */
  added(): void {
    this.queued.value++;
  }

  /** The task runs now (or is next in its worker's line). False if it was not queued. */
  started(record: TaskRecord): boolean {
    if (record.settled || record.status.peek() !== 'queued') return false;
    batch(() => {
      this.queued.value--;
      this.running.value++;
      record.status.value = 'running';
    });
    return true;
  }

  /** The task is waiting again: its worker ended before beginning it. */
  requeued(record: TaskRecord): void {
    if (record.status.peek() !== 'running') return;
    batch(() => {
      this.running.value--;
      this.queued.value++;
      record.status.value = 'queued';
    });
  }

  /** Settle the task with a value or an error; no-op if it already settled. */
  settle(record: TaskRecord, error: unknown, status: 'done' | 'failed' | 'cancelled' = 'failed', value?: unknown): void {
    const was = record.status.peek();
    batch(() => {
      const settled = status === 'done' ? record.resolve(value) : record.reject(error, status);
      if (!settled) return;
      if (status === 'done') this.completed.value++;
      else this.failed.value++;
      if (was === 'running') this.running.value--;
      else this.queued.value--;
    });
  }
}
