/**
 * When `<pool-monitor>`'s timeline draws, and what its last frame was. It follows the
 * pool's `state.recent`, and draws on `requestAnimationFrame` only when that can be seen:
 * continuously while a bar runs or a worker boots, a few times a second while finished
 * bars scroll out, not at all when nothing in the window moves, while the element is
 * off-screen, or while the document is hidden; at most once a second under
 * `prefers-reduced-motion: reduce`.
 *
 * @internal
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { effect, untracked } from '@preact/signals-core';
import type { TaskPool } from '../workers/index.js';
import { buildFrame, type Frame } from './pool-timeline.js';
import { frameView, type TimelineView } from './timeline-view.js';
import { indexOfTask } from './timeline-pointer.js';
import { paintThroughput, paintTimeline, readPalette, type Palette } from './timeline-painter.js';
import { axisTicks, type AxisTick } from './monitor-window.js';

/** Height of the queue strip under the lanes, in CSS px (the stylesheet's `.queue` row has the same). */
export const QUEUE_HEIGHT = 24;
/** Between redraws while finished bars scroll out and nothing runs. */
const IDLE_MS = 250;
/** Between redraws under `prefers-reduced-motion: reduce`. */
const REDUCED_MS = 1_000;

/** What drawing has cost so far (`monitor.drawStats`). */
export interface DrawStats {
  /** Frames drawn. */
  readonly frames: number;
  /** The last frame's cost, in ms: building it from the log and painting it. */
  readonly lastMs: number;
  readonly meanMs: number;
  readonly maxMs: number;
}

/** What the controller needs from its element. */
export interface TimelineHost extends ReactiveControllerHost, HTMLElement {
  readonly pool: TaskPool | undefined;
  /** Hold the log's details while set (the `inspect` attribute). */
  readonly inspect: boolean;
  readonly renderRoot: HTMLElement | DocumentFragment;
  readonly hasUpdated: boolean;
  /** The task open in the inspector, refreshed while it runs. */
  readonly inspecting: number | undefined;
}

export class TimelineController implements ReactiveController {
  readonly #host: TimelineHost;
  #windowMs = 30_000;
  #ticks: AxisTick[] = axisTicks(30_000);
  #frame: Frame | undefined;
  #view: TimelineView | undefined;
  #stats = { frames: 0, lastMs: 0, meanMs: 0, maxMs: 0 };
  #waiters: ((view: TimelineView) => void)[] = [];
  #raf = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #lastDraw = -Infinity;
  #onScreen = false;
  #palette: Palette | undefined;
  #size = { width: 0, spark: 0, sparkHeight: 0 };
  #lanesKey = '';
  #unfollow: (() => void) | undefined;
  #teardown: (() => void)[] = [];
  readonly #reducedMotion = matchMedia('(prefers-reduced-motion: reduce)');
  /** Task ids (stable as the window scrolls), not bar indexes. */
  hovered: number | undefined;
  focused: number | undefined;

  constructor(host: TimelineHost) {
    this.#host = host;
    host.addController(this);
  }

  get frame(): Frame | undefined {
    return this.#frame;
  }

  get view(): TimelineView {
    this.#view ??= this.#frame ? frameView(this.#frame) : { from: 0, to: 0, lanes: [], bars: [], queueDepth: [], throughput: [] };
    return this.#view;
  }

