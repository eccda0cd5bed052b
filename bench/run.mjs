// `npm run bench`: bundles the benchmark page as a production build would, serves the
// repository cross-origin isolated, opens bench/index.html in headless Chromium, and
// writes bench/results.json plus a readable table.
import { writeFileSync } from 'node:fs';
import { startDevServer } from '@web/dev-server';
import { build } from 'esbuild';
import puppeteer from 'puppeteer-core';
import { CHROMIUM_ARGS, ensureChromium } from '../scripts/browsers.mjs';
import { crossOriginIsolation } from '../scripts/dev-middleware.mjs';
import { freePort } from '../scripts/free-port.mjs';

const executablePath = ensureChromium();
// Page loads are part of what is measured: bundled, as users ship them, both the pool and
// the naive baseline. The workers sit next to the page bundle, where `new URL('./x.js',
// import.meta.url)` finds them.
await build({
  entryPoints: ['bench/bench.ts', 'bench/echo-worker.ts', 'bench/naive-worker.ts', 'bench/spin-worker.ts', 'workers/pool-worker.ts'],
  outdir: 'bench/dist',
  entryNames: '[name]',
  bundle: true,
  format: 'esm',
  minify: true,
  target: 'es2022',
  logLevel: 'warning',
});
const port = await freePort();
const server = await startDevServer({
  config: {
    rootDir: process.cwd(),
    hostname: '127.0.0.1',
    port,
    middleware: [crossOriginIsolation()],
  },
  readCliArgs: false,
  readFileConfig: false,
  logStartMessage: false,
});
const url = `http://127.0.0.1:${port}/bench/index.html`;
const browser = await puppeteer.launch({ executablePath, headless: true, args: CHROMIUM_ARGS });
async function measure(page, query = '') {
  await page.goto(url + query);
  await page.waitForFunction(() => window.benchResults, { timeout: 600_000, polling: 100 });
  const result = await page.evaluate(() => window.benchResults);
  if (result.error) throw new Error(result.error);
  return result;
}

