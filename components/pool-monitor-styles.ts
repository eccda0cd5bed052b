/**
 * `<pool-monitor>`'s stylesheet: the counters and worker chips, the timeline (lanes, axis,
 * queue strip), the throughput sparkline and the tooltip. Every colour is a custom property
 * with a light and a dark default (`light-dark()`); the canvas reads them through the
 * hidden swatches at the end (see `readPalette`).
 *
 * @internal
 */
import { css } from 'lit';

export const monitorStyles = css`
  :host {
    display: block;
    color-scheme: light dark;
    font-family: var(--pool-monitor-font-family, inherit);
    font-variant-numeric: tabular-nums;
    --_busy: var(--pool-monitor-busy, light-dark(#2a7d3f, #7ee29a));
    --_starting: var(--pool-monitor-starting, light-dark(#9a6a00, #ffd166));
    --_done: var(--pool-monitor-done, light-dark(#4779c4, #6fa3ea));
    --_failed: var(--pool-monitor-failed, light-dark(#c92a2a, #ff6b6b));
    --_cancelled: var(--pool-monitor-cancelled, light-dark(#8d939c, #8a919b));
    --_timeout: var(--pool-monitor-timeout, light-dark(#d9480f, #ffa94d));
    --_crashed: var(--pool-monitor-crashed, light-dark(#862e9c, #da77f2));
    --_running: var(--pool-monitor-running, light-dark(#2b8a3e, #69db7c));
    --_booting: var(--pool-monitor-booting, light-dark(#b08900, #ffd43b));
    --_queue: var(--pool-monitor-queue, light-dark(#0c8599, #3bc9db));
    --_throughput: var(--pool-monitor-throughput, light-dark(#3b5bdb, #91a7ff));
    --_grid: var(--pool-monitor-grid, light-dark(#d5d9de, #3b4048));
    --_focus: var(--pool-monitor-focus, light-dark(#1c1c1c, #f8f9fa));
    --_lane-h: var(--pool-monitor-lane-height, 16px);
    --_label-w: 8.5em;
  }
  /* Without this, display: block above would outrank the hidden attribute. */
  :host([hidden]) {
    display: none;
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

  [part='timeline'] {
    position: relative;
    margin-top: 0.6rem;
    border: 1px solid var(--_grid);
    border-radius: 6px;
    font-size: 11px;
    line-height: 1;
    cursor: default;
  }
  [part='timeline']:focus-visible {
    outline: 2px solid var(--_focus);
    outline-offset: 2px;
  }
  .axis,
  .rows,
  [part='throughput'] {
    display: grid;
    grid-template-columns: var(--_label-w) minmax(0, 1fr);
  }
  .axis {
    height: 16px;
    border-bottom: 1px solid var(--_grid);
  }
  .axis .title {
    padding: 3px 0.5em 0;
    opacity: 0.6;
  }
  .ticks {
    position: relative;
  }
  .ticks span {
    position: absolute;
    top: 3px;
    transform: translateX(-50%);
    white-space: nowrap;
    opacity: 0.6;
  }
  .ticks span:last-child {
    transform: translateX(-100%);
    padding-right: 3px;
  }
  [part='lane'],
  [part='queue'],
  [part='throughput'] .name {
    grid-column: 1;
    display: flex;
    align-items: center;
    gap: 0.35em;
    padding: 0 0.5em;
    overflow: hidden;
    white-space: nowrap;
    border-right: 1px solid var(--_grid);
  }
  [part='lane'] {
    height: var(--_lane-h);
  }
  [part='lane'] .mode,
  [part='queue'] .peak {
    opacity: 0.6;
    overflow: hidden;
    text-overflow: ellipsis;
  }
  [part='lane'][data-state='booting'] .mode {
    color: var(--_booting);
    opacity: 1;
  }
  [part='lane'][data-state='ended'] {
    opacity: 0.55;
  }
  [part='lane'][data-end='died'] .mode,
  [part='lane'][data-end='boot-failed'] .mode {
    color: var(--_crashed);
    opacity: 1;
  }
  [part='queue'] {
    height: 24px; /* QUEUE_HEIGHT in timeline-controller.ts */
    border-top: 1px solid transparent;
  }
  .plot {
    grid-column: 2;
    position: relative;
    min-width: 0;
  }
  .plot canvas,
  .spark canvas {
    position: absolute;
    inset: 0;
    width: 100%;
    height: 100%;
  }
  [part='throughput'] {
    height: 28px;
    margin: 0.35rem 1px 0;
    font-size: 11px;
    line-height: 1;
  }
  [part='throughput'] .name {
    border-right-color: transparent;
    justify-content: flex-end;
  }
  .spark {
    position: relative;
    min-width: 0;
    border-bottom: 1px solid var(--_grid);
  }
  .rate {
    color: var(--_throughput);
  }
  [part='tooltip'] {
    position: absolute;
    z-index: 1;
    max-width: min(28rem, 90%);
    padding: 0.35rem 0.5rem;
    border-radius: 4px;
    border: 1px solid var(--_grid);
    background: light-dark(#ffffff, #1f2227);
    box-shadow: 0 2px 8px rgb(0 0 0 / 0.2);
    font-size: 11px;
    line-height: 1.35;
    pointer-events: none;
    white-space: pre-line;
    overflow-wrap: anywhere;
  }
  [part='tooltip']:empty {
    display: none;
  }
  [part='tooltip'] code {
    font-size: 1.05em;
  }
  .swatches {
    position: absolute;
    width: 0;
    height: 0;
    overflow: hidden;
    visibility: hidden;
  }
  .swatches [data-swatch='lane'] {
    display: block;
    height: var(--_lane-h);
  }
`;