  get stats(): DrawStats {
    return { ...this.#stats };
  }

  get ticks(): readonly AxisTick[] {
    return this.#ticks;
  }

  set windowMs(ms: number) {
    if (ms === this.#windowMs) return;
    this.#windowMs = ms;
    this.#ticks = axisTicks(ms);
    this.invalidate();
  }

  /** Resolves with the view of the next frame drawn (which this asks for). */
  nextDraw(): Promise<TimelineView> {
    return new Promise((resolve) => {
      this.#waiters.push(resolve);
      this.invalidate();
    });
  }

  hostConnected(): void {
    const host = this.#host;
    const io = new IntersectionObserver((entries) => {
      this.#onScreen = entries[entries.length - 1]!.isIntersecting;
      if (this.#onScreen) this.invalidate();
    });
    io.observe(host);
    const visibility = () => this.invalidate();
    document.addEventListener('visibilitychange', visibility);
    // Colours are read once, then again when the theme may have changed: the colour scheme, or a class or style on the page's root.
    const theme = () => this.restyle();
    const scheme = matchMedia('(prefers-color-scheme: dark)');
    scheme.addEventListener('change', theme);
    const mo = new MutationObserver(theme);
    for (const el of [document.documentElement, document.body].filter(Boolean))
      mo.observe(el, { attributes: true, attributeFilter: ['class', 'style', 'data-theme', 'data-color-scheme'] });
    const ro = new ResizeObserver(() => {
      this.#measure();
      this.invalidate();
    });
    const observed = new WeakSet<Element>();
    this.#observeNew = (el) => {
      if (observed.has(el)) return false;
      observed.add(el);
      ro.observe(el);
      return true;
    };
    this.#teardown = [
      () => io.disconnect(),
      () => document.removeEventListener('visibilitychange', visibility),
      () => scheme.removeEventListener('change', theme),
      () => mo.disconnect(),
      () => ro.disconnect(),
    ];
    this.follow();
  }

  hostDisconnected(): void {
    for (const stop of this.#teardown.splice(0)) stop();
    this.#unfollow?.();
    this.#unfollow = undefined;
    cancelAnimationFrame(this.#raf);
    clearTimeout(this.#timer);
    this.#raf = 0;
    this.#timer = undefined;
    this.#onScreen = false;
    this.#observeNew = undefined;
  }

  hostUpdated(): void {
    // The canvases come and go with the pool (and the observer with the connection): watch the sizes of new ones.
    for (const el of this.#host.renderRoot.querySelectorAll('.plot, .spark')) if (this.#observeNew?.(el)) this.invalidate();
  }

  /** Watches an element's size, if not yet; true if it was new. */
  #observeNew: ((el: Element) => boolean) | undefined;

  /** Follow the host's pool (again: after it changes, or `inspect` does), holding its details while inspecting. */
  follow(): void {
    this.#unfollow?.();
    // Another pool counts its tasks from 1 again.
    this.#memo.skipBelow = 0;
    this.#unfollow = effect(() => {
      const pool = this.#host.pool;
      untracked(() => this.invalidate());
      if (!pool) return;
      const release = untracked(() => (this.#host.inspect && this.#host.isConnected ? pool.state.recent.peek().keepDetails() : undefined));
      const stop = effect(() => {
        void pool.state.recent.value;
        untracked(() => this.invalidate());
      });
      return () => {
        stop();
        release?.();
      };
    });
  }

  /** Something changed: draw a frame when one can be seen. */
  invalidate(): void {
    if (this.#raf || !this.#host.isConnected) return;
    if (!this.#onScreen || document.hidden) return; // Asked again when it shows (the observers above).
    const wait = this.#reducedMotion.matches ? this.#lastDraw + REDUCED_MS - performance.now() : 0;
    if (wait > 0) {
      if (this.#timer === undefined) this.#later(wait);
      return;
    }
    // A change does not wait for the idle tick.
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#raf = requestAnimationFrame(this.#draw);
  }

  #later(ms: number): void {
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      if (this.#onScreen && !document.hidden) this.#raf = requestAnimationFrame(this.#draw);
    }, ms);
  }

  #measure(): void {
    const root = this.#host.renderRoot;
    const plot = root.querySelector<HTMLElement>('.plot');
    const spark = root.querySelector<HTMLElement>('.spark');
    this.#size = { width: plot?.clientWidth ?? 0, spark: spark?.clientWidth ?? 0, sparkHeight: spark?.clientHeight ?? 0 };
  }

  readonly #draw = (): void => {
    this.#raf = 0;
    const host = this.#host;
    const root = host.renderRoot;
    const plot = root.querySelector<HTMLCanvasElement>('.plot canvas');
    const spark = root.querySelector<HTMLCanvasElement>('.spark canvas');
    const pool = host.pool;
    if (!plot || !spark || !pool || !this.#onScreen || document.hidden) return;
    const began = performance.now();
    const palette = (this.#palette ??= readPalette(root));
    if (!this.#size.width) this.#measure();
    // Zero wide (collapsed by the page's layout): nothing to draw, as when off-screen.
    if (this.#size.width <= 0) return;
    const recent = pool.state.recent.peek();
    const laneHeight = this.#laneHeight ?? this.#readLaneHeight();
    const frame = buildFrame({
      tasks: recent.tasks,
      events: recent.workers,
      alive: pool.state.workers.peek(),
      now: began,
      windowMs: this.#windowMs,
      queueBuckets: Math.max(20, Math.min(300, Math.round(this.#size.width / 4))),
      memo: this.#memo,
    });
    const dpr = devicePixelRatio || 1;
    const size = { width: this.#size.width, laneHeight, queueHeight: QUEUE_HEIGHT, dpr };
    fit(plot, this.#size.width, frame.lanes.length * laneHeight + QUEUE_HEIGHT, dpr);
    fit(spark, this.#size.spark, this.#size.sparkHeight, dpr);
    const plotCtx = plot.getContext('2d');
    const sparkCtx = spark.getContext('2d');
    if (plotCtx) paintTimeline(plotCtx, frame, palette, size, this.#ticks, indexOfTask(frame, this.focused), indexOfTask(frame, this.hovered));
    if (sparkCtx) paintThroughput(sparkCtx, frame, palette, this.#size.spark, this.#size.sparkHeight, dpr);
    const ms = performance.now() - began;
    const s = this.#stats;
    this.#stats = { frames: s.frames + 1, lastMs: ms, meanMs: s.meanMs + (ms - s.meanMs) / (s.frames + 1), maxMs: Math.max(s.maxMs, ms) };
    this.#frame = frame;
    this.#view = undefined;
    this.#lastDraw = began;
    const lanesKey = frame.lanes.map((l) => `${l.worker}${l.state}${l.mode}${l.end}`).join();
    // The lanes' labels are DOM: re-rendered when the lanes change, not every frame.
    if (lanesKey !== this.#lanesKey || !host.hasUpdated) host.requestUpdate();
    this.#lanesKey = lanesKey;
    this.#refreshText(frame);
    for (const resolve of this.#waiters.splice(0)) resolve(this.view);
    if (frame.live && !this.#reducedMotion.matches) this.invalidate();
    else if (frame.live || frame.moving) this.#later(this.#reducedMotion.matches ? REDUCED_MS : Math.max(IDLE_MS, this.#windowMs / Math.max(1, this.#size.width)));
  };

  /** The settled tasks per second the last frame counted, as shown. */
  rateText = '0.0';
  #refreshed = 0;
  #openWasLive = false;

  /** Text that changes with every frame (the rate, a running task's inspector) is re-rendered a few times a second, not at each frame. */
  #refreshText(frame: Frame): void {
    const now = performance.now();
    const open = indexOfTask(frame, this.#host.inspecting);
    const rate = frame.rate.toFixed(1);
    const live = open >= 0 && Number.isNaN(frame.end[open]!);
    // Once more after the open task settles, to show how it ended.
    if ((rate === this.rateText && !live && !this.#openWasLive) || now - this.#refreshed < 250) return;
    this.rateText = rate;
    this.#openWasLive = live;
    this.#refreshed = now;
    this.#host.requestUpdate();
  }

  #laneHeight: number | undefined;
  readonly #memo = { skipBelow: 0, windowMs: 0 };

  /** A lane's height in CSS px (`--pool-monitor-lane-height`), as the last frame drew it. */
  get laneHeight(): number {
    return this.#laneHeight ?? 16;
  }

  #readLaneHeight(): number {
    const probe = this.#host.renderRoot.querySelector<HTMLElement>('[data-swatch="lane"]');
    const px = probe ? parseFloat(getComputedStyle(probe).height) : NaN;
    return (this.#laneHeight = px > 4 ? px : 16);
  }

  /** Forget cached colours and sizes (the theme or a custom property changed). */
  restyle(): void {
    this.#palette = undefined;
    this.#laneHeight = undefined;
    this.invalidate();
  }
}

/** Sizes a canvas's bitmap to its CSS box at the device's pixel ratio (a resize clears it, so only on change). */
function fit(canvas: HTMLCanvasElement, width: number, height: number, dpr: number): void {
  const w = Math.max(1, Math.round(width * dpr));
  const h = Math.max(1, Math.round(height * dpr));
  if (canvas.width !== w) canvas.width = w;
  if (canvas.height !== h) canvas.height = h;
}
