// The runtime's Python lives in .py files (workers/python/) that its TypeScript imports
// as text. Every tool that loads the sources is told so here, once:
//   - esbuild (the build, the bench, the sandbox worker's bundle): PYTHON_TEXT_LOADER;
//   - the dev server and test runner (@web/dev-server): pythonTextModules();
//   - Vite (the framework examples, Storybook): pythonTextVite().
// The modules tsc emits for bundlers import no .py: scripts/build.mjs bundles
// dist/workers/python/runtime.js with the text inside.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** esbuild's `loader` option: a `.py` import is its text (a default-exported string). */
export const PYTHON_TEXT_LOADER = { '.py': 'text' };

const textModule = (text) => `export default ${JSON.stringify(text)};\n`;

/** Marks a `.py` import, so the server answers it as a module, not as the file itself. */
const MARK = 'python-text';

/**
 * A @web/dev-server plugin: a `.py` file imported from a module is served as a module
 * whose default export is its text. Only imports are: the same file fetched as a file
 * (a `<py-task src>`) stays the file.
 */
export function pythonTextModules(rootDir = process.cwd()) {
  return {
    name: 'python-text',
    transformImport({ source }) {
      if (source.endsWith('.py')) return `${source}?${MARK}`;
      return undefined;
    },
    async serve(context) {
      if (!context.path.endsWith('.py') || !(MARK in context.query)) return undefined;
      const file = join(rootDir, decodeURIComponent(context.path));
      return { body: textModule(await readFile(file, 'utf8')), type: 'js' };
    },
  };
}

/** A Vite plugin: a `.py` import is its text. */
export function pythonTextVite() {
  return {
    name: 'python-text',
    enforce: 'pre',
    async load(id) {
      const [file, query = ''] = id.split('?');
      if (!file.endsWith('.py') || query.includes('raw') || query.includes('url')) return undefined;
      return textModule(await readFile(file, 'utf8'));
    },
  };
}
