// Makes the base snapshot in headless Chromium, in a module worker as the pool's are: the
// interpreter keeps its own record of whether its engine could switch stacks (JSPI), and
// Node 20's (an older JSPI, or none) leaves `asyncio.run` broken in the browsers that
// have today's. Returns the raw snapshot, or undefined when no Chromium is at hand.
import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import puppeteer from 'puppeteer-core';
import { CHROMIUM_ARGS, ENGINES } from './browsers.mjs';

const TYPES = { '.mjs': 'text/javascript', '.js': 'text/javascript', '.wasm': 'application/wasm', '.json': 'application/json', '.zip': 'application/zip' };

const WORKER = `
const { loadPyodide } = await import('/pyodide/pyodide.mjs');
const pyodide = await loadPyodide({ indexURL: '/pyodide/', _makeSnapshot: true });
const snapshot = pyodide.makeMemorySnapshot();
const jspi = typeof WebAssembly.Suspending === 'function';
await fetch('/made?version=' + pyodide.version + '&jspi=' + jspi, { method: 'POST', body: snapshot });
postMessage('done');
`;
const PAGE = `<!doctype html><script type="module">
const worker = new Worker('/worker.mjs', { type: 'module' });
worker.onmessage = () => (window.done = true);
worker.onerror = (e) => (window.failed = String(e.message));
</script>`;

export async function makeInChromium(pyodideDir) {
  const executablePath = ENGINES.chromium.find();
  if (!executablePath) return undefined;
  let made;
  const server = createServer((req, res) => {
    const url = new URL(req.url, 'http://localhost');
    if (url.pathname === '/made') {
      const chunks = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => {
        made = { raw: Buffer.concat(chunks), pyodideVersion: url.searchParams.get('version'), jspi: url.searchParams.get('jspi') === 'true' };
        res.end('ok');
      });
      return;
    }
    const body = url.pathname === '/' ? PAGE : url.pathname === '/worker.mjs' ? WORKER : undefined;
    if (body !== undefined) {
      res.writeHead(200, { 'content-type': url.pathname === '/' ? 'text/html' : 'text/javascript' });
      return res.end(body);
    }
    if (!url.pathname.startsWith('/pyodide/') || url.pathname.includes('..')) return res.writeHead(404).end();
    try {
      const file = join(pyodideDir, url.pathname.slice('/pyodide/'.length));
      res.writeHead(200, { 'content-type': TYPES[file.slice(file.lastIndexOf('.'))] ?? 'application/octet-stream' });
      res.end(readFileSync(file));
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const browser = await puppeteer.launch({ executablePath, headless: true, args: CHROMIUM_ARGS });
  try {
    const page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${server.address().port}/`);
    await page.waitForFunction(() => window.done || window.failed, { timeout: 120_000, polling: 100 });
    const failed = await page.evaluate(() => window.failed);
    if (failed || !made) throw new Error(`the base snapshot could not be made in Chromium: ${failed ?? 'nothing arrived'}`);
    return { ...made, raw: new Uint8Array(made.raw.buffer, made.raw.byteOffset, made.raw.length) };
  } finally {
    await browser.close();
    server.close();
  }
}
