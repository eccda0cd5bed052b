// The package test: what a user gets from `npm install pyodide-pool`.
//   1. `npm pack` (which builds first) and check the tarball: every export's file and
//      types, the manifest, and nothing a consumer does not need (sources, maps, tests);
//   2. install the tarball into a scratch app (with React), bundle a page that imports
//      `pyodide-pool`, `pyodide-pool/components` and `pyodide-pool/hooks/react` with Vite;
//   3. open it in Chromium, cross-origin isolated, and run a task through each; and open
//      a page that loads the drop-in `dist/components.js` with no bundler at all.
// Writes its counts to .cache/test-counts-package.json, like the other runs.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { startDevServer } from '@web/dev-server';
import puppeteer from 'puppeteer-core';
import { build } from 'vite';
import { CHROMIUM_ARGS, ensureChromium } from './browsers.mjs';
import { crossOriginIsolation, selfHostedPyodide } from './dev-middleware.mjs';
import { freePort } from './free-port.mjs';
import { compileWat } from './wat.mjs';

const PAGE_TIMEOUT_MS = 120_000;
const work = resolve('.cache/package');
const app = join(work, 'app');
const counts = { passed: 0, failed: 0, skipped: 0, files: 1, fileErrors: 0 };

async function check(name, fn) {
  const started = Date.now();
  try {
    await fn();
    counts.passed++;
    console.log(`  ✓ ${name} (${Date.now() - started} ms)`);
  } catch (err) {
    counts.failed++;
    console.log(
      `  ✗ ${name}\n      ${String(err?.stack ?? err)
        .split('\n')
        .join('\n      ')}`,
    );
  }
}

function assert(condition, message) {
  if (!condition) throw new Error(message);
}

console.log('\n── the package, installed as a user installs it ──');
rmSync(work, { recursive: true, force: true });
mkdirSync(app, { recursive: true });

