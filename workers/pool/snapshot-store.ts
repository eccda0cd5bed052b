/**
 * Holds the pool's memory snapshot and decides, per booting worker, whether it makes the
 * snapshot (the first one), restores from it (the rest), or boots normally (snapshots
 * off, unavailable, or failed). Workers that boot while the snapshot is being made wait
 * for it: restoring takes a fraction of a normal boot, so waiting is faster overall.
 *
 * With `persist`, the snapshot is also kept in Cache Storage, keyed by what it was made
 * from (Pyodide's URL, packages, setup, this runtime), so the next page load restores
 * every worker, the first one included. It is stored packed (zero pages left out) once
 * no worker is booting. A stored snapshot is tried on one worker before the others use
 * it; one that fails to restore (another Pyodide build behind the same URL) is deleted
 * and a fresh one is made.
 *
 * @internal
 */
import { RUNTIME_BOOTSTRAP } from '../python/runtime.js';
import { stamp, type StageLog, type StampedStage } from '../shared/boot-timeline.js';

/**
 * Why a worker booted normally (its interpreter started cold) when a snapshot was wanted:
 * - `disabled`: the options turned it off (`snapshot: false`; for a first visit's first
 *   worker, `baseSnapshot: false`);
 * - `packages`: packages with binary extensions are loaded, which Pyodide cannot snapshot;
 * - `too-large`: the heap could not be snapshotted or restored for its size;
 * - `engine`: this browser could not restore a snapshot;
 * - `version`: the Pyodide at `indexURL` is not the one the base snapshot was made from;
 * - `unavailable`: the base snapshot could not be fetched (not served beside the modules);
 * - `failed`: making the snapshot failed for another reason.
 */
export type SnapshotSkip = 'disabled' | 'packages' | 'too-large' | 'engine' | 'version' | 'unavailable' | 'failed';

export interface SnapshotLease {
  /** This worker boots normally and makes the snapshot. */
  make: boolean;
  /**
   * No snapshot of the pool's setup is to be had: start the interpreter from the base
   * snapshot shipped with the package, if it fits (`baseFailed` otherwise).
   */
  base: boolean;
  /** Why this worker boots normally, when it does though a snapshot was wanted. */
  skipped: SnapshotSkip | undefined;
  /**
   * This worker restores from this snapshot, packed: the stored one as a Blob that every
   * restoring worker shares and reads itself (the page never reads it), or the one made
   * on this page as bytes (each worker gets a copy, a fraction of the Blob's round trip).
   */
  snapshot: PackedSnapshot | undefined;
  /**
   * Report the boot: `booted` false when it failed (another worker will try to make the
   * snapshot). A maker that made one passes `take`, which hands it over packed, once,
   * when it is wanted; without it, snapshots cannot be made here, for the reason `why`.
   */
  release(take?: () => Promise<Uint8Array | undefined>, booted?: boolean, why?: SnapshotSkip): void;
}

/** A snapshot in its packed form (see `worker/sparse-snapshot.ts`). */
export type PackedSnapshot = Blob | Uint8Array;

/** The Cache Storage cache that holds snapshots (packed); at most {@link KEEP} of them. */
export const SNAPSHOT_CACHE = 'pyodide-pool-snapshots-v2';
/** Caches of earlier formats, deleted when a snapshot is stored. */
const OLD_CACHES = ['pyodide-pool-snapshots-v1'];
const KEEP = 3;

/** What a snapshot depends on. */
export interface SnapshotSource {
  indexURL: string;
  packages: string[];
  /** Where the packages' wheels and lock file come from (they decide what `packages` means). */
  packageBaseUrl?: string;
  lockFileURL?: string;
  setup: string;
  /** A digest of the pool's files (setup may read them), once they are loaded. */
  filesDigest?: () => string;
  /**
   * Made and handed over before any task ran (sandboxed pools, per-task isolation): kept
   * apart from the snapshots of pools whose maker may have run tasks first.
   */
  beforeTasks?: boolean;
}

/** The Cache Storage request under which the snapshot of `source` is kept. */
export async function snapshotCacheKey(source: SnapshotSource): Promise<Request> {
  const text = JSON.stringify([
    source.indexURL,
    source.packages,
    source.packageBaseUrl ?? '',
    source.lockFileURL ?? '',
    source.setup,
    RUNTIME_BOOTSTRAP,
    source.filesDigest?.() ?? '',
    ...(source.beforeTasks ? ['before-tasks'] : []),
  ]);
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)));
  const hex = [...digest].map((b) => b.toString(16).padStart(2, '0')).join('');
  return new Request(new URL(`/__pyodide-pool-snapshot__/${hex}`, globalThis.location?.href).href);
}

