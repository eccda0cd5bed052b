/**
 * What a {@link TaskRun} is given and what it shows: its options, the changes `update()`
 * takes, where its code and inputs come from, and its snapshot.
 */
import type { PoolSource } from './pool-source.js';
import type { OutputEvent } from './protocol.js';
import type { TaskProgress } from './task.js';

/** What a run is doing; `idle` until it first runs. */
export type TaskRunStatus = 'idle' | 'queued' | 'running' | 'done' | 'failed' | 'cancelled';

/** Everything a view shows of a run, as one immutable value. */
export interface TaskRunSnapshot<T = unknown> {
  status: TaskRunStatus;
  result: T | undefined;
  error: Error | undefined;
  stdout: string;
  progress: TaskProgress | undefined;
  /** The prompt of the `input()` the run waits on, or undefined. */
  awaitingInput: string | undefined;
}

/** Code, or a function that gets it (may be async: `<py-task src>` fetches it); a throw fails the run. */
export type CodeSource = string | (() => string | Promise<string>);
/** Inputs, or a function that gets them at the start of each run; a throw fails the run. */
export type InputsSource = Record<string, unknown> | undefined | (() => Record<string, unknown> | undefined);

/** Options of {@link TaskRun}. */
export interface TaskRunOptions {
  /** Inputs of the runs (each key becomes a Python global). Compared by value. */
  inputs?: InputsSource;
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
  /** Called for the current run only: it started (before its pool or code is known). */
  onStart?: () => void;
  /** Called for the current run only: an output event. */
  onOutput?: (event: OutputEvent) => void;
  /** Called for the current run only: it finished with a value. */
  onResult?: (value: unknown) => void;
  /** Called for the current run only: it failed, timed out, was cancelled, or could not start. */
  onError?: (error: Error) => void;
}

/** What `update()` may change. */
export interface TaskRunChanges {
  source?: PoolSource;
  auto?: boolean;
  code?: CodeSource;
  inputs?: InputsSource;
  timeout?: number;
  stdin?: string;
}
