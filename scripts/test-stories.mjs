// Tests the Storybook catalogue: builds it (unless --no-build), serves storybook-static
// on 127.0.0.1 (cross-origin isolated, plus a plain server for stories tagged
// `non-isolated`), opens every story and docs page in headless Chromium, and fails on a
// page error, a render error or a play function that throws. Prints one line per entry
// and writes the counts to .cache/test-counts-stories.json.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { startDevServer } from '@web/dev-server';
import puppeteer from 'puppeteer-core';
import { CHROMIUM_ARGS, ensureChromium } from './browsers.mjs';
import { crossOriginIsolation } from './dev-middleware.mjs';
import { freePort } from './free-port.mjs';

const STORY_TIMEOUT_MS = 90_000;

async function serve(isolated) {
  const port = await freePort();
  const server = await startDevServer({
    config: { rootDir: 'storybook-static', hostname: '127.0.0.1', port, middleware: isolated ? [crossOriginIsolation()] : [] },
    readCliArgs: false,
    readFileConfig: false,
    logStartMessage: false,
  });
  return { server, origin: `http://127.0.0.1:${port}` };
}

// Runs in the preview before Storybook starts: records how rendering ended.
function watchStorybook() {
  window.__outcome = undefined;
  const fail = (what) => (err) => {
    window.__outcome = { ok: false, error: `${what}: ${err?.message ?? err?.description ?? JSON.stringify(err)}` };
  };
  let channel;
  Object.defineProperty(window, '__STORYBOOK_ADDONS_CHANNEL__', {
    configurable: true,
    get: () => channel,
    set(value) {
      channel = value;
      value.on('storyRendered', () => (window.__outcome ??= { ok: true }));
      value.on('docsRendered', () => (window.__outcome ??= { ok: true }));
      value.on('playFunctionThrewException', fail('play function threw'));
      value.on('storyThrewException', fail('story threw'));
      value.on('storyErrored', fail('story errored'));
      value.on('storyMissing', fail('story missing'));
    },
  });
}

async function check(browser, origin, entry) {
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (err) => errors.push(`page error: ${err.message}`));
  try {
    await page.evaluateOnNewDocument(watchStorybook);
    await page.goto(`${origin}/iframe.html?id=${entry.id}&viewMode=${entry.type === 'docs' ? 'docs' : 'story'}`);
    await page.waitForFunction(() => window.__outcome !== undefined, { timeout: STORY_TIMEOUT_MS, polling: 100 });
    const outcome = await page.evaluate(() => window.__outcome);
    if (!outcome.ok) errors.push(outcome.error);
  } catch (err) {
    errors.push(err.message);
  } finally {
    await page.close();
  }
  return errors;
}

if (!process.argv.includes('--no-build')) {
  execFileSync(process.execPath, ['node_modules/storybook/dist/bin/dispatcher.js', 'build', '-o', 'storybook-static', '--quiet'], { stdio: ['ignore', 'ignore', 'inherit'] });
}
const entries = Object.values(JSON.parse(readFileSync('storybook-static/index.json', 'utf8')).entries);
const executablePath = ensureChromium();
const isolated = await serve(true);
const plain = await serve(false);
const browser = await puppeteer.launch({ executablePath, headless: true, args: CHROMIUM_ARGS });
const counts = { passed: 0, failed: 0, skipped: 0, files: 1, fileErrors: 0 };
try {
  console.log(`\n── Storybook catalogue (${entries.length} entries) ──`);
  for (const entry of entries) {
    const nonIsolated = entry.tags?.includes('non-isolated');
    const started = Date.now();
    const errors = await check(browser, nonIsolated ? plain.origin : isolated.origin, entry);
    const label = `${entry.title} › ${entry.name}${nonIsolated ? ' (non-isolated page)' : ''}`;
    if (errors.length === 0) {
      counts.passed++;
      console.log(`  ✓ ${label} (${Date.now() - started} ms)`);
    } else {
      counts.failed++;
      console.log(`  ✗ ${label}\n      ${errors.join('\n      ')}`);
    }
  }
} finally {
  await browser.close();
  await isolated.server.stop();
  await plain.server.stop();
}
mkdirSync('.cache', { recursive: true });
writeFileSync('.cache/test-counts-stories.json', JSON.stringify(counts));
console.log(`stories: ${counts.passed} passed, ${counts.failed} failed`);
process.exit(counts.failed ? 1 : 0);
