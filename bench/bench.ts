// Benchmark page: each scenario runs in this page and reports plain numbers (ms).
// bench/run.mjs opens it in headless Chromium and collects `window.benchResults`.
import { PyodidePool } from '../workers/index.js';
import { summarize, type Summary } from './stats.js';

const indexURL = '/node_modules/pyodide/';
const results: Record<string, unknown> = {};
const log = (line: string) => {
  document.getElementById('log')!.textContent += line + '\n';
};

/** Round trip of a raw postMessage to an idle echo worker: the floor of any worker RPC. */
async function postMessageFloor(iterations: number): Promise<Summary> {
  const worker = new Worker(new URL('./echo-worker.js', import.meta.url), { type: 'module' });
  const roundTrip = () =>
    new Promise<void>((resolve) => {
      worker.onmessage = () => resolve();
      worker.postMessage(1);
    });
  for (let i = 0; i < 200; i++) await roundTrip();
  const samples: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const t = performance.now();
    await roundTrip();
    samples.push(performance.now() - t);
  }
  worker.terminate();
  return summarize(samples);
}

/** Sequential latency of a tiny task on a warm pool. */
async function tinyTaskLatency(pool: PyodidePool, iterations: number): Promise<Summary> {
  for (let i = 0; i < 200; i++) await pool.run('1+1');
  const samples: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const t = performance.now();
    await pool.run('1+1');
    samples.push(performance.now() - t);
  }
  return summarize(samples);
}

/** Time from `new PyodidePool` until every one of `size` workers is warm. */
async function poolBoot(size: number, snapshot: boolean): Promise<{ allWarmMs: number; bootModes: string[]; workerBootMs: number[] }> {
  const t = performance.now();
  const pool = new PyodidePool({ indexURL, min: size, max: size, snapshot });
  await pool.ready();
  const allWarmMs = performance.now() - t;
  const workers = pool.state.workers.value;
  await pool.terminate();
  return { allWarmMs, bootModes: workers.map((w) => w.bootMode ?? '?'), workerBootMs: workers.map((w) => w.bootMs ?? NaN) };
}

async function main(): Promise<void> {
  results.crossOriginIsolated = crossOriginIsolated;
  results.cores = navigator.hardwareConcurrency;
  log('floor…');
  results.postMessageFloor = await postMessageFloor(2000);
  // Warm the browser's HTTP cache so boot figures compare like with like.
  await poolBoot(1, false);
  for (const size of [2, 4]) {
    log(`boot ${size} normal…`);
    results[`boot${size}Normal`] = await poolBoot(size, false);
    log(`boot ${size} snapshot…`);
    results[`boot${size}Snapshot`] = await poolBoot(size, true);
  }
  log('latency…');
  const pool = new PyodidePool({ indexURL, min: 1, max: 1 });
  await pool.ready();
  results.tinyTaskLatency = await tinyTaskLatency(pool, 2000);
  await pool.terminate();
  log('done');
  (window as unknown as { benchResults: unknown }).benchResults = results;
}

main().catch((err: Error) => {
  (window as unknown as { benchResults: unknown }).benchResults = { error: String(err.stack ?? err) };
});
