import type { Meta, StoryObj } from '@storybook/web-components';
import { html } from 'lit';
import { expect, userEvent } from 'storybook/test';
import type { PoolMonitorElement } from '../components/index.js';
import { PyodidePool, type TaskOutcome } from '../workers/index.js';
import { busy, INDEX_URL } from './shared.js';

/**
 * `<pool-monitor>`'s timeline: one lane per worker, one bar per task coloured by how it
 * ended, the queue's depth under the lanes and tasks per second beside them. Hover or
 * focus a bar for its timings; with `inspect`, click it for its code, output and result.
 */
const meta: Meta = {
  title: 'Elements/pool-monitor timeline',
  component: 'pool-monitor',
};
export default meta;

type Story = StoryObj<{ pool: PyodidePool }>;

/** One pool for the catalogue page, made on first render. */
let shared: PyodidePool | undefined;
const pool = () => (shared ??= new PyodidePool({ indexURL: INDEX_URL, min: 2, max: 2 }));

const monitorIn = (canvas: HTMLElement) => canvas.querySelector('pool-monitor') as PoolMonitorElement;

/**
 * A mixed load: 120 tasks of uneven length, of which some fail (`1 / 0`), some are
 * cancelled while they wait, two time out, and one ends its worker (`js.close()`), which
 * the pool replaces. Each kind of ending gets its own colour.
 */
async function mixedLoad(p: PyodidePool): Promise<void> {
  await p.ready();
  const runs: Promise<unknown>[] = [];
  for (let i = 0; i < 120; i++) {
    const code = i % 17 === 5 ? '1 / 0' : `sum(range(${(i % 7) * 40_000}))`;
    runs.push(p.run(code));
  }
  const cancelled = Array.from({ length: 6 }, () => p.submit(busy(0.2)));
  for (const task of cancelled) task.cancel('changed my mind');
  runs.push(...cancelled.map((t) => t.result));
  runs.push(p.run('while True: pass', { timeout: 150 }), p.run('while True: pass', { timeout: 150 }));
  runs.push(p.run('import js\njs.close()\n"never delivered"'));
  await Promise.allSettled(runs);
}

const outcomesOf = (monitor: PoolMonitorElement) => new Set(monitor.timelineView.bars.map((b) => b.outcome));

export const MixedLoad: Story = {
  render: () => html`<pool-monitor inspect window="30s" .pool=${pool()}></pool-monitor>`,
  play: async ({ canvasElement, step }) => {
    const monitor = monitorIn(canvasElement);
    await step('run a mixed load', () => mixedLoad(pool()));
    await step('a lane per worker, the crashed one included', async () => {
      const view = await monitor.nextDraw();
      // Two workers from the start, plus the one that replaced the worker that closed.
      await expect(view.lanes.length).toBeGreaterThanOrEqual(3);
      const ended = view.lanes.filter((lane) => lane.end !== undefined);
      await expect(ended.length).toBeGreaterThanOrEqual(1);
      await expect(monitor.shadowRoot!.querySelectorAll('[part~="lane"]').length).toBe(view.lanes.length);
    });
    await step('a bar per task, coloured by outcome', async () => {
      const outcomes = outcomesOf(monitor);
      for (const outcome of ['done', 'failed', 'timeout', 'crashed'] satisfies TaskOutcome[]) await expect(outcomes.has(outcome)).toBe(true);
      // Cancelled while waiting, they never ran: their time in the queue is in the strip.
      const bars = monitor.timelineView.bars;
      await expect(bars.filter((b) => b.outcome === 'done').length).toBeGreaterThanOrEqual(100);
    });
  },
};

/** Keyboard: focus the timeline, move through the bars with the arrow keys, open one with Enter. */
export const KeyboardAndInspector: Story = {
  render: () => html`<pool-monitor inspect window="30s" .pool=${pool()}></pool-monitor>`,
  play: async ({ canvasElement, step }) => {
    const monitor = monitorIn(canvasElement);
    await step('run a task that prints and fails', async () => {
      await pool().ready();
      await pool()
        .run('print("<b>not bold</b>")\nraise ValueError("<i>shown as text</i>")')
        .catch(() => {});
    });
    await monitor.nextDraw();
    const timeline = monitor.shadowRoot!.querySelector('[part~="timeline"]') as HTMLElement;
    await step('focus a bar and read its tooltip', async () => {
      timeline.focus();
      await userEvent.keyboard('{End}');
      const tooltip = monitor.shadowRoot!.querySelector('[part~="tooltip"]')!;
      // Named by its first line, as text.
      await expect(tooltip.textContent).toContain('print("<b>not bold</b>")');
    });
    await step('open it: its error is text, never markup', async () => {
      await userEvent.keyboard('{Enter}');
      await monitor.updateComplete;
      const inspector = monitor.shadowRoot!.querySelector('[part~="inspector"]')!;
      await expect(inspector.textContent).toContain('<i>shown as text</i>');
      await expect(inspector.textContent).toContain('<b>not bold</b>');
      // Had the text been parsed as markup, an element would hold just its inner text.
      const made = [...inspector.querySelectorAll('*')].filter((el) => el.textContent === 'shown as text' || el.textContent === 'not bold');
      await expect(made.length).toBe(0);
    });
  },
};
