/**
 * Where the pool worker talks to the page: the worker's own channel. In a sandboxed
 * worker (see `worker/lockdown.ts`) task code has no `postMessage`, so only this endpoint
 * posts; and it hears only messages the page sent, not events task code dispatches.
 *
 * @internal
 */
import type { Endpoint } from 'comlink';
import { postToPage, sandboxed, takeEarlyMessages } from './lockdown.js';

type Listener = EventListenerOrEventListenerObject;

/** The listeners as added, each wrapped to hear only the page's messages. */
const trusted = new WeakMap<Listener, EventListener>();

function onlyTrusted(listener: Listener): EventListener {
  let wrapped = trusted.get(listener);
  if (!wrapped) {
    wrapped = (event) => {
      if (!event.isTrusted) return;
      if (typeof listener === 'function') listener(event);
      else listener.handleEvent(event);
    };
    trusted.set(listener, wrapped);
  }
  return wrapped;
}

/** The message listeners, in order, for {@link replayEarlyMessages}. */
const messageListeners: EventListener[] = [];

const sandboxEndpoint: Endpoint = {
  postMessage: (message: unknown, transfer: Transferable[] = []) => postToPage(message, transfer),
  addEventListener: (type: string, listener: Listener) => {
    const wrapped = onlyTrusted(listener);
    if (type === 'message') messageListeners.push(wrapped);
    nativeAdd(type, wrapped);
  },
  removeEventListener: (type: string, listener: Listener) => nativeRemove(type, trusted.get(listener) ?? listener),
};

// The worker's own functions, taken before any task code runs: task code that replaces
// `self.postMessage` later does not see (or change) what the pool sends.
// (A sandboxed worker has no `postMessage` left: it posts through `postToPage`.)
const nativePost = sandboxed ? postToPage : (self.postMessage.bind(self) as (message: unknown, transfer: Transferable[]) => void);
const nativeAdd = self.addEventListener.bind(self);
const nativeRemove = self.removeEventListener.bind(self);

const plainEndpoint: Endpoint = {
  postMessage: (message: unknown, transfer: Transferable[] = []) => nativePost(message, transfer),
  addEventListener: (type: string, listener: Listener) => nativeAdd(type, listener),
  removeEventListener: (type: string, listener: Listener) => nativeRemove(type, listener),
};

/** Comlink's endpoint, and the pool worker's listener's. */
export const endpoint: Endpoint = sandboxed ? sandboxEndpoint : plainEndpoint;

/** Post one message to the page. */
export function postToPool(message: unknown, transfer: Transferable[] = []): void {
  nativePost(message, transfer);
}

/**
 * End this worker because its interpreter cannot go on, saying why: the page names the
 * reason in the error of the task it ran (see `worker/start.ts`, whose `close` sends it).
 */
export function closeWorker(reason: string): void {
  (self.close as (reason?: string) => void)(reason);
}

/**
 * Hand the messages that came before the pool worker's code ran (its first Comlink calls)
 * to its listeners, in order. Called once they are all added.
 */
export function replayEarlyMessages(): void {
  for (const event of takeEarlyMessages()) for (const listener of messageListeners) listener(event);
}
