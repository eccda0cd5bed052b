/**
 * Draws a {@link Frame} of `<pool-monitor>`'s timeline on a canvas: lane stripes and grid,
 * boot segments and worker ends, task bars, the queue-depth strip, and the throughput
 * sparkline on its own canvas.
 *
 * Cheap at thousands of bars: one path per colour (six fills a frame, whatever the number
 * of bars), and bars that fall within a device pixel of the one before them in their lane
 * are merged into one rectangle before they reach the path.
 *
 * @internal
 */
import { OUTCOMES, type Frame } from './pool-timeline.js';
import type { AxisTick } from './monitor-window.js';

/** The colours a frame is drawn in, read from the element's computed style (not per frame). */
export interface Palette {
  /** By colour slot: the outcomes in {@link OUTCOMES} order, then running. */
  readonly bars: readonly string[];
  readonly booting: string;
  readonly queue: string;
  readonly throughput: string;
  readonly grid: string;
  readonly text: string;
  readonly focus: string;
  /** The bar colours as pixels (RGBA bytes in one number, as an `ImageData`'s `Uint32Array` view holds them). */
  readonly pixels: Uint32Array;
}

/** The slots of the palette, each the name of a swatch the element renders (see `readPalette`). */
export const SWATCHES = [...OUTCOMES, 'running', 'booting', 'queue', 'throughput', 'grid', 'text', 'focus'] as const;

/**
 * Reads the palette from the element's hidden swatches: each has `color: var(--_name)`, so
 * its computed colour is resolved (`light-dark()` and all), which the custom property
 * itself is not.
 */
export function readPalette(root: ParentNode): Palette {
  const colour = (name: string) => {
    const swatch = root.querySelector<HTMLElement>(`[data-swatch="${name}"]`);
    return swatch ? getComputedStyle(swatch).color : 'gray';
  };
  const bars = [...OUTCOMES, 'running'].map(colour);
  return {
    bars,
    pixels: toPixels(bars),
    booting: colour('booting'),
    queue: colour('queue'),
    throughput: colour('throughput'),
    grid: colour('grid'),
    text: colour('text'),
    focus: colour('focus'),
  };
}

/** Which colour wins a pixel column that several bars share, by colour slot: crashed over failed over timeout over running over cancelled over done. */
const PRIORITY = [0, 4, 1, 3, 5, 2];
const BY_PRIORITY = PRIORITY.map((_, p) => PRIORITY.indexOf(p));

let scratchColumns = new Uint8Array(0);

/** A zeroed column buffer of `size`, reused from frame to frame. */
function columns(size: number): Uint8Array {
  if (scratchColumns.length < size) scratchColumns = new Uint8Array(size);
  const cols = scratchColumns.subarray(0, size);
  cols.fill(0);
  return cols;
}

/** Colours as the pixels a canvas stores for them (whatever the colour syntax, the canvas parses it). */
function toPixels(colours: readonly string[]): Uint32Array {
  const pixels = new Uint32Array(colours.length);
  const ctx = document.createElement('canvas').getContext('2d', { willReadFrequently: true });
  if (!ctx) return pixels;
  colours.forEach((colour, i) => {
    ctx.clearRect(0, 0, 1, 1);
    ctx.fillStyle = colour;
    ctx.fillRect(0, 0, 1, 1);
    pixels[i] = new Uint32Array(ctx.getImageData(0, 0, 1, 1).data.buffer)[0]!;
  });
  return pixels;
}

/** One pixel row per lane, scaled up into the lanes: bars cost the same however many there are. */
let strip: { canvas: HTMLCanvasElement; ctx: CanvasRenderingContext2D; image: ImageData } | undefined;

function stripOf(width: number, lanes: number): { canvas: HTMLCanvasElement; ctx: CanvasRenderingContext2D; image: ImageData } | undefined {
  if (strip && strip.image.width === width && strip.image.height === lanes) return strip;
  const canvas = strip?.canvas ?? document.createElement('canvas');
  canvas.width = width;
  canvas.height = lanes;
  const ctx = canvas.getContext('2d');
  if (!ctx) return undefined;
  strip = { canvas, ctx, image: ctx.createImageData(width, lanes) };
  return strip;
}

/** Sizes in CSS pixels; `dpr` device pixels to one. */
export interface PlotSize {
  readonly width: number;
  readonly laneHeight: number;
  readonly queueHeight: number;
  readonly dpr: number;
}

