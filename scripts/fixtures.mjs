// Test fixtures built on request. Pyodide's npm package ships no wheels and there is no
// network, so package loading is tested with a tiny pure-Python wheel built here.
import { existsSync } from 'node:fs';
import { strToU8, zipSync } from 'fflate';

function wheel(name, version, files) {
  const distInfo = `${name}-${version}.dist-info`;
  const all = {
    ...files,
    [`${distInfo}/METADATA`]: `Metadata-Version: 2.1\nName: ${name}\nVersion: ${version}\n`,
    [`${distInfo}/WHEEL`]: 'Wheel-Version: 1.0\nGenerator: pyodide-pool-tests\nRoot-Is-Purelib: true\nTag: py3-none-any\n',
    [`${distInfo}/top_level.txt`]: `${name}\n`,
  };
  const record = Object.keys(all)
    .map((path) => `${path},,`)
    .concat(`${distInfo}/RECORD,,`)
    .join('\n');
  all[`${distInfo}/RECORD`] = record + '\n';
  // A fixed date: the same bytes on every request (a lock file lists a wheel's sha256).
  return zipSync(Object.fromEntries(Object.entries(all).map(([path, text]) => [path, strToU8(text)])), { mtime: '2020-01-01T00:00:00Z' });
}

/** workers/pool/errors.ts as a minified production bundle: do error names survive it? */
async function minifiedErrors() {
  const { build } = await import('esbuild');
  const out = await build({ entryPoints: ['workers/pool/errors.ts'], bundle: true, minify: true, format: 'esm', write: false, logLevel: 'silent' });
  return out.outputFiles[0].contents;
}

const FIXTURES = {
  '/__fixtures__/errors.min.js': minifiedErrors,
  '/__fixtures__/tinypkg-1.0.0-py3-none-any.whl': () =>
    wheel('tinypkg', '1.0.0', {
      'tinypkg/__init__.py': 'from .greeting import greet\nVERSION = "1.0.0"\n',
      'tinypkg/greeting.py': 'def greet(name):\n    return f"hello {name} from tinypkg"\n',
    }),
  // A pure-Python package under a binary wheel's name (the platform tag of a package with
  // compiled extensions): the pool must treat it as one, which Pyodide cannot snapshot.
  '/__fixtures__/binpkg-1.0.0-cp314-cp314-pyemscripten_2026_0_wasm32.whl': () => wheel('binpkg', '1.0.0', { 'binpkg/__init__.py': 'NATIVE = False\n' }),
  // A package in a folder of its own, away from Pyodide's (packageBaseUrl, lockFileURL).
  '/__fixtures__/wheels/hellopkg-1.0.0-py3-none-any.whl': () =>
    wheel('hellopkg', '1.0.0', {
      'hellopkg/__init__.py': 'def hello(name):\n    return f"hello {name} from hellopkg"\n',
    }),
};

/** Requests of `/__fixtures__/held` open now and at most, by key (the sandbox relay's bound). */
const held = new Map();

/**
 * A page with a Content-Security-Policy header (`?csp=`) that runs the module `?module=`
 * (a path under /test/): a sandboxed pool under a page's CSP.
 */
function cspPage(ctx) {
  const module = ctx.query.module;
  if (typeof module !== 'string' || !module.startsWith('/test/') || module.includes('..')) return false;
  ctx.set('Content-Security-Policy', String(ctx.query.csp ?? ''));
  // Embeddable in the cross-origin isolated test page (the isolation middleware comes after
  // the fixtures); harmless in a plain one.
  ctx.set('Cross-Origin-Embedder-Policy', 'require-corp');
  ctx.set('Cross-Origin-Resource-Policy', 'same-origin');
  ctx.set('Cache-Control', 'no-store');
  ctx.type = 'text/html';
  ctx.body = `<!doctype html><html><head><script type="module" src="${module}"></script></head><body></body></html>`;
  return true;
}

