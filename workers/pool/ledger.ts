/**
 * The pool's counters, as signals, kept in step with every task's status. A task counts
 * as queued from `submit()` until it runs (waiting in the pool, or handed to a worker
 * that has not begun it), then as running, until it settles (exactly once).
 *
 * @internal
 */
import { batch, computed, signal, type ReadonlySignal } from '@preact/signals-core';
import { RecentLog, type RecentActivity } from './recent-log.js';
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
  /**
   * What the pool did lately, for charts: each task's timings (queued, started, ended,
   * worker, outcome, kind) and each worker's events (boot and its mode, recycling,
   * retirement, death), oldest first, in bounded rings (see `RecentActivity`).
   *
   * @example
   * const { tasks } = pool.state.recent.value;
   * const waits = tasks.filter((t) => t.started !== undefined).map((t) => t.started! - t.queued);
   */
  recent: ReadonlySignal<RecentActivity>;
}

export class PoolLedger {
  readonly workers = signal<readonly WorkerInfo[]>([]);
  readonly queued = signal(0);
  readonly running = signal(0);
  readonly completed = signal(0);
  readonly failed = signal(0);
  readonly ready = signal(false);
  readonly recent = new RecentLog();
  /** What `pool.state` hands out: read-only views of the above. */
  readonly view: PoolState = {
    workers: computed(() => this.workers.value),
    queued: computed(() => this.queued.value),
    running: computed(() => this.running.value),
    completed: computed(() => this.completed.value),
    failed: computed(() => this.failed.value),
    ready: computed(() => this.ready.value),
    recent: this.recent.value,
  };

  /** A task was submitted. */
  added(record: TaskRecord): void {
    this.queued.value++;
    this.recent.queued(record);
  }

  /** The task runs now (or is next in its worker's line). False if it was not queued. */
  started(record: TaskRecord<{ id: number }>): boolean {
    if (record.settled || record.status.peek() !== 'queued') return false;
    batch(() => {
      this.queued.value--;
      this.running.value++;
      record.status.value = 'running';
    });
    this.recent.started(record, record.worker?.id, record.preempting);
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
    this.recent.requeued(record);
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
      this.recent.settled(record, status, value, error);
    });
  }
}
