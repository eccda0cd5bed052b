/**
 * Pointing at `<pool-monitor>`'s timeline: which bar is under the pointer, where the arrow
 * keys move the focus, and what the tooltip says about the bar hovered or focused. The
 * finding is pure (a frame in, a bar index out); {@link TimelinePointer} wires it to the
 * element's events.
 *
 * @internal
 */
import type { TaskPool } from '../workers/index.js';
import type { Frame } from './pool-timeline.js';
import type { TimelineController } from './timeline-controller.js';
import { tipFor, type Tip } from './timeline-template.js';

/** The index of the bar with task id `id` in `frame`, or -1. */
export function indexOfTask(frame: Frame, id: number | undefined): number {
  if (id === undefined) return -1;
  for (let i = 0; i < frame.count; i++) if (frame.ids[i] === id) return i;
  return -1;
}

/**
 * The bar under a point of the plot (`x` from 0 to `width`, `y` in lanes of `laneHeight`),
 * within `slop` px either side in time: the nearest, a bar under the point first. -1 if none.
 */
export function barAtPoint(frame: Frame, x: number, y: number, width: number, laneHeight: number, slop = 3): number {
  const lane = Math.floor(y / laneHeight);
  if (lane < 0 || lane >= frame.lanes.length || width <= 0) return -1;
  const msPerPx = (frame.to - frame.from) / width;
  const t = frame.from + x * msPerPx;
  let best = -1;
  let bestDistance = slop * msPerPx;
  for (let i = 0; i < frame.count; i++) {
    if (frame.lane[i] !== lane) continue;
    const end = Number.isNaN(frame.end[i]!) ? frame.to : frame.end[i]!;
    const distance = t < frame.start[i]! ? frame.start[i]! - t : t > end ? t - end : 0;
    if (distance <= bestDistance) {
      best = i;
      bestDistance = distance;
    }
  }
  return best;
}

/** The keys that move between bars. */
export type BarKey = 'ArrowLeft' | 'ArrowRight' | 'ArrowUp' | 'ArrowDown' | 'Home' | 'End';

/**
 * Where a key moves the focus from bar `current` (-1: none yet, start at the newest bar):
 * left and right to the previous and next bar of its lane in time, up and down to the
 * bar nearest in time in the next lane that has any, Home and End to its lane's first and
 * last. Returns a bar index, or -1 when there are no bars.
 */
export function moveFocus(frame: Frame, current: number, key: BarKey): number {
  if (frame.count === 0) return -1;
  const byLane: number[][] = frame.lanes.map(() => []);
  for (let i = 0; i < frame.count; i++) byLane[frame.lane[i]!]!.push(i);
  for (const bars of byLane) bars.sort((a, b) => frame.start[a]! - frame.start[b]! || frame.ids[a]! - frame.ids[b]!);
  if (current < 0) {
    // Nothing focused yet: start from the newest bar (Home: the first of its lane).
    let newest = 0;
    for (let i = 1; i < frame.count; i++) if (frame.start[i]! >= frame.start[newest]!) newest = i;
    if (key !== 'Home') return newest;
    current = newest;
  }
  const lane = frame.lane[current]!;
  const bars = byLane[lane]!;
  const at = bars.indexOf(current);
  if (key === 'ArrowLeft') return bars[Math.max(0, at - 1)]!;
  if (key === 'ArrowRight') return bars[Math.min(bars.length - 1, at + 1)]!;
  if (key === 'Home') return bars[0]!;
  if (key === 'End') return bars[bars.length - 1]!;
  const step = key === 'ArrowUp' ? -1 : 1;
  for (let l = lane + step; l >= 0 && l < byLane.length; l += step) {
    const other = byLane[l]!;
    if (!other.length) continue;
    const t = frame.start[current]!;
    return other.reduce((best, i) => (Math.abs(frame.start[i]! - t) < Math.abs(frame.start[best]! - t) ? i : best), other[0]!);
  }
  return current;
}

const BAR_KEYS = new Set<string>(['ArrowLeft', 'ArrowRight', 'ArrowUp', 'ArrowDown', 'Home', 'End']);

/** What the pointer needs from the element. */
export interface PointerHost {
  readonly pool: TaskPool | undefined;
  readonly inspect: boolean;
  requestUpdate(): void;
}

/** The timeline's pointer and keyboard handlers, and its tooltip. */
export class TimelinePointer {
  readonly #host: PointerHost;
  readonly #timeline: TimelineController;
  readonly #open: (id: number) => void;
  /** Closes the inspector; false if it was not open. */
  readonly #close: () => boolean;

  constructor(host: PointerHost, timeline: TimelineController, actions: { open(id: number): void; close(): boolean }) {
    this.#host = host;
    this.#timeline = timeline;
    this.#open = actions.open;
    this.#close = actions.close;
  }

  /** The bar under a pointer event on the plot, as an index into the last frame (-1: none). */
  #barAt(event: MouseEvent): number {
    const frame = this.#timeline.frame;
    if (!frame) return -1;
    const box = (event.currentTarget as HTMLElement).getBoundingClientRect();
    return barAtPoint(frame, event.clientX - box.left, event.clientY - box.top, box.width, this.#timeline.laneHeight);
  }

  /** Hover (or focus) task `id`: outline it on the next frame, describe it in the tooltip. */
  #point(id: number | undefined, focus: boolean): void {
    const timeline = this.#timeline;
    if (focus ? timeline.focused === id : timeline.hovered === id) return;
    if (focus) timeline.focused = id;
    else timeline.hovered = id;
    timeline.invalidate();
    this.#host.requestUpdate();
  }

  readonly onPointer = (event: PointerEvent): void => this.#point(this.#timeline.frame?.ids[this.#barAt(event)], false);
  readonly onLeave = (): void => this.#point(undefined, false);

  /** The focus left the timeline (not for a part of it): no bar is focused, the tooltip goes. */
  readonly onBlur = (event: FocusEvent): void => {
    if (!(event.currentTarget as Element).contains(event.relatedTarget as Node | null)) this.#point(undefined, true);
  };

  readonly onClick = (event: MouseEvent): void => {
    const id = this.#timeline.frame?.ids[this.#barAt(event)];
    if (id === undefined) return;
    this.#point(id, true);
    if (this.#host.inspect) this.#open(id);
  };

  readonly onKey = (event: KeyboardEvent): void => {
    const frame = this.#timeline.frame;
    const focused = this.#timeline.focused;
    if (event.key === 'Escape') {
      if (!this.#close()) return;
    } else if (BAR_KEYS.has(event.key) && frame) {
      const next = moveFocus(frame, indexOfTask(frame, focused), event.key as BarKey);
      if (next >= 0) this.#point(frame.ids[next], true);
    } else if ((event.key === 'Enter' || event.key === ' ') && this.#host.inspect && focused !== undefined) this.#open(focused);
    else return;
    event.preventDefault();
  };

  /** The tooltip: the hovered bar, else the focused one; labelled by its first code line, read from the log once per tooltip. */
  tip(): Tip | undefined {
    const frame = this.#timeline.frame;
    const i = frame ? indexOfTask(frame, this.#timeline.hovered ?? this.#timeline.focused) : -1;
    if (!frame || i < 0) return undefined;
    const id = frame.ids[i]!;
    const label = this.#host.pool?.state.recent.peek().tasks.find((t) => t.id === id)?.label ?? '';
    return tipFor(frame, i, label);
  }
}
