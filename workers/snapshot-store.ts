/**
 * Holds the pool's memory snapshot and decides, per booting worker, whether it makes the
 * snapshot (the first one), restores from it (the rest), or boots normally (snapshots
 * off, unavailable, or failed). Workers that boot while the snapshot is being made wait
 * for it: restoring takes a fraction of a normal boot, so waiting is faster overall.
 *
 * @internal
 */
export interface SnapshotLease {
  /** This worker boots normally and makes the snapshot. */
  make: boolean;
  /** This worker restores from these bytes (its own copy: each restore consumes one). */
  bytes: Uint8Array | undefined;
  /**
   * Report the boot: `booted` false when it failed (another worker will try to make the
   * snapshot); `snapshot` is what a maker produced (none means snapshots cannot work here).
   */
  release(snapshot: Uint8Array | undefined, booted?: boolean): void;
}

export class SnapshotStore {
  #enabled: boolean;
  #bytes: Uint8Array | undefined;
  #making = false;
  #waiters: (() => void)[] = [];

  constructor(enabled: boolean) {
    this.#enabled = enabled;
  }

  /** True once a snapshot is held. */
  get available(): boolean {
    return this.#bytes !== undefined;
  }

  async lease(): Promise<SnapshotLease> {
    while (this.#enabled && this.#making && !this.#bytes) {
      await new Promise<void>((wake) => this.#waiters.push(wake));
    }
    if (!this.#enabled) return { make: false, bytes: undefined, release: () => {} };
    if (this.#bytes) return { make: false, bytes: this.#bytes.slice(), release: () => {} };
    this.#making = true;
    return {
      make: true,
      bytes: undefined,
      release: (snapshot, booted = true) => {
        this.#making = false;
        if (snapshot) this.#bytes = snapshot;
        else if (booted) this.#enabled = false;
        this.#wake();
      },
    };
  }

  /** Snapshots do not work here (a restore failed): boot normally from now on. */
  disable(): void {
    this.#enabled = false;
    this.#bytes = undefined;
    this.#wake();
  }

  /** Drop the bytes (pool terminated). */
  clear(): void {
    this.disable();
  }

  #wake(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const wake of waiters) wake();
  }
}
