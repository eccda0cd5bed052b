/**
 * Starts a pool worker: a {@link RunLoop} over the Pyodide runtime, both sharing the one
 * {@link Running} that says which task runs, served on the worker's channel to the page
 * (`worker/serve.ts`).
 *
 * @internal
 */
import type { WorkerControl, WorkerMessage } from '../shared/protocol.js';
import { postToPool } from './endpoint.js';
import { PyodideRuntime } from './pyodide-runtime.js';
import { RunLoop } from './run-loop.js';
import { Running } from './running.js';
import { serve } from './serve.js';

const post = (message: WorkerMessage, transfer: Transferable[] = []): void => postToPool(message, transfer);
const running = new Running();
const runtime = new PyodideRuntime(running, post);
const loop = new RunLoop(runtime, running, { post });

const api: WorkerControl = {
  prepare: (indexURL) => runtime.prepare(indexURL),
  pyodideVersion: (indexURL) => runtime.pyodideVersion(indexURL),
  preloadSnapshot: (snapshot) => runtime.preloadSnapshot(snapshot),
  giveModule: (module) => runtime.giveModule(module),
  boot: (config) => runtime.boot(config),
  writeFile: (path, data) => runtime.writeFile(path, data),
  takeSnapshot: () => runtime.takeSnapshot(),
};
serve(loop, api);
