import { css, html, LitElement, nothing, type PropertyValues } from 'lit';
import { effect } from '@preact/signals-core';
import { TaskCancelledError, type OutputEvent, type Task, type TaskProgress } from '../workers/index.js';
import { TaskErrorEvent, TaskOutputEvent, TaskResultEvent, TaskStartEvent } from './events.js';
import { waitForPool } from './find-pool.js';
import { childPython, formatValue } from './text.js';

/** What a `<py-task>` is doing. */
export type PyTaskStatus = 'idle' | 'queued' | 'running' | 'done' | 'failed' | 'cancelled';

/** The `inputs` attribute held text that is not JSON; reported when the task runs. */
class InvalidInputs {
  constructor(readonly message: string) {}
}

const inputsConverter = {
  fromAttribute(value: string | null): unknown {
    if (value === null || value.trim() === '') return undefined;
    try {
      return JSON.parse(value);
    } catch (err) {
      return new InvalidInputs(`the inputs attribute is not valid JSON (${(err as Error).message})`);
    }
  },
};

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
 * @csspart stdout - What the code printed.
 * @csspart result - The result, as text.
 * @csspart error - The error message and Python traceback.
 * @cssproperty --py-task-font-family - Font of the status line. Default: inherited.
 * @cssproperty --py-task-mono-font - Font of result, output and errors. Default: `ui-monospace, monospace`.
 * @cssproperty --py-task-border - Border of the element. Default: a thin line in the text colour at 25%.
 * @cssproperty --py-task-radius - Corner radius. Default: `0.4rem`.
 * @cssproperty --py-task-padding - Inner spacing. Default: `0.6rem 0.8rem`.
 * @cssproperty --py-task-background - Background. Default: transparent.
 * @cssproperty --py-task-accent - Colour of the progress bar and running status. Default: a blue for light and dark.
 * @cssproperty --py-task-error-color - Colour of errors. Default: a red for light and dark.
 */
export class PyTaskElement extends LitElement {
  static override styles = css`
    :host {
      display: block;
      color-scheme: light dark;
      font-family: var(--py-task-font-family, inherit);
      border: var(--py-task-border, 1px solid color-mix(in srgb, currentColor 25%, transparent));
      border-radius: var(--py-task-radius, 0.4rem);
      padding: var(--py-task-padding, 0.6rem 0.8rem);
      background: var(--py-task-background, transparent);
      --_accent: var(--py-task-accent, light-dark(#1f5fbf, #8ab4f8));
      --_error: var(--py-task-error-color, light-dark(#b00020, #ff8a80));
    }
    :host([hidden]) {
      display: none;
    }
    [part='status'] {
      font-size: 0.85em;
      opacity: 0.8;
    }
    [part='status'][data-status='running'] {
      color: var(--_accent);
      opacity: 1;
    }
    progress {
      display: block;
      width: 100%;
      accent-color: var(--_accent);
    }
    pre,
    output {
      display: block;
      margin: 0.4rem 0 0;
      font-family: var(--py-task-mono-font, ui-monospace, monospace);
      white-space: pre-wrap;
      overflow-wrap: anywhere;
    }
    [part='error'] {
      color: var(--_error);
    }
    .sr-only {
      position: absolute;
      width: 1px;
      height: 1px;
      overflow: hidden;
      clip-path: inset(50%);
      white-space: nowrap;
    }
  `;

  static override properties = {
    code: { attribute: false },
    src: { type: String },
    inputs: { converter: inputsConverter },
    auto: { type: Boolean },
    pool: { type: String },
    timeout: { type: Number },
    _status: { state: true, attribute: false },
    _result: { state: true, attribute: false },
    _error: { state: true, attribute: false },
    _stdout: { state: true, attribute: false },
    _progress: { state: true, attribute: false },
  };

  /** Python source; takes precedence over a child script and `src`. */
  declare code: string | undefined;
  /** URL of a Python file to run, when there is no `code` and no child script. */
  declare src: string | undefined;
  /** Plain data; each key becomes a Python global. The attribute takes JSON. */
  declare inputs: Record<string, unknown> | undefined;
  /** Run when connected and again whenever code or inputs change. */
  declare auto: boolean;
  /** `id` of the `<worker-pool>` to use; default: the nearest ancestor. */
  declare pool: string | undefined;
  /** Timeout of each run in ms (counted from when it starts running). */
  declare timeout: number | undefined;

  declare private _status: PyTaskStatus;
  declare private _result: unknown;
  declare private _error: Error | undefined;
  declare private _stdout: string;
  declare private _progress: TaskProgress | undefined;

  #task: Task | undefined;
  #run = 0;
  #unwatch: (() => void) | undefined;
  #scriptObserver: MutationObserver | undefined;
  #scriptText: string | undefined;

  constructor() {
    super();
    this.auto = false;
    this._status = 'idle';
    this._stdout = '';
  }

