// `npm run bench`: bundles the benchmark page as a production build would, serves the
// repository cross-origin isolated, opens bench/index.html in headless Chromium (or
// Firefox: `--browser=firefox`), and writes bench/results.json (results-firefox.json)
// plus a readable table and the boot timelines.
//   --only=visits,boots,large,forms,main,map,sandbox,output,isolate,modules,monitor   run those parts alone, for a quick look while working
//   --rounds=N   rounds of the visits, boots, large and modules parts (default 3; 1 for a smoke test)
import { rewriteBundleURLs } from '../scripts/bundle-urls.mjs';
import { compileWat } from '../scripts/wat.mjs';
import { copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { execSync } from 'node:child_process';
import { gunzipSync } from 'node:zlib';
import { startDevServer } from '@web/dev-server';
import { build } from 'esbuild';
import { PYTHON_TEXT_LOADER } from '../scripts/python-text.mjs';
import puppeteer from 'puppeteer-core';
import { CHROMIUM_ARGS, ENGINES, ensureChromium } from '../scripts/browsers.mjs';
import { crossOriginIsolation } from '../scripts/dev-middleware.mjs';
import { freePort } from '../scripts/free-port.mjs';
import { printTable, printTimelines } from './report.mjs';

const arg = (name) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const only = arg('only')?.split(',');
const part = (name) => !only || only.includes(name);
const engine = arg('browser') ?? 'chromium';
if (!['chromium', 'firefox'].includes(engine)) throw new Error(`--browser=${engine}: the bench drives chromium or firefox`);
const ROUNDS = Number(arg('rounds') ?? 3);

// Page loads are part of what is measured: bundled, as users ship them, both the pool and
// the naive baseline. The workers sit next to the page bundle, where `new URL('./x.js',
// import.meta.url)` finds them.
await build({
  entryPoints: [
    'bench/bench.ts',
    'bench/echo-worker.ts',
    'bench/naive-worker.ts',
    'bench/spin-worker.ts',
    'bench/wasm-floor-worker.ts',
    'workers/pool-worker.ts',
    'workers/sandbox-worker.ts',
    'workers/module-worker.ts',
  ],
  outdir: 'bench/dist',
  entryNames: '[name]',
  bundle: true,
  format: 'esm',
  minify: true,
  target: 'es2022',
  logLevel: 'warning',
  // The sandbox worker's imports are there for their side effects (see scripts/build.mjs).
  ignoreAnnotations: true,
  loader: PYTHON_TEXT_LOADER,
});
rewriteBundleURLs('bench/dist/bench.js');
// The modules part's WasmPool and its floor load the test module's exports from beside the page bundle.
writeFileSync('bench/dist/math.wasm', await compileWat('test/fixtures/wasm/math.wat'));
// The base snapshot ships as dist/base-snapshot.bin, which the package finds at
// `../base-snapshot.bin` from its own module. Bundled into bench/dist/, that URL would
// point at bench/base-snapshot.bin: as a bundler user would, the file is copied beside the
// bundle and its URL passed as `baseSnapshot` (bench/shared.ts).
if (!existsSync('dist/base-snapshot.bin')) execSync('npm run build', { stdio: 'inherit' });
copyFileSync('dist/base-snapshot.bin', 'bench/dist/base-snapshot.bin');
if (part('forms')) await writeSnapshotForms();

/**
 * The base snapshot's other forms, for the `forms` part: packed only (the shipped file
 * gunzipped) and raw (unpacked), beside the shipped one.
 */
async function writeSnapshotForms() {
  const { unpackSnapshot } = await import('../dist/workers/worker/sparse-snapshot.js');
  const file = readFileSync('bench/dist/base-snapshot.bin');
  const packed = gunzipSync(file.subarray(8 + file.readUInt32LE(4)));
  writeFileSync('bench/dist/base-snapshot.packed', packed);
  writeFileSync('bench/dist/base-snapshot.raw', unpackSnapshot(packed));
}

const port = await freePort();
const server = await startDevServer({
  config: { rootDir: process.cwd(), hostname: '127.0.0.1', port, middleware: [plainWhenAsked(crossOriginIsolation())] },
  readCliArgs: false,
  readFileConfig: false,
  logStartMessage: false,
});
const url = `http://127.0.0.1:${port}/bench/index.html`;

/** The page is served without isolation headers when its URL says `plain` (the plain-page figures). */
function plainWhenAsked(isolate) {
  return (ctx, next) => (ctx.path === '/bench/index.html' && 'plain' in ctx.query ? next() : isolate(ctx, next));
}
const browser =
  engine === 'firefox'
    ? await puppeteer.launch({ browser: 'firefox', executablePath: ENGINES.firefox.find() ?? fail(`Firefox not found: ${ENGINES.firefox.hint}`), headless: true })
    : await puppeteer.launch({ executablePath: ensureChromium(), headless: true, args: CHROMIUM_ARGS });

function fail(message) {
  throw new Error(message);
}

async function measure(page, query = '') {
  await page.goto(url + query);
  await page.waitForFunction(() => window.benchResults, { timeout: 600_000, polling: 100 });
  const result = await page.evaluate(() => window.benchResults);
  if (result.error) throw new Error(result.error);
  return result;
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

try {
  const page = await browser.newPage();
  page.on('pageerror', (err) => console.error('page error:', err.message));
  // Nothing below pays for the HTTP cache's first fill (the first page load ever).
  await measure(page, '?mode=boot&size=1&kind=normal');
  await measure(page, '?mode=boot&size=1&kind=snapshot'); // and the base snapshot's file
  const results = part('main') ? await measure(page) : {};
  results.browser = `${engine} ${await browser.version()}`;
  results.cores ??= await page.evaluate(() => navigator.hardwareConcurrency);
  results.crossOriginIsolated ??= await page.evaluate(() => crossOriginIsolated);
  Object.assign(results, part('visits') ? await visits(page) : {}, part('boots') ? await boots(page) : {});
  if (part('large')) results.large = await large(page);
  if (part('forms')) results.forms = await measure(page, '?mode=forms');
  if (part('map')) {
    results.map = await measure(page, '?mode=map');
    results.plainCancel = await measure(page, '?mode=plain-cancel&plain');
  }
  if (part('sandbox')) {
    results.sandbox = await measure(page, '?mode=sandbox');
    results.sandboxPlain = await measure(page, '?mode=sandbox&plain');
  }
  if (part('output')) results.output = await measure(page, '?mode=output');
  if (part('isolate')) {
    results.isolate = await measure(page, '?mode=isolate');
    results.isolatePlain = await measure(page, '?mode=isolate&plain');
  }
  if (part('modules')) results.modules = await modules(page);
  if (part('monitor')) results.monitor = await measure(page, `?mode=monitor&rounds=${Math.min(ROUNDS, 2)}`);
  results.date = new Date().toISOString();
  writeFileSync(engine === 'chromium' ? 'bench/results.json' : `bench/results-${engine}.json`, JSON.stringify(results, null, 2) + '\n');
  printTable(results);
  printTimelines(results);
} finally {
  await browser.close();
  await server.stop();
}

/** Delete every cache of the page's origin (the stored snapshots). */
async function clearStorage(page) {
  await page.goto(url + '?mode=none');
  await page.evaluate(async () => Promise.all((await caches.keys()).map((k) => caches.delete(k))));
}

/** Medians of a list of page loads, the median one kept whole. */
function visitSummary(rounds) {
  const firstResultMs = median(rounds.map((v) => v.firstResultMs));
  return {
    firstResultMs,
    allWarmMs: median(rounds.map((v) => v.allWarmMs)),
    bootModes: rounds[0].bootModes,
    medianRound: rounds.find((v) => v.firstResultMs === firstResultMs),
    rounds,
  };
}

/**
 * Page loads as users have them, in one browser profile: storage cleared, then a first
 * visit and a revisit of each pool, and a single bare worker (loadPyodide + first task).
 * Our pool's two visits are made with the base snapshot (the default) and without it
 * (`baseSnapshot: false`, as before issue 24), storage cleared before each pair, the pairs
 * in turn first. Three rounds; each figure is the median, each ratio the median of the
 * rounds' ratios, with every round's ratio kept for the spread.
 */
async function visits(page) {
  const runs = { bare: [], naiveFirst: [], naiveRevisit: [], firstVisit: [], revisit: [], firstVisitNoBase: [], revisitNoBase: [] };
  for (let round = 0; round < ROUNDS; round++) {
    await clearStorage(page);
    runs.bare.push(await measure(page, '?mode=bare-visit'));
    runs.naiveFirst.push(await measure(page, '?mode=naive-visit'));
    runs.naiveRevisit.push(await measure(page, '?mode=naive-visit'));
    const pairs = [
      ['firstVisit', 'revisit', ''],
      ['firstVisitNoBase', 'revisitNoBase', '&base=0'],
    ];
    if (round % 2) pairs.reverse();
    for (const [first, next, query] of pairs) {
      // The stored snapshot's key does not depend on the base snapshot: each pair starts empty.
      await clearStorage(page);
      runs[first].push(await measure(page, '?mode=visit' + query));
      runs[next].push(await measure(page, '?mode=visit' + query));
    }
  }
  const out = Object.fromEntries(Object.entries(runs).map(([name, rounds]) => [name, visitSummary(rounds)]));
  const each = (a, b, key) => runs[a].map((v, i) => v[key] / runs[b][i][key]);
  out.visitRatioRounds = {
    firstVisitWarmVsNaive: each('naiveFirst', 'firstVisit', 'allWarmMs'),
    firstVisitFirstResultVsBare: each('firstVisit', 'bare', 'firstResultMs'),
    revisitWarmVsNaive: each('naiveRevisit', 'revisit', 'allWarmMs'),
    revisitFirstResultVsFirstVisit: each('firstVisit', 'revisit', 'firstResultMs'),
    revisitFirstResultVsBare: each('revisit', 'bare', 'firstResultMs'),
    noBaseFirstVisitWarmVsNaive: each('naiveFirst', 'firstVisitNoBase', 'allWarmMs'),
    noBaseFirstVisitFirstResultVsBare: each('firstVisitNoBase', 'bare', 'firstResultMs'),
    noBaseRevisitWarmVsNaive: each('naiveRevisit', 'revisitNoBase', 'allWarmMs'),
    noBaseRevisitFirstResultVsBare: each('revisitNoBase', 'bare', 'firstResultMs'),
    baseVsNoBaseFirstResult: each('firstVisitNoBase', 'firstVisit', 'firstResultMs'),
    baseVsNoBaseWarm: each('firstVisitNoBase', 'firstVisit', 'allWarmMs'),
  };
  out.visitRatios = Object.fromEntries(Object.entries(out.visitRatioRounds).map(([k, v]) => [k, median(v)]));
  for (const [name, visit] of [
    ['first visit', out.firstVisit],
    ['first visit, baseSnapshot: false', out.firstVisitNoBase],
  ]) {
    const expected = name === 'first visit';
    visit.rounds.forEach((v, i) => {
      if (v.workers?.[0]?.baseSnapshot !== expected)
        console.warn(`${name}, round ${i + 1}: worker 1 has baseSnapshot ${v.workers?.[0]?.baseSnapshot} (snapshotSkipped ${v.workers?.[0]?.snapshotSkipped})`);
    });
  }
  return out;
}

/**
 * Issue 24's 64 MB setup: a first visit (storage cleared; it stores the snapshot), then,
 * in turn first, a next visit (every worker restored from the stored snapshot) and the same
 * page with `snapshot: false` (normal boots, each worker runs the setup). Three rounds.
 */
async function large(page) {
  const runs = { first: [], next: [], normal: [] };
  for (let round = 0; round < ROUNDS; round++) {
    await clearStorage(page);
    runs.first.push(await measure(page, '?mode=visit&setup=large'));
    const order = round % 2 ? ['normal', 'next'] : ['next', 'normal'];
    for (const kind of order) runs[kind].push(await measure(page, `?mode=visit&setup=large${kind === 'normal' ? '&snapshot=0' : ''}`));
  }
  const out = Object.fromEntries(Object.entries(runs).map(([name, rounds]) => [name, visitSummary(rounds)]));
  const each = (key) => runs.normal.map((v, i) => v[key] / runs.next[i][key]);
  out.ratioRounds = { warm: each('allWarmMs'), firstResult: each('firstResultMs') };
  out.ratios = { warm: median(out.ratioRounds.warm), firstResult: median(out.ratioRounds.firstResult) };
  out.storedBytes = runs.first.map((v) => v.storedBytes);
  out.heapBytes = runs.first.map((v) => v.workers.map((w) => w.heapBytes));
  return out;
}

/** Boots on fresh page loads, first-visit conditions: the naive pool and ours alternate. */
async function boots(page) {
  const out = {};
  for (const size of [2, 4]) {
    // snapshot: the first worker from the base snapshot (the default); snapshot-nobase: without it.
    const trials = { naive: [], normal: [], 'snapshot-nobase': [], snapshot: [] };
    for (let round = 0; round < ROUNDS; round++) {
      for (const kind of Object.keys(trials)) trials[kind].push(await measure(page, `?mode=boot&size=${size}&kind=${kind}`));
    }
    const summary = (kind) => {
      const ratios = trials[kind].map((t, i) => trials.naive[i].allWarmMs / t.allWarmMs);
      return {
        allWarmMs: median(trials[kind].map((t) => t.allWarmMs)),
        bootModes: trials[kind][0].bootModes,
        workers: trials[kind].map((t) => t.workers),
        bootMs: trials[kind][0].bootMs,
        medianTrial: trials[kind].find((t) => t.allWarmMs === median(trials[kind].map((x) => x.allWarmMs))),
        trials: trials[kind].map((t) => t.allWarmMs),
        ratio: median(ratios),
        ratios,
      };
    };
    out[`naiveBoot${size}`] = summary('naive');
    out[`boot${size}Normal`] = summary('normal');
    out[`boot${size}Snapshot`] = summary('snapshot');
    out[`boot${size}SnapshotNoBase`] = summary('snapshot-nobase');
    out[`boot${size}BaseVsNoBase`] = trials.snapshot.map((t, i) => trials['snapshot-nobase'][i].allWarmMs / t.allWarmMs);
  }
  return out;
}

/**
 * WasmPool in wazero-pool's shape (bench/modules-bench.ts): one page load per round, each
 * measuring every figure once. Medians of the rounds' µs/op, and each ratio the median of
 * the rounds' ratios (every round's kept, for the spread).
 */
async function modules(page) {
  const rounds = [];
  for (let round = 0; round < ROUNDS; round++) rounds.push(await measure(page, '?mode=modules'));
  const { busyRounds, sequentialMax, parallelMax, cores } = rounds[0];
  const out = { busyRounds, sequentialMax, parallelMax, cores, medians: {}, ratios: {}, ratioRounds: {}, rounds };
  for (const name of ['add', 'busy']) {
    const figures = Object.keys(rounds[0][name]);
    out.medians[name] = Object.fromEntries(
      figures.map((figure) => {
        const usPerOp = median(rounds.map((r) => r[name][figure].usPerOp));
        const p50 = rounds[0][name][figure].p50Us === undefined ? {} : { p50Us: median(rounds.map((r) => r[name][figure].p50Us)) };
        return [figure, { usPerOp, callsPerSecond: 1e6 / usPerOp, ...p50 }];
      }),
    );
    // a ÷ b in µs/op (or in median latency): how many times slower a is than b.
    const each = (a, b, key = 'usPerOp') => rounds.map((r) => r[name][a][key] / r[name][b][key]);
    const ratioRounds = {
      floorVsRaw: each('floor', 'raw'),
      poolVsFloor: each('pool', 'floor'),
      leaseVsFloor: each('lease', 'floor'),
      poolVsFloorP50: each('pool', 'floor', 'p50Us'),
      leaseVsFloorP50: each('lease', 'floor', 'p50Us'),
    };
    for (const callers of [2, 4, 8]) {
      ratioRounds[`pool-${callers}VsFloor-${callers}`] = each(`pool-${callers}`, `floor-${callers}`);
      ratioRounds[`poolVsPool-${callers}`] = each('pool', `pool-${callers}`);
    }
    out.ratioRounds[name] = ratioRounds;
    out.ratios[name] = Object.fromEntries(Object.entries(ratioRounds).map(([k, v]) => [k, median(v)]));
  }
  return out;
}