/** Hatching for a boot that restored a snapshot, made once per context and colour. */
const hatches = new WeakMap<CanvasRenderingContext2D, { colour: string; pattern: CanvasPattern | null }>();

function hatch(ctx: CanvasRenderingContext2D, colour: string, dpr: number): CanvasPattern | string {
  const cached = hatches.get(ctx);
  if (cached?.colour === colour) return cached.pattern ?? colour;
  const size = Math.max(4, Math.round(4 * dpr));
  const tile = document.createElement('canvas');
  tile.width = tile.height = size;
  const t = tile.getContext('2d');
  let pattern: CanvasPattern | null = null;
  if (t) {
    t.strokeStyle = colour;
    t.lineWidth = Math.max(1, dpr);
    t.beginPath();
    t.moveTo(0, size);
    t.lineTo(size, 0);
    t.stroke();
    pattern = ctx.createPattern(tile, 'repeat');
  }
  hatches.set(ctx, { colour, pattern });
  return pattern ?? colour;
}

/** Draws the lanes, bars and queue strip; `focused` and `hovered` are bar indexes (-1: none). */
export function paintTimeline(ctx: CanvasRenderingContext2D, frame: Frame, palette: Palette, size: PlotSize, ticks: readonly AxisTick[], focused: number, hovered: number): void {
  const { width, laneHeight: lh, queueHeight, dpr } = size;
  const W = Math.round(width * dpr);
  const H = Math.round((frame.lanes.length * lh + queueHeight) * dpr);
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  ctx.clearRect(0, 0, ctx.canvas.width, ctx.canvas.height);
  const span = frame.to - frame.from;
  const scale = W / span;
  const x = (t: number) => (t - frame.from) * scale;
  const LH = lh * dpr;
  const pad = Math.max(1, Math.round(2 * dpr));

  // Alternate lane stripes and the grid under everything.
  ctx.globalAlpha = 0.06;
  ctx.fillStyle = palette.text;
  for (let l = 1; l < frame.lanes.length; l += 2) ctx.fillRect(0, l * LH, W, LH);
  ctx.globalAlpha = 0.35;
  ctx.fillStyle = palette.grid;
  for (const tick of ticks) ctx.fillRect(Math.round(tick.at * W) - (tick.at === 1 ? 1 : 0), 0, 1, H);
  ctx.globalAlpha = 1;

  // Boots (solid for a normal boot, hatched for a snapshot's restore), and the shade after an end.
  frame.lanes.forEach((lane, l) => {
    const y = l * LH + pad;
    const h = LH - 2 * pad;
    if (lane.startedAt !== undefined && (lane.bootedAt ?? lane.endedAt ?? frame.to) >= frame.from) {
      const x0 = Math.max(0, x(lane.startedAt));
      const x1 = Math.max(x0 + 1, x(lane.bootedAt ?? lane.endedAt ?? frame.to));
      ctx.globalAlpha = 0.8;
      ctx.fillStyle = lane.mode === 'snapshot' || lane.mode === 'base-snapshot' ? hatch(ctx, palette.booting, dpr) : palette.booting;
      ctx.fillRect(x0, y, x1 - x0, h);
      ctx.globalAlpha = 1;
      ctx.fillStyle = palette.booting;
      ctx.fillRect(x0, y, Math.max(1, dpr), h);
    }
    if (lane.endedAt !== undefined) {
      const xe = Math.max(0, x(lane.endedAt));
      ctx.globalAlpha = 0.12;
      ctx.fillStyle = palette.text;
      ctx.fillRect(xe, l * LH, W - xe, LH);
      ctx.globalAlpha = 1;
      ctx.fillStyle = lane.end === 'died' || lane.end === 'boot-failed' ? palette.bars[OUTCOMES.indexOf('crashed')]! : palette.text;
      ctx.fillRect(xe, l * LH, Math.max(2, Math.round(2 * dpr)), LH);
    }
  });

  // Bars, rasterised into device-pixel columns per lane first: a column takes the most
  // severe outcome among the bars in it, so any number of bars becomes at most
  // lanes × width runs, and each run one rectangle in its colour's path.
  const lanes = frame.lanes.length;
  const cols = columns(lanes * W);
  const gap = Math.max(1, Math.round(dpr));
  for (let i = 0; i < frame.count; i++) {
    const end = frame.end[i]!;
    const x0 = Math.max(0, Math.floor(x(frame.start[i]!)));
    let x1 = Math.min(W, Math.ceil(x(Number.isNaN(end) ? frame.to : end)));
    // A visible gap after a bar wide enough to have one; never less than a column.
    if (x1 - x0 > 3 * gap) x1 -= gap;
    if (x1 <= x0) x1 = Math.min(W, x0 + 1);
    const p = PRIORITY[frame.colour[i]!]! + 1;
    const row = frame.lane[i]! * W;
    for (let c = row + x0, last = row + x1; c < last; c++) if (cols[c]! < p) cols[c] = p;
  }
  // Columns to pixels of a one-row-per-lane strip, then each row stretched over its lane.
  const rows = lanes > 0 ? stripOf(W, lanes) : undefined;
  if (rows) {
    const px = new Uint32Array(rows.image.data.buffer);
    const colours = palette.pixels;
    for (let c = 0; c < cols.length; c++) {
      const p = cols[c]!;
      px[c] = p ? colours[BY_PRIORITY[p - 1]!]! : 0;
    }
    rows.ctx.putImageData(rows.image, 0, 0);
    ctx.imageSmoothingEnabled = false;
    for (let l = 0; l < lanes; l++) ctx.drawImage(rows.canvas, 0, l, W, 1, 0, l * LH + pad, W, LH - 2 * pad);
  }

  // The hovered and the focused bar, outlined.
  for (const [i, colour, widthPx] of [
    [hovered, palette.text, 1],
    [focused, palette.focus, 2],
  ] as const) {
    if (i < 0 || i >= frame.count) continue;
    const x0 = Math.max(0, x(frame.start[i]!));
    const x1 = Math.max(x0 + 1, x(Number.isNaN(frame.end[i]!) ? frame.to : frame.end[i]!));
    ctx.strokeStyle = colour;
    ctx.lineWidth = widthPx * dpr;
    ctx.strokeRect(x0 - widthPx * dpr, frame.lane[i]! * LH + pad / 2, x1 - x0 + 2 * widthPx * dpr, LH - pad);
  }

  // The queue strip: mean tasks waiting per slice, as steps scaled to the window's peak.
  const top = lanes * LH;
  const QH = queueHeight * dpr;
  const depth = frame.queueDepth;
  let peak = 1;
  for (let b = 0; b < depth.length; b++) if (depth[b]! > peak) peak = depth[b]!;
  ctx.globalAlpha = 0.5;
  ctx.fillStyle = palette.grid;
  ctx.fillRect(0, top, W, Math.max(1, dpr));
  ctx.globalAlpha = 0.75;
  ctx.fillStyle = palette.queue;
  const step = W / depth.length;
  const bottom = top + QH;
  const strip = new Path2D();
  for (let b = 0; b < depth.length; b++) {
    if (depth[b]! <= 0) continue;
    const h = Math.max(dpr, ((QH - 3 * dpr) * depth[b]!) / peak);
    strip.rect(b * step, bottom - h, step + 0.5, h);
  }
  ctx.fill(strip);
  ctx.globalAlpha = 1;
}

