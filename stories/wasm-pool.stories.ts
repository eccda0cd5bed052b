import type { Meta, StoryObj } from '@storybook/web-components';
import { html } from 'lit';
import { expect } from 'storybook/test';
import type { PoolMonitorElement } from '../components/index.js';
import { WasmPool, WorkerCrashedError } from '../workers/index.js';
import { part, poll } from './shared.js';
// The URL of the .wasm compiled from this text (scripts/wat-vite.mjs, in .storybook/main.ts).
import collatzWasm from './wasm/collatz.wat';

/**
 * A `WasmPool` is not Python: one WebAssembly instance per worker of a `.wasm` file
 * compiled once, its exports called by name. `<pool-monitor>` takes it (as any pool) as
 * its `pool` property and shows its instances and counts from the same signals.
 */
const meta: Meta = {
  title: 'Pools/WasmPool',
  component: 'pool-monitor',
  // Each story's own pool: made before it renders, ended when it is left.
  loaders: [() => ({ pool: new WasmPool({ wasm: collatzWasm, min: 2, max: 2 }) })],
  beforeEach:
    ({ loaded }) =>
    () =>
      (loaded.pool as WasmPool).terminate(),
  render: (_args, { loaded }) => html`<pool-monitor .pool=${loaded.pool as WasmPool}></pool-monitor>
    <p><output id="result"></output></p>`,
};
export default meta;

type Story = StoryObj;

const monitorIn = (canvas: HTMLElement) => canvas.querySelector('pool-monitor') as PoolMonitorElement;
const output = (canvas: HTMLElement) => canvas.querySelector('#result') as HTMLOutputElement;
/** The worker chips `<pool-monitor>` shows, as `{ id, status }`. */
const chips = (monitor: PoolMonitorElement) =>
  [...monitor.shadowRoot!.querySelectorAll<HTMLElement>('[part="worker"]')].map((li) => ({ id: Number(/#(\d+)/.exec(li.textContent!)![1]), status: li.dataset.status }));
/** The counters `<pool-monitor>` shows, one line (`workers2 queued0 …`). */
const counts = (monitor: PoolMonitorElement) => (part(monitor, 'counts')?.textContent ?? '').replace(/\s+/g, '');

/** 2,000 calls of `steps(n)` (a Collatz sequence's length) on two instances; the monitor counts them. */
export const Calls: Story = {
  play: async ({ canvasElement, loaded }) => {
    const pool = loaded.pool as WasmPool;
    const monitor = monitorIn(canvasElement);
    await pool.ready();
    const steps = await Promise.all(Array.from({ length: 2000 }, (_, i) => pool.call<number>('steps', i + 1)));
    const longest = steps.indexOf(Math.max(...steps)) + 1;
    output(canvasElement).textContent = `steps(27) = ${steps[26]}; the longest below 2,000 starts at ${longest} (${steps[longest - 1]} steps)`;
    await expect(steps[26]).toBe(111);
    await expect(longest).toBe(1161);
    await poll(
      () => counts(monitor).includes('completed2000'),
      () => `the monitor shows ${counts(monitor)}`,
    );
    await expect(counts(monitor)).toContain('workers2');
    await expect(counts(monitor)).toContain('failed0');
    await expect(chips(monitor).map((c) => c.id)).toEqual(pool.state.workers.value.map((w) => w.id));
  },
};

/** A trap (`unreachable`, as a Rust panic compiles to) fails its call; the instance is replaced, and the monitor shows both. */
export const TrapReplacesInstance: Story = {
  play: async ({ canvasElement, loaded }) => {
    const pool = loaded.pool as WasmPool;
    const monitor = monitorIn(canvasElement);
    await pool.ready();
    await poll(
      () => chips(monitor).length === 2,
      () => `${chips(monitor).length} worker chips`,
    );
    const before = chips(monitor).map((c) => c.id);
    const error = await pool.call('fail').catch((err: Error) => err);
    output(canvasElement).textContent = `fail() → ${(error as Error).name}: ${(error as Error).message}`;
    await expect(error).toBeInstanceOf(WorkerCrashedError);
    await expect((error as Error).message).toMatch(/unreachable/i);
    await poll(
      () => counts(monitor).includes('failed1') && chips(monitor).length === 2 && chips(monitor).some((c) => !before.includes(c.id)),
      () => `the monitor shows ${counts(monitor)} and workers ${JSON.stringify(chips(monitor))}`,
    );
    await expect(await pool.call('steps', 27)).toBe(111);
  },
};