try {
  const page = await browser.newPage();
  page.on('pageerror', (err) => console.error('page error:', err.message));
  // Page loads as users have them: a first visit with nothing stored, then a revisit.
  // Three rounds; each figure is the median, each ratio the median of the rounds' ratios.
  const visits = { naiveFirst: [], naiveRevisit: [], firstVisit: [], revisit: [] };
  for (let round = 0; round < 3; round++) {
    await page.goto(url + '?mode=none');
    await page.evaluate(async () => Promise.all((await caches.keys()).map((k) => caches.delete(k))));
    visits.naiveFirst.push(await measure(page, '?mode=naive-visit'));
    visits.naiveRevisit.push(await measure(page, '?mode=naive-visit'));
    visits.firstVisit.push(await measure(page, '?mode=visit'));
    visits.revisit.push(await measure(page, '?mode=visit'));
  }
  // Boots, each on a fresh page load: the naive pool and ours alternate, three rounds.
  await measure(page, '?mode=boot&size=1&kind=normal'); // warms the HTTP cache
  const boots = {};
  for (const size of [2, 4]) {
    const trials = { naive: [], normal: [], snapshot: [] };
    for (let round = 0; round < 3; round++) {
      for (const kind of Object.keys(trials)) trials[kind].push(await measure(page, `?mode=boot&size=${size}&kind=${kind}`));
    }
    const summary = (kind) => ({
      allWarmMs: median(trials[kind].map((t) => t.allWarmMs)),
      bootModes: trials[kind][0].bootModes,
      bootMs: trials[kind][0].bootMs,
      trials: trials[kind].map((t) => t.allWarmMs),
      ratio: median(trials[kind].map((t, i) => trials.naive[i].allWarmMs / t.allWarmMs)),
    });
    boots[`naiveBoot${size}`] = summary('naive');
    boots[`boot${size}Normal`] = summary('normal');
    boots[`boot${size}Snapshot`] = summary('snapshot');
  }
  const results = await measure(page);
  Object.assign(results, boots);
  for (const [name, rounds] of Object.entries(visits)) {
    results[name] = {
      firstResultMs: median(rounds.map((v) => v.firstResultMs)),
      allWarmMs: median(rounds.map((v) => v.allWarmMs)),
      bootModes: rounds[0].bootModes,
      rounds,
    };
  }
  const ratios = (a, b, key) => median(visits[a].map((v, i) => v[key] / visits[b][i][key]));
  results.visitRatios = {
    firstVisitWarmVsNaive: ratios('naiveFirst', 'firstVisit', 'allWarmMs'),
    revisitWarmVsNaive: ratios('naiveRevisit', 'revisit', 'allWarmMs'),
    revisitFirstResultVsFirstVisit: ratios('firstVisit', 'revisit', 'firstResultMs'),
  };
  results.date = new Date().toISOString();
  writeFileSync('bench/results.json', JSON.stringify(results, null, 2) + '\n');
  printTable(results);
} finally {
  await browser.close();
  await server.stop();
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function printTable(r) {
  const ms = (x) => `${x.toFixed(3)} ms`;
  const ratio = (x, digits = 2) => `${x.toFixed(digits)}×`;
  const rows = [
    ['postMessage round trip (floor), median', ms(r.postMessageFloor.median), 'baseline'],
    ["pool.run('1+1') latency, median", ms(r.tinyTaskLatency.median), `${ratio(r.tinyTaskLatency.median / r.postMessageFloor.median)} floor (target ≤ 2×)`],
    ["pool.run('1+1') latency, p99", ms(r.tinyTaskLatency.p99), `${ratio(r.tinyTaskLatency.p99 / r.postMessageFloor.p99)} floor p99`],
    ["naive run('1+1') latency, median", ms(r.naiveLatency.median), `${ratio(r.naiveLatency.median / r.tinyTaskLatency.median)} the pool's`],
    ['naive throughput, 10,000 tiny tasks', `${r.naiveThroughput.tasksPerSecond.toFixed(0)} /s`, 'baseline'],
    ['pool throughput, 10,000 tiny tasks', `${r.throughput.tasksPerSecond.toFixed(0)} /s`, `${ratio(r.throughput.tasksPerSecond / r.naiveThroughput.tasksPerSecond)} naive (target ≥ 20×)`],
  ];
  for (const size of [2, 4]) {
    const naive = r[`naiveBoot${size}`].allWarmMs;
    rows.push([`naive pool of ${size}, all warm`, ms(naive), 'baseline']);
    rows.push([`pool of ${size} all warm, normal boots`, ms(r[`boot${size}Normal`].allWarmMs), `${ratio(r[`boot${size}Normal`].ratio)} sooner`]);
    rows.push([`pool of ${size} all warm, snapshot boots`, ms(r[`boot${size}Snapshot`].allWarmMs), `${ratio(r[`boot${size}Snapshot`].ratio)} sooner${size === 4 ? ' (target ≥ 2×)' : ''}`]);
  }
  rows.push(['naive, second page load: pool of 2 warm', ms(r.naiveRevisit.allWarmMs), 'baseline']);
  rows.push(['first visit: pool of 2 warm', ms(r.firstVisit.allWarmMs), `${ratio(r.visitRatios.firstVisitWarmVsNaive)} sooner than naive first visit`]);
  rows.push(['second page load: pool of 2 warm', ms(r.revisit.allWarmMs), `${ratio(r.visitRatios.revisitWarmVsNaive)} sooner (target ≥ 3×)`]);
  rows.push(['first visit: first result', ms(r.firstVisit.firstResultMs), 'baseline']);
  rows.push(['second page load: first result', ms(r.revisit.firstResultMs), `${ratio(r.visitRatios.revisitFirstResultVsFirstVisit)} sooner (target ≥ 4×)`]);
  rows.push(['CPU-bound, 8 tasks on 1 worker', ms(r.cpuSpeedup.oneWorkerMs), 'baseline']);
  rows.push(['CPU-bound, 8 tasks on 2 workers', ms(r.cpuSpeedup.twoWorkersMs), `${ratio(r.cpuSpeedup.speedup)} speedup (target ≥ 1.8×)`]);
  rows.push(['naive pool, same comparison', '', `${ratio(r.cpuSpeedup.naiveSpeedup)} speedup`]);
  rows.push(['plain JS, same comparison (the machine now)', '', `${ratio(r.cpuSpeedup.plainJsSpeedup)} speedup`]);
  rows.push(['wasm heap growth over 10,000 tasks', `${(r.heapGrowth.bytes / 2 ** 20).toFixed(2)} MB`, 'target ≤ 1 MB']);
  rows.push(['interrupt latency (cancel → rejection), p50', ms(r.interruptLatency.median), `${ratio(r.interruptLatency.median / r.postMessageFloor.median, 0)} floor (target ≤ 20 ms)`]);
  const waiting = (name, key) => {
    const m = r[key];
    if (!m || m.median === null || Number.isNaN(m.median)) return rows.push([name, 'n/a', 'this build cannot run the code']);
    rows.push([name, ms(m.median), `${ratio(m.median / r.interruptLatency.median)} the busy-loop interrupt; ${m.workersReplaced}/${m.n} workers replaced`]);
  };
  const trip = r.bufferRoundTrip;
  if (trip) {
    rows.push(['16 MB round trip, postMessage copy, p50', ms(trip.postMessageCopy.median), 'baseline']);
    rows.push(['16 MB round trip, postMessage transfer, p50', ms(trip.postMessageTransfer.median), `${ratio(trip.postMessageCopy.median / trip.postMessageTransfer.median)} faster than copy`]);
    rows.push(['16 MB round trip, pool copy, p50', ms(trip.poolCopy.median), `${ratio(trip.poolCopy.median / trip.postMessageCopy.median)} postMessage copy`]);
    rows.push(['16 MB round trip, pool transfer, p50', ms(trip.poolTransfer.median), `${ratio(trip.poolTransfer.median / trip.postMessageCopy.median)} postMessage copy`]);
  }
  waiting('cancel a task in time.sleep(30), p50', 'sleepCancelLatency');
  waiting('cancel a task in await asyncio.sleep(30), p50', 'awaitCancelLatency');
  const width = Math.max(...rows.map((row) => row[0].length));
  console.log(`\n${'measure'.padEnd(width)}  ${'value'.padStart(14)}  ratio`);
  for (const [name, value, note] of rows) console.log(`${name.padEnd(width)}  ${value.padStart(14)}  ${note}`);
  console.log(`\n${r.cores} cores, cross-origin isolated: ${r.crossOriginIsolated}. Written to bench/results.json`);
}
