/**
 * What a worker's boot takes from Pyodide's files and from the page, each arriving as
 * early as it can: Pyodide's scripts (imported once, from `prepare`), its module factory
 * (wrapped so the timeline sees inside it), the page's compiled interpreter, and the
 * snapshot (read and unpacked here, or made here and handed over packed). Its `stages`
 * are this worker's side of the boot timeline.
 *
 * @internal
 */
import * as Comlink from 'comlink';
import { StageLog, stamp, type BootStageName } from '../shared/boot-timeline.js';
import { gunzip, headerBytes, readHeader } from '../shared/snapshot-file.js';
import { packSnapshot, unpackSnapshot } from './sparse-snapshot.js';
import { prefetchPyodideFiles } from '../shared/wasm-module.js';

/**
 * Import one of Pyodide's scripts. A sandboxed worker (started from a `data:` URL, so of
 * an opaque origin) cannot import by URL without the server's CORS consent: it gets the
 * text from the page (its `fetch` asks the page) and imports that as a `data:` module.
 */
async function importScript<T>(url: string): Promise<T> {
  if (globalThis.location?.protocol !== 'data:') return import(/* @vite-ignore */ url) as Promise<T>;
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url} answered ${response.status}`);
  const text = await response.text();
  // A blob: module where the engine allows one of an opaque origin (Chromium, Firefox:
  // Firefox runs data: modules' code markedly slower); a data: module elsewhere (WebKit).
  try {
    return (await import(/* @vite-ignore */ URL.createObjectURL(new Blob([text], { type: 'text/javascript' })))) as T;
  } catch {
    return import(/* @vite-ignore */ `data:text/javascript,${encodeURIComponent(text)}`) as Promise<T>;
  }
}

/** The parts of Pyodide's Emscripten module the boot looks into. */
interface PyodideModule {
  API?: { restoreSnapshot?: (...args: unknown[]) => unknown; finalizeBootstrap?: (...args: unknown[]) => unknown };
  HEAP8?: Int8Array;
  growMemory?: (bytes: number) => unknown;
}

/** Pyodide's Emscripten module script, imported: its default export makes the module. */
type ModuleScript = Promise<{ default: (settings: object) => Promise<PyodideModule> }>;

/** The Emscripten settings Pyodide creates its module with (the parts read here). */
interface ModuleSettings {
  /** Set by Pyodide to a snapshot's length when it restores one. */
  INITIAL_MEMORY?: number;
  preRun?: ((module: PyodideModule) => void) | ((module: PyodideModule) => void)[];
}

/**
 * Grow the wasm memory to a snapshot's size before Pyodide copies it in. Pyodide asks for
 * it through `INITIAL_MEMORY`, which its build ignores (the memory is defined inside the
 * wasm), so a snapshot larger than the default heap (a `setup` that left more than a few
 * MB behind) failed to restore (pyodide#6254). Cloudflare's workerd grows it the same way.
 */
function growForSnapshot(settings: ModuleSettings): ModuleSettings {
  const wanted = settings.INITIAL_MEMORY;
  if (!wanted) return settings;
  const grow = (module: PyodideModule): void => {
    const now = module.HEAP8?.length ?? 0;
    if (now < wanted && typeof module.growMemory === 'function') module.growMemory(wanted);
  };
  const preRun = settings.preRun === undefined ? [] : Array.isArray(settings.preRun) ? settings.preRun : [settings.preRun];
  return { ...settings, preRun: [grow, ...preRun] };
}

export class Loader {
  /** This worker's boot stages, returned with the boot. */
  readonly stages = new StageLog();
  /** Pyodide's loader module, imported once (by `prepare`, or else by `boot`). */
  #loader: Promise<typeof import('pyodide')> | undefined;
  /** Pyodide's Emscripten module script (`pyodide.asm.mjs`), imported once. */
  #moduleScript: ModuleScript | undefined;
  /** The snapshot this worker made, until the page takes it. */
  #made: Uint8Array | undefined;
  /** The snapshot this worker will restore from, being read since `preloadSnapshot`. */
  #preloaded: Promise<Uint8Array> | undefined;
  #giveModule!: (module: WebAssembly.Module | undefined) => void;
  /** The interpreter as the page compiled it (undefined: it could not), once `giveModule` brings it. */
  readonly pageModule = new Promise<WebAssembly.Module | undefined>((resolve) => (this.#giveModule = resolve));

  constructor() {
    // The worker's clock starts when the page creates it: until now, its script loaded and ran.
    this.stages.add('script', performance.timeOrigin);
  }

  importLoader(indexURL: string): Promise<typeof import('pyodide')> {
    this.#loader ??= importScript(`${indexURL}pyodide.mjs`);
    return this.#loader;
  }

  #importModuleScript(indexURL: string): ModuleScript {
    this.#moduleScript ??= importScript(`${indexURL}pyodide.asm.mjs`);
    return this.#moduleScript;
  }

  /** The version of the Pyodide at `indexURL` (its loader says), for the base snapshot's check. */
  async pyodideVersion(indexURL: string): Promise<string | undefined> {
    try {
      return (await this.importLoader(indexURL)).version;
    } catch {
      return undefined; // boot reports it
    }
  }

  prepare(indexURL: string): void {
    prefetchPyodideFiles(indexURL);
    // Both imports are what loadPyodide does first; done now, they overlap the pool's
    // snapshot lookup and wasm compile instead of following them. Failures surface in boot.
    void this.stages.time('pyodide-scripts', Promise.allSettled([this.importLoader(indexURL), this.#importModuleScript(indexURL)]));
  }

  /**
   * Pyodide's module factory, wrapped so the timeline shows its parts: creating the
   * Emscripten module (the standard library's zip, the wasm instance), copying a snapshot
   * into memory, and Python's own start. Where Pyodide's internals differ, it is just
   * the factory: the boot does not depend on the timing.
   */
  async timedModuleFactory(indexURL: string): Promise<(settings: object) => Promise<PyodideModule>> {
    const create = (await this.#importModuleScript(indexURL)).default;
    const stages = this.stages;
    const timed = <F extends (...args: unknown[]) => unknown>(name: BootStageName, fn: F | undefined): F | undefined =>
      fn &&
      (((...args: unknown[]) => {
        const start = stamp();
        try {
          return fn(...args);
        } finally {
          stages.add(name, start);
        }
      }) as F);
    return async (settings) => {
      const module = await stages.time('emscripten', create(growForSnapshot(settings as ModuleSettings)));
      const api = module.API;
      if (api) {
        api.restoreSnapshot = timed('memory-restore', api.restoreSnapshot);
        api.finalizeBootstrap = timed('python-init', api.finalizeBootstrap);
      }
      return module;
    };
  }

  /** Whether the boot made a snapshot the page has not taken yet. */
  get madeSnapshot(): boolean {
    return this.#made !== undefined;
  }

  /** The boot made a snapshot (kept here until `takeSnapshot`). */
  keepSnapshot(snapshot: Uint8Array): void {
    this.#made = snapshot;
  }

  /** Hand over the snapshot made at boot, packed (the page stores and shares the packed form). */
  takeSnapshot(): Uint8Array | undefined {
    const snapshot = this.#made;
    this.#made = undefined;
    if (!snapshot) return undefined;
    const packed = packSnapshot(snapshot);
    return Comlink.transfer(packed, [packed.buffer]);
  }

  /** The page's compiled interpreter arrives (or undefined: load it here). */
  giveModule(module: WebAssembly.Module | undefined): void {
    this.#giveModule(module);
  }

  /** Start reading and unpacking the snapshot now, while the page still compiles the interpreter. */
  preloadSnapshot(snapshot: Blob | Uint8Array): void {
    this.#preloaded = this.#readSnapshot(snapshot);
    this.#preloaded.catch(() => {}); // boot reports it
  }

  /** The snapshot `preloadSnapshot` is reading, for a boot that restores one. */
  get preloaded(): Promise<Uint8Array> | undefined {
    return this.#preloaded;
  }

  /**
   * A shared packed snapshot as the bytes Pyodide restores from: read and unpacked here.
   * The base snapshot shipped with the package arrives gzipped as well, after a header.
   */
  async #readSnapshot(snapshot: Blob | Uint8Array): Promise<Uint8Array> {
    const stages = this.stages;
    let packed = snapshot instanceof Uint8Array ? snapshot : new Uint8Array(await stages.time('snapshot-read', snapshot.arrayBuffer()));
    if (readHeader(packed.subarray(0, 4096))) {
      const unzipping = stamp();
      packed = await gunzip(packed.subarray(headerBytes(packed)));
      stages.add('snapshot-unzip', unzipping);
    }
    const unpacking = stamp();
    const bytes = unpackSnapshot(packed);
    stages.add('snapshot-unpack', unpacking);
    if (!bytes) throw new Error('the stored snapshot is damaged');
    return bytes;
  }
}
