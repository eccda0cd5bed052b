import { BASE_SNAPSHOT_URL } from './base-snapshot.js';
import { checkFiles, type FileSource } from './files.js';

/** Options of `new PyodidePool()`. Every field is optional. */
export interface PoolOptions {
  /** Workers booted eagerly and kept alive. Default 1. */
  min?: number;
  /** Upper bound on workers. Default `max(1, navigator.hardwareConcurrency - 1)`. */
  max?: number;
  /** Milliseconds an idle worker above `min` lives before it is retired. Default 30 000. */
  idleTimeout?: number;
  /** Where the Pyodide runtime files are served (relative to the page). Default `'/pyodide/'`. */
  indexURL?: string;
  /** Pyodide package names or wheel URLs, loaded on every worker before it is ready. */
  packages?: string[];
  /**
   * Where Pyodide's packages (the wheels its lock file names) are loaded from, when not
   * beside the runtime: e.g. the full distribution on a CDN while the core is self-hosted.
   * Passed to Pyodide. Default: the lock file's folder (`indexURL`).
   *
   * @example
   * new PyodidePool({ packages: ['numpy'], packageBaseUrl: 'https://cdn.jsdelivr.net/pyodide/v314.0.7/full/' });
   */
  packageBaseUrl?: string;
  /** URL of the lock file that lists the packages (`pyodide-lock.json`). Default: `${indexURL}pyodide-lock.json`. */
  lockFileURL?: string;
  /** Python run once per worker after packages; every task sees the names it defines. */
  setup?: string;
  /** Default per-task timeout in ms, counted from when a task starts running. None by default. */
  timeout?: number;
  /** Waiting tasks beyond this are refused with `QueueFullError`. Default Infinity. */
  maxQueue?: number;
  /**
   * Boot workers after the first from a memory snapshot (where one cannot be used, a worker
   * boots normally and `WorkerInfo.snapshotSkipped` says why). Default true.
   */
  snapshot?: boolean;
  /**
   * On a first visit (no stored snapshot yet), start the first worker's interpreter from
   * the snapshot of the bare interpreter shipped with this package (`base-snapshot.bin`,
   * 6.2 MB, fetched once) instead of starting Python cold; it then loads packages and
   * files and runs `setup` as a normal boot does. Used only when `indexURL` serves the
   * Pyodide it was made from (else the worker boots normally and `snapshotSkipped` says
   * why). A URL says where the file is served, for bundlers that move it
   * (`base-snapshot.json` must sit beside it). Default true: `dist/base-snapshot.bin`.
   *
   * @example
   * new PyodidePool({ baseSnapshot: '/assets/base-snapshot.bin' });
   */
  baseSnapshot?: boolean | string | URL;
  /**
   * Keep the snapshot in Cache Storage so the next page load restores every worker,
   * the first one included (tens of MB; the newest three setups are kept). Default true.
   */
  persistSnapshot?: boolean;
  /**
   * Milliseconds a running task has to stop after KeyboardInterrupt before its worker is
   * terminated and replaced (a wedged interpreter, or code that swallows the interrupt).
   * Default 2 000.
   */
  interruptGrace?: number;
  /**
   * Replace a worker once its wasm heap passes `heapBytes` after a task (default 1 GiB;
   * `Infinity` keeps every worker whatever its heap: the heap never shrinks), after
   * `afterTasks` tasks, or after a task that ran out of memory (a `MemoryError`, always).
   * `WorkerInfo.recycling` says which. A worker due for replacement takes no further task: it
   * retires once it holds none, and its successor (restored from the snapshot) starts
   * booting as soon as it is due. The heap is read from the interpreter's memory object,
   * which task code cannot misreport. `afterTasks: 1` is the same as `isolate: 'task'`.
   */
  recycle?: { heapBytes?: number; afterTasks?: number };
  /**
   * `'task'`: every task runs in a worker that no earlier task has touched, restored from
   * the snapshot (made before any task ran) and ended after that one task. A spare boots
   * as soon as a worker takes its task, so the next task waits about one restore at
   * most. Tasks cannot see what an earlier one left (globals, patched modules, files,
   * profilers): for code you did not write. Map chunks count as tasks (the items of one
   * chunk share a worker), and generator tasks are not preempted. Default: workers are
   * reused.
   *
   * @example
   * new PyodidePool({ sandbox: true, isolate: 'task' });
   */
  isolate?: 'task';
  /**
   * Milliseconds a worker may take to boot (Pyodide, packages, setup) before it is ended
   * and another is started in its place; after three such failures in a row the pool
   * gives up with `WorkerBootError`. Default 60 000.
   */
  bootTimeout?: number;
  /**
   * Files written into every worker's filesystem before `setup` runs, on every worker
   * (snapshot-restored and replacement ones too): path → text, bytes, a Blob, or a URL
   * the page fetches once. A file under a directory on `sys.path` is importable.
   *
   * @example
   * new PyodidePool({ files: { '/data/lookup.csv': 'code,name\n1,one\n', '/home/pyodide/helpers.py': 'def hi():\n    return "hi"' } });
   */
  files?: Record<string, FileSource>;
  /** URL of the worker script, for bundlers that move it. Default: `pool-worker.js` beside this module. */
  workerURL?: string | URL;
  /**
   * Run task code where the page's origin cannot be reached: workers with an opaque
   * origin (no cookies, no IndexedDB, Cache Storage or Web Locks of the page), fed
   * Pyodide's files by the page, with network access only to the origins in `connect`
   * (none by default). See the README's "Security" section for what it promises.
   *
   * @example
   * new PyodidePool({ sandbox: true });
   * new PyodidePool({ sandbox: { connect: ['https://data.example'] } });
   */
  sandbox?: boolean | SandboxOptions;
  /**
   * Print each worker's boot timeline (see `WorkerInfo.bootTimeline`) with `console.debug`
   * once it is warm, and add its stages to the page's performance timeline as
   * `performance.measure` entries (named `pyodide-pool worker N: stage`), where DevTools
   * shows them. Default false.
   */
  debug?: boolean;
}

