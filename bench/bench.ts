// Benchmark page: each scenario runs in this page and reports plain numbers (ms), each
// next to its baseline measured in the same run. bench/run.mjs opens it in headless
// Chromium and collects `window.benchResults`.
import { PyodidePool } from '../workers/index.js';
import { NaivePool } from './naive-pool.js';
import { mapScenario, plainCancelScenario } from './map-bench.js';
import { waitingCancelLatency } from './cancel-latency.js';
import { sandboxScenario } from './sandbox-bench.js';
import { outputScenario } from './output-bench.js';
import { isolateScenario } from './isolate-bench.js';
import { modulesScenario } from './modules-bench.js';
import { monitorScenario } from './monitor-bench.js';
import { summarize, type Summary } from './stats.js';
import { baseSnapshot, indexURL } from './shared.js';
import { formsScenario } from './forms-bench.js';
import { SNAPSHOT_CACHE } from '../workers/pool/snapshot-store.js';
const results: Record<string, unknown> = {};
const log = (line: string) => {
  document.getElementById('log')!.textContent += line + '\n';
};
const now = () => performance.now();
/** Repeats of the measures that take seconds each (boots, CPU-bound runs). */
const TRIALS = 3;
const median = (values: number[]) => summarize(values).median;
/** Iterations of bench/spin-worker.ts's loop: roughly as long as CPU_TASK. */
const JS_SPIN_ITERATIONS = 4_000_000;
/** CPU-bound Python of roughly a few hundred ms. */
const CPU_TASK = 'total = 0\nfor i in range(1_500_000):\n    total += i % 7\ntotal';

/** A raw postMessage round trip to an idle echo worker: the floor of any worker RPC. */
function echoWorker(): { roundTrip: () => Promise<void>; terminate: () => void } {
  const worker = new Worker(new URL('./echo-worker.js', import.meta.url), { type: 'module' });
  const roundTrip = () =>
    new Promise<void>((resolve) => {
      worker.onmessage = () => resolve();
      worker.postMessage(1);
    });
  return { roundTrip, terminate: () => worker.terminate() };
}

/**
 * Latency of `run` and of the floor, sampled alternately so that both see the same
 * machine: on a shared machine the floor alone drifts by 2x within a minute.
 */
async function pairedLatency(run: () => Promise<unknown>, iterations: number): Promise<{ floor: Summary; run: Summary }> {
  const echo = echoWorker();
  for (let i = 0; i < 200; i++) {
    await echo.roundTrip();
    await run();
  }
  const floor: number[] = [];
  const runs: number[] = [];
  for (let i = 0; i < iterations; i++) {
    let t = now();
    await echo.roundTrip();
    floor.push(now() - t);
    t = now();
    await run();
    runs.push(now() - t);
  }
  echo.terminate();
  return { floor: summarize(floor), run: summarize(runs) };
}

async function latency(run: () => Promise<unknown>, iterations: number): Promise<Summary> {
  for (let i = 0; i < 200; i++) await run();
  const samples: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const t = now();
    await run();
    samples.push(now() - t);
  }
  return summarize(samples);
}

/** Tasks per second for `count` tiny tasks submitted at once. */
async function throughput(run: () => Promise<unknown>, count: number): Promise<{ ms: number; tasksPerSecond: number }> {
  const t = now();
  await Promise.all(Array.from({ length: count }, run));
  const ms = now() - t;
  return { ms, tasksPerSecond: (count * 1000) / ms };
}

/** How each worker of a warm pool started (`WorkerInfo`), and its boot's timeline. */
function workerBoots(pool: PyodidePool) {
  const workers = pool.state.workers.value;
  return {
    bootModes: workers.map((w) => w.bootMode ?? '?'),
    bootMs: workers.map((w) => Math.round(w.bootMs ?? 0)),
    workers: workers.map((w) => ({ bootMode: w.bootMode, baseSnapshot: w.baseSnapshot, snapshotSkipped: w.snapshotSkipped ?? null, heapBytes: w.heapBytes })),
    timelines: workers.map((w) => w.bootTimeline),
  };
}

/**
 * A pool of `size` from `new PyodidePool` to all warm, on first-visit conditions (nothing
 * from Cache Storage): normal boots (`snapshot: false`), or snapshot boots with or without
 * the base snapshot for the first worker.
 */
