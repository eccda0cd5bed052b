/**
 * Where the pool worker talks to the page: the worker's own channel, or, in a sandboxed
 * worker, the private port it was started with (see `sandbox-lockdown.ts`), which task
 * code can neither post on nor listen to.
 *
 * @internal
 */
import type { Endpoint } from 'comlink';
import { postToPage, protocolPort } from './sandbox-lockdown.js';

/** Comlink's endpoint, and the pool worker's listener's. */
export const endpoint: Endpoint = protocolPort ?? (self as unknown as Endpoint);

/** Post one message to the page. */
export function postToPool(message: unknown, transfer: Transferable[] = []): void {
  if (protocolPort) postToPage(message, transfer);
  else self.postMessage(message, { transfer });
}
