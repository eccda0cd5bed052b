import { html, LitElement, nothing, type PropertyValues } from 'lit';
import { SignalWatcher } from '@lit-labs/preact-signals';
import { followPool, type TaskPool, type TaskTiming } from '../workers/index.js';
import { discoverPoolHolder } from './find-pool.js';
import { monitorStyles } from './pool-monitor-styles.js';
import { inspectorFor, inspectorStyles, PoolMonitorInspectEvent, timingOf } from './pool-inspector.js';
import { TimelinePointer } from './timeline-pointer.js';
import type { TimelineView } from './timeline-view.js';
import { TimelineController, type DrawStats } from './timeline-controller.js';
import { timelineTemplate } from './timeline-template.js';
import { DEFAULT_WINDOW_MS, parseWindow } from './monitor-window.js';

/** Seconds of history behind the tasks-per-second figure. */
const RATE_WINDOW_S = 3;

/** A heap size to read at a glance: a WebAssembly instance's 64 KiB is "64 KB", not "0 MB". */
function heapText(bytes: number): string {
  return bytes < 2 ** 20 ? `${Math.ceil(bytes / 2 ** 10)} KB` : `${(bytes / 2 ** 20).toFixed(0)} MB`;
}

/**
 * Shows a pool live: each worker and its status, tasks queued / running / completed /
 * failed, tasks per second and heap per worker, and a timeline of the last `window` of
 * work: a lane per worker (its boot, its end), a bar per task coloured by outcome, the
 * queue's depth and a throughput sparkline. It follows the pool's signals; it never polls
 * the workers, and draws only while something on screen moves. It shows the nearest
 * `<worker-pool>` (or the one `for` names), or any pool given as its `pool` property: a
 * `PyodidePool`, `ModulePool` or `WasmPool`.
 *
 * Hover a bar for its task; the timeline takes the keyboard focus (arrow keys between
 * bars, Up/Down between lanes, Home/End). With `inspect`, a click or Enter opens the task
 * in a text-only panel.
 *
 * @summary A live view of a `<worker-pool>`, or of any pool.
 *
 * @example
 * ```html
 * <worker-pool><pool-monitor window="1m" inspect></pool-monitor></worker-pool>
 * <pool-monitor for="my-pool"></pool-monitor>
 * <script type="module">
 *   document.querySelector('#wasm-monitor').pool = new WasmPool({ wasm: '/math.wasm', max: 4 });
 * </script>
 * ```
 *
 * @attr window - How much history the timeline shows: `"500ms"`, `"30s"`, `"2m"` or a number of seconds. Default `"30s"`.
 * @attr inspect - Clicking a bar (or Enter on the focused one) opens the task in the inspector; settled tasks' details are kept meanwhile.
 * @fires pool-monitor-inspect - A task opened in the inspector; `detail: { id }`.
 * @csspart counts - The row of counters.
 * @csspart workers - The list of workers.
 * @csspart worker - One worker; `data-status` is `starting`, `idle` or `busy`.
 * @csspart timeline - The timeline (focusable): axis, lanes, bars and queue strip.
 * @csspart lane - One worker's lane label; `data-worker` is its id, `data-state` is `booting`, `ready` or `ended`, `data-end` how it ended.
 * @csspart queue - The queue-depth strip's label (the strip is drawn under the lanes).
 * @csspart throughput - The tasks-per-second sparkline and the current rate.
 * @csspart tooltip - The hovered or focused task (also a polite live region).
 * @csspart inspector - The panel of the task opened with `inspect`.
 * @cssproperty --pool-monitor-busy - Colour of a busy worker. Default: a green for light and dark.
 * @cssproperty --pool-monitor-starting - Colour of a starting worker. Default: an amber for light and dark.
 * @cssproperty --pool-monitor-font-family - Font. Default: inherited.
 * @cssproperty --pool-monitor-done - Bar of a task that returned. Default: a blue.
 * @cssproperty --pool-monitor-failed - Bar of a task that raised. Default: a red.
 * @cssproperty --pool-monitor-cancelled - Bar of a cancelled task. Default: a grey.
 * @cssproperty --pool-monitor-timeout - Bar of a task that timed out. Default: an orange.
 * @cssproperty --pool-monitor-crashed - Bar of a task whose worker died, and a worker's death. Default: a purple.
 * @cssproperty --pool-monitor-running - Bar of a running task. Default: a green.
 * @cssproperty --pool-monitor-booting - A worker's boot (hatched: restored from a snapshot). Default: an amber.
 * @cssproperty --pool-monitor-queue - The queue-depth strip. Default: a teal.
 * @cssproperty --pool-monitor-throughput - The throughput sparkline and rate. Default: an indigo.
 * @cssproperty --pool-monitor-grid - Borders, grid lines and tick marks. Default: a light or dark grey.
 * @cssproperty --pool-monitor-focus - Outline of the focused bar and of the focused timeline. Default: near black or white.
 * @cssproperty --pool-monitor-lane-height - Height of a lane. Default: `16px`.
 */
export class PoolMonitorElement extends SignalWatcher(LitElement) {
  static override styles = [monitorStyles, inspectorStyles];

