/**
 * What `<pool-monitor>`'s timeline shows, computed from `pool.state.recent` for one frame:
 * a lane per worker, a bar per task, the queue depth and the throughput over the window —
 * and which bar is under a point or next to another. Pure: no DOM, no canvas.
 *
 * One pass over the tasks per frame, into typed arrays reused from frame to frame: at
 * 10,000 tasks nothing is allocated per task. The objects of {@link TimelineView} are built
 * only when someone reads them.
 *
 * @internal
 */
import type { TaskKind, TaskOutcome, TaskTiming, WorkerEvent } from '../workers/index.js';

/** How a lane's worker ended, if it did: a {@link WorkerEvent} kind, or a boot that failed. */
export type LaneEnd = 'recycled' | 'retired' | 'trimmed' | 'died' | 'ended' | 'boot-failed';

/** A lane's worker: booting, warm and taking tasks, or gone (its lane stays until it scrolls out). */
export type LaneState = 'booting' | 'ready' | 'ended';

/** One worker's lane, as drawn. `mode` once booted; `end` once ended. */
export interface TimelineLane {
  readonly worker: number;
  readonly state: LaneState;
  readonly mode?: 'snapshot' | 'base-snapshot' | 'normal';
  readonly end?: LaneEnd;
  /** When its boot began, was done, and when it ended (`performance.now()` ms), as far as the log knows. */
  readonly startedAt?: number;
  readonly bootedAt?: number;
  readonly endedAt?: number;
}

/** One task's bar, as drawn: from `start` to `end`, or still running (`end` undefined). */
export interface TimelineBar {
  readonly id: number;
  readonly worker: number;
  readonly outcome?: TaskOutcome;
  readonly kind: TaskKind;
  readonly start: number;
  readonly end?: number;
}

/**
 * Exactly what `<pool-monitor>`'s last frame drew (`monitor.timelineView`), for tests,
 * stories and benchmarks. Times are `performance.now()` ms; `from`–`to` is the window.
 * `queueDepth`: the mean number of tasks waiting in each slice of the window, oldest first.
 * `throughput`: settled tasks per second in each slice, oldest first.
 *
 * @example
 * const view = await monitor.nextDraw();
 * const failed = view.bars.filter((b) => b.outcome === 'failed').length;
 */
export interface TimelineView {
  readonly from: number;
  readonly to: number;
  readonly lanes: readonly TimelineLane[];
  readonly bars: readonly TimelineBar[];
  readonly queueDepth: readonly number[];
  readonly throughput: readonly number[];
}

/** Colour slots, in drawing order: the five outcomes, then running. */
export const OUTCOMES: readonly TaskOutcome[] = ['done', 'failed', 'cancelled', 'timeout', 'crashed'];
export const RUNNING = OUTCOMES.length;
const KINDS: readonly TaskKind[] = ['task', 'map-chunk', 'generator'];

/** Slices of the throughput sparkline. */
export const THROUGHPUT_BUCKETS = 60;

/** One frame's content. Bar `i` is `ids[i]` in lane `lane[i]`; `end[i]` is NaN while it runs. */
export interface Frame {
  readonly from: number;
  readonly to: number;
  readonly lanes: readonly TimelineLane[];
  readonly count: number;
  readonly ids: Float64Array;
  readonly lane: Int32Array;
  readonly queued: Float64Array;
  readonly start: Float64Array;
  readonly end: Float64Array;
  /** Index into {@link OUTCOMES}, or {@link RUNNING}. */
  readonly colour: Uint8Array;
  readonly kind: Uint8Array;
  readonly queueDepth: Float64Array;
  /** Settled tasks per second in whole slices of `throughputMs`, the last ending at `throughputTo`. */
  readonly throughput: Float64Array;
  readonly throughputTo: number;
  readonly throughputMs: number;
  /** Settled tasks per second over the last 3 s (or the window, if shorter). */
  readonly rate: number;
  /** Something grows with time: a bar running or a worker booting. */
  readonly live: boolean;
  /** Anything at all is drawn at a time inside the window (so the window's scroll shows). */
  readonly moving: boolean;
}

