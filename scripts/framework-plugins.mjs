// Dev-server plugins that let tests (and the hook examples) load React, Vue and Svelte
// straight from node_modules, without a bundler.
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { build } from 'esbuild';

const require = createRequire(import.meta.url);

/**
 * React 19 ships CommonJS only; bundle react, react-dom/client and the JSX runtime into
 * shared ESM chunks once, and point the bare specifiers at them.
 */
export function reactAsEsm(outdir = '.cache/react-esm') {
  const map = { react: 'react.js', 'react-dom/client': 'react-dom-client.js', 'react/jsx-runtime': 'jsx-runtime.js' };
  let ready;
  return {
    name: 'react-as-esm',
    async serverStart() {
      mkdirSync(`${outdir}/entries`, { recursive: true });
      // CommonJS has no static export names: spell them out so ESM importers can name them.
      const entryPoints = {};
      for (const [specifier, file] of Object.entries(map)) {
        const names = Object.keys(require(specifier)).filter((n) => /^[A-Za-z_$][\w$]*$/.test(n) && n !== 'default');
        const entry = `${outdir}/entries/${file}`;
        writeFileSync(entry, `import m from '${specifier}';\nexport default m;\nexport const { ${names.join(', ')} } = m;\n`);
        entryPoints[file.replace(/\.js$/, '')] = entry;
      }
      ready = build({
        entryPoints,
        bundle: true,
        splitting: true,
        format: 'esm',
        outdir,
        define: { 'process.env.NODE_ENV': '"development"' },
        logLevel: 'warning',
      });
      await ready;
    },
    resolveImport({ source }) {
      if (source in map) return `/${outdir}/${map[source]}`;
    },
  };
}

/** Vue's default ESM build reads `process.env`; use the browser build. */
export function vueBrowserBuild() {
  return {
    name: 'vue-browser-build',
    resolveImport({ source }) {
      if (source === 'vue') return '/node_modules/vue/dist/vue.runtime.esm-browser.js';
    },
  };
}

/** Compiles `.svelte` files on request with svelte/compiler. */
export function svelteCompiler() {
  return {
    name: 'svelte-compiler',
    resolveMimeType(context) {
      if (context.path.endsWith('.svelte')) return 'js';
    },
    async transform(context) {
      if (!context.path.endsWith('.svelte')) return;
      const { compile } = await import('svelte/compiler');
      const { js } = compile(context.body, { filename: context.path, generate: 'client', dev: true });
      return { body: js.code };
    },
  };
}
