// Issue 15's figures: what the sandbox costs. A sandboxed pool beside a normal one, the
// two measured in turn in the same page: boot of two workers (first-visit conditions:
// nothing stored), tiny-task latency, throughput of tiny tasks, and interrupt latency.
import { PyodidePool, type PoolOptions } from '../workers/index.js';
import { summarize, type Summary } from './stats.js';

import { baseSnapshot, indexURL } from './shared.js';
const now = () => performance.now();
const TRIALS = 3;

interface Figures {
  bootMs: number[];
  latency: Summary;
  tasksPerSecond: number[];
  interrupt: Summary | undefined;
}

async function measure(options: PoolOptions): Promise<{ bootMs: number; latency: number[]; tasksPerSecond: number; interrupt: number[] }> {
  const t = now();
  const pool = new PyodidePool({ indexURL, baseSnapshot, min: 2, max: 2, persistSnapshot: false, ...options });
  await pool.ready();
  await Promise.all([pool.run('1'), pool.run('2')]);
  const bootMs = now() - t;
  for (let i = 0; i < 200; i++) await pool.run('1+1');
  const latency: number[] = [];
  for (let i = 0; i < 500; i++) {
    const start = now();
    await pool.run('1+1');
    latency.push(now() - start);
  }
  const count = 5_000;
  const started = now();
  await Promise.all(Array.from({ length: count }, () => pool.run('1+1')));
  const tasksPerSecond = (count * 1000) / (now() - started);
  const interrupt: number[] = [];
  if (pool.capabilities.interrupt) {
    for (let i = 0; i < 10; i++) {
      const task = pool.submit('while True:\n    pass');
      // Measured from the cancel: how soon the task began does not count.
      while (task.status.peek() !== 'running') await new Promise((resolve) => setTimeout(resolve, 1));
      const start = now();
      task.cancel();
      await task.result.catch(() => {});
      interrupt.push(now() - start);
    }
  }
  await pool.terminate();
  return { bootMs, latency, tasksPerSecond, interrupt };
}

export async function sandboxScenario(): Promise<Record<string, unknown>> {
  // The page compiles the interpreter once: a first pool pays for it, outside the figures.
  await measureOnce({});
  const out: Record<string, Figures> = {};
  const runs: Record<string, Awaited<ReturnType<typeof measure>>[]> = { normal: [], sandboxed: [] };
  for (let trial = 0; trial < TRIALS; trial++) {
    runs.normal!.push(await measure({}));
    runs.sandboxed!.push(await measure({ sandbox: true }));
  }
  for (const [kind, list] of Object.entries(runs)) {
    out[kind] = {
      bootMs: list.map((r) => r.bootMs),
      latency: summarize(list.flatMap((r) => r.latency)),
      tasksPerSecond: list.map((r) => r.tasksPerSecond),
      interrupt: list[0]!.interrupt.length ? summarize(list.flatMap((r) => r.interrupt)) : undefined,
    };
  }
  return { ...out, isolated: crossOriginIsolated };
}

async function measureOnce(options: PoolOptions): Promise<void> {
  const pool = new PyodidePool({ indexURL, baseSnapshot, min: 1, max: 1, persistSnapshot: false, ...options });
  await pool.run('1');
  await pool.terminate();
}
