/**
 * What a {@link TaskRun}'s current run is asked and sent: the `input()` it waits on (shown
 * in `awaitingInput` until `answer` comes) and messages sent before its task exists.
 *
 * @internal
 */
import { signal } from '@preact/signals-core';
import type { Task } from '../pool/task.js';

export class RunInbox {
  readonly awaitingInput = signal<string | undefined>(undefined);
  #answer: ((text: string | null) => void) | undefined;
  #early: unknown[] = [];

  /** The run's `onInput`: show `prompt` until {@link answer} (or {@link endInput}) replies. */
  ask(prompt: string): Promise<string | null> {
    this.endInput();
    return new Promise((resolve) => {
      const answer = (text: string | null) => {
        if (this.#answer !== answer) return;
        this.#answer = undefined;
        this.awaitingInput.value = undefined;
        resolve(text);
      };
      this.#answer = answer;
      this.awaitingInput.value = prompt;
    });
  }

  /** Answer the prompt shown; false when none is. */
  answer(text: string): boolean {
    if (!this.#answer) return false;
    this.#answer(String(text));
    return true;
  }

  /** The task asking went away: whatever waited for input ends (EOF). */
  endInput(): void {
    this.#answer?.(null);
  }

  /** Keep a message (cloned now) for the task the run is about to start. */
  hold(data: unknown): void {
    this.#early.push(structuredClone(data));
  }

  /** The run's task exists: hand it what was kept. */
  deliver(task: Pick<Task, 'send'>): void {
    for (const data of this.#early.splice(0)) task.send(data);
  }

  /** A new run: messages kept for an earlier one are dropped. */
  clear(): void {
    this.#early = [];
  }
}
