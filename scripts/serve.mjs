// `npm start`: serves the examples on localhost, cross-origin isolated, with Pyodide
// self-hosted from node_modules/pyodide at /pyodide/.
import { startDevServer } from '@web/dev-server';
import { esbuildPlugin } from '@web/dev-server-esbuild';
import { pythonTextModules } from './python-text.mjs';
import { baseSnapshotFiles, crossOriginIsolation, staticHostDemo, sandboxWorkerBundle, selfHostedPyodide, typescriptSources } from './dev-middleware.mjs';

const port = Number(process.env.PORT ?? 8000);
const hostname = process.env.HOST ?? 'localhost';

const server = await startDevServer({
  config: {
    rootDir: process.cwd(),
    hostname,
    port,
    nodeResolve: { exportConditions: ['browser', 'development'] },
    plugins: [esbuildPlugin({ ts: true, tsx: true, target: 'esnext' }), pythonTextModules()],
    middleware: [selfHostedPyodide(), baseSnapshotFiles(), sandboxWorkerBundle(), staticHostDemo(), typescriptSources(), crossOriginIsolation()],
  },
  readCliArgs: false,
  readFileConfig: false,
  logStartMessage: false,
});

console.log(`pyodide-pool demo: http://${hostname}:${server.config.port}/examples/`);
console.log('Pyodide is served from node_modules/pyodide at /pyodide/. Press Ctrl+C to stop.');