/** Answers a fixture request; false when the path is not a fixture (a 404 follows). */
export async function serveFixture(ctx) {
  const wat = /^\/__fixtures__\/([a-z-]+)\.wasm$/.exec(ctx.path);
  if (wat && existsSync(`test/fixtures/wasm/${wat[1]}.wat`)) {
    // A test's WebAssembly module, compiled from its text.
    const { compileWat } = await import('./wat.mjs');
    ctx.type = 'application/wasm';
    ctx.body = Buffer.from(await compileWat(`test/fixtures/wasm/${wat[1]}.wat`));
    return true;
  }
  if (ctx.path.endsWith('.json') && typeof ctx.query.echo === 'string') {
    // Any `…/name.json?echo=<JSON>` answers that JSON: a lock file a test wrote, served
    // from the folder it names (a sandboxed worker reaches no blob: URL of the page).
    ctx.set('Cache-Control', 'no-store');
    ctx.type = 'application/json';
    ctx.body = ctx.query.echo;
    return true;
  }
  if (ctx.path === '/__fixtures__/csp-page.html') return cspPage(ctx);
  if (ctx.path === '/__fixtures__/cookiepkg-1.0.0-py3-none-any.whl') {
    // A wheel that says which cookies its request carried (the sandbox relay sends none).
    ctx.set('Cache-Control', 'no-store');
    ctx.type = 'application/octet-stream';
    ctx.body = Buffer.from(wheel('cookiepkg', '1.0.0', { 'cookiepkg/__init__.py': `COOKIE = ${JSON.stringify(ctx.get('cookie') ?? '')}\n` }));
    return true;
  }
  if (ctx.path === '/__fixtures__/held') {
    // Answers after ?ms= (default 300), counting the requests of ?key= open at once.
    const key = String(ctx.query.key ?? '');
    const stats = held.get(key) ?? { open: 0, max: 0, total: 0 };
    held.set(key, stats);
    stats.open++;
    stats.total++;
    stats.max = Math.max(stats.max, stats.open);
    await new Promise((resolve) => setTimeout(resolve, Number(ctx.query.ms ?? 300)));
    stats.open--;
    ctx.set('Cache-Control', 'no-store');
    ctx.type = 'text/plain';
    ctx.body = 'held';
    return true;
  }
  if (ctx.path === '/__fixtures__/held-stats') {
    ctx.set('Cache-Control', 'no-store');
    ctx.type = 'application/json';
    ctx.body = JSON.stringify(held.get(String(ctx.query.key ?? '')) ?? { open: 0, max: 0, total: 0 });
    return true;
  }
  if (ctx.path === '/__fixtures__/zeros') {
    // ?mb= megabytes (MiB) of zeros; with ?stream=1 sent in chunks without a Content-Length.
    const size = Number(ctx.query.mb ?? 1) * 2 ** 20;
    ctx.set('Cache-Control', 'no-store');
    ctx.type = 'application/octet-stream';
    if (ctx.query.stream !== '1') {
      ctx.body = Buffer.alloc(size);
      return true;
    }
    const { Readable } = await import('node:stream');
    const chunk = Buffer.alloc(2 ** 20);
    let left = size;
    ctx.body = Readable.from(
      (function* () {
        while (left > 0) {
          const n = Math.min(left, chunk.length);
          left -= n;
          yield chunk.subarray(0, n);
        }
      })(),
    );
    return true;
  }
  if (ctx.path === '/__fixtures__/never-ends') {
    // A response whose body never arrives (a fetch that never answers): the headers go
    // out, then nothing. Ended after two minutes so the server can always shut down.
    const { PassThrough } = await import('node:stream');
    const body = new PassThrough();
    // A first chunk, so that every engine hands over the response (WebKit holds it back
    // until some body arrives); the rest never comes.
    body.write('the start, and then nothing\n');
    setTimeout(() => body.destroy(), 120_000).unref();
    ctx.type = 'text/plain';
    ctx.set('Cache-Control', 'no-store');
    ctx.body = body;
    return true;
  }
  if (ctx.path === '/__fixtures__/open-data.json') {
    // Data any origin may read (a sandboxed pool's `connect` origin), and whether the
    // request carried cookies.
    ctx.set('Access-Control-Allow-Origin', '*');
    ctx.set('Cross-Origin-Resource-Policy', 'cross-origin');
    ctx.type = 'application/json';
    ctx.body = JSON.stringify({ open: true, cookie: ctx.get('cookie') ?? '' });
    return true;
  }
  if (ctx.path.startsWith('/__fixtures__/other-pyodide/')) {
    // Pyodide whose loader says another version: the base snapshot shipped with the
    // package does not fit it. Every other file is the real one.
    const name = ctx.path.slice('/__fixtures__/other-pyodide/'.length);
    if (name === 'pyodide.mjs') {
      ctx.type = 'text/javascript';
      ctx.body = "export * from '/node_modules/pyodide/pyodide.mjs';\nexport const version = '0.0.0-other';\n";
      return true;
    }
    ctx.url = `/node_modules/pyodide/${name}`;
    return false;
  }
  const make = FIXTURES[ctx.path];
  if (!make) return false;
  ctx.type = ctx.path.endsWith('.js') ? 'text/javascript' : 'application/octet-stream';
  ctx.body = Buffer.from(await make());
  return true;
}
