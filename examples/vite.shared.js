// What every framework example's Vite config has in common. `npm start` builds each app
// into examples/<framework>/dist/ and serves it there (Pyodide at /pyodide/).
import { defineConfig } from 'vite';

export function exampleConfig(root, plugins = []) {
  return defineConfig({
    root,
    base: './',
    logLevel: 'warn',
    plugins,
    // Pyodide loads its own files by fixed names: never pre-bundle it.
    optimizeDeps: { exclude: ['pyodide'] },
    worker: { format: 'es' },
    build: { outDir: 'dist', emptyOutDir: true },
  });
}