/** Growable scratch arrays, kept across frames so a frame allocates nothing per task. */
class Scratch {
  ids = new Float64Array(256);
  lane = new Int32Array(256);
  queued = new Float64Array(256);
  start = new Float64Array(256);
  end = new Float64Array(256);
  colour = new Uint8Array(256);
  kind = new Uint8Array(256);
  grow(n: number): void {
    if (n <= this.ids.length) return;
    const size = Math.max(n, this.ids.length * 2);
    const grown = <T extends Float64Array | Int32Array | Uint8Array>(a: T, make: (n: number) => T): T => {
      const b = make(size);
      b.set(a);
      return b;
    };
    this.ids = grown(this.ids, (n) => new Float64Array(n));
    this.lane = grown(this.lane, (n) => new Int32Array(n));
    this.queued = grown(this.queued, (n) => new Float64Array(n));
    this.start = grown(this.start, (n) => new Float64Array(n));
    this.end = grown(this.end, (n) => new Float64Array(n));
    this.colour = grown(this.colour, (n) => new Uint8Array(n));
    this.kind = grown(this.kind, (n) => new Uint8Array(n));
  }
}

const scratch = new Scratch();

/** What a frame is built from: the log's arrays (read once), the workers alive now, the window and how finely to slice it. */
export interface FrameInput {
  readonly tasks: readonly TaskTiming[];
  readonly events: readonly WorkerEvent[];
  readonly alive: readonly { id: number; status: string }[];
  readonly now: number;
  readonly windowMs: number;
  readonly queueBuckets: number;
}

/** Builds one frame. */
export function buildFrame({ tasks, events, alive, now, windowMs, queueBuckets }: FrameInput): Frame {
  const from = now - windowMs;
  const to = now;
  const lanes = buildLanes(tasks, events, alive, from, to);
  const laneOf = new Map(lanes.map((l, i) => [l.worker, i]));
  const queue = new Float64Array(queueBuckets);
  const full = new Int32Array(queueBuckets + 1);
  const qMs = windowMs / queueBuckets;
  const tMs = windowMs / THROUGHPUT_BUCKETS;
  const throughputTo = Math.floor(to / tMs) * tMs;
  const tFrom = throughputTo - THROUGHPUT_BUCKETS * tMs;
  const throughput = new Float64Array(THROUGHPUT_BUCKETS);
  const rateSpan = Math.min(3_000, windowMs);
  let recent = 0;
  let live = lanes.some((l) => l.state === 'booting');
  let moving = live || lanes.some((l) => (l.bootedAt ?? -Infinity) >= from || (l.endedAt ?? -Infinity) >= from);
  scratch.grow(tasks.length);
  const { ids, lane, queued: waitFrom, start, end, colour, kind } = scratch;
  let n = 0;
  for (let i = 0; i < tasks.length; i++) {
    const t = tasks[i]!;
    const { queued, started, ended } = t;
    // Waiting: from queued to started (or to its end, if it never started), as a share of each slice.
    const waitEnd = started ?? ended ?? to;
    if (queued < to && waitEnd > from && waitEnd > queued) {
      const a = (Math.max(queued, from) - from) / qMs;
      const b = (Math.min(waitEnd, to) - from) / qMs;
      const ia = Math.min(Math.floor(a), queueBuckets - 1);
      const ib = Math.min(Math.floor(b), queueBuckets - 1);
      if (ia === ib) queue[ia]! += b - a;
      else {
        queue[ia]! += ia + 1 - a;
        full[ia + 1]!++;
        full[ib]!--;
        queue[ib]! += b - ib;
      }
    }
    if (ended !== undefined && ended >= tFrom) {
      if (ended < throughputTo) throughput[Math.floor((ended - tFrom) / tMs)]!++;
      if (ended > to - rateSpan) recent++;
    }
    if (started === undefined || t.worker === undefined || started > to || (ended !== undefined && ended < from)) continue;
    const l = laneOf.get(t.worker);
    if (l === undefined) continue;
    ids[n] = t.id;
    lane[n] = l;
    waitFrom[n] = queued;
    start[n] = started;
    end[n] = ended ?? NaN;
    colour[n] = t.outcome === undefined ? RUNNING : OUTCOMES.indexOf(t.outcome);
    kind[n] = KINDS.indexOf(t.kind);
    if (ended === undefined) live = true;
    moving = true;
    n++;
  }
  let depth = 0;
  for (let b = 0; b < queueBuckets; b++) {
    depth += full[b]!;
    queue[b]! += depth;
    if (queue[b]! > 0) moving = true;
  }
  for (let b = 0; b < THROUGHPUT_BUCKETS; b++) throughput[b]! *= 1_000 / tMs;
  return {
    from,
    to,
    lanes,
    count: n,
    // Copies of the used part: the view of this frame stays what it drew after the next one.
    ids: ids.slice(0, n),
    lane: lane.slice(0, n),
    queued: waitFrom.slice(0, n),
    start: start.slice(0, n),
    end: end.slice(0, n),
    colour: colour.slice(0, n),
    kind: kind.slice(0, n),
    queueDepth: queue,
    throughput,
    throughputTo,
    throughputMs: tMs,
    rate: (recent * 1_000) / rateSpan,
    live,
    moving,
  };
}

