/**
 * The one bound on kept output: `task.stdout` and `TaskRun.stdout` (so `<py-task>` and
 * every hook) keep at most {@link STDOUT_LIMIT} characters, cut the same way.
 */

/**
 * How many characters of a task's stdout `task.stdout` keeps (8 million); past it a note
 * says the rest was not kept. `onOutput` listeners see all of it. `TaskRun.stdout` (so
 * `<py-task>` and the hooks) keeps the same.
 */
export const STDOUT_LIMIT = 8_000_000;

/** What a kept stdout ends with once it reached {@link STDOUT_LIMIT}. */
export const STDOUT_TRUNCATED_NOTE = `\n[pyodide-pool: stdout past ${STDOUT_LIMIT} characters is not kept]\n`;

/**
 * Decides what of each piece of output a kept stdout string takes, so that it never
 * passes {@link STDOUT_LIMIT} characters (plus the note): a task that floods its output
 * (a runaway loop, hostile code) must not exhaust the page's memory. One per run.
 *
 * @example
 * const limit = new StdoutLimit();
 * stdout.value += limit.keep(event.text); // the text, the part that fits and the note, or ''
 * limit.truncated;                        // true once something was not kept
 */
export class StdoutLimit {
  #kept = 0;
  #dropped = 0;

  /** Characters not kept. */
  get dropped(): number {
    return this.#dropped;
  }

  /** Whether anything was not kept (the kept text then ends with the note). */
  get truncated(): boolean {
    return this.#dropped > 0;
  }

  /** The part of `text` to append: all of it, the part that fits and the note, or `''` once past the limit. */
  keep(text: string): string {
    if (this.#dropped > 0) {
      this.#dropped += text.length;
      return '';
    }
    const room = STDOUT_LIMIT - this.#kept;
    if (text.length <= room) {
      this.#kept += text.length;
      return text;
    }
    this.#dropped = text.length - room;
    this.#kept = STDOUT_LIMIT;
    return text.slice(0, room) + STDOUT_TRUNCATED_NOTE;
  }
}
