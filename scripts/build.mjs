// `npm run build`:
//   dist/<layer>/…            modules + type declarations for bundlers (tsc);
//   dist/components.js        the elements as one self-contained ESM file (lit, comlink,
//                             signals inside) for a plain <script type="module">;
//   dist/pool-worker.js       the worker script it loads (beside it);
//   dist/module-worker.js     the module pools' worker script (beside it);
//   dist/sandbox-worker.js    a sandboxed pool's worker, self-contained (also in dist/workers/);
//   dist/isolation-sw.js      the service worker that makes a static site isolated (classic script);
//   dist/base-snapshot.bin    the bare interpreter's snapshot for first visits (scripts/base-snapshot.mjs);
//   custom-elements.json      the elements' manifest (for docs and editors).
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { build } from 'esbuild';
import { writeBaseSnapshot } from './base-snapshot.mjs';
import { isolationServiceWorkerScript } from './isolation-sw.mjs';
import { rewriteBundleURLs } from './bundle-urls.mjs';
import { PYTHON_TEXT_LOADER } from './python-text.mjs';

// The core's folders by side of the worker boundary: code inside a Worker (worker/) and the
// page's pool (pool/) meet only in shared/ (and python/, the runtime's source the worker runs
// and the page keys snapshots by); views/ build on the pool; isolation/ (a service worker,
// one file) imports nothing. A wrong import fails here.
const allowed = {
  shared: ['shared'],
  python: ['python'],
  worker: ['shared', 'python', 'worker'],
  pool: ['shared', 'python', 'pool'],
  views: ['shared', 'pool', 'views'],
  isolation: [],
};
for (const [folder, may] of Object.entries(allowed)) {
  for (const name of readdirSync(`workers/${folder}`).filter((f) => f.endsWith('.ts'))) {
    for (const [, target] of readFileSync(`workers/${folder}/${name}`, 'utf8').matchAll(/(?:from|import)\s*\(?\s*'\.\.\/([a-z-]+)\//g)) {
      if (!may.includes(target)) throw new Error(`workers/${folder}/${name} imports from workers/${target}/: ${folder}/ may import only from ${may.join(', ')}`);
    }
  }
}
rmSync('dist', { recursive: true, force: true });
execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' });

const common = { bundle: true, format: 'esm', target: 'es2022', minify: true, sourcemap: false, legalComments: 'eof', logLevel: 'warning', loader: PYTHON_TEXT_LOADER };
// tsc's module imports the runtime's .py files, which a user's bundler cannot load: the
// same module with their text inside replaces it (it imports nothing else).
await build({ ...common, minify: false, entryPoints: ['workers/python/runtime.ts'], outfile: 'dist/workers/python/runtime.js', allowOverwrite: true });
await build({ ...common, entryPoints: { components: 'components/index.ts' }, outdir: 'dist' });
// ignoreAnnotations: the entry imports its run loop for its side effects (see below).
await build({ ...common, entryPoints: { 'pool-worker': 'workers/pool-worker.ts', 'module-worker': 'workers/module-worker.ts' }, outdir: 'dist', ignoreAnnotations: true });
// A sandboxed worker (opaque origin) imports nothing by URL: its script is one file, beside
// the drop-in bundle and beside the modules (over tsc's unbundled one).
for (const outfile of ['dist/sandbox-worker.js', 'dist/workers/sandbox-worker.js']) {
  // ignoreAnnotations: its imports are there for their side effects, which the package's
  // `sideEffects` list (written for consumers of dist/) does not name in the sources.
  await build({ ...common, entryPoints: ['workers/sandbox-worker.ts'], outfile, ignoreAnnotations: true });
}
// The static-host service worker: one classic script a site copies beside its pages.
writeFileSync('dist/isolation-sw.js', isolationServiceWorkerScript());
// The drop-in bundle sits in dist/ beside the worker scripts and the base snapshot.
rewriteBundleURLs('dist/components.js');
const base = await writeBaseSnapshot('dist');
console.log(`base snapshot: ${(base.fileBytes / 1e6).toFixed(1)} MB shipped for a ${(base.snapshotBytes / 1e6).toFixed(1)} MB heap (Pyodide ${base.pyodideVersion})`);

// The core, the elements and the bridge must never pull a framework in.
for (const file of ['dist/workers/index.js', 'dist/workers/pool/pool.js', 'dist/components/index.js', 'dist/hooks/index.js', 'dist/components.js']) {
  const text = readFileSync(file, 'utf8');
  const framework = /from\s*["'](react|react-dom[^"']*|vue|svelte[^"']*)["']/.exec(text);
  if (framework) throw new Error(`${file} imports ${framework[1]}: only hooks/<framework>.ts may`);
}

execFileSync(
  process.execPath,
  ['node_modules/@custom-elements-manifest/analyzer/cem.js', 'analyze', '--litelement', '--globs', 'components/*.ts', '--exclude', 'components/index.ts', '--outdir', '.'],
  {
    stdio: ['ignore', 'ignore', 'inherit'],
  },
);
// The analyzer also lists private state and events it cannot name (dispatched from a
// variable); the documented events are the JSDoc ones, which all have a dashed name.
const manifest = JSON.parse(readFileSync('custom-elements.json', 'utf8'));
for (const mod of manifest.modules) {
  for (const decl of mod.declarations ?? []) {
    if (decl.attributes) decl.attributes = decl.attributes.filter((a) => !a.name.startsWith('_'));
    if (decl.members) decl.members = decl.members.filter((m) => !m.name.startsWith('_') && m.privacy !== 'private');
    if (decl.events) decl.events = decl.events.filter((e) => e.name?.includes('-'));
  }
}
writeFileSync('custom-elements.json', JSON.stringify(manifest, null, 2) + '\n');
console.log('built dist/ and custom-elements.json');