/** The lanes of the workers seen in the window: alive now, with a bar in it, or living in part of it. */
function buildLanes(tasks: readonly TaskTiming[], events: readonly WorkerEvent[], alive: readonly { id: number; status: string }[], from: number, to: number): TimelineLane[] {
  type Mutable = { -readonly [K in keyof TimelineLane]: TimelineLane[K] };
  const byId = new Map<number, Mutable>();
  const get = (worker: number) => {
    let lane = byId.get(worker);
    if (!lane) byId.set(worker, (lane = { worker, state: 'ready' }));
    return lane;
  };
  for (const e of events) {
    if (e.at > to) continue;
    const lane = get(e.worker);
    if (e.event === 'started') lane.startedAt = e.at;
    else if (e.event === 'booted') {
      lane.bootedAt = e.at;
      lane.mode = e.mode;
    } else if (lane.end === undefined) {
      lane.end = e.event;
      lane.endedAt = e.at;
    }
  }
  const shown = new Set<number>();
  for (const w of alive) {
    shown.add(w.id);
    const lane = get(w.id);
    // A pool without boot events (a WasmPool instance) still says when a worker is starting.
    if (lane.bootedAt === undefined && lane.startedAt === undefined && w.status === 'starting') lane.startedAt = to;
  }
  for (const lane of byId.values()) {
    if ((lane.startedAt ?? lane.bootedAt ?? -Infinity) <= to && (lane.endedAt ?? Infinity) >= from) shown.add(lane.worker);
  }
  for (const t of tasks) {
    if (t.worker !== undefined && t.started !== undefined && t.started <= to && (t.ended ?? Infinity) >= from) shown.add(t.worker);
  }
  return [...shown]
    .sort((a, b) => a - b)
    .map((worker) => {
      const lane = get(worker);
      lane.state = lane.end !== undefined ? 'ended' : lane.startedAt !== undefined && lane.bootedAt === undefined ? 'booting' : 'ready';
      return lane;
    });
}

/** A frame as {@link TimelineView}: the bars' objects are built when first read. */
export function frameView(frame: Frame): TimelineView {
  let bars: TimelineBar[] | undefined;
  let queueDepth: number[] | undefined;
  let throughput: number[] | undefined;
  return {
    from: frame.from,
    to: frame.to,
    lanes: frame.lanes,
    get bars() {
      return (bars ??= Array.from({ length: frame.count }, (_, i) => barAt(frame, i)));
    },
    get queueDepth() {
      return (queueDepth ??= Array.from(frame.queueDepth));
    },
    get throughput() {
      return (throughput ??= Array.from(frame.throughput));
    },
  };
}

/** Bar `i` of `frame` as an object. */
export function barAt(frame: Frame, i: number): TimelineBar {
  const end = frame.end[i]!;
  const c = frame.colour[i]!;
  return {
    id: frame.ids[i]!,
    worker: frame.lanes[frame.lane[i]!]!.worker,
    ...(c === RUNNING ? {} : { outcome: OUTCOMES[c]! }),
    kind: KINDS[frame.kind[i]!]!,
    start: frame.start[i]!,
    ...(Number.isNaN(end) ? {} : { end }),
  };
}

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
    let newest = 0;
    for (let i = 1; i < frame.count; i++) if (frame.start[i]! >= frame.start[newest]!) newest = i;
    return newest;
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
