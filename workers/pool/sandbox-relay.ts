/**
 * The page's file relay for one sandboxed worker. The worker (opaque origin) reaches no
 * server of the page's by itself: its `fetch` asks the page (see `worker/lockdown.ts`),
 * and the page serves it exactly what a pool worker loads, nothing more:
 *
 * - the files of Pyodide's distribution that Pyodide 314 loads ({@link PYODIDE_FILES},
 *   directly under `indexURL`);
 * - the pool's wheel URLs (`packages`), and for the packages it names, their wheels and
 *   their dependencies' as the lock file lists them: `lockFileURL` (served too) or
 *   `indexURL`'s `pyodide-lock.json`, its relative wheel names taken under
 *   `packageBaseUrl`, or by default under the lock file's folder, as Pyodide takes them.
 *
 * Every request goes out without the page's credentials (`credentials: 'omit'`: no
 * cookies, no HTTP authentication), at most {@link RELAY_CONCURRENT} at a time per
 * worker ({@link RELAY_WAITING} more wait their turn), and one worker is served at most
 * {@link RELAY_BYTES} over its life. A request past a bound, or for anything else, is
 * answered at once with a refusal that names the reason (task code sees a `TypeError`),
 * never left unanswered.
 *
 * @internal
 */

/** The files of Pyodide's distribution a worker loads (Pyodide 314), by name under `indexURL`. */
export const PYODIDE_FILES = ['pyodide.mjs', 'pyodide.asm.mjs', 'pyodide.asm.wasm', 'python_stdlib.zip', 'pyodide-lock.json'] as const;

/** Requests the page fetches for one worker at once (a browser's connections per server). */
export const RELAY_CONCURRENT = 6;
/** Requests of one worker that may wait for a free slot; past them, a request is refused. */
export const RELAY_WAITING = 64;
/**
 * Bytes the page serves one worker over its life: 256 MiB. A boot takes about 13 MB of
 * Pyodide's files (less when restored from a snapshot), and a worker loads its wheels once.
 */
export const RELAY_BYTES = 256 * 2 ** 20;

/** What the relay serves: Pyodide under `indexURL`, and the pool's packages. */
export interface RelayConfig {
  /** Where Pyodide's files are (absolute, ending in `/`). */
  indexURL: string;
  /** The pool's packages: absolute wheel URLs, and names of packages in the lock file. */
  packages: string[];
  /** Where the lock file's relative wheel names resolve (absolute); default the lock file's folder. */
  packageBaseUrl?: string | undefined;
  /** The lock file (absolute); default `${indexURL}pyodide-lock.json`. */
  lockFileURL?: string | undefined;
}

type LockedWheels = Map<string, { url: string; depends: string[] }>;

/** The lock file a worker of `config` reads, and where its relative wheel names resolve (as Pyodide resolves them). */
function lockSource(config: RelayConfig): { lock: string; base: string } {
  const lock = config.lockFileURL ?? `${config.indexURL}pyodide-lock.json`;
  return { lock, base: config.packageBaseUrl ?? lock.slice(0, lock.lastIndexOf('/') + 1) };
}

/** A request from the worker, as the relay accepts it. */
interface FileRequest {
  id: number;
  url: string;
  integrity: string | undefined;
}

/** Python's normalized package name (PEP 503), as Pyodide's lock file keys them. */
function normalized(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '-');
}

/** The wheel URLs of each lock file (and base), by package: fetched once per page. */
const lockFiles = new Map<string, Promise<LockedWheels>>();

function lockFile(config: RelayConfig): Promise<LockedWheels> {
  const { lock: url, base } = lockSource(config);
  const key = JSON.stringify([url, base]);
  let lock = lockFiles.get(key);
  if (!lock) {
    lock = fetch(url, { credentials: 'omit' })
      .then((response) => (response.ok ? response.json() : { packages: {} }))
      .then((json: { packages?: Record<string, { file_name?: unknown; depends?: unknown }> }) => {
        const packages: LockedWheels = new Map();
        for (const [name, entry] of Object.entries(json.packages ?? {})) {
          if (typeof entry?.file_name !== 'string') continue;
          let wheel: string;
          try {
            wheel = new URL(entry.file_name, base).href;
          } catch {
            continue;
          }
          const depends = Array.isArray(entry.depends) ? entry.depends.filter((d): d is string => typeof d === 'string') : [];
          packages.set(normalized(name), { url: wheel, depends });
        }
        return packages;
      });
    lockFiles.set(key, lock);
    lock.catch(() => lockFiles.delete(key));
  }
  return lock;
}

