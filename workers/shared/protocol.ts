/**
 * The one message protocol between the main thread and a pool worker. Both sides import
 * these types, so neither guesses the other's shapes.
 *
 * Two kinds of message share the Worker's own channel:
 * - control (Comlink): `prepare()` and `boot()`, called once, slow, rare;
 * - tasks (plain messages tagged `t`, which Comlink ignores): batches of tasks down,
 *   output and batches of outcomes up. This is the hot path, so it is plain
 *   `postMessage` with small objects, several tasks per message when the queue is deep.
 *   (A dedicated MessagePort measured 20–40 µs slower per round trip than the Worker's
 *   own channel in Chromium.)
 *
 * @internal
 */
import type { StampedStage } from './boot-timeline.js';

/** What a worker needs to start. */
export interface BootConfig {
  /** Absolute URL of the Pyodide runtime folder (ends with `/`). */
  indexURL: string;
  /** Pyodide package names or absolute wheel URLs. */
  packages: string[];
  /** Where Pyodide loads its packages' wheels from (absolute, ends with `/`); default its lock file's folder. */
  packageBaseUrl?: string;
  /** Absolute URL of Pyodide's lock file; default `${indexURL}pyodide-lock.json`. */
  lockFileURL?: string;
  /** Python run once after packages, in the namespace every task starts from. */
  setup: string;
  /** Name of the Web Lock the worker holds for its whole life (death detection). */
  lockName: string;
  /** The worker's {@link ControlBlock} memory (interrupts, skips), when isolated. */
  control?: SharedArrayBuffer;
  /** Boot normally and make a memory snapshot for the next workers (see `takeSnapshot`). */
  makeSnapshot?: boolean;
  /** Boot from the snapshot `preloadSnapshot` gave instead of a normal start. */
  restore?: boolean;
  /**
   * Start the interpreter from the base snapshot `preloadSnapshot` gave (the bare
   * interpreter shipped with the package), then boot as a normal boot does (packages,
   * files, bootstrap, setup, and `makeSnapshot` if asked).
   */
  base?: boolean;
  /** Files to write before setup (or right after a restore: the filesystem is not in a snapshot). */
  files?: { path: string; data: Uint8Array }[];
}

/** What `boot()` returns once the worker is warm. */
export interface BootResult {
  /** How the interpreter started. */
  mode: 'normal' | 'snapshot';
  /** Milliseconds spent in `boot()` inside the worker. */
  bootMs: number;
  /** wasm heap size in bytes. */
  heapBytes: number;
  /** Pyodide's version string (module pools: none). */
  pyodideVersion?: string;
  /** A snapshot was made (`makeSnapshot`); `takeSnapshot()` hands it over, packed. */
  snapshotMade?: boolean;
  /** Why no snapshot could be made, when one was asked for. */
  snapshotError?: string;
  /** What kind of reason `snapshotError` is: binary packages loaded, memory, or anything else. */
  snapshotErrorKind?: 'packages' | 'too-large' | 'failed';
  /** The interpreter started from the base snapshot (`base`). */
  fromBase?: boolean;
  /** The interpreter this worker compiled itself, for the workers after it. */
  wasmModule?: WebAssembly.Module;
  /** The worker's side of the boot timeline, on the shared clock. */
  stages: StampedStage[];
  /** When the worker sent this answer, on the shared clock. */
  answeredAt: number;
}

/** A boot failure, reported as data so the class survives the boundary. */
export interface BootFailure {
  /**
   * `config`: the same config will fail again (bad package, setup error, bad indexURL);
   * `snapshot`: restoring the snapshot failed (boot normally instead); `base`: restoring
   * the base snapshot failed (boot without it); `runtime`: anything else.
   */
  kind: 'config' | 'snapshot' | 'base' | 'runtime';
  message: string;
  packageName?: string;
}

/**
 * What a module pool's worker needs to start (`worker/module-runtime.ts`): an ES module
 * to import, or a compiled WebAssembly module to instantiate (on `memory`, when the pool
 * shares one memory between its workers).
 */
export type ModuleBootConfig = { lockName: string; control?: SharedArrayBuffer } & (
  { kind: 'module'; url: string } | { kind: 'wasm'; module: WebAssembly.Module; memory?: WebAssembly.Memory; url: string }
);

/** The control API a module pool's worker exposes through Comlink: it only boots. */
export interface ModuleWorkerControl {
  boot(config: ModuleBootConfig): Promise<BootResult | { failure: BootFailure }>;
}

