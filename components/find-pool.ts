import type { PyodidePool } from '../workers/index.js';

/** How long an element waits for its `<worker-pool>` to appear before it reports an error. */
export const POOL_WAIT_MS = 2_000;

/** The part of `<worker-pool>` that other elements rely on (no import cycle). */
export interface PoolHost extends HTMLElement {
  readonly pool: PyodidePool | undefined;
  readonly poolError: Error | undefined;
}

/** The `<worker-pool>` a child element belongs to: `id` in its root, or the nearest ancestor. */
export function findPoolHost(from: Element, id: string | null | undefined): PoolHost | undefined {
  if (id) {
    const root = from.getRootNode() as Document | ShadowRoot;
    const byId = root.getElementById?.(id) ?? from.ownerDocument.getElementById(id);
    return byId?.localName === 'worker-pool' ? (byId as PoolHost) : undefined;
  }
  return (from.closest('worker-pool') as PoolHost | null) ?? undefined;
}

/**
 * Waits until `from` has a pool to use: its `<worker-pool>` may be defined, connected or
 * built after `from` (upgrade order, a pool added later). Rejects with a clear message
 * when none turns up within `ms`, or with the pool's own error when it cannot be made.
 */
export function waitForPool(from: Element, id: string | null | undefined, ms = POOL_WAIT_MS): Promise<PyodidePool> {
  return new Promise((resolve, reject) => {
    let observer: MutationObserver | undefined;
    let host: PoolHost | undefined;
    const onChange = () => check();
    const finish = (fn: () => void) => {
      clearTimeout(timer);
      observer?.disconnect();
      host?.removeEventListener('pool-change', onChange);
      fn();
    };
    const check = (): boolean => {
      const found = findPoolHost(from, id);
      if (found !== host) {
        host?.removeEventListener('pool-change', onChange);
        host = found;
        host?.addEventListener('pool-change', onChange);
      }
      if (host?.pool) {
        const pool = host.pool;
        finish(() => resolve(pool));
        return true;
      }
      if (host?.poolError) {
        const error = host.poolError;
        finish(() => reject(error));
        return true;
      }
      return false;
    };
    const timer = setTimeout(() => {
      const where = id ? `no <worker-pool id="${id}"> was found` : 'this <py-task> is not inside a <worker-pool>';
      const why = host ? `the <worker-pool> did not provide a pool within ${ms} ms` : `${where} (waited ${ms} ms); put it inside one or set pool="id"`;
      finish(() => reject(new Error(`No pool: ${why}`)));
    }, ms);
    if (check()) return;
    // The pool may be added to the document, or defined, later.
    observer = new MutationObserver(() => check());
    observer.observe(from.ownerDocument, { childList: true, subtree: true });
    void customElements.whenDefined('worker-pool').then(() => check());
  });
}
