/**
 * A pool's state as one store: a snapshot of plain values that changes identity only
 * when something in it changed, and `subscribe(listener) => unsubscribe`, following a
 * `<worker-pool>`'s rebuilds. The one contract every view of pool state reads (React's
 * `useSyncExternalStore`, a Vue ref, a Svelte store), so no adapter rebuilds it.
 */
import { computed, type ReadonlySignal } from '@preact/signals-core';
import type { WorkerInfo } from '../pool/worker-info.js';
import type { RecentActivity } from '../pool/recent-log.js';
import { currentPool, followPool, type PoolSource } from './pool-source.js';
import { Subscribers } from './subscribers.js';
import type { TaskPool } from './task-pool.js';

/** Pool counters as one immutable value (zeros when there is no pool yet). */
export interface PoolSnapshot {
  workers: readonly WorkerInfo[];
  queued: number;
  running: number;
  completed: number;
  failed: number;
  ready: boolean;
  /** Recent task timings and worker events, for charts (see `pool.state.recent`). */
  recent: RecentActivity;
}

const NO_ACTIVITY: RecentActivity = Object.freeze({
  tasks: Object.freeze([]),
  workers: Object.freeze([]),
  details: () => undefined,
  keepDetails: () => () => {},
});

/** The snapshot when there is no pool (yet). */
export const EMPTY_POOL_SNAPSHOT: PoolSnapshot = Object.freeze({
  workers: Object.freeze([]) as readonly WorkerInfo[],
  queued: 0,
  running: 0,
  completed: 0,
  failed: 0,
  ready: false,
  recent: NO_ACTIVITY,
});

/**
 * The state of `pool` (any {@link TaskPool}) now, as plain values (a fresh object;
 * {@link poolStateStore} keeps one until a change).
 *
 * @example
 * poolSnapshot(wasmPool).workers.length;
 */
export function poolSnapshot(pool: TaskPool | Error | undefined): PoolSnapshot {
  if (!pool || pool instanceof Error) return EMPTY_POOL_SNAPSHOT;
  const s = pool.state;
  return {
    workers: s.workers.value,
    queued: s.queued.value,
    running: s.running.value,
    completed: s.completed.value,
    failed: s.failed.value,
    ready: s.ready.value,
    recent: s.recent.value,
  };
}

function sameSnapshot(a: PoolSnapshot, b: PoolSnapshot): boolean {
  return (
    a.workers === b.workers &&
    a.queued === b.queued &&
    a.running === b.running &&
    a.completed === b.completed &&
    a.failed === b.failed &&
    a.ready === b.ready &&
    a.recent === b.recent
  );
}

/** A pool's state as a store: see {@link poolStateStore}. */
export interface PoolStateStore {
  /** The state now: the same object until something changes. */
  getSnapshot(): PoolSnapshot;
  /** Calls `listener` with the state now and on every change; returns the unsubscribe. */
  subscribe(listener: (state: PoolSnapshot) => void): () => void;
}

/**
 * A pool's state as an external store. Making one subscribes to nothing, so a view may
 * make it while it renders (React); the first subscriber starts following the source (a
 * `<worker-pool>`'s rebuilds included) and the last to leave stops it — TanStack's
 * contract, which is also Svelte's store contract.
 *
 * @example
 * const store = poolStateStore(pool);
 * const stop = store.subscribe((state) => console.log(state.running, state.workers.length));
 * store.getSnapshot().ready; // read without subscribing
 * stop();
 */
export function poolStateStore(source: PoolSource): PoolStateStore {
  let last = EMPTY_POOL_SNAPSHOT;
  const keep = (next: PoolSnapshot) => (sameSnapshot(next, last) ? last : (last = next));
  // While subscribed, one signal of the state serves every subscriber; unsubscribed, each read looks.
  let followed: { state: ReadonlySignal<PoolSnapshot>; stop(): void } | undefined;
  const follow = () => {
    const { pool, dispose } = followPool(source);
    return { state: computed(() => keep(poolSnapshot(pool.value))), stop: dispose };
  };
  const subscribers = new Subscribers(
    () => {},
    () => {
      followed?.stop();
      followed = undefined;
    },
  );
  return {
    getSnapshot: () => (followed ? followed.state.value : keep(poolSnapshot(currentPool(source)))),
    // The first subscriber's listen makes the followed state; the last one's leaving ends it.
    subscribe: (listener) => subscribers.add(() => (followed ??= follow()).state.subscribe(listener)),
  };
}
