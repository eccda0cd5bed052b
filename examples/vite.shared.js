// What every framework example's Vite config has in common. `npm start` builds each app
// into examples/<framework>/dist/ and serves it there (Pyodide at /pyodide/).
import { defineConfig } from 'vite';
import { pythonTextVite } from '../scripts/python-text.mjs';

export function exampleConfig(root, plugins = []) {
  return defineConfig({
    root,
    base: './',
    logLevel: 'warn',
    plugins: [pythonTextVite(), ...plugins],
    // Pyodide loads its own files by fixed names: never pre-bundle it.
    optimizeDeps: { exclude: ['pyodide'] },
    // A worker is bundled apart, with plugins of its own.
    worker: { format: 'es', plugins: () => [pythonTextVite()] },
    build: { outDir: 'dist', emptyOutDir: true },
  });
}