function cacheStorage(): CacheStorage | undefined {
  try {
    return globalThis.caches && globalThis.crypto?.subtle ? globalThis.caches : undefined;
  } catch {
    return undefined; // e.g. an opaque origin
  }
}

export class SnapshotStore {
  #enabled: boolean;
  /** Why snapshots are off, once they are. */
  #why: SnapshotSkip | undefined;
  /** Why the base snapshot is not used (undefined: it may be). */
  #baseWhy: SnapshotSkip | undefined;
  /** The snapshot, packed. */
  #packed: PackedSnapshot | undefined;
  #making = false;
  #waiters: (() => void)[] = [];
  /** Looked in Cache Storage yet (once per pool). */
  #looked: Promise<void> | undefined;
  #lookedDone = false;
  /** How long reading and unpacking the stored snapshot took: every boot that waited for it shows them. */
  readonly #loadStages: StampedStage[] = [];
  /** The bytes came from Cache Storage and have not yet restored a worker. */
  #unproven = false;
  /** A worker is restoring from the unproven bytes now. */
  #trying = false;
  /** Made here and not yet stored: stored by `store()`, once workers stop booting. */
  #unsaved: PackedSnapshot | undefined;
  /** `store()` was called before the maker handed its snapshot over. */
  #storeWanted = false;
  /** The pool ended (`clear()`). */
  #ended = false;

  constructor(
    enabled: boolean,
    private readonly source?: SnapshotSource,
    private readonly persist = false,
    base = false,
  ) {
    this.#enabled = enabled;
    this.#why = enabled ? undefined : 'disabled';
    this.#baseWhy = base ? undefined : 'disabled';
  }

  /**
   * The base snapshot does not fit here (`version`, `unavailable`) or did not restore
   * (`engine`): the workers that follow start cold, saying why.
   */
  baseFailed(why: SnapshotSkip): void {
    this.#baseWhy ??= why;
  }