/** The wheels of the named packages and of everything they depend on, as URLs. */
async function lockedWheels(config: RelayConfig, names: string[]): Promise<Set<string>> {
  const lock = await lockFile(config).catch((): LockedWheels => new Map());
  const urls = new Set<string>();
  const seen = new Set<string>();
  const visit = (name: string) => {
    const key = normalized(name);
    if (seen.has(key)) return;
    seen.add(key);
    const entry = lock.get(key);
    if (!entry) return;
    urls.add(entry.url);
    entry.depends.forEach(visit);
  };
  names.forEach(visit);
  return urls;
}

/** Whether `url` is one of the files the relay serves, without the lock file's wheels. */
export function relayServes(url: string, config: RelayConfig): boolean {
  return (PYODIDE_FILES as readonly string[]).some((name) => url === `${config.indexURL}${name}`) || url === config.lockFileURL || config.packages.includes(url);
}

/** Serves one worker's file requests on `port` (see the module's comment). */
export class FileRelay {
  #inFlight = 0;
  readonly #waiting: FileRequest[] = [];
  /** Bytes served to this worker so far. */
  #served = 0;
  /** The lock file's wheels for the pool's named packages, looked up on the first request that needs them. */
  #wheels: Promise<Set<string>> | undefined;
  readonly #names: string[];

  constructor(
    readonly port: MessagePort,
    readonly config: RelayConfig,
    /** Other messages on the port (the worker's start stub says whether it can read Blobs). */
    other: (data: unknown) => void,
  ) {
    this.#names = config.packages.filter((p) => !p.includes('/'));
    port.onmessage = (event: MessageEvent<{ id?: unknown; url?: unknown; integrity?: unknown }>) => {
      const { id, url, integrity } = event.data ?? {};
      if (typeof id !== 'number' || typeof url !== 'string') {
        other(event.data);
        return;
      }
      void this.#request({ id, url, integrity: typeof integrity === 'string' && integrity ? integrity : undefined });
    };
  }

  async #allowed(url: string): Promise<boolean> {
    if (relayServes(url, this.config)) return true;
    if (this.#names.length === 0) return false;
    this.#wheels ??= lockedWheels(this.config, this.#names);
    return (await this.#wheels).has(url);
  }

  #refuse(id: number, refused: string): void {
    this.port.postMessage({ id, refused });
  }

  async #request(request: FileRequest): Promise<void> {
    if (!(await this.#allowed(request.url))) {
      this.#refuse(request.id, `no network access to ${request.url}: the page serves sandboxed code only Pyodide's files and the pool's packages`);
    } else if (this.#served >= RELAY_BYTES) {
      this.#refuse(request.id, `${request.url} was not fetched: this worker has had its ${RELAY_BYTES} bytes of the page's files`);
    } else if (this.#inFlight < RELAY_CONCURRENT) {
      void this.#serve(request);
    } else if (this.#waiting.length < RELAY_WAITING) {
      this.#waiting.push(request);
    } else {
      this.#refuse(request.id, `${request.url} was not fetched: this worker has ${RELAY_CONCURRENT + RELAY_WAITING} requests to the page open already`);
    }
  }

  async #serve({ id, url, integrity }: FileRequest): Promise<void> {
    this.#inFlight++;
    const abort = new AbortController();
    try {
      const response = await fetch(url, { credentials: 'omit', signal: abort.signal, ...(integrity ? { integrity } : {}) });
      const length = Number(response.headers.get('content-length') ?? NaN);
      if (this.#served + (length || 0) > RELAY_BYTES) throw new RangeError(`it would take this worker past its ${RELAY_BYTES} bytes of the page's files`);
      // Counted as it arrives, so that requests in flight together cannot pass the bound either.
      const chunks: Uint8Array[] = [];
      let size = 0;
      const reader = response.body?.getReader();
      for (;;) {
        const next = reader ? await reader.read() : ({ done: true } as const);
        if (next.done) break;
        chunks.push(next.value);
        size += next.value.byteLength;
        this.#served += next.value.byteLength;
        if (this.#served > RELAY_BYTES) {
          abort.abort();
          throw new RangeError(`it took this worker past its ${RELAY_BYTES} bytes of the page's files`);
        }
      }
      const body = new Uint8Array(size);
      let at = 0;
      for (const chunk of chunks) {
        body.set(chunk, at);
        at += chunk.byteLength;
      }
      this.port.postMessage({ id, status: response.status, type: response.headers.get('content-type') ?? undefined, body: body.buffer }, [body.buffer]);
    } catch (err) {
      this.#refuse(id, `${url} could not be fetched (${(err as Error).message})`);
    } finally {
      this.#inFlight--;
      const next = this.#waiting.shift();
      if (next) void this.#request(next);
    }
  }
}
