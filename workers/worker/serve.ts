/**
 * Wires a worker's {@link RunLoop} to its channel to the page (`worker/endpoint.ts`):
 * tasks and their messages to the loop, the control calls (boot; for Pyodide, snapshots
 * and files) to `api` through Comlink, and `close()` to the loop first. Both worker entries
 * (Pyodide's `worker/start.ts`, the module pools' `worker/module-start.ts`) start this way.
 *
 * @internal
 */
import * as Comlink from 'comlink';
import type { RunMessage, TaskMessage } from '../shared/protocol.js';
import { endpoint } from './endpoint.js';
import type { RunLoop } from './run-loop.js';

export function serve(loop: RunLoop, api: object): void {
  // Code that closes the worker (Python: `import js; js.close()`; a trap in a module pool)
  // would leave the pool dispatching to a worker that is about to vanish; say so first,
  // then close.
  const nativeClose = self.close.bind(self);
  self.close = ((reason?: unknown) => {
    loop.close(reason);
    nativeClose();
  }) as typeof self.close;

  // Tasks come on the Worker's own channel (see `worker/endpoint.ts`), next to Comlink's
  // control messages: this listener comes first and keeps them from Comlink. The pool
  // sends tasks only once the worker is warm.
  endpoint.addEventListener('message', ((event: MessageEvent<RunMessage | TaskMessage | { t?: undefined }>) => {
    const message = event.data;
    if (message?.t === undefined) return;
    event.stopImmediatePropagation();
    loop.receive(message);
  }) as EventListener);

  Comlink.expose(api, endpoint);
}
