/**
 * A worker's boot as a timeline: when each stage started and ended, on the page and in
 * the worker, on one clock. `pool.state.workers` shows it per worker (`bootTimeline`),
 * the `debug` option prints it, and the benchmark reports it.
 *
 * Both sides stamp with `performance.timeOrigin + performance.now()` (a worker has a
 * clock of its own, with its own origin); the page turns the stamps into its own
 * `performance.now()` milliseconds, so they line up with the page's marks.
 */

/**
 * The stages, in the order a boot meets them. Some overlap: `pyodide-scripts` runs while
 * the page reads the snapshot, `wasm` is inside `interpreter`.
 *
 * - `script` (worker): from the worker's creation until its module script has loaded and run.
 * - `pyodide-scripts` (worker): importing Pyodide's loader and its `pyodide.asm.mjs`.
 * - `files` (page): reading the pool's `files` (URLs are fetched).
 * - `snapshot-lookup` (page): finding the stored snapshot in Cache Storage (as a Blob: the
 *   page does not read its bytes).
 * - `snapshot-wait` (page): waiting for another worker: the one making the snapshot
 *   (and packing it), or the one trying a stored snapshot first.
 * - `base-fetch` (page): a first visit's first worker waiting for the base snapshot shipped
 *   with the package (its manifest, the Pyodide version at `indexURL`, the file).
 * - `wasm-compile` (page): the page compiling `pyodide.asm.wasm` for workers that restore.
 * - `snapshot-read`, `snapshot-unpack` (worker): the restoring worker reading the stored
 *   snapshot (a Blob every worker shares; a snapshot made on this page arrives as bytes,
 *   with no read) and unpacking its own copy (it is kept without its zero pages);
 *   `snapshot-unzip` (worker): the base snapshot's file gunzipped first.
 * - `interpreter` (worker): Pyodide's `loadPyodide`, a restore or a normal start.
 * - `emscripten` (worker): inside it, creating Pyodide's Emscripten module: its standard
 *   library mounted, and `wasm`: waiting for the page's compiled interpreter, then
 *   instantiating it (or compiling it here, when the page could not).
 * - `memory-restore` (worker): a restore copying the snapshot into the wasm memory.
 * - `python-init` (worker): Python's own start (after a restore, what memory does not hold).
 * - `packages`, `write-files`, `bootstrap`, `setup`, `snapshot-make` (worker): what the
 *   names say; a restore skips `bootstrap`, `setup` and `snapshot-make`.
 * - `runtime` (worker): the pool's own hooks set up (output, input, interrupts).
 * - `handover` (page): from the worker's answer being sent to the page having it.
 * - `first-task` (page): the worker's first task, from being sent to its outcome.
 */
export type BootStageName =
  | 'script'
  | 'pyodide-scripts'
  | 'files'
  | 'snapshot-lookup'
  | 'snapshot-wait'
  | 'base-fetch'
  | 'wasm-compile'
  | 'snapshot-read'
  | 'snapshot-unzip'
  | 'snapshot-unpack'
  | 'interpreter'
  | 'emscripten'
  | 'wasm'
  | 'memory-restore'
  | 'python-init'
  | 'packages'
  | 'write-files'
  | 'bootstrap'
  | 'setup'
  | 'snapshot-make'
  | 'runtime'
  | 'handover'
  | 'first-task'
  // A module pool's worker imports its module, or instantiates its WebAssembly.
  | 'module';

/** One stage of a worker's boot. */
export interface BootStage {
  name: BootStageName;
  /** Where it ran. */
  where: 'page' | 'worker';
  /** Start and end, in the page's `performance.now()` milliseconds. */
  start: number;
  end: number;
}

/** A stage stamped on either side's clock (see {@link stamp}), before the page converts it. */
export interface StampedStage {
  name: BootStageName;
  start: number;
  end: number;
}

/** Now, on the clock both sides share: milliseconds since the epoch, sub-millisecond. */
export function stamp(): number {
  return performance.timeOrigin + performance.now();
}

/** Stages as they happen, on one side. */
export class StageLog {
  readonly stages: StampedStage[] = [];

  add(name: BootStageName, start: number, end = stamp()): void {
    this.stages.push({ name, start, end });
  }

  /** Time `work`, recorded as `name` when it settles (either way). */
  async time<T>(name: BootStageName, work: Promise<T> | (() => Promise<T>)): Promise<T> {
    const start = stamp();
    try {
      return await (typeof work === 'function' ? work() : work);
    } finally {
      this.add(name, start);
    }
  }
}

/**
 * One worker's timeline as its handle keeps it: the page's stages (`page`), the worker's
 * (arriving with its boot answer), and its first task. The sorted view is made once per change.
 */
export class BootRecord {
  /** The page's side. */
  readonly page = new StageLog();
  /** When the worker was made, on the shared clock. */
  readonly created = stamp();
  #worker: StampedStage[] = [];
  #view: BootStage[] | undefined;
  #firstTask: { seq: number; sent: number } | undefined;

  /** The worker answered its boot (sent at `answeredAt`) with its side of the timeline. */
  booted(workerStages: StampedStage[], answeredAt: number): void {
    this.page.add('handover', answeredAt);
    this.#worker = workerStages;
    this.#view = undefined;
  }

  /** Task `seq` was sent (only the first one counts). */
  sent(seq: number): void {
    this.#firstTask ??= { seq, sent: stamp() };
  }

  /** Task `seq` was answered. */
  answered(seq: number): void {
    if (seq !== this.#firstTask?.seq) return;
    this.page.add('first-task', this.#firstTask.sent);
    this.#firstTask.seq = -1;
    this.#view = undefined;
  }

  /** Every stage so far, on the page's clock, sorted by start. */
  stages(): BootStage[] {
    this.#view ??= byStart([...onPageClock(this.page.stages, 'page'), ...onPageClock(this.#worker, 'worker')]);
    return this.#view;
  }
}

/** Stamped stages as page times, sorted by start. */
export function onPageClock(stages: readonly StampedStage[], where: BootStage['where']): BootStage[] {
  const origin = performance.timeOrigin;
  return stages.map((s) => ({ name: s.name, where, start: s.start - origin, end: s.end - origin }));
}

/** Sorted by start (ties: the longer first, so that enclosing stages come before their parts). */
export function byStart(stages: readonly BootStage[]): BootStage[] {
  return [...stages].sort((a, b) => a.start - b.start || b.end - a.end);
}

/**
 * A timeline as text, one stage a line, in ms from `origin` (default: the first start);
 * empty for a worker not warm yet (`bootTimeline` undefined).
 *
 * @example
 * formatTimeline(pool.state.workers.value[0].bootTimeline);
 * // "    0–  41 ms  script (worker)\n   41– 212 ms  pyodide-scripts (worker)\n…"
 */
export function formatTimeline(stages: readonly BootStage[] | undefined, origin = stages?.[0]?.start ?? 0): string {
  if (!stages) return '';
  const ms = (t: number) => String(Math.round(t - origin)).padStart(5);
  return byStart(stages)
    .map((s) => `${ms(s.start)}–${ms(s.end)} ms  ${s.name} (${s.where}, ${Math.round(s.end - s.start)} ms)`)
    .join('\n');
}
