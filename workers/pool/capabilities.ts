/**
 * What the page's browser engine lets the pool do. Each is feature-detected, never
 * guessed from the user agent, and each has a documented fallback (README, "Engines").
 */
export interface PoolCapabilities {
  /**
   * A running task can be stopped with KeyboardInterrupt and its worker kept warm; tiny
   * tasks are pipelined. Needs a cross-origin-isolated page with `SharedArrayBuffer`.
   * Without it, stopping a running task ends its worker (a warm one replaces it) and
   * each worker takes one task at a time.
   */
  readonly interrupt: boolean;
  /**
   * WebAssembly JavaScript Promise Integration (`WebAssembly.Suspending`): Python can
   * wait for a JavaScript promise from synchronous code (`asyncio.run`, `run_sync`).
   * Without it, such code raises a `PythonError` saying so.
   */
  readonly jspi: boolean;
  /**
   * Web Locks: a worker that vanishes without an error event is noticed at once. Without
   * them, a worker that ends itself is still noticed (it says so first); one killed
   * silently is noticed by its task's timeout.
   */
  readonly locks: boolean;
  /**
   * Whether workers restore from a memory snapshot: `undefined` until one has tried (a
   * pool whose first worker is still booting), then `true` or `false`. When `false`,
   * every worker boots normally, which is slower but otherwise the same.
   */
  readonly snapshot: boolean | undefined;
  /**
   * Task code runs sandboxed (the `sandbox` option): it cannot reach the page's origin,
   * its storage or its locks. Such workers hold no Web Lock, so `locks` is false.
   */
  readonly sandboxed: boolean;
}

/** The parts known before any worker starts. @internal */
export function detectCapabilities(sandboxed = false): Omit<PoolCapabilities, 'snapshot'> {
  const wasm = (globalThis as { WebAssembly?: Record<string, unknown> }).WebAssembly;
  return {
    interrupt: globalThis.crossOriginIsolated === true && typeof SharedArrayBuffer === 'function',
    jspi: typeof wasm?.Suspending === 'function' && typeof wasm?.promising === 'function',
    // An opaque-origin worker cannot take a lock the page could watch.
    locks: !sandboxed && typeof globalThis.navigator?.locks?.request === 'function',
    sandboxed,
  };
}