async function poolBoot(size: number, snapshot: boolean, base: boolean): Promise<{ allWarmMs: number; bootModes: string[]; bootMs: number[]; timelines: unknown[] }> {
  const t = now();
  const pool = new PyodidePool({ indexURL, min: size, max: size, snapshot, persistSnapshot: false, baseSnapshot: base && baseSnapshot });
  await pool.ready();
  const allWarmMs = now() - t;
  const boots = workerBoots(pool);
  await pool.terminate();
  return { allWarmMs, ...boots };
}

async function naiveBoot(size: number): Promise<{ allWarmMs: number }> {
  const t = now();
  const pool = new NaivePool(size);
  await pool.init(indexURL);
  const allWarmMs = now() - t;
  pool.terminate();
  return { allWarmMs };
}

async function cpuTime(workers: number, tasks: number): Promise<number> {
  const pool = new PyodidePool({ indexURL, baseSnapshot, min: workers, max: workers });
  await pool.ready();
  // Every worker runs the task once first, so each compares at full speed.
  await Promise.all(Array.from({ length: workers }, () => pool.run(CPU_TASK)));
  const t = now();
  await Promise.all(Array.from({ length: tasks }, () => pool.run(CPU_TASK)));
  const ms = now() - t;
  await pool.terminate();
  return ms;
}

/** The same comparison on the naive pool: what Pyodide itself allows, without this pool. */
async function naiveCpuTime(workers: number, tasks: number): Promise<number> {
  const naive = new NaivePool(workers);
  await naive.init(indexURL);
  await Promise.all(Array.from({ length: workers }, () => naive.run(CPU_TASK)));
  const t = now();
  await Promise.all(Array.from({ length: tasks }, () => naive.run(CPU_TASK)));
  const ms = now() - t;
  naive.terminate();
  return ms;
}

/** The same comparison in plain JavaScript: the parallel speedup this machine allows now. */
async function jsCpuTime(workers: number, tasks: number): Promise<number> {
  const spinners = Array.from({ length: workers }, () => new Worker(new URL('./spin-worker.js', import.meta.url), { type: 'module' }));
  const run = (worker: Worker) =>
    new Promise<void>((resolve) => {
      worker.onmessage = () => resolve();
      worker.postMessage(JS_SPIN_ITERATIONS);
    });
  await Promise.all(spinners.map(run));
  let left = tasks;
  const t = now();
  await Promise.all(
    spinners.map(async (worker) => {
      while (left > 0) {
        left--;
        await run(worker);
      }
    }),
  );
  const ms = now() - t;
  for (const worker of spinners) worker.terminate();
  return ms;
}

async function interruptLatency(pool: PyodidePool, trials: number): Promise<Summary> {
  const samples: number[] = [];
  for (let i = 0; i < trials; i++) {
    const task = pool.submit('while True:\n    pass');
    while (task.status.peek() !== 'running') await new Promise((r) => setTimeout(r, 1));
    await new Promise((r) => setTimeout(r, 20));
    const t = now();
    task.cancel();
    await task.result.catch(() => undefined);
    samples.push(now() - t);
  }
  return summarize(samples);
}

/**
 * A 16 MB buffer in and out: through the pool (copied, and moved with `transfer`; inside
 * the worker Python's copy in and out of the wasm heap is paid either way) against a
 * bare postMessage echo (copied, and transferred both ways). Alternating, per trial.
 */
async function bufferRoundTrip(pool: PyodidePool, trials: number): Promise<Record<string, Summary>> {
  const SIZE = 16 * 2 ** 20;
  const worker = new Worker(new URL('./echo-worker.js', import.meta.url), { type: 'module' });
  const echo = (move: boolean) => {
    const data = new Uint8Array(SIZE).fill(1);
    const t = now();
    return new Promise<number>((resolve) => {
      worker.onmessage = () => resolve(now() - t);
      worker.postMessage({ data, move }, move ? [data.buffer] : []);
    });
  };
  const viaPool = async (move: boolean) => {
    const data = new Uint8Array(SIZE).fill(1);
    const t = now();
    const back = (await pool.run('data', { inputs: { data }, transfer: move ? [data.buffer] : undefined })) as Uint8Array;
    if (back.length !== SIZE) throw new Error('the buffer did not come back whole');
    return now() - t;
  };
  const samples: Record<string, number[]> = { postMessageCopy: [], postMessageTransfer: [], poolCopy: [], poolTransfer: [] };
  for (let i = 0; i < trials; i++) {
    samples.postMessageCopy!.push(await echo(false));
    samples.postMessageTransfer!.push(await echo(true));
    samples.poolCopy!.push(await viaPool(false));
    samples.poolTransfer!.push(await viaPool(true));
  }
  worker.terminate();
  return Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, summarize(v)]));
}

