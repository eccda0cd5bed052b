/**
 * Who is watching: a count of subscribers that starts work on the first and stops it on
 * the last, as TanStack Query's `Subscribable` does, so that no view decides when a
 * {@link TaskRun} connects or a pool's state is followed.
 *
 * @internal
 */
export class Subscribers {
  #count = 0;
  readonly #first: () => void;
  readonly #last: (reason?: unknown) => void;

  /** `first` runs when the count leaves 0, `last` when it comes back to 0 (with the leaver's reason). */
  constructor(first: () => void, last: (reason?: unknown) => void) {
    this.#first = first;
    this.#last = last;
  }

  /** How many are subscribed now. */
  get count(): number {
    return this.#count;
  }

  /**
   * One more subscriber; `listen` subscribes its listener (it is called first, so the
   * listener's first value is the one from before the work starts). Returns the
   * unsubscribe, which does something only the first time it is called.
   */
  add(listen: () => () => void): (reason?: unknown) => void {
    const stop = listen();
    if (this.#count++ === 0) this.#first();
    let active = true;
    return (reason?: unknown) => {
      if (!active) return;
      active = false;
      stop();
      if (--this.#count === 0) this.#last(reason);
    };
  }
}