const manifest = JSON.parse(readFileSync('package.json', 'utf8'));
// `npm pack` runs the `prepare` build itself: with dist/ gone first, as in a clean clone,
// only that build can put it in the tarball.
rmSync('dist', { recursive: true, force: true });
// Its output comes first on stdout, then the JSON report.
const packOutput = execFileSync('npm', ['pack', '--json', '--pack-destination', work], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
const [packed] = JSON.parse(packOutput.slice(packOutput.search(/^\[/m)));
const shipped = new Set(packed.files.map((f) => f.path));

await check('npm pack ships every export, its types and the manifest, and no sources or maps', () => {
  const wanted = [];
  for (const [subpath, target] of Object.entries(manifest.exports)) {
    for (const file of typeof target === 'string' ? [target] : Object.values(target)) wanted.push([subpath, file.replace(/^\.\//, '')]);
  }
  const missing = wanted.filter(([, file]) => !shipped.has(file)).map(([subpath, file]) => `${subpath} → ${file}`);
  assert(missing.length === 0, `exports point at files the tarball lacks: ${missing.join(', ')}`);
  for (const side of manifest.sideEffects) assert(shipped.has(side.replace(/^\.\//, '')) || side.includes('*'), `sideEffects names ${side}, which is not shipped`);
  const extra = [...shipped].filter((f) => f.endsWith('.map') || (f.endsWith('.ts') && !f.endsWith('.d.ts')) || /^(test|stories|examples|bench|scripts)\//.test(f));
  assert(extra.length === 0, `the tarball ships files a consumer does not need: ${extra.slice(0, 5).join(', ')}`);
  assert(shipped.has('dist/pool-worker.js') && shipped.has('dist/components.js'), 'the drop-in bundle and its worker are missing');
  assert(shipped.has('dist/module-worker.js') && shipped.has('dist/workers/module-worker.js'), "the module pools' worker script is missing");
  assert(shipped.has('dist/sandbox-worker.js') && shipped.has('dist/workers/sandbox-worker.js'), 'the sandboxed worker script is missing');
  assert(shipped.has('dist/base-snapshot.bin'), 'the base snapshot for first visits is missing');
  // A service worker registered as a classic script: one file, no import or export.
  assert(shipped.has('dist/isolation-sw.js'), 'the static-host service worker (isolation-sw.js) is missing');
  assert(!/^\s*(import|export)\b/m.test(readFileSync('dist/isolation-sw.js', 'utf8')), 'dist/isolation-sw.js is a module, not a classic script');
});

// A scratch app that depends on the tarball, as `npm install pyodide-pool` would. The
// registry packages it needs are in npm's cache from the repo's own install.
const version = (name) => JSON.parse(readFileSync(`node_modules/${name}/package.json`, 'utf8')).version;
writeFileSync(
  join(app, 'package.json'),
  JSON.stringify(
    {
      name: 'scratch-app',
      private: true,
      type: 'module',
      dependencies: { 'pyodide-pool': `file:../${packed.filename}`, react: version('react'), 'react-dom': version('react-dom'), '@types/react': version('@types/react') },
    },
    null,
    2,
  ),
);
execFileSync('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: app, stdio: ['ignore', 'ignore', 'inherit'] });

// A bare .wasm and an ES module of the app's own, for the module pools (copied to dist/ by Vite).
mkdirSync(join(app, 'public'), { recursive: true });
writeFileSync(join(app, 'public', 'math.wasm'), await compileWat('test/fixtures/wasm/math.wat'));
writeFileSync(join(app, 'public', 'calc.js'), 'export async function greet(name) {\n  console.log("greeting", name);\n  return `hello ${name}`;\n}\n');
writeFileSync(join(app, 'index.html'), '<!doctype html><meta charset="utf-8"><div id="react"></div><div id="elements"></div><script type="module" src="./main.js"></script>\n');
writeFileSync(
  join(app, 'main.js'),
  `import { ModulePool, PyodidePool, PythonError, WasmPool, WorkerCrashedError } from 'pyodide-pool';
import { WorkerPoolElement } from 'pyodide-pool/components';
import { usePool, useTask } from 'pyodide-pool/hooks/react';
import { createElement as h } from 'react';
import { createRoot } from 'react-dom/client';

const outcome = (window.__outcome = {});
const core = new PyodidePool({ indexURL: '/pyodide/', max: 1, setup: 'def double(x):\\n    return 2 * x' });
core.run('double(x)', { inputs: { x: 21 } })
  .then(async (value) => {
    const error = await core.run('1 / 0').catch((e) => e);
    // A first visit (a fresh profile): the first worker starts from the base snapshot,
    // which the bundler shipped as an asset.
    const [worker] = core.state.workers.value;
    outcome.core = { value, pythonError: error instanceof PythonError && error.pythonType, base: [worker.baseSnapshot, worker.snapshotSkipped ?? null] };
  })
  .catch((e) => (outcome.core = { error: String(e) }))
  .finally(() => core.terminate());

// Module pools: their worker script reaches the page through the bundler as an asset.
const wasm = new WasmPool({ wasm: new URL('./math.wasm', location.href), max: 1 });
const modules = new ModulePool({ module: new URL('./calc.js', location.href), max: 1 });
Promise.all([wasm.call('add', 40, 2), wasm.call('fail').catch((e) => e), modules.call('greet', ['ada'], { onOutput: (e) => (outcome.printed = e.text) })])
  .then(([sum, trap, greeting]) => (outcome.modules = { sum, trap: trap instanceof WorkerCrashedError, greeting, printed: outcome.printed }))
  .catch((e) => (outcome.modules = { error: String(e) }))
  .finally(() => Promise.all([wasm.terminate(), modules.terminate()]));

// A sandboxed pool: its worker script reaches the page through the bundler as an asset.
const sandboxed = new PyodidePool({ indexURL: '/pyodide/', max: 1, sandbox: true });
sandboxed
  .run('from pyodide.http import pyfetch\\ntry:\\n    await pyfetch(page)\\n    r = "reached the page"\\nexcept Exception:\\n    r = "refused"\\n[6 * 7, r]', { inputs: { page: location.href } })
  .then((value) => (outcome.sandbox = { value, sandboxed: sandboxed.capabilities.sandboxed }))
  .catch((e) => (outcome.sandbox = { error: String(e) }))
  .finally(() => sandboxed.terminate());

document.getElementById('elements').innerHTML =
  '<worker-pool index-url="/pyodide/" max="1"><py-task auto inputs=\\'{"x": 21}\\'><script type="text/python">x * 2</script></py-task></worker-pool>';
const host = document.querySelector('worker-pool');
host.addEventListener('task-result', (e) => (outcome.elements = { value: e.detail.result, upgraded: host instanceof WorkerPoolElement }));
host.addEventListener('task-error', (e) => (outcome.elements = { error: String(e.detail.error) }));

function Doubler() {
  const pool = usePool({ indexURL: '/pyodide/', max: 1 });
  const task = useTask(pool, 'x * 2', { inputs: { x: 21 }, auto: true });
  if (task.status === 'done') outcome.react = { value: task.result };
  if (task.status === 'failed') outcome.react = { error: String(task.error) };
  return h('p', null, task.status);
}
createRoot(document.getElementById('react')).render(h(Doubler));
`,
);
// The drop-in bundle, with no bundler: a plain module script from the installed package.
writeFileSync(
  join(app, 'drop-in.html'),
  `<!doctype html><meta charset="utf-8">
<script type="module" src="/node_modules/pyodide-pool/dist/components.js"></script>
<worker-pool index-url="/pyodide/" max="1">
  <script type="text/python">
# A setup of its own: no snapshot of it is stored yet, so this is a first visit.
def double(x):
    return 2 * x
  </script>
  <py-task auto inputs='{"x": 21}'><script type="text/python">double(x)</script></py-task>
</worker-pool>
<worker-pool id="sandboxed" index-url="/pyodide/" max="1" sandbox>
  <py-task auto><script type="text/python">7 * 6</script></py-task>
</worker-pool>
<script type="module">
  const outcome = (window.__outcome = {});
  addEventListener('task-result', (e) => {
    const pool = e.target.closest('worker-pool').pool;
    const [worker] = pool.state.workers.value;
    outcome[e.target.closest('#sandboxed') ? 'sandboxed' : 'dropIn'] = { value: e.detail.result, base: [worker.baseSnapshot, worker.snapshotSkipped ?? null] };
  });
  addEventListener('task-error', (e) => (outcome[e.target.closest('#sandboxed') ? 'sandboxed' : 'dropIn'] = { error: String(e.detail.error) }));
</script>
`,
);

// The shipped declarations, as a strict TypeScript project sees them (no skipLibCheck).
writeFileSync(
  join(app, 'types.ts'),
  `import { ModulePool, PyodidePool, PythonError, WasmPool, type PoolCapabilities, type PoolOptions, type Task, type WasmLease } from 'pyodide-pool';
import { PyTaskElement, WorkerPoolElement } from 'pyodide-pool/components';
import { createTask } from 'pyodide-pool/hooks';
import { usePool, useTask } from 'pyodide-pool/hooks/react';
import { poolState } from 'pyodide-pool/hooks/svelte';
const options: PoolOptions = { max: 2, bootTimeout: 30_000 };
const pool = new PyodidePool(options);
const task: Task<number> = pool.submit<number>('1 + 1');
const caps: PoolCapabilities = pool.capabilities;
const el: WorkerPoolElement | null = document.querySelector('worker-pool');
const py: PyTaskElement = document.createElement('py-task');
const lease: Promise<WasmLease> = new WasmPool({ wasm: '/math.wasm', max: 2 }).acquire({ timeout: 1_000 });
const sum: Promise<number> = new ModulePool({ module: '/calc.js' }).call<number>('add', [1, 2], { timeout: 100 });
export const uses = [lease, sum, task.status.value, caps.interrupt, el?.pool, py.status, createTask, usePool, useTask, poolState, PythonError];
`,
);
await check('the shipped type declarations compile in a strict TypeScript project', () => {
  const tsc = resolve('node_modules/typescript/bin/tsc');
  const compilerOptions = { noEmit: true, strict: true, target: 'es2022', module: 'esnext', moduleResolution: 'bundler', lib: ['es2023', 'dom', 'dom.iterable'], types: [] };
  writeFileSync(join(app, 'tsconfig.json'), JSON.stringify({ compilerOptions, files: ['types.ts'] }));
  const run = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.json'], { cwd: app, encoding: 'utf8' });
  assert(run.status === 0, `tsc: ${(run.stdout + run.stderr).trim().split('\n').slice(0, 8).join('\n')}`);
});

await build({
  root: app,
  base: './',
  logLevel: 'warn',
  configFile: false,
  optimizeDeps: { exclude: ['pyodide'] },
  worker: { format: 'es' },
  build: { outDir: 'dist', emptyOutDir: true },
});

const port = await freePort();
const server = await startDevServer({
  config: { rootDir: app, hostname: '127.0.0.1', port, middleware: [selfHostedPyodide(), crossOriginIsolation()] },
  readCliArgs: false,
  readFileConfig: false,
  logStartMessage: false,
});
const browser = await puppeteer.launch({ executablePath: ensureChromium(), headless: true, args: CHROMIUM_ARGS });

/** Open `path` and wait until `window.__outcome` has every key in `keys`. */
async function open(path, keys) {
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (err) => errors.push(err.message));
  await page.goto(`http://127.0.0.1:${port}${path}`);
  try {
    await page.waitForFunction((k) => k.every((key) => window.__outcome?.[key]), { timeout: PAGE_TIMEOUT_MS, polling: 100 }, keys);
  } catch (err) {
    const partial = await page.evaluate(() => JSON.stringify(window.__outcome)).catch(() => '?');
    throw new Error(`${err.message}; outcome so far ${partial}; page errors: ${errors.join('; ') || 'none'}`, { cause: err });
  }
  const outcome = await page.evaluate(() => window.__outcome);
  await page.close();
  assert(errors.length === 0, `page errors: ${errors.join('; ')}`);
  return outcome;
}

try {
  let bundled;
  await check('a Vite-bundled page runs a task through the installed core, elements and React hooks', async () => {
    bundled = await open('/dist/index.html', ['core', 'elements', 'react', 'sandbox', 'modules']);
  });
  await check('the installed core runs a WasmPool and a ModulePool (a trap is a WorkerCrashedError)', () => {
    const expected = JSON.stringify({ sum: 42, trap: true, greeting: 'hello ada', printed: 'greeting ada\n' });
    assert(JSON.stringify(bundled?.modules) === expected, `modules: ${JSON.stringify(bundled?.modules)}`);
  });
  await check('the installed core runs a sandboxed pool, which refuses the page’s origin', () => {
    assert(bundled?.sandbox?.sandboxed === true && JSON.stringify(bundled.sandbox.value) === '[42,"refused"]', `sandbox: ${JSON.stringify(bundled?.sandbox)}`);
  });
  await check('the installed core returns results and raises PythonError', () => {
    assert(bundled?.core?.value === 42, `core: ${JSON.stringify(bundled?.core)}`);
    assert(bundled.core.pythonError === 'ZeroDivisionError', `core error: ${JSON.stringify(bundled.core)}`);
  });
  await check('the Vite-bundled core starts a first visit from the shipped base snapshot', () => {
    assert(JSON.stringify(bundled?.core?.base) === '[true,null]', `first worker [baseSnapshot, snapshotSkipped]: ${JSON.stringify(bundled?.core?.base)}`);
  });
  await check('the installed <py-task> inside <worker-pool> renders its result', () => {
    assert(bundled?.elements?.value === 42 && bundled.elements.upgraded, `elements: ${JSON.stringify(bundled?.elements)}`);
  });
  await check('the installed React hooks run a task', () => {
    assert(bundled?.react?.value === 42, `react: ${JSON.stringify(bundled?.react)}`);
  });
  await check('the drop-in dist/components.js runs a task with no bundler', async () => {
    const { dropIn, sandboxed } = await open('/drop-in.html', ['dropIn', 'sandboxed']);
    assert(dropIn.value === 42, `drop-in: ${JSON.stringify(dropIn)}`);
    assert(sandboxed.value === 42, `drop-in <worker-pool sandbox>: ${JSON.stringify(sandboxed)}`);
    assert(JSON.stringify(dropIn.base) === '[true,null]', `drop-in first worker [baseSnapshot, snapshotSkipped]: ${JSON.stringify(dropIn.base)}`);
  });
} finally {
  await browser.close();
  await server.stop();
}

writeFileSync('.cache/test-counts-package.json', JSON.stringify(counts));
console.log(`package: ${counts.passed} passed, ${counts.failed} failed`);
process.exit(counts.failed ? 1 : 0);
