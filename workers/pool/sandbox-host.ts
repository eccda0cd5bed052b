/**
 * Page side of a sandboxed pool: starts each worker from a `data:` URL, which gives it an
 * opaque origin of its own. The browser then keeps task code from the page's cookies
 * (every request it makes is cross-origin, sent without them), its IndexedDB, Cache
 * Storage and Web Locks, in every engine. The worker is still a dedicated worker of this
 * page, so the compiled interpreter, shared memory (interrupts) and snapshots reach it as
 * in any pool.
 *
 * Such a worker can import nothing by URL, so the page hands it the self-contained worker
 * script (`sandbox-worker.js`) as text with a private port, on which the page's file
 * relay (`pool/sandbox-relay.ts`) serves it Pyodide's files and the pool's packages when it
 * asks, and nothing else. Where the engine lets such a worker read no Blob (WebKit), the
 * page sends it bytes instead (`shared/sandbox-blobs.ts`).
 *
 * @internal
 */
import { blobProbe, blobProbeAnswered, blobsReadable, sendBlobsAsBytes } from '../shared/sandbox-blobs.js';
import { FileRelay } from './sandbox-relay.js';

/**
 * The worker's first code: it keeps the port it is sent with its real code (as text) and
 * imports that (as a blob: module; WebKit refuses an opaque origin's, so data: there).
 * Messages for the pool worker that come meanwhile wait: the stub holds them, and hands
 * them to the pool worker's listeners once it has run. Given a probe Blob, it first says
 * on the port whether it can read it (see `shared/sandbox-blobs.ts`).
 */
const STUB = `
const start = self.__pyodidePoolSandbox = { queued: [] };
const hold = (event) => { if (start.queued) start.queued.push(event); else self.removeEventListener('message', hold); };
self.addEventListener('message', function first(event) {
  const code = event.data && event.data.__pyodidePoolSandboxCode;
  if (typeof code !== 'string' || event.ports.length !== 1) return;
  event.stopImmediatePropagation();
  self.removeEventListener('message', first);
  Object.assign(start, { connect: event.data.connect, files: event.ports[0] });
  const probe = event.data.probe;
  if (probe) {
    let blobs = false;
    try { blobs = new FileReaderSync().readAsArrayBuffer(probe).byteLength === probe.size; } catch {}
    start.files.postMessage({ blobs });
  }
  const blob = URL.createObjectURL(new Blob([code], { type: 'text/javascript' }));
  import(blob)
    .catch(() => import('data:text/javascript,' + encodeURIComponent(code)))
    .catch((err) => setTimeout(() => {
      throw new Error('pyodide-pool sandbox: the worker code could not be imported as a blob: or data: module (a Content-Security-Policy needs them in script-src): ' + String(err && err.message).replace(/(data|blob):\\S*/g, '$1:…').slice(0, 120));
    }));
});
self.addEventListener('message', hold);
`;

const STUB_URL = `data:text/javascript,${encodeURIComponent(STUB)}`;

/** The worker script's text, fetched once per URL. */
const sources = new Map<string, Promise<string>>();

function workerSource(url: string): Promise<string> {
  let source = sources.get(url);
  if (!source) {
    source = fetch(url).then((response) => {
      if (!response.ok) throw new Error(`${url} answered ${response.status}`);
      return response.text();
    });
    sources.set(url, source);
    // A failure is not remembered: the next worker tries again.
    source.catch(() => sources.delete(url));
  }
  return source;
}

/** What a sandboxed worker needs from its pool. */
export interface SandboxConfig {
  /** Origins task code may fetch from. */
  connect: string[];
  /** The self-contained worker script; default `sandbox-worker.js` beside this module. */
  workerURL: string | undefined;
  /** Where Pyodide's files are (absolute, ending in `/`). */
  indexURL: string;
  /** The pool's packages: absolute wheel URLs and names (served as the lock file lists them). */
  packages: string[];
  /** Where the lock file's wheels are (absolute, ending in `/`), when not beside it. */
  packageBaseUrl?: string;
  /** The lock file, when not `${indexURL}pyodide-lock.json`. */
  lockFileURL?: string;
}

/**
 * Start a sandboxed worker. `failed` is called if its script cannot be had (the worker is
 * then of no use: the caller ends it as a boot failure).
 */
export function startSandboxWorker(config: SandboxConfig, failed: (reason: string) => void): Worker {
  // Written inline so that bundlers see the file and ship it (as an asset: it is fetched as text).
  const url = config.workerURL ?? new URL('../sandbox-worker.js', import.meta.url).href;
  let worker: Worker;
  try {
    worker = new Worker(STUB_URL, { type: 'module', name: 'pyodide-pool sandbox' });
  } catch (err) {
    // WebKit throws where a page's Content-Security-Policy refuses data: workers (the
    // others report an error event): either way, a worker that failed to start.
    queueMicrotask(() => failed(`the page refused to start a data: worker (${(err as Error).message}); a Content-Security-Policy needs data: in worker-src`));
    return inertWorker();
  }
  const files = new MessageChannel();
  const known = blobsReadable();
  const probe = known === undefined ? blobProbe() : undefined;
  let answered!: (canRead: boolean) => void;
  const canRead = known !== undefined ? Promise.resolve(known) : new Promise<boolean>((resolve) => (answered = resolve));
  const { indexURL, packages, packageBaseUrl, lockFileURL } = config;
  new FileRelay(files.port1, { indexURL, packages, packageBaseUrl, lockFileURL }, (data) => {
    const blobs = (data as { blobs?: unknown } | undefined)?.blobs;
    if (!probe || typeof blobs !== 'boolean') return;
    blobProbeAnswered(blobs);
    answered(blobs);
  });
  sendBlobsAsBytes(worker, canRead);
  workerSource(url).then(
    // The stub's message goes past the Blob handling above: it is the worker's start.
    (code) => post.call(worker, { __pyodidePoolSandboxCode: code, connect: config.connect, probe }, [files.port2]),
    (err: Error) => failed(`the sandbox worker script could not be loaded from ${url} (${err.message})`),
  );
  return worker;
}

/** A stand-in for a worker that could not be started: it takes messages and drops them. */
function inertWorker(): Worker {
  return Object.assign(new EventTarget(), { postMessage() {}, terminate() {}, onmessage: null, onmessageerror: null, onerror: null }) as unknown as Worker;
}

const post = Worker.prototype.postMessage as (this: Worker, message: unknown, transfer: Transferable[]) => void;
