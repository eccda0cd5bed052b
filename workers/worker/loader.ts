/**
 * What a worker's boot takes from Pyodide's files and from the page, each arriving as
 * early as it can: Pyodide's scripts (imported once, from `prepare`), its module factory
 * (wrapped so the timeline sees inside it), the page's compiled interpreter, and the
 * snapshot (read and unpacked here, or made here and handed over packed). `stages` is
 * this worker's side of the boot timeline.
 *
 * @internal
 */
import * as Comlink from 'comlink';
import { StageLog, stamp, type BootStageName } from '../shared/boot-timeline.js';
import { gunzip, headerBytes, readHeader } from '../shared/snapshot-file.js';
import { packSnapshot, unpackSnapshot } from './sparse-snapshot.js';
import { prefetchPyodideFiles } from '../shared/wasm-module.js';

/** This worker's boot stages, returned with the boot. */
export const stages = new StageLog();

/** Pyodide's loader module, imported once (by `prepare`, or else by `boot`). */
let loader: Promise<(typeof import('pyodide'))> | undefined;

export function importLoader(indexURL: string): Promise<(typeof import('pyodide'))> {
  loader ??= importScript(`${indexURL}pyodide.mjs`);
  return loader;
}

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

/** Pyodide's Emscripten module script (`pyodide.asm.mjs`), imported once. */
let moduleScript: Promise<{ default: (settings: object) => Promise<PyodideModule> }> | undefined;

function importModuleScript(indexURL: string): NonNullable<typeof moduleScript> {
  moduleScript ??= importScript(`${indexURL}pyodide.asm.mjs`);
  return moduleScript;
}

/** The version of the Pyodide at `indexURL` (its loader says), for the base snapshot's check. */
export async function pyodideVersion(indexURL: string): Promise<string | undefined> {
  try {
    return (await importLoader(indexURL)).version;
  } catch {
    return undefined; // boot reports it
  }
}

export function prepare(indexURL: string): void {
  prefetchPyodideFiles(indexURL);
  // Both imports are what loadPyodide does first; done now, they overlap the pool's
  // snapshot lookup and wasm compile instead of following them. Failures surface in boot.
  void stages.time('pyodide-scripts', Promise.allSettled([importLoader(indexURL), importModuleScript(indexURL)]));
}

/** The parts of Pyodide's Emscripten module the boot looks into. */
interface PyodideModule {
  API?: { restoreSnapshot?: (...args: unknown[]) => unknown; finalizeBootstrap?: (...args: unknown[]) => unknown };
  HEAP8?: Int8Array;
  growMemory?: (bytes: number) => unknown;
}

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

/**
 * Pyodide's module factory, wrapped so the timeline shows its parts: creating the
 * Emscripten module (the standard library's zip, the wasm instance), copying a snapshot
 * into memory, and Python's own start. Where Pyodide's internals differ, it is just
 * the factory: the boot does not depend on the timing.
 */
export async function timedModuleFactory(indexURL: string): Promise<(settings: object) => Promise<PyodideModule>> {
  const create = (await importModuleScript(indexURL)).default;
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

/** The snapshot this worker made, until the page takes it. */
export let madeSnapshot: Uint8Array | undefined;

/** Hand over the snapshot made at boot, packed (the page stores and shares the packed form). */
export function takeSnapshot(): Uint8Array | undefined {
  const snapshot = madeSnapshot;
  madeSnapshot = undefined;
  if (!snapshot) return undefined;
  const packed = packSnapshot(snapshot);
  return Comlink.transfer(packed, [packed.buffer]);
}

/** The interpreter as the page compiled it (undefined: it could not), once `giveModule` brings it. */
let giveModuleNow!: (module: WebAssembly.Module | undefined) => void;
export const pageModule = new Promise<WebAssembly.Module | undefined>((resolve) => (giveModuleNow = resolve));

/** The page's compiled interpreter arrives (or undefined: load it here). */
export function giveModule(module: WebAssembly.Module | undefined): void {
  giveModuleNow(module);
}

/** The snapshot this worker will restore from, being read since `preloadSnapshot`. */
export let preloaded: Promise<Uint8Array> | undefined;

/** Start reading and unpacking the snapshot now, while the page still compiles the interpreter. */
export function preloadSnapshot(snapshot: Blob | Uint8Array): void {
  preloaded = readSnapshot(snapshot);
  preloaded.catch(() => {}); // boot reports it
}

/**
 * A shared packed snapshot as the bytes Pyodide restores from: read and unpacked here.
 * The base snapshot shipped with the package arrives gzipped as well, after a header.
 */
async function readSnapshot(snapshot: Blob | Uint8Array): Promise<Uint8Array> {
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

/** The boot made a snapshot (kept here until `takeSnapshot`). */
export function keepSnapshot(snapshot: Uint8Array): void {
  madeSnapshot = snapshot;
}
