/**
 * Starts a module pool's worker: a {@link RunLoop} over the module runtime (an ES module's
 * or a WebAssembly instance's exports, called by name), served on the worker's channel to
 * the page (`worker/serve.ts`). A trap closes the worker through `close`, which tells the
 * pool why before the worker goes.
 *
 * @internal
 */
import type { ModuleWorkerControl, WorkerMessage } from '../shared/protocol.js';
import { closeWorker, postToPool } from './endpoint.js';
import { ModuleRuntime } from './module-runtime.js';
import { RunLoop } from './run-loop.js';
import { Running } from './running.js';
import { serve } from './serve.js';

const post = (message: WorkerMessage, transfer: Transferable[] = []): void => postToPool(message, transfer);
const running = new Running();
const runtime = new ModuleRuntime(running, post, closeWorker);
const loop = new RunLoop(runtime, running, { post });

const api: ModuleWorkerControl = { boot: (config) => runtime.boot(config) };
serve(loop, api);

// An error thrown outside any call (a timer the module left) would end the worker, and the
// call running then would fail for it: only a trap does (the runtime says which).
self.addEventListener('error', (event) => {
  if (runtime.uncaught(event.error)) event.preventDefault();
});
