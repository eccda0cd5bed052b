/** Shared test helpers: where Pyodide is served and small waiting utilities. */
import { computed, effect, type ReadonlySignal } from '@preact/signals-core';
import type { PyodidePool, Task } from '../workers/index.js';

/** The dev server serves the repository root, so Pyodide comes verbatim from node_modules. */
export const indexURL = '/node_modules/pyodide/';

/** Resolves once `predicate(signal.value)` holds; rejects after `ms`. */
export function until<T>(sig: ReadonlySignal<T>, predicate: (value: T) => boolean, ms = 30_000): Promise<T> {
  return new Promise((resolve, reject) => {
    let dispose = () => {};
    const timer = setTimeout(() => {
      dispose();
      reject(new Error(`condition not reached in ${ms} ms; last value: ${JSON.stringify(sig.value)}`));
    }, ms);
    dispose = effect(() => {
      const value = sig.value;
      if (predicate(value)) {
        clearTimeout(timer);
        queueMicrotask(() => dispose());
        resolve(value);
      }
    });
  });
}

/**
 * Resolves once `pool` holds no task, queued or running: every task submitted so far has
 * settled. A wait on the pool's own signals, for tests that check nothing changes after.
 */
export function allSettled(pool: PyodidePool, ms = 30_000): Promise<unknown> {
  const idle = computed(() => pool.state.queued.value === 0 && pool.state.running.value === 0);
  return until(idle, (value) => value, ms);
}

/** The rejection of `promise` (fails if it resolves). */
export async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    const value = await promise;
    throw new Error(`expected a rejection, got ${JSON.stringify(value)}`);
  } catch (err) {
    return err as Error;
  }
}

/**
 * `pool.submit` for a describe block whose tests start long tasks: each test's tasks are
 * cancelled after it, so a failed assertion leaves no runaway task to starve the next.
 * Call inside `describe`; `pool` is read when a test submits.
 */
export function submitCancelledAfterEach(pool: () => PyodidePool): (code: string, options?: Parameters<PyodidePool['submit']>[1]) => Task {
  const started: Task[] = [];
  afterEach(() => {
    for (const task of started.splice(0)) task.cancel('test over');
  });
  return (code, options) => {
    const task = pool().submit(code, options);
    started.push(task);
    return task;
  };
}

/** Python that spins until interrupted (no sleep: sleep cannot be interrupted). */
export const SPIN = 'while True:\n    pass';

/**
 * Python that spins for 5 s: a runaway to a test that ends its worker on a plain page.
 * Bounded: in WebKit on 2 cores, the test files after ones that ended workers in an
 * endless loop ran several times slower, as if the ended workers' threads spun on.
 */
export const RUNAWAY = 'import time\n_end = time.monotonic() + 5\nwhile time.monotonic() < _end:\n    pass';

/** Polls `check` until it returns a truthy value; rejects after `ms`. */
export async function waitFor<T>(check: () => T | Promise<T>, ms = 30_000, what = 'condition'): Promise<NonNullable<T>> {
  const deadline = performance.now() + ms;
  for (;;) {
    const value = await check();
    if (value) return value as NonNullable<T>;
    if (performance.now() > deadline) throw new Error(`${what} not reached in ${ms} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** How many pool workers are alive in this page: each holds a Web Lock for its life. */
export async function liveWorkers(): Promise<number> {
  const { held = [] } = await navigator.locks.query();
  return held.filter((lock) => lock.name?.startsWith('pyodide-pool:')).length;
}

/** A `<worker-pool>` of one worker with this markup inside, not yet in the document. */
export function onePoolElement(markup = ''): HTMLElement & { readonly pool: PyodidePool | undefined } {
  const el = document.createElement('worker-pool') as HTMLElement & { max?: number; readonly pool: PyodidePool | undefined };
  el.setAttribute('index-url', indexURL);
  el.setAttribute('max', '1');
  el.innerHTML = markup;
  return el;
}

/**
 * Whether the base snapshot the build made can be used in this engine: it is made where
 * WebAssembly switches stacks (Chromium) and is used only in engines alike; elsewhere
 * (WebKit) a first visit starts cold and says `'engine'`.
 */
export async function baseSnapshotFits(): Promise<boolean> {
  const { fitsEngine } = await import('../workers/pool/base-snapshot.js');
  const { readHeader } = await import('../workers/shared/snapshot-file.js');
  const bytes = new Uint8Array(await (await fetch('/dist/base-snapshot.bin')).arrayBuffer());
  const header = readHeader(bytes.subarray(0, 4096));
  if (!header) throw new Error('dist/base-snapshot.bin has no header: run npm run build');
  return fitsEngine(header);
}
