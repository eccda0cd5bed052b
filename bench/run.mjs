// `npm run bench`: serves the repository cross-origin isolated, opens bench/index.html in
// headless Chromium, and writes bench/results.json plus a readable table.
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { startDevServer } from '@web/dev-server';
import { esbuildPlugin } from '@web/dev-server-esbuild';
import puppeteer from 'puppeteer-core';
import { CHROMIUM_ARGS, ensureChromium } from '../scripts/chromium.mjs';
import { crossOriginIsolation, typescriptSources } from '../scripts/dev-middleware.mjs';

/** A port nobody listens on right now. */
function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createServer().once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

const executablePath = ensureChromium();
const port = await freePort();
const server = await startDevServer({
  config: {
    rootDir: process.cwd(),
    hostname: '127.0.0.1',
    port,
    nodeResolve: { exportConditions: ['browser', 'development'] },
    plugins: [esbuildPlugin({ ts: true, target: 'esnext' })],
    middleware: [typescriptSources(), crossOriginIsolation()],
  },
  readCliArgs: false,
  readFileConfig: false,
  logStartMessage: false,
});
const url = `http://127.0.0.1:${port}/bench/index.html`;
const browser = await puppeteer.launch({ executablePath, headless: true, args: CHROMIUM_ARGS });
try {
  const page = await browser.newPage();
  page.on('pageerror', (err) => console.error('page error:', err.message));
  await page.goto(url);
  await page.waitForFunction(() => window.benchResults, { timeout: 600_000, polling: 500 });
  const results = await page.evaluate(() => window.benchResults);
  if (results.error) throw new Error(results.error);
  results.date = new Date().toISOString();
  writeFileSync('bench/results.json', JSON.stringify(results, null, 2) + '\n');
  printTable(results);
} finally {
  await browser.close();
  await server.stop();
}

function printTable(r) {
  const ms = (x) => `${x.toFixed(3)} ms`;
  const rows = [
    ['postMessage round trip (floor), median', ms(r.postMessageFloor.median), '1.00×'],
    ["pool.run('1+1'), median", ms(r.tinyTaskLatency.median), `${(r.tinyTaskLatency.median / r.postMessageFloor.median).toFixed(2)}× floor`],
    ["pool.run('1+1'), p99", ms(r.tinyTaskLatency.p99), `${(r.tinyTaskLatency.p99 / r.postMessageFloor.p99).toFixed(2)}× floor p99`],
  ];
  for (const size of [2, 4]) {
    const normal = r[`boot${size}Normal`].allWarmMs;
    const snap = r[`boot${size}Snapshot`].allWarmMs;
    rows.push([`pool of ${size} all warm, normal boots`, ms(normal), '1.00×']);
    rows.push([`pool of ${size} all warm, snapshot boots`, ms(snap), `${(normal / snap).toFixed(2)}× faster`]);
  }
  const width = Math.max(...rows.map((row) => row[0].length));
  console.log(`\n${'measure'.padEnd(width)}  ${'value'.padStart(14)}  ratio`);
  for (const [name, value, ratio] of rows) console.log(`${name.padEnd(width)}  ${value.padStart(14)}  ${ratio}`);
  console.log('\nwritten to bench/results.json');
}
