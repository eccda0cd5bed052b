/**
 * What a {@link TaskRun} shows: its status, result, error, output and progress as
 * signals, and all of them as one snapshot. Only the run writes them, through the few
 * transitions below; views read.
 *
 * @internal
 */
import { batch, computed, signal, type ReadonlySignal } from '@preact/signals-core';
import { TaskCancelledError } from '../pool/errors.js';
import { StdoutLimit } from '../pool/stdout-limit.js';
import type { TaskProgress } from '../pool/task.js';
import type { OutputEvent } from '../shared/protocol.js';
import type { TaskRunSnapshot, TaskRunStatus } from './task-run-options.js';

export class RunState<T> {
  readonly status = signal<TaskRunStatus>('idle');
  readonly result = signal<T | undefined>(undefined);
  readonly error = signal<Error | undefined>(undefined);
  readonly stdout = signal('');
  readonly stdoutTruncated = signal(false);
  readonly progress = signal<TaskProgress | undefined>(undefined);
  readonly snapshot: ReadonlySignal<TaskRunSnapshot<T>>;
  /** Bounds the current run's `stdout`, as `task.stdout` is bounded. */
  #stdoutLimit = new StdoutLimit();

  constructor(awaitingInput: ReadonlySignal<string | undefined>) {
    // One value that changes identity only when something in it changed.
    this.snapshot = computed(() => ({
      status: this.status.value,
      result: this.result.value,
      error: this.error.value,
      stdout: this.stdout.value,
      stdoutTruncated: this.stdoutTruncated.value,
      progress: this.progress.value,
      awaitingInput: awaitingInput.value,
    }));
  }

  /** A run (re)starts: queued, with no error, output or progress yet. The last result stays until a new one. */
  begin(): void {
    batch(() => {
      this.status.value = 'queued';
      this.error.value = undefined;
      this.stdout.value = '';
      this.stdoutTruncated.value = false;
      this.progress.value = undefined;
    });
    this.#stdoutLimit = new StdoutLimit();
  }

  /** An output event of the current run: keeps stdout (bounded) and progress. Returns the stdout text kept, if any. */
  output(event: OutputEvent): string | undefined {
    if (event.type === 'progress') this.progress.value = { fraction: event.fraction, message: event.message };
    if (event.type !== 'stdout') return undefined;
    const kept = this.#stdoutLimit.keep(event.text);
    if (!kept) return undefined;
    batch(() => {
      this.stdout.value += kept;
      this.stdoutTruncated.value = this.#stdoutLimit.truncated;
    });
    return kept;
  }

  /** A map run's progress, counted in items. */
  items(done: number, total: number): void {
    this.progress.value = { fraction: total === 0 ? 1 : done / total, message: `${done} of ${total}`, done, total };
  }

  /** The run finished with `value`. */
  succeed(value: T): void {
    batch(() => {
      this.result.value = value;
      this.status.value = 'done';
    });
  }

  /** The run failed, timed out, was cancelled or could not start. */
  fail(error: Error): void {
    batch(() => {
      this.error.value = error;
      this.status.value = error instanceof TaskCancelledError ? 'cancelled' : 'failed';
    });
  }
}