async function main(): Promise<void> {
  results.crossOriginIsolated = crossOriginIsolated;
  results.cores = navigator.hardwareConcurrency;
  log('naive latency and throughput…');
  const naive = new NaivePool(1);
  await naive.init(indexURL);
  results.naiveLatency = await latency(() => naive.run('1+1'), 1000);
  results.naiveThroughput = await throughput(() => naive.run('1+1'), 10_000);
  naive.terminate();

  log('pool latency and throughput…');
  const pool = new PyodidePool({ indexURL, baseSnapshot, min: 1, max: 1 });
  await pool.ready();
  const paired = await pairedLatency(() => pool.run('1+1'), 2000);
  results.postMessageFloor = paired.floor;
  results.tinyTaskLatency = paired.run;
  results.throughput = await throughput(() => pool.run('1+1'), 10_000);

  log('heap growth…');
  const heapBefore = pool.state.workers.value[0]!.heapBytes;
  await Promise.all(Array.from({ length: 10_000 }, (_, i) => pool.run('{"i": item, "s": str(item) * 3}', { inputs: { item: i } })));
  results.heapGrowth = { bytes: pool.state.workers.value[0]!.heapBytes - heapBefore, tasks: 10_000 };

  log('interrupt latency…');
  results.interruptLatency = await interruptLatency(pool, 20);
  log('cancel latency of waiting tasks…');
  results.sleepCancelLatency = await waitingCancelLatency(pool, 'import time\nprint("waiting", flush=True)\ntime.sleep(30)', 10);
  results.awaitCancelLatency = await waitingCancelLatency(pool, 'import asyncio\nprint("waiting", flush=True)\nawait asyncio.sleep(30)', 10);
  log('16 MB buffer round trip…');
  results.bufferRoundTrip = await bufferRoundTrip(pool, 5);
  await pool.terminate();

  log('CPU-bound speedup…');
  const one: number[] = [];
  const two: number[] = [];
  const jsOne: number[] = [];
  const jsTwo: number[] = [];
  const naiveOne: number[] = [];
  const naiveTwo: number[] = [];
  for (let trial = 0; trial < TRIALS; trial++) {
    one.push(await cpuTime(1, 8));
    two.push(await cpuTime(2, 8));
    naiveOne.push(await naiveCpuTime(1, 8));
    naiveTwo.push(await naiveCpuTime(2, 8));
    jsOne.push(await jsCpuTime(1, 8));
    jsTwo.push(await jsCpuTime(2, 8));
  }
  const speedup = (a: number[], b: number[]) => median(a.map((ms, i) => ms / b[i]!));
  results.cpuSpeedup = {
    oneWorkerMs: median(one),
    twoWorkersMs: median(two),
    speedup: speedup(one, two),
    plainJsSpeedup: speedup(jsOne, jsTwo),
    naiveSpeedup: speedup(naiveOne, naiveTwo),
    trials: { one, two, naiveOne, naiveTwo, jsOne, jsTwo },
  };

  log('done');
  (window as unknown as { benchResults: unknown }).benchResults = results;
}

/** The 64 MB setup (issue 24): a heap well past Pyodide's default, every 64 KiB page of it written. */
const LARGE_SETUP = "import json, decimal, fractions\nDATA = bytearray(64 << 20)\nDATA[::4096] = b'\\x07' * len(DATA[::4096])";

/** Bytes of each snapshot kept in Cache Storage (the pool's cache). */
async function storedSnapshotBytes(): Promise<number[]> {
  const cache = await caches.open(SNAPSHOT_CACHE);
  const sizes: number[] = [];
  for (const key of await cache.keys()) sizes.push((await (await cache.match(key))!.blob()).size);
  return sizes;
}