/** The control API a Pyodide worker exposes through Comlink. */
export interface WorkerControl {
  /** Start loading Pyodide's scripts from `indexURL` while the pool prepares `boot()`. */
  prepare(indexURL: string): void;
  /** The version of the Pyodide at `indexURL` (undefined: its loader cannot be imported). */
  pyodideVersion(indexURL: string): Promise<string | undefined>;
  /**
   * The page's compiled `pyodide.asm.wasm`, shared by every worker (undefined: the page
   * could not compile it; load it here). A boot waits for it where it instantiates.
   */
  giveModule(module: WebAssembly.Module | undefined): void;
  /**
   * The snapshot a `restore` boot restores from, packed (see `worker/sparse-snapshot.ts`): a
   * Blob every worker shares, or bytes of its own. The worker reads and unpacks it at
   * once, off the page's thread and while the page compiles the interpreter.
   */
  preloadSnapshot(snapshot: Blob | Uint8Array): void;
  boot(config: BootConfig): Promise<BootResult | { failure: BootFailure }>;
  /** Write (or replace) a file; before the interpreter is up, once it is. Resolves with an error message, if any. */
  writeFile(path: string, data: Uint8Array): Promise<string | undefined>;
  /**
   * The snapshot this worker made at boot, packed here (not on the page's thread) and
   * moved to the page; the worker keeps no copy. Undefined when it has none.
   */
  takeSnapshot(): Uint8Array | undefined;
}

/** Output a task produces while it runs, in order. */
export type OutputEvent = { type: 'stdout' | 'stderr'; text: string } | { type: 'progress'; fraction: number; message: string | undefined } | { type: 'data'; data: unknown };

/**
 * Why a task failed inside the worker. `script`: a module pool's export threw (or was
 * missing); then `pythonType` is the JavaScript error's `name` and `traceback` its `stack`.
 */
export interface TaskFailure {
  kind: 'python' | 'conversion' | 'script';
  pythonType: string;
  message: string;
  traceback: string;
  line?: number;
}

/** One task as the worker receives it. */
export interface TaskOrder {
  /** Per-worker number, in the order tasks are sent (see `ControlBlock`). */
  seq: number;
  code: string;
  inputs: Record<string, unknown> | undefined;
  /** Say `start` when it begins: it has a timeout and waits behind other tasks. */
  notify: boolean;
  /** Text `input()` and `sys.stdin` read, line by line. */
  stdin?: string;
  /** The caller answers `input()` prompts (`onInput`): ask the pool. */
  interactive?: boolean;
  /**
   * A chunk of a `map`: run `code` once per item (the global `item`), in order. The
   * outcome's value is a {@link ChunkResult}.
   */
  items?: unknown[];
  /** Map chunks: run on past a failing item (`settle: 'all'`). */
  keepGoing?: boolean;
  /** Map chunks: ms one item may run; an item over it fails with a timeout. */
  itemTimeout?: number;
  /** Sent to a worker whose generator task is at a yield: run it before resuming that. */
  preempt?: boolean;
  /** Module pools: `code` names the export to call, with these arguments. */
  args?: unknown[];
}

/**
 * An item of a map chunk that failed: the record python/map.py makes, named as a task's
 * failure is. `timeout`: it ran past the map's `itemTimeout`.
 */
export interface ItemFailure {
  /** The item's place in its chunk. */
  index: number;
  kind: 'python' | 'timeout' | 'conversion';
  pythonType: string;
  message: string;
  traceback: string;
  line: number | null;
}

/**
 * What a map chunk gives back: the items' values in order, and failures by index.
 * Without `keepGoing` values stop at the first failure.
 */
export interface ChunkResult {
  values: unknown[];
  /** Ms the chunk took in the worker, conversions included (set by the worker loop). */
  ms?: number;
  errors: ItemFailure[];
}

/** Main thread → worker: tasks to run in this order. */
export interface RunMessage {
  t: 'run';
  tasks: TaskOrder[];
}

/**
 * Main thread → worker, about the task running now: a message it asked for
 * (`receive_async`), or a stop for a task that awaits (cancels its coroutine).
 */
export type TaskMessage = { t: 'msg'; seq: number; n: number; data: unknown } | { t: 'stop'; seq: number };

/**
 * A running task asks the pool for something (`ask`). `blocking`: the worker waits in
 * the `Exchange` (answer there, under `id`); otherwise the answer is a `msg`. `taken`:
 * how many messages the task has had so far. `more`: the next part of a long answer.
 */
export type AskMessage =
  { t: 'ask'; seq: number; id: number; kind: 'input' | 'message'; prompt: string; blocking: boolean; taken: number } | { t: 'ask'; seq: number; id: number; kind: 'more' };

/** How one task ended, in a `results` batch. `skipped`: the pool stopped it before it began. */
export type TaskOutcome = { seq: number; value: unknown } | { seq: number; error: TaskFailure } | { seq: number; skipped: true };

/**
 * Worker → main thread (besides Comlink's answers). `locked`: the worker holds its life lock;
 * `closing`: code in the worker called `close()` (e.g. Python's `js.close()`), or the
 * worker ends because its interpreter failed fatally (`reason` says how).
 */
export type WorkerMessage =
  | { t: 'locked' }
  | { t: 'closing'; reason?: string }
  | { t: 'out'; seq: number; ev: OutputEvent }
  | { t: 'start'; seq: number }
  /** The task awaits its coroutine: a `stop` message can cancel it, whatever the page. */
  | { t: 'awaiting'; seq: number }
  /** The task is a generator at a yield: a more urgent task may be sent to run meanwhile. */
  | { t: 'yielding'; seq: number }
  | AskMessage
  /** Outcomes in run order; `heap` after the last; `busyMs` spent running them. */
  | { t: 'results'; list: TaskOutcome[]; heap: number; busyMs: number };
