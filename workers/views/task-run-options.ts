/**
 * What a {@link TaskRun} is given and what it shows: its options, the changes `update()`
 * takes, where its code and inputs come from, how inputs compare, and its snapshot.
 */
import { dequal } from 'dequal';
import type { PoolSource } from './pool-source.js';
import type { OutputEvent } from '../shared/protocol.js';
import type { TaskProgress } from '../pool/task.js';
import type { ItemsSource } from './map-as-task.js';

/** What a run is doing; `idle` until it first runs. */
export type TaskRunStatus = 'idle' | 'queued' | 'running' | 'done' | 'failed' | 'cancelled';

/** Everything a view shows of a run, as one immutable value. */
export interface TaskRunSnapshot<T = unknown> {
  status: TaskRunStatus;
  result: T | undefined;
  error: Error | undefined;
  /** What the run printed, up to `STDOUT_LIMIT` characters (then a note ends it). */
  stdout: string;
  /** The run printed more than `STDOUT_LIMIT` characters: `stdout` holds the first of them. */
  stdoutTruncated: boolean;
  progress: TaskProgress | undefined;
  /** The prompt of the `input()` the run waits on, or undefined. */
  awaitingInput: string | undefined;
}

/** Code, or a function that gets it (may be async: `<py-task src>` fetches it); a throw fails the run. */
export type CodeSource = string | (() => string | Promise<string>);
/** Inputs, or a function that gets them at the start of each run; a throw fails the run. */
export type InputsSource = Record<string, unknown> | undefined | (() => Record<string, unknown> | undefined);
/**
 * A call's arguments, or a function that gets them at the start of each run (a throw
 * fails the run). Arrays are compared by value, as inputs are.
 *
 * @example
 * new TaskRun(modulePool, 'add', { args: [2, 3] });
 * new TaskRun(wasmPool, 'add', { args: () => [a.value, b.value] }); // read at each run
 */
export type ArgsSource = readonly unknown[] | (() => readonly unknown[]);

/** Options of {@link TaskRun}. */
export interface TaskRunOptions {
  /** Inputs of the runs (each key becomes a Python global). Compared by value. */
  inputs?: InputsSource;
  /**
   * Make each run a call of the export that `code` names, with these arguments, on a pool
   * that calls exports by name (`ModulePool`, `WasmPool`): `pool.submit(name, { args })`.
   * Compared by value. Given here, the run stays a call (an `undefined` later means no
   * arguments); `inputs`, `stdin` and `items` do not apply to it.
   */
  args?: ArgsSource;
  /** Run when connected, and again whenever code, inputs or the pool change, cancelling the stale run. */
  auto?: boolean;
  /** Timeout of each run in ms. */
  timeout?: number;
  /** Text `input()` reads, line by line (any page). */
  stdin?: string;
  /**
   * Answers `input()` prompts instead of `sendInput` (cross-origin-isolated pages). By
   * default a prompt shows in `awaitingInput` until `sendInput(text)` answers it.
   */
  onInput?: (prompt: string) => string | null | Promise<string | null>;
  /**
   * Make each run a `pool.map` over these items (or what this function gives at each
   * run): the result is the array of values, `progress` counts items (`done`, `total`).
   */
  items?: ItemsSource;
  /** Map runs: items per chunk (default: sized from measured item times). */
  chunkSize?: number;
  /** Map runs: `'first'` (default) fails at the first failing item; `'all'` gives `{ value } | { error }` per item. */
  settle?: 'first' | 'all';
  /** Called for the current run only: it started (before its pool or code is known). */
  onStart?: () => void;
  /** Called for the current run only: an output event. */
  onOutput?: (event: OutputEvent) => void;
  /**
   * Called for the current run only: the text just added to `stdout` (what the limit
   * kept: the text, or its first part and the note, never more). For views that append
   * rather than re-read all of `stdout`, which starts over (empty) with each run.
   */
  onStdout?: (text: string) => void;
  /** Called for the current run only: it finished with a value. */
  onResult?: (value: unknown) => void;
  /** Called for the current run only: it failed, timed out, was cancelled, or could not start. */
  onError?: (error: Error) => void;
}

/** What `update()` may change. */
export interface TaskRunChanges {
  source?: PoolSource;
  /** New items (arrays compared by value): runs become maps over them; `undefined` makes them tasks again. */
  items?: ItemsSource;
  auto?: boolean;
  code?: CodeSource;
  inputs?: InputsSource;
  /** New arguments of a call run (compared by value). */
  args?: ArgsSource;
  timeout?: number;
  stdin?: string;
}

/** What a run currently runs, and where: the settings `update()` changes. @internal */
export interface RunSettings {
  source: PoolSource;
  code: CodeSource;
  inputs: InputsSource;
  timeout: number | undefined;
  stdin: string | undefined;
  /** Set for a map run: what it maps over. */
  items: ItemsSource | undefined;
  /** A call run (made with `args`): `code` names the export and `args` are its arguments. */
  readonly call: boolean;
  args: ArgsSource | undefined;
  auto: boolean;
}

/**
 * Apply `changes` to `settings` in place: the source and code by identity, inputs, args and
 * items by value (unless `told`: the caller saw them change in place), the rest as
 * values. Says what changed. @internal
 */
export function applyChanges(settings: RunSettings, changes: TaskRunChanges, told: boolean): { changed: boolean; sourceChanged: boolean } {
  let changed = told;
  let sourceChanged = false;
  if ('source' in changes && changes.source !== settings.source) {
    settings.source = changes.source;
    changed = sourceChanged = true;
  }
  if ('auto' in changes && (changes.auto ?? false) !== settings.auto) {
    settings.auto = changes.auto ?? false;
    changed = true;
  }
  if ('code' in changes && changes.code !== settings.code && changes.code !== undefined) {
    settings.code = changes.code;
    changed = true;
  }
  if ('inputs' in changes && (told || !sameInputs(changes.inputs, settings.inputs))) {
    settings.inputs = changes.inputs;
    changed = true;
  }
  if ('timeout' in changes && changes.timeout !== settings.timeout) {
    settings.timeout = changes.timeout;
    changed = true;
  }
  if ('stdin' in changes && changes.stdin !== settings.stdin) {
    settings.stdin = changes.stdin;
    changed = true;
  }
  if ('items' in changes && (told || !sameItems(changes.items, settings.items))) {
    settings.items = changes.items;
    changed = true;
  }
  if ('args' in changes && (told || !sameInputs(changes.args, settings.args))) {
    settings.args = changes.args;
    changed = true;
  }
  return { changed, sourceChanged };
}

/** Items compared as inputs are: arrays by value; other iterables and functions by identity. */
export function sameItems(a: ItemsSource | undefined, b: ItemsSource | undefined): boolean {
  return Array.isArray(a) && Array.isArray(b) ? sameInputs(a, b) : a === b;
}

/**
 * Inputs compared by value (`dequal`), except that Files and Blobs are the same only when
 * they are the same object: they have no own properties, so any two would compare equal.
 */
export function sameInputs(a: unknown, b: unknown): boolean {
  if (a instanceof Blob || b instanceof Blob) return a === b;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((value, i) => sameInputs(value, b[i]));
  const plain = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && Object.getPrototypeOf(v) === Object.prototype;
  if (plain(a) && plain(b)) {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((key) => key in b && sameInputs(a[key], b[key]));
  }
  return dequal(a, b);
}

/** @internal */
export interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
  reject(error: unknown): void;
}

/** A promise with its settle functions. @internal */
export function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // Failures are also in `error`/`status`; an ignored rejection is not "unhandled".
  promise.catch(() => {});
  return { promise, resolve, reject };
}