/** The `sandbox` option in full. */
export interface SandboxOptions {
  /** Origins (`https://host[:port]`) task code may fetch from, without credentials. Default none. */
  connect?: string[];
  /**
   * URL of the self-contained sandbox worker script, for bundlers that move it. Default:
   * `sandbox-worker.js` beside this module.
   */
  workerURL?: string | URL;
}

/** Options with every default applied and every value checked. @internal */
export interface ResolvedOptions {
  min: number;
  max: number;
  idleTimeout: number;
  indexURL: string;
  packages: string[];
  packageBaseUrl: string | undefined;
  lockFileURL: string | undefined;
  setup: string;
  timeout: number | undefined;
  maxQueue: number;
  snapshot: boolean;
  /** Where the base snapshot file is (absolute), or false. */
  baseSnapshot: string | false;
  persistSnapshot: boolean;
  interruptGrace: number;
  bootTimeout: number;
  recycle: { heapBytes: number; afterTasks: number };
  isolate: 'task' | undefined;
  files: Record<string, FileSource>;
  debug: boolean;
  /** Undefined: a normal pool. */
  sandbox: { connect: string[]; workerURL: string | undefined } | undefined;
}

const here = () => globalThis.location?.href;

/**
 * A worker whose heap passed this after a task is replaced (`recycle.heapBytes`): the wasm
 * heap never shrinks, and gigabytes held for good are a phone tab's end.
 */
export const DEFAULT_HEAP_CEILING = 2 ** 30;

function count(name: string, value: unknown, fallback: number, least: number, where = 'PyodidePool'): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < least) {
    throw new RangeError(`${where}: '${name}' must be an integer ≥ ${least}, got ${String(value)}`);
  }
  return value;
}

/** Checks a duration in ms: a positive number, or undefined. @internal */
export function duration(name: string, value: unknown): number | undefined {
  if (value === undefined || value === Infinity) return undefined;
  if (typeof value !== 'number' || !(value > 0)) {
    throw new RangeError(`'${name}' must be a positive number of milliseconds, got ${String(value)}`);
  }
  return value;
}

/** Resolve a URL against the page, so the worker (whose base URL differs) sees the same file. @internal */
export function absoluteURL(url: string): string {
  return new URL(url, here()).href;
}

/** A package spec that is a URL (a wheel file) rather than a Pyodide package name. */
function isURL(spec: string): boolean {
  return spec.includes('/') || spec.endsWith('.whl');
}

/** The `sandbox` option checked: each `connect` entry an http(s) origin. */
function sandboxOption(value: unknown): ResolvedOptions['sandbox'] {
  if (value === undefined || value === false) return undefined;
  if (value === true) return { connect: [], workerURL: undefined };
  if (typeof value !== 'object' || value === null) throw new TypeError("PyodidePool: 'sandbox' must be true, false or { connect: [...] }");
  const { connect = [], workerURL } = value as SandboxOptions;
  if (!Array.isArray(connect)) throw new TypeError("PyodidePool: 'sandbox.connect' must be an array of origins");
  const origins = connect.map((entry) => {
    let url: URL | undefined;
    try {
      url = typeof entry === 'string' ? new URL(entry) : undefined;
    } catch {
      // reported below
    }
    if (!url || !/^https?:$/.test(url.protocol)) {
      throw new TypeError(`PyodidePool: 'sandbox.connect' entries must be http(s) origins such as 'https://data.example', got ${JSON.stringify(entry)}`);
    }
    return url.origin;
  });
  return { connect: [...new Set(origins)], workerURL: workerURL === undefined ? undefined : absoluteURL(String(workerURL)) };
}

