// Issue 23's figures: what per-task isolation (`isolate: 'task'`) costs. Every task gets a
// worker restored from the snapshot and ended after it, so a tiny task's latency becomes
// about one restore and throughput about `max` restores at a time. Measured beside a pool
// that reuses its workers, in the same page, normal and sandboxed.
import { PyodidePool, type PoolOptions } from '../workers/index.js';
import { summarize, type Summary } from './stats.js';

import { baseSnapshot, indexURL } from './shared.js';
const now = () => performance.now();
/** Tasks per figure: each is a worker's whole life when isolated. */
const SEQUENTIAL = 12;
const CONCURRENT = 24;

interface Figures {
  /** One `run('1+1')` awaited before the next: the wait for a fresh worker. */
  latency: Summary;
  /** `CONCURRENT` tiny tasks submitted at once. */
  tasksPerSecond: number;
}

async function measure(options: PoolOptions): Promise<Figures> {
  const pool = new PyodidePool({ indexURL, baseSnapshot, min: 2, max: 2, persistSnapshot: false, ...options });
  await pool.ready();
  // Warm up: the snapshot exists and the first spares are booted.
  await Promise.all([pool.run('1'), pool.run('2')]);
  const latency: number[] = [];
  for (let i = 0; i < SEQUENTIAL; i++) {
    const start = now();
    await pool.run('1+1');
    latency.push(now() - start);
  }
  const started = now();
  await Promise.all(Array.from({ length: CONCURRENT }, () => pool.run('1+1')));
  const tasksPerSecond = (CONCURRENT * 1000) / (now() - started);
  await pool.terminate();
  return { latency: summarize(latency), tasksPerSecond };
}

export async function isolateScenario(): Promise<Record<string, unknown>> {
  // The page compiles the interpreter once: a first pool pays for it, outside the figures.
  const first = new PyodidePool({ indexURL, baseSnapshot, min: 1, max: 1, persistSnapshot: false });
  await first.run('1');
  await first.terminate();
  return {
    reused: await measure({}),
    isolated: await measure({ isolate: 'task' }),
    sandboxedReused: await measure({ sandbox: true }),
    sandboxedIsolated: await measure({ sandbox: true, isolate: 'task' }),
    crossOriginIsolated,
  };
}