  /** What the task is doing now. */
  get status(): PyTaskStatus {
    return this._status;
  }
  /** The last run's result (undefined until one finishes). */
  get result(): unknown {
    return this._result;
  }
  /** The last run's error, if it failed. */
  get error(): Error | undefined {
    return this._error;
  }
  /** What the current (or last) run printed. */
  get stdout(): string {
    return this._stdout;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.#scriptText = childPython(this);
    this.#scriptObserver = new MutationObserver(() => {
      const text = childPython(this);
      if (text !== this.#scriptText) {
        this.#scriptText = text;
        if (this.auto) void this.#autoRun();
      }
    });
    this.#scriptObserver.observe(this, { childList: true, subtree: true, characterData: true });
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#scriptObserver?.disconnect();
    // Removed (not just moved): stop the work nobody will see.
    queueMicrotask(() => {
      if (!this.isConnected) this.cancel('the <py-task> was removed');
    });
  }

  // Started before rendering, so the run's first state lands in this same update.
  protected override willUpdate(changed: PropertyValues<this>): void {
    if (this.auto && (changed.has('code') || changed.has('src') || changed.has('inputs') || changed.has('auto') || changed.has('pool'))) {
      void this.#autoRun();
    }
  }

  /**
   * Run the code now (a run in progress is cancelled first). Resolves with the result;
   * rejects with the error, which `task-error` and `error` also report, so an ignored
   * rejection is not reported as unhandled.
   */
  run(): Promise<unknown> {
    const outcome = this.#start();
    outcome.catch(() => {});
    return outcome;
  }

  /** Cancel the run in progress, if any. */
  cancel(reason: unknown = 'cancelled'): void {
    const task = this.#task;
    if (task) {
      task.cancel(reason);
    } else if (this._status === 'queued') {
      // Still looking for its pool or code: end that run here.
      this.#run++;
      this.#fail(new TaskCancelledError(reason));
    }
  }

  async #autoRun(): Promise<void> {
    await this.run().catch(() => undefined);
  }

  async #start(): Promise<unknown> {
    const run = ++this.#run;
    this.#task?.cancel('superseded by a newer run');
    this.#detach();
    this._status = 'queued';
    this._error = undefined;
    this._stdout = '';
    this._progress = undefined;
    this.dispatchEvent(new TaskStartEvent());
    const current = () => run === this.#run;
    try {
      const inputs = this.inputs;
      if (inputs instanceof InvalidInputs) throw new TypeError(inputs.message);
      if (inputs !== undefined && (typeof inputs !== 'object' || inputs === null || Array.isArray(inputs))) {
        throw new TypeError('inputs must be a JSON object whose keys become Python globals');
      }
      const [pool, code] = await Promise.all([waitForPool(this, this.pool), this.#code()]);
      if (!current()) throw new TaskCancelledError('superseded by a newer run');
      const task = pool.submit(code, { inputs, timeout: this.timeout, onOutput: (event) => current() && this.#output(event) });
      this.#task = task;
      this.#unwatch = effect(() => {
        const status = task.status.value;
        if (current() && (status === 'queued' || status === 'running')) this._status = status;
      });
      const result = await task.result;
      if (!current()) return result;
      this.#detach();
      this._result = result;
      this._status = 'done';
      this.dispatchEvent(new TaskResultEvent({ result }));
      return result;
    } catch (err) {
      if (current()) this.#fail(err instanceof Error ? err : new Error(String(err)));
      throw err;
    }
  }

  #fail(error: Error): void {
    this.#detach();
    this._error = error;
    this._status = error instanceof TaskCancelledError ? 'cancelled' : 'failed';
    this.dispatchEvent(new TaskErrorEvent({ error }));
  }

  #detach(): void {
    this.#unwatch?.();
    this.#unwatch = undefined;
    this.#task = undefined;
  }

  #output(event: OutputEvent): void {
    if (event.type === 'stdout') this._stdout += event.text;
    if (event.type === 'progress') this._progress = { fraction: event.fraction, message: event.message };
    this.dispatchEvent(new TaskOutputEvent(event));
  }

  async #code(): Promise<string> {
    if (typeof this.code === 'string') return this.code;
    const script = childPython(this);
    if (script !== undefined) return script;
    if (this.src) {
      let response: Response;
      try {
        response = await fetch(this.src);
      } catch (err) {
        throw new Error(`could not load ${this.src}: ${(err as Error).message}`);
      }
      if (!response.ok) throw new Error(`could not load ${this.src}: HTTP ${response.status}`);
      return await response.text();
    }
    throw new Error('no code to run: set the code property, add a <script type="text/python"> child, or a src attribute');
  }

  protected override render() {
    const status = this._status;
    const error = this._error as (Error & { traceback?: string }) | undefined;
    const running = status === 'queued' || status === 'running';
    return html`<div part="base">
      <slot></slot>
      <div part="status" data-status=${status}>${STATUS_TEXT[status]}</div>
      ${running && this._progress
        ? html`<progress part="progress" max="1" .value=${this._progress.fraction} aria-label="progress"></progress>
            ${this._progress.message ? html`<span>${this._progress.message}</span>` : nothing}`
        : nothing}
      ${this._stdout ? html`<pre part="stdout">${this._stdout}</pre>` : nothing}
      ${status === 'done' ? html`<output part="result">${formatValue(this._result)}</output>` : nothing}
      ${error ? html`<pre part="error">${error.traceback ? `${error.message}\n\n${error.traceback}` : error.message}</pre>` : nothing}
      <div class="sr-only" role="status" aria-live="polite">${this.#announcement()}</div>
    </div>`;
  }

  #announcement(): string {
    switch (this._status) {
      case 'done':
        return `Python task done: ${formatValue(this._result).slice(0, 200)}`;
      case 'failed':
        return `Python task failed: ${this._error?.message ?? ''}`;
      case 'cancelled':
        return 'Python task cancelled';
      default:
        return '';
    }
  }
}

const STATUS_TEXT: Record<PyTaskStatus, string> = {
  idle: 'Not run yet',
  queued: 'Waiting for a worker…',
  running: 'Running…',
  done: 'Done',
  failed: 'Failed',
  cancelled: 'Cancelled',
};

if (!customElements.get('py-task')) customElements.define('py-task', PyTaskElement);

declare global {
  interface HTMLElementTagNameMap {
    'py-task': PyTaskElement;
  }
}
