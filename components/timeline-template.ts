/**
 * The DOM around `<pool-monitor>`'s canvases: the time axis, a labelled row per lane, the
 * queue strip's label, the throughput row, the tooltip, and the hidden swatches the
 * canvas reads its colours from. Structure and text only; the bars are on the canvas.
 *
 * @internal
 */
import { html, nothing, type TemplateResult } from 'lit';
import { SWATCHES } from './timeline-painter.js';
import { durationText, type AxisTick } from './monitor-window.js';
import { OUTCOMES, RUNNING, type Frame } from './pool-timeline.js';
import type { TimelineLane } from './timeline-view.js';

/** How a lane names its worker's boot: short, the lane label is narrow. */
const MODE_TEXT = { snapshot: 'snapshot', 'base-snapshot': 'base snap', normal: 'boot' } as const;
const MODE_TITLE = { snapshot: "restored from the pool's snapshot", 'base-snapshot': 'restored from the base snapshot', normal: 'a normal boot' } as const;

function lane(l: TimelineLane): TemplateResult {
  const mode = l.mode ? MODE_TEXT[l.mode] : '';
  const text = l.state === 'booting' ? 'booting' : l.end ? l.end : mode;
  const title = [`worker #${l.worker}`, l.mode ? MODE_TITLE[l.mode] : l.state === 'booting' ? 'booting' : '', l.end ?? ''].filter(Boolean).join(' · ');
  return html`<div part="lane" role="listitem" data-worker=${l.worker} data-state=${l.state} data-end=${l.end ?? nothing} title=${title}>
    <b>#${l.worker}</b><span class="mode">${text}</span>
  </div>`;
}

/** Where the tooltip points, and what it says. */
export interface Tip {
  /** 0 (window's start) to 1 (now): the bar's middle. */
  readonly at: number;
  readonly lane: number;
  readonly lines: readonly string[];
}

/** The tooltip's account of bar `i` of `frame`, labelled by its task's first code line. */
export function tipFor(frame: Frame, i: number, label: string): Tip {
  const start = frame.start[i]!;
  const end = Number.isNaN(frame.end[i]!) ? undefined : frame.end[i]!;
  const c = frame.colour[i]!;
  const worker = frame.lanes[frame.lane[i]!]!.worker;
  const mid = ((start + (end ?? frame.to)) / 2 - frame.from) / (frame.to - frame.from);
  return {
    at: Math.min(1, Math.max(0, mid)),
    lane: frame.lane[i]!,
    lines: [
      `Task #${frame.ids[i]!}${label ? ` · ${label}` : ''}`,
      `${c === RUNNING ? 'running' : OUTCOMES[c]!} on worker #${worker}`,
      `wait ${durationText(start - frame.queued[i]!)} · run ${end === undefined ? `${durationText(frame.to - start)} so far` : durationText(end - start)}`,
    ],
  };
}

export interface TimelineTemplate {
  readonly frame: Frame | undefined;
  readonly ticks: readonly AxisTick[];
  readonly windowMs: number;
  readonly rate: string;
  readonly tip: Tip | undefined;
  readonly inspect: boolean;
  readonly onPointer: (event: PointerEvent) => void;
  readonly onLeave: () => void;
  readonly onClick: (event: MouseEvent) => void;
  readonly onKey: (event: KeyboardEvent) => void;
  readonly onBlur: (event: FocusEvent) => void;
}

/** The timeline part (axis, lanes, queue, canvas, tooltip), the throughput part, and the swatches. */
export function timelineTemplate(t: TimelineTemplate): TemplateResult {
  const lanes = t.frame?.lanes ?? [];
  let peak = 0;
  for (const d of t.frame?.queueDepth ?? []) peak = Math.max(peak, d);
  const description = `Task timeline of the last ${durationText(t.windowMs)}: one lane per worker, one bar per task. Arrow keys move between tasks${t.inspect ? ', Enter opens one' : ''}.`;
  const tip = t.tip;
  return html`<div part="timeline" tabindex="0" role="group" aria-roledescription="timeline" aria-label=${description} @keydown=${t.onKey} @focusout=${t.onBlur}>
      <div class="axis" aria-hidden="true">
        <span class="title">${lanes.length} workers</span>
        <div class="ticks">${t.ticks.map((tick) => html`<span style=${`left: ${(tick.at * 100).toFixed(3)}%`}>${tick.text}</span>`)}</div>
      </div>
      <div class="rows" role="list" aria-label="workers">
        ${lanes.map(lane)}
        <div part="queue" role="listitem" title="tasks waiting for a worker">queue <span class="peak">${peak >= 0.05 ? `≤ ${Math.ceil(peak)}` : ''}</span></div>
        <div class="plot" style=${`grid-row: 1 / span ${lanes.length + 1}`} @pointermove=${t.onPointer} @pointerleave=${t.onLeave} @click=${t.onClick}>
          <canvas aria-hidden="true"></canvas>
        </div>
      </div>
      <div
        part="tooltip"
        role="status"
        aria-live="polite"
        style=${
          tip
            ? `left: calc(var(--_label-w) + (100% - var(--_label-w)) * ${tip.at.toFixed(4)}); top: calc(17px + ${tip.lane + 1} * var(--_lane-h) + 3px); transform: translateX(${tip.at > 0.6 ? '-100%' : tip.at < 0.1 ? '0' : '-50%'})`
            : 'opacity: 0'
        }
      >${tip ? tip.lines.join('\n') : ''}</div>
    </div>
    <div part="throughput" title="settled tasks per second">
      <span class="name"><b class="rate">${t.rate}</b> tasks/s</span>
      <div class="spark"><canvas aria-hidden="true"></canvas></div>
    </div>
    <div class="swatches" aria-hidden="true">${[...SWATCHES, 'lane'].map((name) => html`<span data-swatch=${name} style=${`color: var(--_${name})`}></span>`)}</div>`;
}