/** The `baseSnapshot` option as the URL of the file, or false (off, or snapshots off). */
function baseSnapshotOption(snapshot: boolean, value: unknown): string | false {
  if (value !== undefined && typeof value !== 'boolean' && typeof value !== 'string' && !(value instanceof URL)) {
    throw new TypeError("PyodidePool: 'baseSnapshot' must be true, false or the URL of base-snapshot.bin");
  }
  if (!snapshot || value === false) return false;
  return value === undefined || value === true ? BASE_SNAPSHOT_URL() : absoluteURL(String(value));
}

/** Apply defaults and check values; throws RangeError / TypeError naming the bad option. @internal */
export function resolveOptions(options: PoolOptions = {}, where = 'PyodidePool'): ResolvedOptions {
  if (typeof options !== 'object' || options === null) throw new TypeError(`${where}: options must be an object`);
  const cores = globalThis.navigator?.hardwareConcurrency ?? 2;
  const min = count('min', options.min, 1, 0, where);
  const max = count('max', options.max, Math.max(1, min, cores - 1), 1, where);
  if (min > max) throw new RangeError(`${where}: 'min' (${min}) is larger than 'max' (${max})`);
  const packages = options.packages ?? [];
  if (!Array.isArray(packages) || packages.some((p) => typeof p !== 'string' || p.trim() === '')) {
    throw new TypeError("PyodidePool: 'packages' must be an array of package names or wheel URLs");
  }
  if (options.setup !== undefined && typeof options.setup !== 'string') throw new TypeError("PyodidePool: 'setup' must be Python source text");
  if (options.indexURL !== undefined && typeof options.indexURL !== 'string') throw new TypeError("PyodidePool: 'indexURL' must be a string");
  let indexURL = absoluteURL(options.indexURL ?? '/pyodide/');
  if (!indexURL.endsWith('/')) indexURL += '/';
  if (options.packageBaseUrl !== undefined && typeof options.packageBaseUrl !== 'string') throw new TypeError("PyodidePool: 'packageBaseUrl' must be a URL string");
  if (options.lockFileURL !== undefined && typeof options.lockFileURL !== 'string') throw new TypeError("PyodidePool: 'lockFileURL' must be a URL string");
  let packageBaseUrl = options.packageBaseUrl === undefined ? undefined : absoluteURL(options.packageBaseUrl);
  if (packageBaseUrl && !packageBaseUrl.endsWith('/')) packageBaseUrl += '/';
  for (const name of ['snapshot', 'persistSnapshot'] as const) {
    if (options[name] !== undefined && typeof options[name] !== 'boolean') throw new TypeError(`PyodidePool: '${name}' must be true or false`);
  }
  if (options.debug !== undefined && typeof options.debug !== 'boolean') throw new TypeError("PyodidePool: 'debug' must be true or false");
  if (options.isolate !== undefined && options.isolate !== 'task')
    throw new TypeError(`PyodidePool: 'isolate' must be 'task' (or left out), got ${JSON.stringify(options.isolate)}`);
  const isolate = options.isolate;
  const maxQueue = options.maxQueue === undefined || options.maxQueue === Infinity ? Infinity : count('maxQueue', options.maxQueue, 0, 0, where);
  return {
    min,
    max,
    idleTimeout: count('idleTimeout', options.idleTimeout, 30_000, 0, where),
    indexURL,
    packages: packages.map((p) => (isURL(p) ? absoluteURL(p) : p.trim())),
    packageBaseUrl,
    lockFileURL: options.lockFileURL === undefined ? undefined : absoluteURL(options.lockFileURL),
    setup: options.setup ?? '',
    timeout: duration('timeout', options.timeout),
    maxQueue,
    snapshot: options.snapshot ?? true,
    baseSnapshot: baseSnapshotOption(options.snapshot ?? true, options.baseSnapshot),
    persistSnapshot: (options.snapshot ?? true) && (options.persistSnapshot ?? true),
    interruptGrace: count('interruptGrace', options.interruptGrace, 2_000, 0, where),
    bootTimeout: count('bootTimeout', options.bootTimeout, 60_000, 1, where),
    files: checkFiles(options.files),
    debug: options.debug ?? false,
    sandbox: sandboxOption(options.sandbox),
    recycle: {
      heapBytes:
        options.recycle?.heapBytes === undefined
          ? DEFAULT_HEAP_CEILING
          : options.recycle.heapBytes === Infinity
            ? Infinity
            : count('recycle.heapBytes', options.recycle.heapBytes, 0, 1),
      afterTasks: isolate ? 1 : options.recycle?.afterTasks === undefined ? Infinity : count('recycle.afterTasks', options.recycle.afterTasks, 0, 1),
    },
    isolate,
  };
}
