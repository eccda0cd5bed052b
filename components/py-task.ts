import { html, LitElement, nothing, type PropertyValues } from 'lit';
import { SignalWatcher } from '@lit-labs/preact-signals';
import { computed } from '@preact/signals-core';
import { STDOUT_LIMIT, TaskRun, type TaskRunStatus } from '../workers/index.js';
import { TaskErrorEvent, TaskOutputEvent, TaskResultEvent, TaskStartEvent } from './events.js';
import { inputsConverter, inputsSource, itemsConverter, itemsSource, PyTaskSources } from './py-task-sources.js';
import { pyTaskStyles } from './py-task-styles.js';
import { announcement, errorText, statusText } from './py-task-text.js';
import { StdoutView } from './stdout-view.js';
import { childPython, formatValue } from './text.js';

/** @deprecated The same type as `TaskRunStatus` (from `pyodide-pool`): use that name. */
export type PyTaskStatus = TaskRunStatus;

/**
 * Runs Python on the pool of its `<worker-pool>` and shows the outcome as text.
 *
 * @summary A Python task declared in HTML.
 *
 * @example
 * ```html
 * <py-task auto inputs='{"n": 10}'>
 *   <script type="text/python">sum(range(n))</script>
 * </py-task>
 * ```
 *
 * @slot - Any content shown above the outcome. A direct child `<script type="text/python">` is the code.
 * @event task-start - A run started.
 * @event task-output - The running code printed, reported progress or emitted data; `detail` is the output event.
 * @event task-result - The run finished; `detail.result`.
 * @event task-error - The run failed, timed out, was cancelled, or could not start; `detail.error`.
 * @csspart base - The wrapper around everything.
 * @csspart status - The status line.
 * @csspart progress - The progress bar, while the code reports `progress()`.
 * @csspart stdout - What the code printed (up to `STDOUT_LIMIT` characters), drawn a frame at a time.
 * @csspart stdout-truncated - Shown when the code printed more than `STDOUT_LIMIT` characters: only the first were kept.
 * @csspart result - The result, as text.
 * @csspart error - The error message and Python traceback.
 * @csspart input - The text field shown while the code waits in `input()` (Enter answers it).
 * @csspart input-button - The button beside it that answers too.
 * @cssproperty --py-task-font-family - Font of the status line. Default: inherited.
 * @cssproperty --py-task-mono-font - Font of result, output and errors. Default: `ui-monospace, monospace`.
 * @cssproperty --py-task-border - Border of the element. Default: a thin line in the text colour at 25%.
 * @cssproperty --py-task-radius - Corner radius. Default: `0.4rem`.
 * @cssproperty --py-task-padding - Inner spacing. Default: `0.6rem 0.8rem`.
 * @cssproperty --py-task-background - Background. Default: transparent.
 * @cssproperty --py-task-accent - Colour of the progress bar and running status. Default: a blue for light and dark.
 * @cssproperty --py-task-error-color - Colour of errors. Default: a red for light and dark.
 */
export class PyTaskElement extends SignalWatcher(LitElement) {
  static override styles = pyTaskStyles;

  static override properties = {
    code: { attribute: false },
    src: { type: String },
    inputs: { converter: inputsConverter },
    items: { converter: itemsConverter },
    auto: { type: Boolean },
    pool: { type: String },
    timeout: { type: Number },
    stdin: { type: String },
  };

  /** Python source; takes precedence over a child script and `src`. */
  declare code: string | undefined;
  /** URL of a Python file to run, when there is no `code` and no child script. */
  declare src: string | undefined;
  /** Plain data; each key becomes a Python global. The attribute takes JSON. */
  declare inputs: Record<string, unknown> | undefined;
  /**
   * Items to map the code over (`pool.map`: the Python global `item`), making each run a
   * map: the result is the array of values and the progress bar counts items. Any
   * iterable as a property; the attribute takes a JSON array.
   */
  declare items: Iterable<unknown> | undefined;
  /** Run when connected and again whenever code, inputs or items change. */
  declare auto: boolean;
  /** `id` of the `<worker-pool>` to use; default: the nearest ancestor. */
  declare pool: string | undefined;
  /** Timeout of each run in ms (counted from when it starts running). */
  declare timeout: number | undefined;
  /** Text `input()` reads, line by line. Without it, on an isolated page, `input()` shows a text field. */
  declare stdin: string | undefined;

