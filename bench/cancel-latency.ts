// Cancel latency of a running task, and whether its worker was kept: shared by the
// waiting-task figures (bench.ts) and the generator figures (map-bench.ts).
import type { PyodidePool } from '../workers/index.js';
import { summarize, type Summary } from './stats.js';

const now = () => performance.now();

/**
 * Cancel latency of a task that waits (`code` prints "waiting", then blocks, awaits or
 * computes), cancelled `delay(trial)` ms after it printed it,
 * and how many of the trials cost a worker (it was replaced instead of kept warm).
 */
export async function waitingCancelLatency(
  pool: PyodidePool,
  code: string,
  trials: number,
  delay: (trial: number) => number = () => 20,
): Promise<Summary & { workersReplaced: number }> {
  const samples: number[] = [];
  let workersReplaced = 0;
  for (let i = 0; i < trials; i++) {
    const ids = pool.state.workers.value.map((w) => w.id).join();
    const task = pool.submit(code);
    while (!task.stdout.peek().includes('waiting')) {
      // Code this pool cannot run (an older build without top-level await) ends here.
      if (task.status.peek() === 'failed') return { ...summarize([NaN]), workersReplaced: NaN };
      await new Promise((r) => setTimeout(r, 1));
    }
    await new Promise((r) => setTimeout(r, delay(i)));
    const t = now();
    task.cancel();
    await task.result.catch(() => undefined);
    samples.push(now() - t);
    await pool.ready();
    if (pool.state.workers.value.map((w) => w.id).join() !== ids) workersReplaced++;
  }
  return { ...summarize(samples), workersReplaced };
}