  static override properties = {
    for: { type: String },
    // Its own accessor (below); declared so that a value set before the element upgrades is kept.
    pool: { attribute: false, noAccessor: true },
    window: { type: String },
    inspect: { type: Boolean, reflect: true },
    _rate: { state: true, attribute: false },
    _inspected: { state: true, attribute: false },
  };

  /** `id` of the `<worker-pool>` to show; default: the nearest ancestor. */
  declare for: string | undefined;
  /** How much history the timeline shows: `"500ms"`, `"30s"`, `"2m"` or a number of seconds; default `"30s"` (an invalid value warns once and uses it). */
  declare window: string | undefined;
  /** Clicking a bar opens its task in the inspector; settled tasks' details are kept while it is set. */
  declare inspect: boolean;
  declare private _rate: number;
  declare private _inspected: { id: number; timing: TaskTiming | undefined } | undefined;
  readonly #timeline = new TimelineController(this);
  readonly #pointer = new TimelinePointer(this, this.#timeline, {
    open: (id) => this.#open(id),
    close: () => {
      const open = this._inspected !== undefined;
      this._inspected = undefined;
      return open;
    },
  });
  #windowMs = DEFAULT_WINDOW_MS;

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
    this.inspect = false;
  }

  /**
   * Exactly what the timeline's last frame drew: its window, lanes, bars, queue depth and
   * throughput. For tests, stories and benchmarks; see {@link TimelineView}.
   *
   * @example
   * const { bars } = monitor.timelineView;
   * console.log(bars.filter((b) => b.outcome === 'failed').map((b) => b.id));
   */
  get timelineView(): TimelineView {
    return this.#timeline.view;
  }

  /**
   * Resolves with the view of the next frame the timeline draws (asking for one): a way to
   * wait on drawing without sleeping. A frame is drawn only while the element can be seen.
   *
   * @example
   * await pool.run('1 + 1');
   * const view = await monitor.nextDraw();
   */
  nextDraw(): Promise<TimelineView> {
    return this.#timeline.nextDraw();
  }

  /**
   * Diagnostic: what drawing the timeline has cost so far (frames drawn; the last, mean
   * and worst frame in ms, building and painting). Read-only; a copy.
   *
   * @example
   * console.log(`${monitor.drawStats.meanMs.toFixed(2)} ms a frame`);
   */
  get drawStats(): DrawStats {
    return this.#timeline.stats;
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
  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('for') && this.#watch && this.#watch.for !== this.for) this.#follow();
    if (changed.has('window')) {
      const ms = this.window ? parseWindow(this.window) : DEFAULT_WINDOW_MS;
      if (ms === undefined) console.warn(`<pool-monitor>: window="${this.window}" is not a duration ("500ms", "30s", "2m" or seconds); showing 30s.`);
      this.#windowMs = this.#timeline.windowMs = ms ?? DEFAULT_WINDOW_MS;
    }
    if (changed.has('inspect') && !this.inspect) this._inspected = undefined;
  }

  protected override updated(changed: PropertyValues<this>): void {
    // Hold (or let go of) the log's details as `inspect` comes and goes.
    if (changed.has('inspect') && this.isConnected && changed.get('inspect') !== undefined) this.#timeline.follow();
  }

  /** Follow the pool given, or look for the one to show (waiting as long as it takes: a monitor has nothing to fail). */
  #follow(): void {
    this.#watch?.stop();
    if (this.#given) {
      const given = followPool(this.#given);
      this.#watch = { pool: given.pool, for: this.for, stop: given.dispose };
      this.#timeline.follow();
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
    this.#timeline.follow();
  }

  /** Open task `id` in the inspector. */
  #open(id: number): void {
    this._inspected = { id, timing: this.pool && timingOf(this.pool, id) };
    this.dispatchEvent(new PoolMonitorInspectEvent({ id }));
  }

  /** The inspector's close button: closed, and the focus back on the timeline. */
  readonly #closeInspector = () => {
    this._inspected = undefined;
    this.renderRoot.querySelector<HTMLElement>('[part="timeline"]')?.focus();
  };

  /**
   * The task open in the inspector, if any (the timeline refreshes it while it runs).
   *
   * @internal
   */
  get inspecting(): number | undefined {
    return this.inspect ? this._inspected?.id : undefined;
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
      ${timelineTemplate({
        frame: this.#timeline.frame,
        ticks: this.#timeline.ticks,
        windowMs: this.#windowMs,
        rate: this.#timeline.rateText,
        tip: this.#pointer.tip(),
        inspect: this.inspect,
        onPointer: this.#pointer.onPointer,
        onLeave: this.#pointer.onLeave,
        onClick: this.#pointer.onClick,
        onKey: this.#pointer.onKey,
        onBlur: this.#pointer.onBlur,
      })}
      ${this.inspect && this._inspected ? inspectorFor(pool, this._inspected, this.#closeInspector) : nothing}
    `;
  }
}

if (!customElements.get('pool-monitor')) customElements.define('pool-monitor', PoolMonitorElement);

declare global {
  interface HTMLElementTagNameMap {
    'pool-monitor': PoolMonitorElement;
  }
}
