/**
 * Starts a pool worker: a {@link RunLoop} over the Pyodide runtime, both sharing the one
 * {@link Running} that says which task runs, wired to the worker's channel to the page
 * (`worker/endpoint.ts`): tasks and their messages to the loop, the control calls
 * (boot, snapshot, files) to the runtime through Comlink, and `close()` to both.
 *
 * @internal
 */
import * as Comlink from 'comlink';
import type { RunMessage, TaskMessage, WorkerControl, WorkerMessage } from '../shared/protocol.js';
import { endpoint, postToPool } from './endpoint.js';
import { PyodideRuntime } from './pyodide-runtime.js';
import { RunLoop } from './run-loop.js';
import { Running } from './running.js';

const post = (message: WorkerMessage, transfer: Transferable[] = []): void => postToPool(message, transfer);
const running = new Running();
const runtime = new PyodideRuntime(running, post);
const loop = new RunLoop(runtime, running, { post });

// Code that closes the worker (Python: `import js; js.close()`) would leave the pool
// dispatching to a worker that is about to vanish; say so first, then close.
const nativeClose = self.close.bind(self);
self.close = ((reason?: unknown) => {
  loop.close(reason);
  nativeClose();
}) as typeof self.close;

// Tasks come on the Worker's own channel (see `worker/endpoint.ts`), next to Comlink's
// control messages: this listener comes first and keeps them from Comlink. The pool sends
// tasks only once the worker is warm.
endpoint.addEventListener('message', ((event: MessageEvent<RunMessage | TaskMessage | { t?: undefined }>) => {
  const message = event.data;
  if (message?.t === undefined) return;
  event.stopImmediatePropagation();
  loop.receive(message);
}) as EventListener);

const api: WorkerControl = {
  prepare: (indexURL) => runtime.prepare(indexURL),
  pyodideVersion: (indexURL) => runtime.pyodideVersion(indexURL),
  preloadSnapshot: (snapshot) => runtime.preloadSnapshot(snapshot),
  giveModule: (module) => runtime.giveModule(module),
  boot: (config) => runtime.boot(config),
  writeFile: (path, data) => runtime.writeFile(path, data),
  takeSnapshot: () => runtime.takeSnapshot(),
};
Comlink.expose(api, endpoint);
