/**
 * Each task's one timer, owned by the scheduler: its timeout while it runs, then the grace
 * a stop gets. Setting a task's timer replaces the one it had; a task that leaves a
 * worker's hands (settled, or back in the queue) has none.
 *
 * @internal
 */
export class TaskTimers<K> {
  readonly #timers = new Map<K, ReturnType<typeof setTimeout>>();

  /** Call `then` after `ms`, instead of whatever `key`'s timer was going to do. */
  set(key: K, ms: number, then: () => void): void {
    this.clear(key);
    this.#timers.set(
      key,
      setTimeout(() => {
        this.#timers.delete(key);
        then();
      }, ms),
    );
  }

  /** `key` has no timer any more. */
  clear(key: K): void {
    const timer = this.#timers.get(key);
    if (timer === undefined) return;
    clearTimeout(timer);
    this.#timers.delete(key);
  }
}
