import type { Meta, StoryObj } from '@storybook/web-components';
import { html } from 'lit';
import { expect } from 'storybook/test';
import type { PyTaskElement } from '../components/index.js';
import { INDEX_URL, part, poolIn, whenStatus } from './shared.js';

/**
 * `<worker-pool>` owns a pool of warm Pyodide workers. A direct child
 * `<script type="text/python">` is setup code that every worker runs once.
 */
const meta: Meta = {
  title: 'Elements/worker-pool',
  component: 'worker-pool',
};
export default meta;

type Story = StoryObj;

/** Setup code defines names that every task sees. */
export const WithSetupCode: Story = {
  render: () => html`<worker-pool index-url=${INDEX_URL} max="2">
    <script type="text/python">
      import math

      def circle_area(r):
          return round(math.pi * r * r, 2)
    </script>
    <py-task id="task" auto inputs='{"r": 2}'><script type="text/python">circle_area(r)</script></py-task>
    <pool-monitor></pool-monitor>
  </worker-pool>`,
  play: async ({ canvasElement }) => {
    const el = canvasElement.querySelector('#task') as PyTaskElement;
    await whenStatus(el, ['done']);
    await expect(el.result).toBe(12.57);
  },
};

/**
 * On a page that is not cross-origin isolated, a running task cannot be interrupted:
 * its worker is terminated and a fresh one takes over. (The catalogue test opens this
 * story without COOP/COEP headers; in the isolated dev server it interrupts instead.)
 */
export const NonIsolatedPage: Story = {
  tags: ['non-isolated'],
  render: () => html`<worker-pool index-url=${INDEX_URL} max="1">
    <py-task id="runaway" auto timeout="500"><script type="text/python">while True:\n    pass</script></py-task>
    <py-task id="after" auto><script type="text/python">"the replacement worker ran this"</script></py-task>
    <pool-monitor></pool-monitor>
  </worker-pool>`,
  play: async ({ canvasElement }) => {
    const runaway = canvasElement.querySelector('#runaway') as PyTaskElement;
    const after = canvasElement.querySelector('#after') as PyTaskElement;
    await whenStatus(runaway, ['failed']);
    await expect(runaway.error?.name).toBe('TaskTimeoutError');
    await whenStatus(after, ['done']);
    await expect(part(after, 'result')?.textContent).toBe('the replacement worker ran this');
    const pool = poolIn(canvasElement).pool!;
    await expect(pool.capabilities.interrupt).toBe(globalThis.crossOriginIsolated);
  },
};
