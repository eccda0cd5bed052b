/**
 * `<pool-monitor inspect>`'s panel for one task: its code, inputs, output, progress, result
 * or error with traceback, and timings. Text only: every value goes through a Lit text
 * binding, so a result that looks like markup shows as that markup's text and creates no
 * element.
 *
 * @internal
 */
import { css, html, nothing, type TemplateResult } from 'lit';
import type { TaskDetails, TaskPool, TaskTiming } from '../workers/index.js';
import { durationText } from './monitor-window.js';

/** The event `<pool-monitor>` dispatches when a task opens in its inspector. */
export class PoolMonitorInspectEvent extends Event {
  static readonly eventName = 'pool-monitor-inspect';
  constructor(readonly detail: { readonly id: number }) {
    super(PoolMonitorInspectEvent.eventName, { bubbles: true, composed: true });
  }
}

declare global {
  interface GlobalEventHandlersEventMap {
    'pool-monitor-inspect': PoolMonitorInspectEvent;
  }
}

/** What the panel shows: the task's details if the log still has them, else its last known timing. */
export interface Inspected {
  readonly id: number;
  readonly timing: TaskTiming | undefined;
  readonly details: TaskDetails | undefined;
}

function timingRows(t: TaskTiming, now: number): TemplateResult {
  const wait = t.started !== undefined ? t.started - t.queued : (t.ended ?? now) - t.queued;
  const run = t.started !== undefined ? (t.ended ?? now) - t.started : undefined;
  return html`<dl class="timings">
    <div><dt>outcome</dt><dd>${t.outcome ?? (t.started === undefined ? 'queued' : 'running')}</dd></div>
    <div><dt>kind</dt><dd>${t.kind}${t.urgent ? ' (urgent)' : ''}</dd></div>
    <div><dt>worker</dt><dd>${t.worker === undefined ? '—' : `#${t.worker}`}</dd></div>
    <div><dt>queued</dt><dd>${durationText(now - t.queued)} ago</dd></div>
    <div><dt>wait</dt><dd>${durationText(wait)}</dd></div>
    <div><dt>run</dt><dd>${run === undefined ? '—' : durationText(run)}</dd></div>
  </dl>`;
}

/** A labelled block of text, left out when empty. */
function block(label: string, text: string | undefined, cls = ''): TemplateResult | typeof nothing {
  if (!text) return nothing;
  return html`<h4>${label}</h4>
    <pre class=${cls}>${text}</pre>`;
}

/** The inspector's content, for the task `inspected`; `close` closes it. */
export function inspectorTemplate(inspected: Inspected, close: () => void): TemplateResult {
  const { id, details } = inspected;
  const timing = details?.timing ?? inspected.timing;
  const now = performance.now();
  const error = details?.error;
  return html`<section part="inspector" aria-label=${`Task #${id}`}>
    <header>
      <h3>Task #${id}${timing?.label ? html` · <code>${timing.label}</code>` : nothing}</h3>
      <button type="button" class="close" aria-label="Close the inspector" @click=${close}>×</button>
    </header>
    ${timing ? timingRows(timing, now) : nothing}
    ${
      details
        ? html`${block('Code', details.code, 'code')} ${block('Inputs', details.inputs)} ${block('Output', details.stdout)}
        ${details.progress ? html`<h4>Progress</h4><p>${Math.round(details.progress.fraction * 100)} %${details.progress.message ? ` · ${details.progress.message}` : ''}</p>` : nothing}
        ${details.result !== undefined ? block('Result', details.result || '""') : nothing}
        ${error ? html`<h4>Error</h4><p class="error">${error.name}: ${error.message}</p>${block('Traceback', error.traceback, 'error')}` : nothing}`
        : html`<p class="gone">The details of this task are no longer kept: the inspector keeps those of the last 200 tasks settled while it is on. Its timings are above.</p>`
    }
  </section>`;
}

/** Task `id`'s timing from `pool`'s log, copied, if the log still has it. */
export function timingOf(pool: TaskPool, id: number): TaskTiming | undefined {
  const found = pool.state.recent.peek().tasks.find((t) => t.id === id);
  return found && { ...found };
}

/** The inspector for task `open.id` of `pool`: its details while the log keeps them, else its latest (or last known) timing. */
export function inspectorFor(pool: TaskPool, open: { id: number; timing: TaskTiming | undefined }, close: () => void): TemplateResult {
  const details = pool.state.recent.peek().details(open.id);
  return inspectorTemplate({ id: open.id, timing: details?.timing ?? timingOf(pool, open.id) ?? open.timing, details }, close);
}

/** The panel's styles, added to the monitor's. */
export const inspectorStyles = css`
  [part='inspector'] {
    margin-top: 0.5rem;
    border: 1px solid var(--_grid);
    border-radius: 6px;
    padding: 0.4rem 0.7rem 0.6rem;
    font-size: 0.85em;
    max-height: 24rem;
    overflow: auto;
  }
  [part='inspector'] header {
    display: flex;
    align-items: baseline;
    justify-content: space-between;
    gap: 1rem;
  }
  [part='inspector'] h3 {
    margin: 0;
    font-size: 1em;
    overflow-wrap: anywhere;
  }
  [part='inspector'] h4 {
    margin: 0.6rem 0 0.2rem;
    font-size: 0.8em;
    text-transform: uppercase;
    letter-spacing: 0.04em;
    opacity: 0.7;
  }
  [part='inspector'] pre {
    margin: 0;
    padding: 0.35rem 0.5rem;
    background: color-mix(in srgb, currentColor 6%, transparent);
    border-radius: 4px;
    white-space: pre-wrap;
    overflow-wrap: anywhere;
    max-height: 10rem;
    overflow: auto;
  }
  [part='inspector'] .error {
    color: var(--_failed);
  }
  [part='inspector'] .gone {
    opacity: 0.75;
    font-style: italic;
  }
  [part='inspector'] .close {
    font: inherit;
    font-size: 1.2em;
    line-height: 1;
    border: none;
    background: none;
    color: inherit;
    cursor: pointer;
    padding: 0.1rem 0.3rem;
    border-radius: 4px;
  }
  [part='inspector'] .close:focus-visible {
    outline: 2px solid var(--_focus);
  }
  .timings {
    margin: 0.4rem 0 0;
  }
`;
