/**
 * Page side of a sandboxed pool: starts each worker from a `data:` URL, which gives it an
 * opaque origin of its own. The browser then keeps task code from the page's cookies
 * (every request it makes is cross-origin, sent without them), its IndexedDB, Cache
 * Storage and Web Locks, in every engine. The worker is still a dedicated worker of this
 * page, so the compiled interpreter, shared memory (interrupts) and snapshots reach it as
 * in any pool.
 *
 * Such a worker can import nothing by URL, so the page hands it the self-contained worker
 * script (`sandbox-worker.js`) as text with a private port, on which it serves the worker
 * Pyodide's files (those under `indexURL`, and the pool's wheel URLs) when it asks; it
 * serves nothing else.
 *
 * @internal
 */

/**
 * The worker's first code: it keeps the port it is sent with its real code (as text) and
 * imports that (as a blob: module; WebKit refuses an opaque origin's, so data: there).
 * Messages for the pool worker that come meanwhile wait: the stub holds them, and hands
 * them to the pool worker's listeners once it has run.
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
  const blob = URL.createObjectURL(new Blob([code], { type: 'text/javascript' }));
  import(blob)
    .catch(() => import('data:text/javascript,' + encodeURIComponent(code)))
    .catch((err) => setTimeout(() => { throw err; }));
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
  /** Wheel URLs the pool loads (served too). */
  packages: string[];
}

/**
 * Start a sandboxed worker. `failed` is called if its script cannot be had (the worker is
 * then of no use: the caller ends it as a boot failure).
 */
export function startSandboxWorker(config: SandboxConfig, failed: (reason: string) => void): Worker {
  // Written inline so that bundlers see the file and ship it (as an asset: it is fetched as text).
  const url = config.workerURL ?? new URL('./sandbox-worker.js', import.meta.url).href;
  const worker = new Worker(STUB_URL, { type: 'module', name: 'pyodide-pool sandbox' });
  const files = new MessageChannel();
  serveFiles(files.port1, config);
  workerSource(url).then(
    (code) => worker.postMessage({ __pyodidePoolSandboxCode: code, connect: config.connect }, [files.port2]),
    (err: Error) => failed(`the sandbox worker script could not be loaded from ${url} (${err.message})`),
  );
  return worker;
}

/** Whether the page hands `url` to sandboxed code: one of Pyodide's files, or a pool wheel. */
export function servesToSandbox(url: string, config: Pick<SandboxConfig, 'indexURL' | 'packages'>): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  if (config.packages.includes(parsed.href)) return true;
  if (parsed.search || parsed.hash || !parsed.href.startsWith(config.indexURL)) return false;
  // One file right under indexURL: no subdirectory, nothing that climbs out.
  return /^[\w][\w.+-]*$/.test(parsed.href.slice(config.indexURL.length));
}

/** Answer the worker's file requests on `port`. */
function serveFiles(port: MessagePort, config: SandboxConfig): void {
  port.onmessage = async (event: MessageEvent<{ id?: unknown; url?: unknown }>) => {
    const { id, url } = event.data ?? {};
    if (typeof id !== 'number' || typeof url !== 'string') return;
    if (!servesToSandbox(url, config)) {
      port.postMessage({ id, refused: `no network access to ${url}: the page serves sandboxed code only Pyodide's files` });
      return;
    }
    try {
      const response = await fetch(url);
      const body = await response.arrayBuffer();
      port.postMessage({ id, status: response.status, type: response.headers.get('content-type') ?? undefined, body }, [body]);
    } catch (err) {
      port.postMessage({ id, refused: `${url} could not be fetched (${(err as Error).message})` });
    }
  };
}
