// Middleware shared by the test runner and the demo server.

/**
 * The static-host demo's folder: served as a host that cannot set headers would serve it,
 * so its own service worker (`dist/isolation-sw.js`) has to make it isolated.
 */
export const STATIC_HOST_DEMO = '/examples/static-host/';

/**
 * Makes pages cross-origin isolated, so SharedArrayBuffer (and Python interrupts) work.
 * Paths under `plain` keep their headers as they are.
 */
export function crossOriginIsolation({ plain = [STATIC_HOST_DEMO] } = {}) {
  return async (ctx, next) => {
    if (plain.some((prefix) => ctx.path.startsWith(prefix))) return next();
    ctx.set('Cross-Origin-Opener-Policy', 'same-origin');
    ctx.set('Cross-Origin-Embedder-Policy', 'require-corp');
    ctx.set('Cross-Origin-Resource-Policy', 'same-origin');
    await next();
  };
}

/** Serves test fixtures that are built on request, such as a tiny pure-Python wheel. */
export function testFixtures() {
  return async (ctx, next) => {
    if (ctx.path.startsWith('/__fixtures__/')) {
      const { serveFixture } = await import('./fixtures.mjs');
      if (await serveFixture(ctx)) return;
    }
    await next();
  };
}

/**
 * Source files are TypeScript, but the code names its siblings with `.js` (as the built
 * package has them), e.g. `new URL('./pool-worker.js', import.meta.url)`. Serve the
 * `.ts` source for such a request; the esbuild plugin then compiles it.
 */
export function typescriptSources(rootDir = process.cwd()) {
  return async (ctx, next) => {
    if (ctx.path.endsWith('.js') && !ctx.path.includes('/node_modules/')) {
      const { existsSync } = await import('node:fs');
      const { join } = await import('node:path');
      const file = join(rootDir, decodeURIComponent(ctx.path));
      const ts = file.slice(0, -3) + '.ts';
      if (!existsSync(file) && existsSync(ts)) ctx.url = ctx.path.slice(0, -3) + '.ts' + (ctx.search ?? '');
    }
    await next();
  };
}

/** Serves node_modules/pyodide verbatim at /pyodide/ (its files are loaded by fixed names). */
export function selfHostedPyodide(prefix = '/pyodide/') {
  return async (ctx, next) => {
    if (ctx.path.startsWith(prefix)) ctx.url = '/node_modules/pyodide/' + ctx.url.slice(prefix.length);
    await next();
  };
}

/**
 * Serves the base snapshot the build made (`npm run build`) where the sources look for it
 * (`new URL('../../base-snapshot.bin', import.meta.url)` from /workers/pool/): at the root.
 */
export function baseSnapshotFiles() {
  return async (ctx, next) => {
    if (ctx.path === '/base-snapshot.bin') ctx.url = '/dist' + ctx.path;
    await next();
  };
}

/**
 * Serves `/workers/sandbox-worker.js` as the build makes it: one self-contained file (a
 * sandboxed worker, of an opaque origin, can import nothing by URL). Bundled from the
 * sources on each request, so it always matches them.
 */
export function sandboxWorkerBundle(rootDir = process.cwd()) {
  return async (ctx, next) => {
    if (ctx.path !== '/workers/sandbox-worker.js') return next();
    const { build } = await import('esbuild');
    const { join } = await import('node:path');
    const { PYTHON_TEXT_LOADER } = await import('./python-text.mjs');
    const result = await build({
      entryPoints: [join(rootDir, 'workers/sandbox-worker.ts')],
      bundle: true,
      format: 'esm',
      target: 'es2022',
      write: false,
      logLevel: 'warning',
      ignoreAnnotations: true,
      loader: PYTHON_TEXT_LOADER,
    });
    ctx.type = 'text/javascript';
    ctx.body = result.outputFiles[0].text;
  };
}

/**
 * Serves the two files a static site puts in the folder its service worker covers, inside
 * the static-host demo's folder, built from the sources on each request:
 *   - `isolation-sw.js`: the service worker (one classic script, as `dist/isolation-sw.js`);
 *   - `pool-worker.js`: the pool's worker script in one file (as `dist/pool-worker.js`).
 * A service worker controls only pages and workers under its script's folder, and a worker
 * script is matched by its own URL: served from /workers/, it would get no isolation
 * headers, and an isolated page refuses to start it.
 */
export function staticHostDemo(rootDir = process.cwd()) {
  return async (ctx, next) => {
    if (ctx.path === `${STATIC_HOST_DEMO}isolation-sw.js`) {
      const { isolationServiceWorkerScript } = await import('./isolation-sw.mjs');
      ctx.type = 'text/javascript';
      ctx.body = isolationServiceWorkerScript(rootDir);
      return;
    }
    if (ctx.path !== `${STATIC_HOST_DEMO}pool-worker.js`) return next();
    const { build } = await import('esbuild');
    const { join } = await import('node:path');
    const { PYTHON_TEXT_LOADER } = await import('./python-text.mjs');
    const result = await build({
      entryPoints: [join(rootDir, 'workers/pool-worker.ts')],
      bundle: true,
      format: 'esm',
      target: 'es2022',
      write: false,
      logLevel: 'warning',
      // The entry imports its run loop for its side effects (as in scripts/build.mjs).
      ignoreAnnotations: true,
      loader: PYTHON_TEXT_LOADER,
    });
    ctx.type = 'text/javascript';
    ctx.body = result.outputFiles[0].text;
  };
}