/**
 * One page load as a user has it: from navigation start, a pool of 2 (snapshots kept in
 * Cache Storage, the default) until its first result and until both workers are warm.
 * The runner loads this twice: a first visit (storage cleared) and a revisit. `base=0`:
 * without the base snapshot (`baseSnapshot: false`); `snapshot=0`: normal boots;
 * `setup=large`: the 64 MB setup.
 */
async function visit(params: URLSearchParams): Promise<void> {
  const snapshot = params.get('snapshot') !== '0';
  const large = params.get('setup') === 'large';
  const pool = new PyodidePool({ indexURL, min: 2, max: 2, snapshot, baseSnapshot: params.get('base') !== '0' && baseSnapshot, ...(large ? { setup: LARGE_SETUP } : {}) });
  const first = pool.run('1+1').then(() => now());
  await pool.ready();
  const allWarmMs = now();
  const firstResultMs = await first;
  const boots = workerBoots(pool);
  if (large && (await pool.run('len(DATA) + DATA[4096]')) !== (64 << 20) + 7) throw new Error('the 64 MB setup did not run');
  // Let the snapshot reach Cache Storage before the page goes away (a large one takes a while).
  let storedBytes: number[] = [];
  if (snapshot) {
    const until = now() + 30_000;
    await new Promise((r) => setTimeout(r, 1500));
    while ((storedBytes = await storedSnapshotBytes()).length === 0 && now() < until) await new Promise((r) => setTimeout(r, 100));
  }
  await pool.terminate();
  (window as unknown as { benchResults: unknown }).benchResults = { firstResultMs, allWarmMs, ...boots, storedBytes };
}

/** The floor of a first result: one bare worker, `loadPyodide` and one task, nothing else on the page. */
async function bareVisit(): Promise<void> {
  const pool = new NaivePool(1);
  await pool.init(indexURL);
  await pool.run('1+1');
  const firstResultMs = now();
  pool.terminate();
  (window as unknown as { benchResults: unknown }).benchResults = { firstResultMs, allWarmMs: firstResultMs };
}

async function naiveVisit(): Promise<void> {
  const pool = new NaivePool(2);
  const warm = pool.init(indexURL);
  const first = warm.then(() => pool.run('1+1')).then(() => now());
  await warm;
  const allWarmMs = now();
  const firstResultMs = await first;
  pool.terminate();
  (window as unknown as { benchResults: unknown }).benchResults = { firstResultMs, allWarmMs };
}

/**
 * One boot on a fresh page, as on a first visit (the HTTP cache is warm, nothing is
 * stored, and nothing is compiled yet in this page): `kind` is naive, normal, snapshot
 * (the first worker from the base snapshot) or snapshot-nobase (`baseSnapshot: false`).
 */
async function boot(params: URLSearchParams): Promise<void> {
  const size = Number(params.get('size'));
  const kind = params.get('kind');
  const result = kind === 'naive' ? await naiveBoot(size) : await poolBoot(size, kind !== 'normal', kind === 'snapshot');
  (window as unknown as { benchResults: unknown }).benchResults = result;
}

const params = new URLSearchParams(location.search);
const mode = params.get('mode');
const report = (run: () => Promise<Record<string, unknown>>) => async () => {
  (window as unknown as { benchResults: unknown }).benchResults = await run();
};
const scenarios: Record<string, () => Promise<void>> = {
  none: async () => {},
  visit: () => visit(params),
  'naive-visit': naiveVisit,
  'bare-visit': bareVisit,
  boot: () => boot(params),
  map: report(mapScenario),
  'plain-cancel': report(plainCancelScenario),
  sandbox: report(sandboxScenario),
  output: report(outputScenario),
  isolate: report(isolateScenario),
  modules: report(modulesScenario),
  monitor: report(monitorScenario),
  forms: report(formsScenario),
};
const scenario = scenarios[mode ?? ''] ?? main;
scenario().catch((err: Error) => {
  (window as unknown as { benchResults: unknown }).benchResults = { error: String(err.stack ?? err) };
});
