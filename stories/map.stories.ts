import type { Meta, StoryObj } from '@storybook/web-components';
import { html } from 'lit';
import { expect } from 'storybook/test';
import type { PyTaskElement } from '../components/index.js';
import { busy, INDEX_URL, part, poll, whenStatus } from './shared.js';

/**
 * `pool.map` in HTML: a `<py-task>` with `items` maps its code over them (the Python
 * global `item`), in chunks that run as a loop inside the workers; its progress bar
 * counts items. A generator task shows each `yield`ed fraction the same way.
 */
const meta: Meta = {
  title: 'Elements/py-task/map and generators',
  component: 'py-task',
};
export default meta;

type Story = StoryObj;

const task = (canvas: HTMLElement) => canvas.querySelector('#task') as PyTaskElement;
const ITEMS = Array.from({ length: 4000 }, (_, i) => i);
/** A generator task: 200 steps of 50 ms, each yielding its progress. */
const SIMULATION = `def simulate(steps=200):
    for step in range(steps):
${busy(0.05).replace(/^/gm, '        ')}
        yield (step + 1) / steps
    return steps
simulate()`;

/** 4,000 items of about half a millisecond each on two workers, with a progress bar counting items. */
export const MapOverItems: Story = {
  render: () => html`<worker-pool index-url=${INDEX_URL} max="2">
    <py-task id="task" auto .items=${ITEMS} .code=${`import math\n${busy(0.0005)}\nround(math.sqrt(item), 3)`}></py-task>
  </worker-pool>`,
  play: async ({ canvasElement }) => {
    const el = task(canvasElement);
    await whenStatus(el, ['running']);
    await poll(
      () => part(el, 'progress') !== null || el.status === 'done',
      () => 'no progress bar while mapping',
    );
    await whenStatus(el, ['done']);
    const result = el.result as number[];
    await expect(result.length).toBe(4000);
    await expect(result[16]).toBe(4);
  },
};

/** A generator task: each yield is progress (and a point where urgent tasks and cancel get in). */
export const GeneratorTask: Story = {
  render: () => html`<worker-pool index-url=${INDEX_URL}>
    <py-task id="task" auto .code=${SIMULATION}></py-task>
  </worker-pool>`,
  play: async ({ canvasElement }) => {
    const el = task(canvasElement);
    await whenStatus(el, ['running']);
    await poll(
      () => part(el, 'progress') !== null,
      () => 'no progress bar from the yields',
    );
    el.cancel();
    await whenStatus(el, ['cancelled']);
  },
};
