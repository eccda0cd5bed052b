/**
 * A worker's life lock: a Web Lock it holds until it ends, however it ends. The page asks
 * for the same lock, and is granted it exactly when the worker is gone: death detection
 * with no heartbeat (see `pool/worker-handle.ts`).
 *
 * @internal
 */

/** Hold the Web Lock `name` for the worker's whole life; resolves once it is held (at once where there are no locks). */
export function holdLock(name: string): Promise<void> {
  if (!navigator.locks) return Promise.resolve();
  return new Promise((acquired) => {
    void navigator.locks.request(name, () => {
      acquired();
      return new Promise<never>(() => {});
    });
  });
}
