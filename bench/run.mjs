// `npm run bench`: bundles the benchmark page as a production build would, serves the
// repository cross-origin isolated, opens bench/index.html in headless Chromium (or
// Firefox: `--browser=firefox`), and writes bench/results.json (results-firefox.json)
// plus a readable table and the boot timelines.
//   --only=visits,boots,main,map,sandbox,output,isolate   run those parts alone, for a quick look while working
import { writeFileSync } from 'node:fs';
import { startDevServer } from '@web/dev-server';
import { build } from 'esbuild';
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
const ROUNDS = 3;

// Page loads are part of what is measured: bundled, as users ship them, both the pool and
// the naive baseline. The workers sit next to the page bundle, where `new URL('./x.js',
// import.meta.url)` finds them.
await build({
  entryPoints: ['bench/bench.ts', 'bench/echo-worker.ts', 'bench/naive-worker.ts', 'bench/spin-worker.ts', 'workers/pool-worker.ts', 'workers/sandbox-worker.ts'],
  outdir: 'bench/dist',
  entryNames: '[name]',
  bundle: true,
  format: 'esm',
  minify: true,
  target: 'es2022',
  logLevel: 'warning',
  // The sandbox worker's imports are there for their side effects (see scripts/build.mjs).
  ignoreAnnotations: true,
});
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
  const results = part('main') ? await measure(page) : {};
  results.browser = `${engine} ${await browser.version()}`;
  Object.assign(results, part('visits') ? await visits(page) : {}, part('boots') ? await boots(page) : {});
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
  results.date = new Date().toISOString();
  writeFileSync(engine === 'chromium' ? 'bench/results.json' : `bench/results-${engine}.json`, JSON.stringify(results, null, 2) + '\n');
  printTable(results);
  printTimelines(results);
} finally {
  await browser.close();
  await server.stop();
}

/**
 * Page loads as users have them, in one browser profile: storage cleared, then a first
 * visit and a revisit of each pool, and a single bare worker (loadPyodide + first task).
 * Three rounds; each figure is the median, each ratio the median of the rounds' ratios,
 * with every round's ratio kept for the spread.
 */
async function visits(page) {
  const runs = { bare: [], naiveFirst: [], naiveRevisit: [], firstVisit: [], revisit: [] };
  for (let round = 0; round < ROUNDS; round++) {
    await page.goto(url + '?mode=none');
    await page.evaluate(async () => Promise.all((await caches.keys()).map((k) => caches.delete(k))));
    runs.bare.push(await measure(page, '?mode=bare-visit'));
    runs.naiveFirst.push(await measure(page, '?mode=naive-visit'));
    runs.naiveRevisit.push(await measure(page, '?mode=naive-visit'));
    runs.firstVisit.push(await measure(page, '?mode=visit'));
    runs.revisit.push(await measure(page, '?mode=visit'));
  }
  const out = {};
  for (const [name, rounds] of Object.entries(runs)) {
    const firstResultMs = median(rounds.map((v) => v.firstResultMs));
    out[name] = {
      firstResultMs,
      allWarmMs: median(rounds.map((v) => v.allWarmMs)),
      bootModes: rounds[0].bootModes,
      medianRound: rounds.find((v) => v.firstResultMs === firstResultMs),
      rounds,
    };
  }
  const each = (a, b, key) => runs[a].map((v, i) => v[key] / runs[b][i][key]);
  out.visitRatioRounds = {
    firstVisitWarmVsNaive: each('naiveFirst', 'firstVisit', 'allWarmMs'),
    firstVisitFirstResultVsBare: each('firstVisit', 'bare', 'firstResultMs'),
    revisitWarmVsNaive: each('naiveRevisit', 'revisit', 'allWarmMs'),
    revisitFirstResultVsFirstVisit: each('firstVisit', 'revisit', 'firstResultMs'),
  };
  out.visitRatios = Object.fromEntries(Object.entries(out.visitRatioRounds).map(([k, v]) => [k, median(v)]));
  return out;
}

/** Boots on fresh page loads, first-visit conditions: the naive pool and ours alternate. */
async function boots(page) {
  const out = {};
  for (const size of [2, 4]) {
    const trials = { naive: [], normal: [], snapshot: [] };
    for (let round = 0; round < ROUNDS; round++) {
      for (const kind of Object.keys(trials)) trials[kind].push(await measure(page, `?mode=boot&size=${size}&kind=${kind}`));
    }
    const summary = (kind) => {
      const ratios = trials[kind].map((t, i) => trials.naive[i].allWarmMs / t.allWarmMs);
      return {
        allWarmMs: median(trials[kind].map((t) => t.allWarmMs)),
        bootModes: trials[kind][0].bootModes,
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
  }
  return out;
}
