// `node scripts/screenshots.mjs`: looks at every demo as a visitor would, in headless
// Chromium, wide (1280 px) and narrow (390 px, a phone), after running its work, and saves
// full-page screenshots to .cache/screens/ (run `npm run build && npm run build:examples`
// first). For reviewing layouts by eye; nothing is asserted.
//   --only=csv-batch,monte-carlo   just those pages
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import puppeteer from 'puppeteer-core';
import { CHROMIUM_ARGS, ensureChromium } from './browsers.mjs';
import { freePort } from './free-port.mjs';

const only = process.argv
  .find((a) => a.startsWith('--only='))
  ?.slice(7)
  .split(',');

/** Each page, and what a visitor does there before looking. */
const PAGES = {
  index: { path: 'index.html', async act() {} },
  'monte-carlo': {
    path: 'monte-carlo.html',
    async act(page) {
      await page.waitForSelector('#start:not([disabled])', { timeout: 120_000 });
      await page.click('#start');
      await page.waitForFunction(() => document.getElementById('message')?.textContent?.startsWith('Done'), { timeout: 120_000 });
    },
  },
  dashboard: {
    path: 'dashboard.html',
    async act(page) {
      await page.waitForFunction(() => Number(document.getElementById('done')?.textContent) >= 8, { timeout: 120_000 });
    },
  },
  'csv-batch': {
    path: 'csv-batch.html',
    async act(page) {
      await page.waitForSelector('button.samples');
      await page.click('button.samples');
      await page.click('button.run');
      await page.waitForFunction(() => document.querySelector('.status')?.textContent?.startsWith('Done'), { timeout: 120_000 });
    },
  },
  'drop-in': {
    path: 'drop-in.html',
    async act(page) {
      await page.waitForFunction(() => [...document.querySelectorAll('py-task')].every((t) => ['done', 'failed'].includes(t.status)), { timeout: 120_000 }).catch(() => {});
    },
  },
  'static-host': { path: 'static-host/index.html', async act() {} },
};

const port = await freePort();
const server = spawn(process.execPath, ['scripts/serve.mjs'], { env: { ...process.env, PORT: String(port), HOST: '127.0.0.1' }, stdio: ['ignore', 'pipe', 'inherit'] });
await new Promise((resolve) => server.stdout.on('data', (chunk) => String(chunk).includes('demo:') && resolve()));
const browser = await puppeteer.launch({ executablePath: ensureChromium(), headless: true, args: CHROMIUM_ARGS });
mkdirSync('.cache/screens', { recursive: true });
try {
  for (const [name, { path, act }] of Object.entries(PAGES)) {
    if (only && !only.includes(name)) continue;
    for (const width of [1280, 390]) {
      const page = await browser.newPage();
      await page.setViewport({ width, height: 900 });
      page.on('pageerror', (err) => console.warn(`${name} @${width}: ${err.message}`));
      const response = await page.goto(`http://127.0.0.1:${port}/examples/${path}`);
      if (!response || response.status() >= 400) {
        console.log(`${name}: ${response?.status()} (skipped)`);
        await page.close();
        break;
      }
      await act(page);
      // Let the last frame of live views draw.
      await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      const file = `.cache/screens/${name}-${width}.png`;
      await page.screenshot({ path: file, fullPage: true });
      console.log(`${file}${overflow > 0 ? `  (scrolls sideways by ${overflow} px)` : ''}`);
      await page.close();
    }
  }
} finally {
  await browser.close();
  server.kill();
}
