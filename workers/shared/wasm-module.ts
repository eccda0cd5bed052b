/**
 * Pyodide's interpreter (`pyodide.asm.wasm`, about 10 MB) compiled once per page and
 * handed to every worker, instead of each worker fetching and compiling its own copy.
 * Workers then start sooner, and since they share one compiled module, code that V8
 * optimises while one worker runs is optimised for all of them.
 *
 * The page compiles it once, as the first boot begins (after the snapshot lookup, which
 * would otherwise wait behind the compile's reads). A worker does not wait for it: it starts
 * Pyodide at once, and Pyodide's loader waits for the module only where it instantiates
 * it, so the worker's own start (scripts, configuration, the snapshot's bytes) overlaps
 * the compile. Only when the page cannot compile does a worker load the file itself.
 *
 * @internal
 */
import { stamp } from './boot-timeline.js';
import { isMemory } from './primordials.js';

const compiled = new Map<string, Promise<WebAssembly.Module | undefined>>();
const ready = new Map<string, WebAssembly.Module>();
/** When the page compiled each interpreter (for the boot timeline). */
const spans = new Map<string, { start: number; end: number }>();

/** When the page's own compile of the interpreter ran, if the page compiled it. */
export function pageCompileSpan(indexURL: string): { start: number; end: number } | undefined {
  return spans.get(pyodideWasmURL(indexURL));
}

/** The URL of the interpreter under `indexURL`. */
export function pyodideWasmURL(indexURL: string): string {
  return new URL('pyodide.asm.wasm', indexURL).href;
}

/**
 * Compile the interpreter under `indexURL`, once per page. Resolves to undefined when it
 * cannot be compiled here (the workers then load it themselves, as Pyodide normally does,
 * and report any real problem with a clear boot error).
 */
export function compilePyodideWasm(indexURL: string): Promise<WebAssembly.Module | undefined> {
  const url = pyodideWasmURL(indexURL);
  let module = compiled.get(url);
  if (!module) {
    const start = stamp();
    module = compile(url);
    compiled.set(url, module);
    // A failure is not remembered: a later pool may find the files in place.
    void module.then((m) => {
      if (!m) return compiled.delete(url);
      spans.set(url, { start, end: stamp() });
      ready.set(url, m);
    });
  }
  return module;
}

/**
 * The compiled interpreter if it is ready now, without waiting: a worker that would wait
 * for it had better compile its own copy in the meantime.
 */
export function compiledPyodideWasm(indexURL: string): WebAssembly.Module | undefined {
  return ready.get(pyodideWasmURL(indexURL));
}

/** Keep a module a worker compiled, for the workers after it. */
export function sharePyodideWasm(indexURL: string, module: WebAssembly.Module): void {
  const url = pyodideWasmURL(indexURL);
  if (ready.has(url)) return;
  ready.set(url, module);
  compiled.set(url, Promise.resolve(module));
}

async function compile(url: string): Promise<WebAssembly.Module | undefined> {
  if (typeof WebAssembly?.compileStreaming !== 'function') return undefined;
  try {
    return await WebAssembly.compileStreaming(fetch(url));
  } catch {
    // e.g. served without the application/wasm MIME type: compile from the bytes.
  }
  try {
    const response = await fetch(url);
    return response.ok ? await WebAssembly.compile(await response.arrayBuffer()) : undefined;
  } catch {
    return undefined;
  }
}

/** Files every boot fetches besides the interpreter: Pyodide's package lock and standard library. */
const BOOT_FILES = ['pyodide-lock.json', 'python_stdlib.zip'];
/** Worker side: those files, requested early by {@link prefetchPyodideFiles}, by URL. */
const prefetched = new Map<string, Promise<Response>>();

/**
 * Worker side: request the files a boot will fetch now, as the worker starts, so that
 * they arrive while the pool reads the snapshot and compiles the interpreter instead of
 * after (a revalidated request costs a round trip: over 200 ms here on a restore).
 */
export function prefetchPyodideFiles(indexURL: string): void {
  for (const name of BOOT_FILES) {
    const url = new URL(name, indexURL).href;
    if (prefetched.has(url)) continue;
    const response = fetch(url);
    response.catch(() => {}); // Pyodide's own request reports it
    prefetched.set(url, response);
  }
}

/**
 * Worker side, around Pyodide's loader: make it wait for `pageModule` (the page's compile)
 * and use that module rather than fetching and compiling the interpreter; when the page
 * could not compile it (undefined), let it load the file and note the module it compiles.
 * Pyodide asks `fetch` for the file and gives the response to
 * `WebAssembly.instantiateStreaming`; both are wrapped until `undo()`. Files that
 * {@link prefetchPyodideFiles} requested are handed over rather than fetched again.
 */
export function interceptPyodideWasm(
  url: string,
  pageModule: Promise<WebAssembly.Module | undefined>,
  instantiated: (start: number) => void = () => {},
): { undo(): void; compiled(): WebAssembly.Module | undefined; memory(): WebAssembly.Memory | undefined } {
  const nativeFetch = globalThis.fetch;
  const nativeInstantiateStreaming = WebAssembly.instantiateStreaming;
  const placeholder = new Response(null);
  let module: WebAssembly.Module | undefined;
  let seen: WebAssembly.Module | undefined;
  // The interpreter's own memory, from its instance: what the heap figure is read from.
  let memory: WebAssembly.Memory | undefined;
  const keepMemory = (instance: WebAssembly.Instance) => {
    const exported = instance.exports.memory;
    if (!memory && isMemory(exported)) memory = exported;
  };
  globalThis.fetch = (input, init) => {
    const target = input instanceof Request ? input.url : String(input);
    // The page's module, once it has compiled it; the file itself if it could not.
    if (target === url) {
      return pageModule.then((m) => {
        module = m;
        return m ? placeholder : nativeFetch(input, init);
      });
    }
    const early = prefetched.get(target);
    if (early) {
      prefetched.delete(target); // a response is read once
      return early;
    }
    return nativeFetch(input, init);
  };
  WebAssembly.instantiateStreaming = async (source, imports) => {
    const start = stamp();
    const response = await source;
    if (module && response === placeholder) {
      const instance = await WebAssembly.instantiate(module, imports);
      keepMemory(instance);
      instantiated(start);
      return { module, instance };
    }
    const result = await nativeInstantiateStreaming(response, imports);
    if (response.url === url) {
      seen = result.module;
      keepMemory(result.instance);
      instantiated(start);
    }
    return result;
  };
  return {
    undo() {
      globalThis.fetch = nativeFetch;
      WebAssembly.instantiateStreaming = nativeInstantiateStreaming;
    },
    compiled: () => seen,
    memory: () => memory,
  };
}
