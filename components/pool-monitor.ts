import { css, html, LitElement, nothing } from 'lit';
import { SignalWatcher } from '@lit-labs/preact-signals';
import { followPool, type TaskPool } from '../workers/index.js';
import { discoverPoolHolder } from './find-pool.js';

/** Seconds of history behind the tasks-per-second figure. */
const RATE_WINDOW_S = 3;

/** A heap size to read at a glance: a WebAssembly instance's 64 KiB is "64 KB", not "0 MB". */
function heapText(bytes: number): string {
  return bytes < 2 ** 20 ? `${Math.ceil(bytes / 2 ** 10)} KB` : `${(bytes / 2 ** 20).toFixed(0)} MB`;
}

/**
 * Shows a pool live: each worker and its status, tasks queued / running / completed /
 * failed, tasks per second and heap per worker. It follows the pool's signals; it never
 * polls the workers. It shows the nearest `<worker-pool>` (or the one `for` names), or
 * any pool given as its `pool` property: a `PyodidePool`, `ModulePool` or `WasmPool`.
 *
 * @summary A live view of a `<worker-pool>`, or of any pool.
 *
 * @example
 * ```html
 * <worker-pool><pool-monitor></pool-monitor></worker-pool>
 * <pool-monitor for="my-pool"></pool-monitor>
 * <script type="module">
 *   document.querySelector('#wasm-monitor').pool = new WasmPool({ wasm: '/math.wasm', max: 4 });
 * </script>
 * ```
 *
 * @csspart counts - The row of counters.
 * @csspart workers - The list of workers.
 * @csspart worker - One worker; `data-status` is `starting`, `idle` or `busy`.
 * @cssproperty --pool-monitor-busy - Colour of a busy worker. Default: a green for light and dark.
 * @cssproperty --pool-monitor-starting - Colour of a starting worker. Default: an amber for light and dark.
 * @cssproperty --pool-monitor-font-family - Font. Default: inherited.
 */
export class PoolMonitorElement extends SignalWatcher(LitElement) {
  static override styles = css`
    :host {
      display: block;
      color-scheme: light dark;
      font-family: var(--pool-monitor-font-family, inherit);
      font-variant-numeric: tabular-nums;
      --_busy: var(--pool-monitor-busy, light-dark(#2a7d3f, #7ee29a));
      --_starting: var(--pool-monitor-starting, light-dark(#9a6a00, #ffd166));
    }
    dl {
      display: flex;
      flex-wrap: wrap;
      gap: 0.3rem 1.2rem;
      margin: 0 0 0.5rem;
    }
    dl div {
      display: flex;
      gap: 0.35rem;
    }
    dt {
      opacity: 0.75;
    }
    dd {
      margin: 0;
      font-weight: 600;
    }
    ul {
      list-style: none;
      display: flex;
      flex-wrap: wrap;
      gap: 0.4rem;
      padding: 0;
      margin: 0;
    }
    li {
      border: 1px solid currentColor;
      border-radius: 1rem;
      padding: 0.1rem 0.6rem;
      font-size: 0.85em;
    }
    li[data-status='busy'] {
      color: var(--_busy);
    }
    li[data-status='starting'] {
      color: var(--_starting);
    }
  `;

  static override properties = {
    for: { type: String },
    // Its own accessor (below); declared so that a value set before the element upgrades is kept.
    pool: { attribute: false, noAccessor: true },
    _rate: { state: true, attribute: false },
  };

  /** `id` of the `<worker-pool>` to show; default: the nearest ancestor. */
  declare for: string | undefined;
  declare private _rate: number;

  /** Finds the `<worker-pool>`, however late it is added, and follows its rebuilds. */
  #watch: { pool: ReturnType<typeof followPool>['pool']; for: string | undefined; stop(): void } | undefined;
  #samples: { at: number; settled: number }[] = [];
  #sampled: TaskPool | undefined;
  /** The pool given as the `pool` property: shown instead of a `<worker-pool>`. */
  #given: TaskPool | undefined;
  #timer: ReturnType<typeof setInterval> | undefined;

