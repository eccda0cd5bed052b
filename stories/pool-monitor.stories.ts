import type { Meta, StoryObj } from '@storybook/web-components';
import { html } from 'lit';
import { expect } from 'storybook/test';
import type { PoolMonitorElement } from '../components/index.js';
import { INDEX_URL, poolIn } from './shared.js';

/** `<pool-monitor>` shows a pool live from its signals: workers, counts, tasks per second, heap. */
const meta: Meta = {
  title: 'Elements/pool-monitor',
  component: 'pool-monitor',
};
export default meta;

type Story = StoryObj;

/** 1,000 small tasks submitted at once to a pool of two workers. */
export const UnderLoad: Story = {
  render: () => html`<worker-pool index-url=${INDEX_URL} max="2">
    <pool-monitor></pool-monitor>
  </worker-pool>`,
  play: async ({ canvasElement }) => {
    const host = poolIn(canvasElement);
    await host.updateComplete;
    const pool = host.pool!;
    await pool.ready();
    const tasks = Array.from({ length: 1000 }, (_, i) => pool.run('sum(range(item * 100))', { inputs: { item: i } }));
    await Promise.all(tasks);
    const monitor = canvasElement.querySelector('pool-monitor') as PoolMonitorElement;
    await monitor.updateComplete;
    const counts = monitor.shadowRoot!.querySelector('[part="counts"]')!.textContent!.replace(/\s+/g, ' ');
    await expect(counts).toContain('completed1000');
  },
};
