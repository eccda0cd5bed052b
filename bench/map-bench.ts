// Issue 14's figures: chunked map against one run() per item, uneven items against the
// ideal, an urgent task while every worker runs a generator task (against a plain long
// task), and cancel of a generator task on a plain page (against a plain long task).
import { PyodidePool } from '../workers/index.js';
import { summarize, type Summary } from './stats.js';
import { waitingCancelLatency } from './cancel-latency.js';

import { baseSnapshot, indexURL } from './shared.js';
const now = () => performance.now();
const TRIALS = 3;
const ITERATION_MS = 50;

/** Python that spins for `seconds` (CPU work, as a real item or step is). */
const spin = (seconds: number, indent = '') =>
  [`import time`, `_end = time.perf_counter() + ${seconds}`, `while time.perf_counter() < _end:`, `    pass`].map((line) => indent + line).join('\n');

/** A generator task of `count` steps of ITERATION_MS each. */
const generatorTask = (count: number) =>
  `import time\ndef work():\n    for i in range(${count}):\n${spin(ITERATION_MS / 1000, '        ')}\n        yield (i + 1) / ${count}\n    return ${count}\nwork()`;
/** The same work as one plain task: what a long task was before generators. */
const plainTask = (count: number) => `${spin((count * ITERATION_MS) / 1000)}\n${count}`;

const nextFrame = () => new Promise((r) => setTimeout(r, 0));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** items/s of `map('item * 2')` over 1,000,000 items on 2 workers, beside one run() per item. */
async function mapThroughput(pool: PyodidePool): Promise<Record<string, unknown>> {
  const items = Array.from({ length: 1_000_000 }, (_, i) => i);
  await pool.map('item * 2', items.slice(0, 20_000));
  const mapRates: number[] = [];
  const runRates: number[] = [];
  for (let trial = 0; trial < TRIALS; trial++) {
    let t = now();
    const out = await pool.map<number>('item * 2', items);
    mapRates.push((items.length * 1000) / (now() - t));
    if (out[999_999] !== 1_999_998) throw new Error('map gave a wrong result');
    const runs = 50_000;
    t = now();
    await Promise.all(Array.from({ length: runs }, (_, i) => pool.run('item * 2', { inputs: { item: i } })));
    runRates.push((runs * 1000) / (now() - t));
  }
  const ratios = mapRates.map((rate, i) => rate / runRates[i]!);
  return { mapItemsPerSecond: summarize(mapRates), runItemsPerSecond: summarize(runRates), ratio: summarize(ratios).median, ratios };
}

/** Wall time of 800 items of which 1 in 40 spins 100 ms, against the ideal (total work / 2 workers). */
async function unevenMap(pool: PyodidePool): Promise<Record<string, unknown>> {
  const items = Array.from({ length: 800 }, (_, i) => i);
  const code = `if item % 40 == 0:\n${spin(0.1, '    ')}\nitem`;
  const idealMs = ((items.length / 40) * 100) / 2;
  const walls: number[] = [];
  for (let trial = 0; trial < TRIALS; trial++) {
    const t = now();
    await pool.map(code, items);
    walls.push(now() - t);
  }
  const ratios = walls.map((ms) => ms / idealMs);
  return { idealMs, wallMs: summarize(walls), ratio: summarize(ratios).median, ratios };
}

/**
 * Submit → start of an urgent task (priority 1) while both workers run long tasks:
 * generator tasks of 50 ms steps, and (the baseline) plain tasks doing the same work.
 */
async function urgentStart(pool: PyodidePool, code: (count: number) => string, trials: number): Promise<Summary> {
  const samples: number[] = [];
  for (let trial = 0; trial < trials; trial++) {
    const long = [pool.submit(code(20)), pool.submit(code(20))];
    while (long.some((t) => t.status.peek() !== 'running')) await nextFrame();
    // Somewhere inside a step, not at its start.
    await sleep(80 + ((trial * 17) % ITERATION_MS));
    const t = now();
    const urgent = pool.submit('1', { priority: 1 });
    // The moment its status leaves 'queued': signals call subscribers as it changes.
    let started: number | undefined;
    const stop = urgent.status.subscribe((status) => {
      if (status !== 'queued') started ??= now();
    });
    await urgent.result;
    stop();
    samples.push(started! - t);
    for (const task of long) task.cancel('trial over');
    await Promise.all(long.map((task) => task.result.catch(() => undefined)));
  }
  return summarize(samples);
}

/** Everything this file measures on a cross-origin-isolated page. */
export async function mapScenario(): Promise<Record<string, unknown>> {
  const pool = new PyodidePool({ indexURL, baseSnapshot, min: 2, max: 2 });
  await pool.ready();
  const out: Record<string, unknown> = {};
  out.mapThroughput = await mapThroughput(pool);
  out.unevenMap = await unevenMap(pool);
  out.urgentStartGenerator = await urgentStart(pool, generatorTask, 20);
  out.urgentStartPlain = await urgentStart(pool, plainTask, 3);
  await pool.terminate();
  return out;
}

/**
 * On a plain page (no interrupts): cancel of a running generator task of 50 ms steps
 * (lands at a yield, worker kept), against a plain long task (its worker is ended and
 * replaced). Latency is cancel → rejection; `workersReplaced` counts lost workers.
 */
export async function plainCancelScenario(): Promise<Record<string, unknown>> {
  const pool = new PyodidePool({ indexURL, baseSnapshot, min: 1, max: 1 });
  await pool.ready();
  // Cancelled somewhere inside a step, not at its start.
  const delay = (trial: number) => 120 + ((trial * 13) % ITERATION_MS);
  const waiting = 'print("waiting", flush=True)\n';
  const out = {
    crossOriginIsolated,
    iterationMs: ITERATION_MS,
    generator: await waitingCancelLatency(pool, waiting + generatorTask(200), 20, delay),
    plain: await waitingCancelLatency(pool, waiting + plainTask(200), 3, delay),
  };
  await pool.terminate();
  return out;
}