/** Draws the throughput sparkline: settled tasks per second, scaled to the window's peak. */
export function paintThroughput(ctx: CanvasRenderingContext2D, frame: Frame, palette: Palette, width: number, height: number, dpr: number): void {
  const W = Math.round(width * dpr);
  const H = Math.round(height * dpr);
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  ctx.clearRect(0, 0, ctx.canvas.width, ctx.canvas.height);
  const values = frame.throughput;
  let peak = 0;
  for (let b = 0; b < values.length; b++) if (values[b]! > peak) peak = values[b]!;
  if (peak === 0) return;
  const span = frame.to - frame.from;
  const x = (b: number) => ((frame.throughputTo - (values.length - b - 0.5) * frame.throughputMs - frame.from) / span) * W;
  const y = (v: number) => H - dpr - ((H - 3 * dpr) * v) / peak;
  const line = new Path2D();
  line.moveTo(x(0), y(values[0]!));
  for (let b = 1; b < values.length; b++) line.lineTo(x(b), y(values[b]!));
  const area = new Path2D(line);
  area.lineTo(x(values.length - 1), H);
  area.lineTo(x(0), H);
  area.closePath();
  ctx.globalAlpha = 0.2;
  ctx.fillStyle = palette.throughput;
  ctx.fill(area);
  ctx.globalAlpha = 1;
  ctx.strokeStyle = palette.throughput;
  ctx.lineWidth = Math.max(1, 1.5 * dpr);
  ctx.lineJoin = 'round';
  ctx.stroke(line);
}
