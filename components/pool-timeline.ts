/**
 * What `<pool-monitor>`'s timeline shows, computed from `pool.state.recent` for one frame:
 * a lane per worker, a bar per task, the queue depth and the throughput over the window.
 * Pure: no DOM, no canvas.
 *
 * One pass over the tasks per frame, into typed arrays reused from frame to frame: at
 * 10,000 tasks nothing is allocated per task. The objects of {@link TimelineView} are built
 * only when someone reads them.
 *
 * @internal
 */
import type { TaskKind, TaskOutcome, TaskTiming, WorkerEvent } from '../workers/index.js';
import type { TimelineLane } from './timeline-view.js';

/** Colour slots, in drawing order: the five outcomes, then running. */
export const OUTCOMES: readonly TaskOutcome[] = ['done', 'failed', 'cancelled', 'timeout', 'crashed'];
export const RUNNING = OUTCOMES.length;
export const KINDS: readonly TaskKind[] = ['task', 'map-chunk', 'generator'];

/** A task's colour slot: comparisons of interned strings, cheaper than a keyed lookup in the hot loop. */
function slotOf(outcome: TaskOutcome | undefined): number {
  return outcome === 'done' ? 0 : outcome === undefined ? RUNNING : outcome === 'failed' ? 1 : outcome === 'cancelled' ? 2 : outcome === 'timeout' ? 3 : 4;
}

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
  /** Kept by the caller from frame to frame: where the tasks that can no longer be seen end. */
  readonly memo?: FrameMemo;
}

/** What one frame leaves for the next: tasks below `skipBelow` (by id) settled before anything it draws. */
export interface FrameMemo {
  skipBelow: number;
  windowMs: number;
}

/** The index of the first task whose id is at least `id` (tasks are in the order they were queued, ids rising). */
function firstFrom(tasks: readonly TaskTiming[], id: number): number {
  let lo = 0;
  let hi = tasks.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (tasks[mid]!.id < id) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Builds one frame. */
export function buildFrame({ tasks, events, alive, now, windowMs, queueBuckets, memo }: FrameInput): Frame {
  const from = now - windowMs;
  const to = now;
  // Bars take a provisional lane per worker, in order of appearance; sorted into lanes after the one pass.
  const seen = new Map<number, number>();
  const queue = new Float64Array(queueBuckets);
  const full = new Int32Array(queueBuckets + 1);
  const qMs = windowMs / queueBuckets;
  const tMs = windowMs / THROUGHPUT_BUCKETS;
  const throughputTo = Math.floor(to / tMs) * tMs;
  const tFrom = throughputTo - THROUGHPUT_BUCKETS * tMs;
  const throughput = new Float64Array(THROUGHPUT_BUCKETS);
  const rateSpan = Math.min(3_000, windowMs);
  let recent = 0;
  let live = false;
  let moving = false;
  scratch.grow(tasks.length);
  const { ids, lane, queued: waitFrom, start, end, colour, kind } = scratch;
  let n = 0;
  let lastWorker = -1;
  let lastLane: number | undefined;
  // A task that ended before the window, the sparkline and the rate all began adds nothing to
  // this frame or any later one (the window only moves on): the run of them at the start is
  // skipped from the next frame on, so a frame costs the tasks in the window, not the log.
  const cutoff = Math.min(from, tFrom, to - rateSpan);
  if (memo && memo.windowMs !== windowMs) Object.assign(memo, { skipBelow: 0, windowMs });
  let prefix = memo !== undefined;
  for (let i = memo ? firstFrom(tasks, memo.skipBelow) : 0; i < tasks.length; i++) {
    const t = tasks[i]!;
    const { queued, started, ended } = t;
    if (prefix) {
      if (ended !== undefined && ended < cutoff) {
        memo!.skipBelow = t.id + 1;
        continue;
      }
      prefix = false;
    }
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
    const w = t.worker;
    let l = w === lastWorker ? lastLane : seen.get(w);
    if (l === undefined) seen.set(w, (l = seen.size));
    lastWorker = w;
    lastLane = l;
    ids[n] = t.id;
    lane[n] = l;
    waitFrom[n] = queued;
    start[n] = started;
    end[n] = ended ?? NaN;
    colour[n] = slotOf(t.outcome);
    kind[n] = t.kind === 'task' ? 0 : t.kind === 'map-chunk' ? 1 : 2;
    if (ended === undefined) live = true;
    moving = true;
    n++;
  }
  const lanes = buildLanes(seen, events, alive, from, to);
  const final = new Int32Array(seen.size);
  lanes.forEach((l, i) => {
    const provisional = seen.get(l.worker);
    if (provisional !== undefined) final[provisional] = i;
  });
  for (let i = 0; i < n; i++) lane[i] = final[lane[i]!]!;
  if (lanes.some((l) => l.state === 'booting')) live = true;
  if (live || lanes.some((l) => (l.bootedAt ?? -Infinity) >= from || (l.endedAt ?? -Infinity) >= from)) moving = true;
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

/** The lanes of the workers seen in the window: alive now, with a bar in it (`withBars`), or living in part of it. */
function buildLanes(
  withBars: ReadonlyMap<number, number>,
  events: readonly WorkerEvent[],
  alive: readonly { id: number; status: string }[],
  from: number,
  to: number,
): TimelineLane[] {
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
  for (const worker of withBars.keys()) shown.add(worker);
  return [...shown]
    .sort((a, b) => a - b)
    .map((worker) => {
      const lane = get(worker);
      lane.state = lane.end !== undefined ? 'ended' : lane.startedAt !== undefined && lane.bootedAt === undefined ? 'booting' : 'ready';
      return lane;
    });
}
