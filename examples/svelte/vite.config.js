// A small Vite app; `npm start` builds it into dist/ and serves it at /examples/svelte/dist/.
import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';

export default defineConfig({
  root: import.meta.dirname,
  base: './',
  logLevel: 'warn',
  plugins: [svelte()],
  optimizeDeps: { exclude: ['pyodide'] },
  worker: { format: 'es' },
  build: { outDir: 'dist', emptyOutDir: true },
});
