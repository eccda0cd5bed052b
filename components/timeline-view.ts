/**
 * What `<pool-monitor>`'s timeline drew, as plain objects: the public shape of
 * `monitor.timelineView`, built from a frame's typed arrays only when someone reads it.
 */
import type { TaskKind, TaskOutcome } from '../workers/index.js';
import { KINDS, OUTCOMES, RUNNING, type Frame } from './pool-timeline.js';

/** How a lane's worker ended, if it did: a worker event's kind (see `pool.state.recent`), or a boot that failed. */
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
