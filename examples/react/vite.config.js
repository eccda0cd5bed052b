// A small Vite app; `npm start` builds it into dist/ and serves it at /examples/react/dist/.
import { defineConfig } from 'vite';


export default defineConfig({
  root: import.meta.dirname,
  base: './',
  logLevel: 'warn',
  
  optimizeDeps: { exclude: ['pyodide'] },
  worker: { format: 'es' },
  build: { outDir: 'dist', emptyOutDir: true },
});