  /** The one task lifecycle: this element only shows it and turns its callbacks into events. */
  readonly #run = new TaskRun(undefined, '', {
    onStart: () => this.dispatchEvent(new TaskStartEvent()),
    onOutput: (event) => this.dispatchEvent(new TaskOutputEvent(event)),
    onStdout: (text) => this.#stdoutView.append(text),
    onResult: (result) => this.dispatchEvent(new TaskResultEvent({ result })),
    onError: (error) => this.dispatchEvent(new TaskErrorEvent({ error })),
  });
  /** The `<pre part="stdout">`, appended to a frame at a time rather than re-rendered. */
  readonly #stdoutView = new StdoutView(this.#run.stdout);
  /** Read by render() instead of `stdout`, so that printing does not re-render. */
  readonly #hasStdout = computed(() => this.#run.stdout.value !== '');
  /** Its pool and code, each kept while unchanged. */
  readonly #sources = new PyTaskSources(this);
  /** The run's subscription while the element is in the document: it keeps the run connected. */
  #unsubscribe: ((reason?: unknown) => void) | undefined;
  /** Added to the document (or moved): hand the run its pool and code in the next update. */
  #added = false;
  #scriptObserver: MutationObserver | undefined;
  #scriptText: string | undefined;

  constructor() {
    super();
    this.auto = false;
  }

  /** What the task is doing now. */
  get status(): TaskRunStatus {
    return this.#run.status.peek();
  }
  /** The last run's result (undefined until one finishes). */
  get result(): unknown {
    return this.#run.result.peek();
  }
  /** The last run's error, if it failed. */
  get error(): Error | undefined {
    return this.#run.error.peek();
  }
  /** What the current (or last) run printed, up to `STDOUT_LIMIT` characters (then a note ends it). */
  get stdout(): string {
    return this.#run.stdout.peek();
  }
  /**
   * Whether the current (or last) run printed more than `STDOUT_LIMIT` characters, so
   * that `stdout` (and the `stdout` part) holds only the first of them; the
   * `stdout-truncated` part says so.
   *
   * @example
   * el.addEventListener('task-result', () => {
   *   if (el.stdoutTruncated) console.warn('the output was cut at STDOUT_LIMIT characters');
   * });
   */
  get stdoutTruncated(): boolean {
    return this.#run.stdoutTruncated.peek();
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.#scriptText = childPython(this);
    this.#scriptObserver = new MutationObserver(() => {
      const text = childPython(this);
      if (text !== this.#scriptText) {
        this.#scriptText = text;
        this.#sync();
      }
    });
    this.#scriptObserver.observe(this, { childList: true, subtree: true, characterData: true });
    // The run connects (and, with `auto`, starts) in the next update, not here: a page
    // that inserts the element and then listens must not miss `task-start`.
    this.#added = true;
    this.requestUpdate();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#scriptObserver?.disconnect();
    // Removed (not just moved): stop the work nobody will see.
    queueMicrotask(() => {
      if (this.isConnected) return;
      this.#added = false;
      this.#unsubscribe?.('the <py-task> was removed');
      this.#unsubscribe = undefined;
      this.#sources.forget();
    });
  }

  // Before rendering, so a run started by a change shows its first state in this update.
  protected override willUpdate(changed: PropertyValues<this>): void {
    if (!this.isConnected) return;
    if (this.#added || HANDED_TO_RUN.some((name) => changed.has(name))) {
      this.#added = false;
      this.#sync();
    }
    // Rendering reads the run's signals (SignalWatcher); this subscription is what keeps
    // it connected, the first one connecting it (and, with `auto`, running it).
    this.#unsubscribe ??= this.#run.subscribe(() => {});
  }

  // Output small enough for one frame shows with the update (a run that ended), not a frame later.
  protected override updated(): void {
    this.#stdoutView.drawSmall();
  }

  /**
   * Run the code now (a run in progress is cancelled first). Resolves with the result;
   * rejects with the error, which `task-error` and `error` also report, so an ignored
   * rejection is not reported as unhandled.
   */
  run(): Promise<unknown> {
    this.#sync();
    return this.#run.run();
  }

  /** Cancel the run in progress, if any. */
  cancel(reason: unknown = 'cancelled'): void {
    this.#run.cancel(reason);
  }

  /** The prompt of the `input()` the task waits on (its text field is shown), or undefined. */
  get awaitingInput(): string | undefined {
    return this.#run.awaitingInput.peek();
  }

  /** Answer the `input()` the task waits on, as the text field does. False if none waits. */
  sendInput(text: string): boolean {
    return this.#run.sendInput(text);
  }

  /** Post plain data to the running task (Python: `from worker_pool import receive`). */
  send(data: unknown): void {
    this.#run.send(data);
  }

  #submitInput(event: Event): void {
    event.preventDefault();
    const field = this.renderRoot.querySelector<HTMLInputElement>('[part="input"]');
    if (!field) return;
    this.#run.sendInput(field.value);
    field.value = '';
  }

  /** Enter answers, also when the key event comes from script rather than the keyboard. */
  #inputKey(event: KeyboardEvent): void {
    if (event.key === 'Enter' && !event.isComposing) this.#submitInput(event);
  }

  /** Hand the current code, inputs, pool and options to the run (it ignores what did not change). */
  #sync(): void {
    this.#run.update({
      source: this.#sources.pool(this.pool || undefined),
      code: this.#sources.code(this.code, this.src),
      inputs: inputsSource(this.inputs),
      items: itemsSource(this.items),
      timeout: this.timeout,
      stdin: this.stdin,
      auto: this.auto,
    });
  }

  protected override render() {
    // Each signal read on its own: the text of `stdout` is not read here (see #stdoutView).
    const status = this.#run.status.value;
    const result = this.#run.result.value;
    const progress = this.#run.progress.value;
    const awaitingInput = this.#run.awaitingInput.value;
    const error = this.#run.error.value as (Error & { traceback?: string }) | undefined;
    const running = status === 'queued' || status === 'running';
    return html`<div part="base">
      <slot></slot>
      <div part="status" data-status=${status}>${statusText(status)}</div>
      ${
        running && progress
          ? html`<progress part="progress" max="1" .value=${progress.fraction} aria-label="progress"></progress>
            ${progress.message ? html`<span>${progress.message}</span>` : nothing}`
          : nothing
      }
      ${
        this.#run.stdoutTruncated.value
          ? html`<div part="stdout-truncated" role="note">Output truncated: only the first ${STDOUT_LIMIT.toLocaleString()} characters are kept.</div>`
          : nothing
      }
      ${this.#hasStdout.value ? this.#stdoutView.element : nothing}
      ${
        awaitingInput !== undefined
          ? html`<form @submit=${this.#submitInput}>
            <label for="line">${awaitingInput || 'input'}</label>
            <input part="input" id="line" name="line" autocomplete="off" @keydown=${this.#inputKey} />
            <button part="input-button">Send</button>
          </form>`
          : nothing
      }
      ${status === 'done' ? html`<output part="result">${formatValue(result)}</output>` : nothing}
      ${error ? html`<pre part="error">${errorText(error)}</pre>` : nothing}
      <div class="sr-only" role="status" aria-live="polite">${announcement(status, result, error)}</div>
    </div>`;
  }
}

/** The properties the run is given: a change of any of them is handed over (see `#sync`). */
const HANDED_TO_RUN = ['code', 'src', 'inputs', 'items', 'auto', 'pool', 'timeout', 'stdin'] as const;

if (!customElements.get('py-task')) customElements.define('py-task', PyTaskElement);

declare global {
  interface HTMLElementTagNameMap {
    'py-task': PyTaskElement;
  }
}
