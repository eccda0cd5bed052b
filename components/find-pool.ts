import { signal, type ReadonlySignal } from '@preact/signals-core';
import type { PoolHolder } from '../workers/index.js';
import { CodePolicyError, describeElement, policyConfigured } from './code-policy.js';

/** How long an element waits for its `<worker-pool>` to appear before it reports an error. */
export const POOL_WAIT_MS = 2_000;

/**
 * The `<worker-pool>` a child element belongs to: `id` in its root, or the nearest
 * ancestor. Seen as an element that is a `PoolHolder`, so no element imports another.
 */
export function findPoolHolder(from: Element, id: string | null | undefined): (HTMLElement & PoolHolder) | undefined {
  if (id) {
    const root = from.getRootNode() as Document | ShadowRoot;
    const byId = root.getElementById?.(id) ?? from.ownerDocument.getElementById(id);
    return byId?.localName === 'worker-pool' ? (byId as HTMLElement & PoolHolder) : undefined;
  }
  return (from.closest('worker-pool') as (HTMLElement & PoolHolder) | null) ?? undefined;
}

/**
 * Why the code policy refuses `host`, the `<worker-pool>` that `from` names by its
 * `attribute` (`pool="id"`), once a nonce or `allowSrc` is configured: the id is not
 * unique (an injected element may have taken it), or the policy refused what the pool
 * would run or load. Undefined if it is accepted.
 *
 * @internal
 */
export function refusedReference(from: Element, id: string, host: HTMLElement & PoolHolder, attribute: string): CodePolicyError | undefined {
  if (!policyConfigured()) return undefined;
  const root = host.getRootNode() as Document | ShadowRoot;
  const named = root.querySelectorAll(`#${CSS.escape(id)}`).length;
  const refer = `${describeElement(from)} refused its ${attribute}="${id}"`;
  if (named > 1) {
    return new CodePolicyError(`${refer}: ${named} elements have that id, so it could name an injected <worker-pool>; give the pool a unique id; nothing ran`, from, attribute);
  }
  const refused = host.poolError;
  if (refused instanceof CodePolicyError) {
    return new CodePolicyError(`${refer}: the code policy refused that pool (${refused.message})`, from, attribute);
  }
  return undefined;
}

/**
 * The `<worker-pool>` that `from` belongs to, as a signal: it may be defined, connected
 * or added after `from` (upgrade order, a pool added later), so the document is watched
 * until it turns up. After `ms` without one, the signal holds an `Error` that says how
 * to fix it (with `ms` Infinity it waits as long as it takes). `for`/`pool="id"` changes need
 * a new discovery. `dispose()` stops watching. With `reference` (the attribute that holds
 * `id`, e.g. `pool`), a pool the code policy refuses (see {@link refusedReference}) is a
 * `CodePolicyError` instead.
 */
export function discoverPoolHolder(
  from: Element,
  id: string | null | undefined,
  ms = POOL_WAIT_MS,
  reference?: string,
): { holder: ReadonlySignal<(HTMLElement & PoolHolder) | Error | undefined>; dispose(): void } {
  const holder = signal<(HTMLElement & PoolHolder) | Error | undefined>(undefined);
  let observer: MutationObserver | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let watching = true;
  const stop = () => {
    watching = false;
    clearTimeout(timer);
    observer?.disconnect();
  };
  // Found once is enough: the holder's own pool changes come through its `pool-change`.
  const check = () => {
    if (!watching) return;
    const found = findPoolHolder(from, id);
    if (found && customElements.get('worker-pool') && found instanceof customElements.get('worker-pool')!) {
      stop();
      holder.value = (id && reference && refusedReference(from, id, found, reference)) || found;
    }
  };
  check();
  if (watching) {
    observer = new MutationObserver(check);
    observer.observe(from.ownerDocument, { childList: true, subtree: true });
    void customElements.whenDefined('worker-pool').then(check);
    if (ms !== Infinity)
      timer = setTimeout(() => {
        if (!watching) return;
        stop();
        const found = findPoolHolder(from, id);
        const where = id ? `no <worker-pool id="${id}"> was found` : 'this <py-task> is not inside a <worker-pool>';
        const why = found ? `the <worker-pool> did not provide a pool within ${ms} ms` : `${where} (waited ${ms} ms); put it inside one or set pool="id"`;
        holder.value = new Error(`No pool: ${why}`);
      }, ms);
  }
  return { holder, dispose: stop };
}