  /** What a boot without the pool's snapshot does: the base snapshot, or a cold start and why. */
  #withoutSnapshot(make: boolean): Pick<SnapshotLease, 'base' | 'skipped'> {
    // A pool whose own snapshot is off by option starts cold everywhere: `snapshot: false` means no snapshot.
    if (this.#why === 'disabled') return { base: false, skipped: 'disabled' };
    const base = this.#baseWhy === undefined;
    // A maker says why it starts cold; the workers after one that could not make the pool's
    // snapshot say why that was (and start from the base snapshot where they can).
    return { base, skipped: make ? this.#baseWhy : (this.#why ?? this.#baseWhy) };
  }

  /** Snapshots are off: turned off, found not to work here, or the pool ended. */
  get disabled(): boolean {
    return !this.#enabled;
  }

  /**
   * A boot's turn with the snapshot; what it waited for goes into `log`. `onLongWait` is
   * called when it starts waiting for another worker (to make the snapshot, a whole
   * boot, or to try a stored one: time enough to get everything else ready).
   */
  async lease(log?: StageLog, onLongWait?: () => void): Promise<SnapshotLease> {
    if (this.#enabled && this.persist && this.source && !this.#looked) {
      this.#looked = this.#load().finally(() => (this.#lookedDone = true));
    }
    if (this.#looked && !this.#lookedDone) {
      await this.#looked;
      log?.stages.push(...this.#loadStages);
    }
    // Wait while the snapshot is being made, or while a stored one is on trial: it is
    // tried on one worker first, so a stale one costs one failed restore, not one per
    // worker. (That first restore also runs alone, which brings the first result sooner.)
    const waiting = stamp();
    let waited = false;
    while (this.#enabled && ((this.#making && !this.#packed) || (this.#unproven && this.#trying))) {
      if (!waited) onLongWait?.();
      waited = true;
      await new Promise<void>((wake) => this.#waiters.push(wake));
    }
    if (waited) log?.add('snapshot-wait', waiting);
    if (!this.#enabled) return { make: false, snapshot: undefined, ...this.#withoutSnapshot(false), release: () => {} };
    if (this.#packed) {
      const snapshot = this.#packed;
      const trial = this.#unproven;
      if (trial) this.#trying = true;
      return {
        make: false,
        snapshot,
        base: false,
        skipped: undefined,
        release: (_take, booted = true) => {
          if (booted && snapshot === this.#packed) this.#unproven = false;
          if (trial) {
            this.#trying = false;
            this.#wake();
          }
        },
      };
    }
    this.#making = true;
    return {
      make: true,
      snapshot: undefined,
      ...this.#withoutSnapshot(true),
      release: (take, booted = true, why = 'failed') => {
        if (!take) {
          this.#making = false;
          if (booted) {
            this.#enabled = false;
            this.#why ??= why;
          }
          this.#wake();
          return;
        }
        // Taken in a later turn, so that the maker's first tasks (posted in this one)
        // run before it packs the snapshot.
        setTimeout(() => void this.#take(take));
      },
    };
  }

  async #take(take: () => Promise<Uint8Array | undefined>): Promise<void> {
    let packed: Uint8Array | undefined;
    try {
      packed = await take();
    } catch {
      // The maker is gone: the next boot makes one.
    }
    this.#making = false;
    if (packed && this.#ended) {
      // The pool ended while its maker handed the snapshot over: still keep it for the next visit.
      void this.#save(packed);
    } else if (packed && this.#enabled) {
      this.#packed = packed;
      this.#unsaved = packed;
      if (this.#storeWanted) this.store();
    }
    this.#wake();
  }

  /**
   * A restore failed. A stored snapshot may just be stale: forget it and make a new one.
   * A snapshot this pool made itself does not work here: boot normally from now on.
   */
  restoreFailed(why: SnapshotSkip = 'engine'): void {
    if (this.#unproven) {
      this.#unproven = false;
      this.#packed = undefined;
      void this.#delete();
    } else {
      this.#enabled = false;
      this.#why ??= why;
      this.#packed = undefined;
    }
    this.#wake();
  }

  /**
   * Store a snapshot made here. The pool calls this once no worker is booting: writing
   * 30 MB competes with the restores it would otherwise run alongside.
   */
  store(): void {
    this.#storeWanted = this.#making;
    const snapshot = this.#unsaved;
    this.#unsaved = undefined;
    if (snapshot && this.#enabled) void this.#save(snapshot);
  }

  /** Drop the bytes (pool terminated). */
  clear(): void {
    this.#ended = true;
    this.#enabled = false;
    this.#why ??= 'disabled';
    this.#packed = undefined;
    this.#unsaved = undefined;
    this.#wake();
  }

  async #load(): Promise<void> {
    const caches = cacheStorage();
    if (!caches || !this.source) return;
    try {
      const reading = stamp();
      const cache = await caches.open(SNAPSHOT_CACHE);
      const key = await snapshotCacheKey(this.source);
      const response = await cache.match(key);
      if (!response || this.#packed) return;
      // As a Blob: the restoring workers read it, the page does not. (Even its header is
      // left to them: a read here waits behind the interpreter's compile.)
      const blob = await response.blob();
      this.#loadStages.push({ name: 'snapshot-lookup', start: reading, end: stamp() });
      this.#packed = blob;
      this.#unproven = true;
    } catch {
      // Storage refused or broken: boot as if nothing was stored.
    }
  }

  async #save(snapshot: PackedSnapshot): Promise<void> {
    const caches = cacheStorage();
    if (!caches || !this.persist || !this.source) return;
    try {
      const cache = await caches.open(SNAPSHOT_CACHE);
      const key = await snapshotCacheKey(this.source);
      await cache.put(key, new Response(snapshot as BodyInit, { headers: { 'content-type': 'application/octet-stream' } }));
      for (const old of OLD_CACHES) await caches.delete(old);
      // Keep the newest few: each is tens of MB.
      const keys = await cache.keys();
      for (const old of keys.slice(0, Math.max(0, keys.length - KEEP))) await cache.delete(old);
    } catch {
      // Quota or private mode: persistence is a bonus, never a failure.
    }
  }

  async #delete(): Promise<void> {
    const caches = cacheStorage();
    if (!caches || !this.source) return;
    try {
      const cache = await caches.open(SNAPSHOT_CACHE);
      await cache.delete(await snapshotCacheKey(this.source));
    } catch {
      // Nothing to do.
    }
  }

  #wake(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const wake of waiters) wake();
  }
}
