/**
 * Worker side of a sandboxed pool, run before anything else in the worker (it is the
 * first import of `sandbox-worker.ts`). The worker already has an opaque origin (it was
 * started from a `data:` URL), so the browser itself keeps it from the page's cookies,
 * storage and locks. This module adds what the origin does not: the network. `fetch`
 * reaches only the `connect` origins, without credentials; every other request goes to
 * the page, which serves Pyodide's own files and the pool's packages (without the page's
 * credentials either, see `pool/sandbox-relay.ts`) and refuses the rest.
 * The other ways out of a worker (XMLHttpRequest, WebSocket, EventSource, nested
 * workers, fonts) and the storage APIs are removed, so that task code finds none of them;
 * so is `postMessage`, which only the pool's own code keeps (see `worker/endpoint.ts`).
 *
 * @internal
 */

/** What the stub that started this worker left for it (see `pool/sandbox-host.ts`). */
export interface SandboxStart {
  /** Origins task code may fetch from. */
  connect: string[];
  /** The page's file server. */
  files: MessagePort;
  /** Messages that came before this code ran, held by the stub (see {@link takeEarlyMessages}). */
  queued: MessageEvent[] | undefined;
}

/** The global the stub leaves its start under (deleted once read). */
export const SANDBOX_START = '__pyodidePoolSandbox';

/** A file the page served: the body and how it answered. */
export interface ServedFile {
  id: number;
  status?: number;
  type?: string;
  body?: ArrayBuffer;
  /** Why the page refused the request. */
  refused?: string;
}

/** Worker APIs that reach the network or the origin's storage: none is left to task code. */
const REMOVED = [
  'XMLHttpRequest',
  'WebSocket',
  'WebSocketStream',
  'EventSource',
  'WebTransport',
  'Worker',
  'SharedWorker',
  'BroadcastChannel',
  'FontFace',
  'fonts',
  'caches',
  'indexedDB',
  'importScripts',
  'Notification',
];
/** The same on `navigator`. */
const REMOVED_FROM_NAVIGATOR = ['locks', 'storage', 'serviceWorker', 'sendBeacon'];

/** Delete `name` from `target` and every prototype above it. */
/** Remove `name` from `target` and its prototypes (or shadow it where it cannot be deleted). */
export function remove(target: object, name: string): void {
  for (let at: object | null = target; at && at !== Object.prototype; at = Object.getPrototypeOf(at)) {
    try {
      delete (at as Record<string, unknown>)[name];
    } catch {
      // Not configurable: shadow it.
    }
  }
  if (name in target) {
    try {
      Object.defineProperty(target, name, { value: undefined, configurable: false, writable: false });
    } catch {
      // Nothing more to do.
    }
  }
}

function lockDown(start: SandboxStart): void {
  const nativeFetch = globalThis.fetch.bind(globalThis);
  const connect = new Set(start.connect);
  const pending = new Map<number, (file: ServedFile) => void>();
  let nextId = 1;
  start.files.onmessage = (event: MessageEvent<ServedFile>) => {
    const reply = pending.get(event.data?.id);
    pending.delete(event.data?.id);
    reply?.(event.data);
  };
  // The page's relay (`pool/sandbox-relay.ts`) answers every request, a refusal included.
  const askPage = (url: string, integrity: string): Promise<ServedFile> =>
    new Promise((resolve) => {
      const id = nextId++;
      pending.set(id, resolve);
      start.files.postMessage({ id, url, integrity });
    });
  const sandboxFetch = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    let request: Request;
    try {
      request = new Request(input, init);
    } catch {
      // A relative URL: the worker's base is its data: URL, so it names nothing reachable.
      throw new TypeError(`pyodide-pool sandbox: no network access to ${String(input instanceof Request ? input.url : input)} (give sandboxed code absolute URLs)`);
    }
    const url = new URL(request.url);
    if (connect.has(url.origin)) return nativeFetch(new Request(request, { credentials: 'omit' }));
    if (request.method === 'GET' && (url.protocol === 'http:' || url.protocol === 'https:')) {
      const file = await askPage(url.href, request.integrity);
      if (file.body) return new Response(file.body, { status: file.status, headers: file.type ? { 'content-type': file.type } : {} });
      throw new TypeError(`pyodide-pool sandbox: ${file.refused ?? 'refused'}`);
    }
    const allowed = start.connect.length > 0 ? `only ${start.connect.join(', ')}` : 'none';
    throw new TypeError(`pyodide-pool sandbox: no network access to ${url.origin} (the sandbox allows ${allowed})`);
  };
  // Writable: Pyodide's boot wraps it (see `interceptPyodideWasm`); whatever replaces it
  // can only call this one, since the native one is gone from the worker.
  remove(globalThis, 'fetch');
  Object.defineProperty(globalThis, 'fetch', { value: sandboxFetch, configurable: false, writable: true });
  for (const name of REMOVED) remove(globalThis, name);
  // Only the pool worker posts to the page (with the function taken before this): a
  // message imitating the pool's protocol cannot be sent at all.
  remove(globalThis, 'postMessage');
  // One `close`, as an own property the pool worker wraps to tell the page first: the
  // prototype's would let task code end the worker without a word (and no Web Lock can
  // tell the page of an opaque-origin worker's end).
  const nativeClose = globalThis.close.bind(globalThis);
  remove(globalThis, 'close');
  Object.defineProperty(globalThis, 'close', { value: nativeClose, configurable: false, writable: true });
  for (const name of REMOVED_FROM_NAVIGATOR) remove(navigator, name);
  // A string given to a timer is evaluated: code written to get around the checks above.
  for (const name of ['setTimeout', 'setInterval'] as const) {
    const native = globalThis[name].bind(globalThis) as (handler: unknown, ms?: number, ...args: unknown[]) => number;
    const checked = (handler: unknown, ms?: number, ...args: unknown[]) => {
      if (typeof handler !== 'function') throw new TypeError(`pyodide-pool sandbox: ${name} takes a function, not code`);
      return native(handler, ms, ...args);
    };
    remove(globalThis, name);
    Object.defineProperty(globalThis, name, { value: checked, configurable: false, writable: true });
  }
}

const start = (globalThis as Record<string, unknown>)[SANDBOX_START] as SandboxStart | undefined;
delete (globalThis as Record<string, unknown>)[SANDBOX_START];
/** The worker's own `postMessage`, taken before {@link lockDown} removes it. */
const nativePost = start && (self.postMessage.bind(self) as unknown as (message: unknown, transfer: Transferable[]) => void);
if (start) lockDown(start);

/** This worker is sandboxed. */
export const sandboxed = start !== undefined;

/** The messages the stub held, once: from now on they reach the listeners themselves. */
export function takeEarlyMessages(): MessageEvent[] {
  const queued = start?.queued ?? [];
  if (start) start.queued = undefined;
  return queued;
}

/** Post to the page: only the pool worker can, since task code has no `postMessage`. */
export function postToPage(message: unknown, transfer: Transferable[]): void {
  nativePost!(message, transfer);
}
