/**
 * Pyodide as the pool's runtime, page side: how a worker boots (normally, from the pool's
 * snapshot, or from the base snapshot shipped with the package; with the page's compiled
 * interpreter), which boot makes the snapshot and where it is kept, and what a failed
 * restore means. The fleet starts, counts and ends workers and knows none of this: it
 * boots each through a {@link WorkerRuntime}, the seam another runtime plugs into.
 *
 * @internal
 */
import type { BootFailure } from '../shared/protocol.js';
import { formatTimeline, stamp } from '../shared/boot-timeline.js';
import { compiledPyodideWasm, compilePyodideWasm, pageCompileSpan, sharePyodideWasm } from '../shared/wasm-module.js';
import { baseSnapshotFor } from './base-snapshot.js';
import type { PoolFiles } from './files.js';
import type { ResolvedOptions } from './options.js';
import type { SnapshotSkip, SnapshotStore } from './snapshot-store.js';
import type { WorkerHandle } from './worker-handle.js';
import type { WorkerRuntime } from './scheduler-ports.js';
import { BootFailed } from './worker-info.js';

/** Pyodide, booted from the pool's options, snapshots and files. */
export class PyodideRuntime implements WorkerRuntime {
  readonly entry = 'pyodide';
  readonly workerName = 'a Pyodide worker';
  /** A worker has restored from a snapshot (then `capabilities.snapshot` is true). */
  restoredOne = false;

  constructor(
    private readonly options: () => ResolvedOptions,
    private readonly snapshots: SnapshotStore,
    private readonly files: PoolFiles,
  ) {}

  prepare(worker: WorkerHandle): void {
    worker.prepare(this.options().indexURL);
  }

  /**
   * The base snapshot for this worker, if it fits the Pyodide at `indexURL` (its loader's
   * version against the one the snapshot was made with); else why not.
   */
  async #baseSnapshot(worker: WorkerHandle, indexURL: string): Promise<Blob | SnapshotSkip> {
    const url = this.options().baseSnapshot;
    if (!url) return 'disabled';
    return baseSnapshotFor(url, await worker.pyodideVersion(indexURL));
  }

  async boot(worker: WorkerHandle, prepared: boolean): Promise<void> {
    const { indexURL, packages, packageBaseUrl, lockFileURL, setup, bootTimeout } = this.options();
    const log = worker.line.timeline.page;
    let files: { path: string; data: Uint8Array }[];
    try {
      // Loaded before the snapshot lookup: the snapshot's key includes them.
      const reading = stamp();
      files = await this.files.all();
      if (files.length > 0) log.add('files', reading);
    } catch (err) {
      throw new BootFailed({ kind: 'config', message: (err as Error).message });
    }
    const getReady = () => {
      if (!prepared) worker.prepare(indexURL);
      prepared = true;
    };
    // Waiting for a whole normal boot (the snapshot being made): load Pyodide's scripts now.
    const lease = await this.snapshots.lease(log, getReady);
    if (worker.dead) return lease.release(undefined, false);
    getReady();
    let skipped = lease.skipped;
    let base: Blob | undefined;
    if (lease.base) {
      // The interpreter is compiled while the base snapshot arrives: both are needed soon.
      void compilePyodideWasm(indexURL);
      const fetching = stamp();
      const found = await this.#baseSnapshot(worker, indexURL);
      log.add('base-fetch', fetching);
      if (found instanceof Blob) base = found;
      else {
        skipped = found;
        this.snapshots.baseFailed(found);
      }
      if (worker.dead) return lease.release(undefined, false);
    }
    // The snapshot's bytes are read (and unpacked) in the worker while the page compiles.
    if (lease.snapshot ?? base) worker.preloadSnapshot((lease.snapshot ?? base)!);
    try {
      // A restore is short and the page's compile started first: wait for it rather than
      // compile a second copy. A normal boot has other work to overlap its own compile with.
      // The page compiles the interpreter (once) from here: after the snapshot lookup, which
      // otherwise waits behind the compile's reads.
      const booting = worker.boot(
        { indexURL, packages, packageBaseUrl, lockFileURL, setup, makeSnapshot: lease.make, restore: lease.snapshot !== undefined, base: base !== undefined, files },
        bootTimeout,
      );
      void compilePyodideWasm(indexURL).then((module) => {
        const compile = module && pageCompileSpan(indexURL);
        // The compile this boot waited for: not one that ended before the worker existed.
        if (compile && compile.end > worker.line.timeline.created) log.stages.push({ name: 'wasm-compile', ...compile });
        worker.giveModule(module ?? compiledPyodideWasm(indexURL));
      });
      const result = await booting;
      if (result.mode === 'snapshot') this.restoredOne = true;
      // A maker that could not make the pool's snapshot says why, as the workers after it will.
      worker.snapshotSkipped = skipped ?? (lease.make && !result.snapshotMade ? (result.snapshotErrorKind ?? 'failed') : undefined);
      if (result.wasmModule) sharePyodideWasm(indexURL, result.wasmModule);
      if (result.snapshotMade && (this.options().sandbox || this.options().recycle.afterTasks === 1)) {
        // Taken before the worker runs any task: task code in a sandbox is not trusted, and
        // with per-task isolation no later worker may start from memory a task has touched.
        // The page keeps the snapshot for every later worker and visit.
        const packed = await worker.takeSnapshot();
        lease.release(packed ? async () => packed : undefined, true, result.snapshotErrorKind);
      } else lease.release(result.snapshotMade ? () => worker.takeSnapshot() : undefined, true, result.snapshotErrorKind);
    } catch (err) {
      lease.release(undefined, false);
      throw err;
    }
    if (this.options().debug && !worker.dead) logBoot(worker);
  }

  allBooted(): void {
    this.snapshots.store();
  }

  bootFailed(failure: BootFailure): boolean {
    if (failure.kind === 'snapshot') {
      // The snapshot did not restore (a stale stored one, or this Pyodide cannot): not the worker's fault.
      this.snapshots.restoreFailed(tooLarge(failure.message) ? 'too-large' : 'engine');
      return true;
    }
    if (failure.kind === 'base') {
      // Nor is the base snapshot's (another build of the same version, or this engine cannot).
      console.warn(`pyodide-pool: the base snapshot did not restore here (${failure.message}); booting without it`);
      this.snapshots.baseFailed(tooLarge(failure.message) ? 'too-large' : 'engine');
      return true;
    }
    return false;
  }
}

/** A restore failed for want of memory. */
function tooLarge(message: string): boolean {
  return /out of bounds|out of memory|could not allocate|memory/i.test(message);
}

/** The `debug` option: a worker's boot timeline in the console and in the page's performance timeline. */
function logBoot(worker: WorkerHandle): void {
  const stages = worker.info().bootTimeline ?? [];
  const how = `${worker.baseSnapshot ? ', its interpreter from the base snapshot' : ''}${worker.snapshotSkipped ? `, snapshot skipped: ${worker.snapshotSkipped}` : ''}`;
  console.debug(`pyodide-pool: worker ${worker.id} warm (${worker.bootMode} boot)${how}\n${formatTimeline(stages)}`);
  for (const stage of stages) {
    try {
      performance.measure(`pyodide-pool worker ${worker.id}: ${stage.name}`, { start: stage.start, end: stage.end });
    } catch {
      // An engine without User Timing level 3: the console has it.
    }
  }
}