  constructor() {
    super();
    this._rate = 0;
  }

  /**
   * The pool shown, if one is found. Set it to show any pool (a `PyodidePool`,
   * `ModulePool` or `WasmPool`) instead of a `<worker-pool>`; set `undefined` to go back
   * to the `<worker-pool>` that `for` names or the nearest one. The monitor never ends a
   * pool it is given.
   *
   * @example
   * monitor.pool = new ModulePool({ module: new URL('./codec.js', import.meta.url), max: 4 });
   */
  get pool(): TaskPool | undefined {
    if (!this.#watch) return this.#given;
    const pool = this.#watch.pool.value;
    return pool instanceof Error ? undefined : pool;
  }

  set pool(value: TaskPool | undefined) {
    const old = this.#given;
    this.#given = value ?? undefined;
    if (this.#watch) this.#follow();
    this.requestUpdate('pool', old);
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.#follow();
    // The rate is a moving window over the pool's own counters, recomputed once a second.
    this.#timer = setInterval(() => this.#sample(), 1_000);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    clearInterval(this.#timer);
    this.#watch?.stop();
    this.#watch = undefined;
  }

  // Before the update, so a new `for` shows in this same render.
  protected override willUpdate(changed: Map<string, unknown>): void {
    if (changed.has('for') && this.#watch && this.#watch.for !== this.for) this.#follow();
  }

  /** Follow the pool given, or look for the one to show (waiting as long as it takes: a monitor has nothing to fail). */
  #follow(): void {
    this.#watch?.stop();
    if (this.#given) {
      const given = followPool(this.#given);
      this.#watch = { pool: given.pool, for: this.for, stop: given.dispose };
      return;
    }
    const discovery = discoverPoolHolder(this, this.for, Infinity);
    const followed = followPool(discovery.holder);
    this.#watch = {
      pool: followed.pool,
      for: this.for,
      stop() {
        discovery.dispose();
        followed.dispose();
      },
    };
  }

  #sample(): void {
    const pool = this.pool;
    if (pool !== this.#sampled) {
      // Another pool: its counters start a new window.
      this.#sampled = pool;
      this.#samples = [];
      this._rate = 0;
    }
    if (!pool) return;
    const now = performance.now();
    const settled = pool.state.completed.peek() + pool.state.failed.peek();
    this.#samples.push({ at: now, settled });
    while (this.#samples.length > RATE_WINDOW_S + 1) this.#samples.shift();
    const first = this.#samples[0]!;
    this._rate = now > first.at ? ((settled - first.settled) * 1000) / (now - first.at) : 0;
  }

  protected override render() {
    const pool = this.pool;
    if (!pool) return html`<p>No pool.</p>`;
    const { workers, queued, running, completed, failed } = pool.state;
    return html`
      <dl part="counts">
        <div><dt>workers</dt><dd>${workers.value.length}</dd></div>
        <div><dt>queued</dt><dd>${queued.value}</dd></div>
        <div><dt>running</dt><dd>${running.value}</dd></div>
        <div><dt>completed</dt><dd>${completed.value}</dd></div>
        <div><dt>failed</dt><dd>${failed.value}</dd></div>
        <div><dt>tasks/s</dt><dd>${this._rate.toFixed(1)}</dd></div>
      </dl>
      <ul part="workers" aria-label="workers">
        ${workers.value.map(
          (w) => html`<li part="worker" data-status=${w.status}>
            #${w.id} ${w.status} · ${w.tasksRun} tasks${w.heapBytes ? html` · ${heapText(w.heapBytes)}` : nothing}
          </li>`,
        )}
      </ul>
    `;
  }
}

if (!customElements.get('pool-monitor')) customElements.define('pool-monitor', PoolMonitorElement);

declare global {
  interface HTMLElementTagNameMap {
    'pool-monitor': PoolMonitorElement;
  }
}
