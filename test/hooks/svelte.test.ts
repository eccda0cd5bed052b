// Svelte 5 adapter: a compiled .svelte component, and the bare store contract.
import { expect } from 'chai';
import { flushSync, mount, unmount } from 'svelte';
import { fromStore } from 'svelte/store';
import { call, map, poolState, task } from '../../hooks/svelte.js';
import { ModulePool, PyodidePool } from '../../workers/index.js';
import { indexURL, waitFor } from '../helpers.js';
import { CountingHolder } from '../workers/views/counting-holder.js';
// Compiled on request by the test server's Svelte plugin.
import TaskView from './TaskView.svelte';
import CallView from './CallView.svelte';

const text = (el: HTMLElement, id: string) => el.querySelector(`#${id}`)?.textContent ?? '';

describe('Svelte adapter', () => {
  let pool: PyodidePool;
  before(async () => {
    pool = new PyodidePool({ indexURL, min: 1, max: 1, setup: 'def double(x):\n    return 2 * x' });
    await pool.ready();
  });
  after(() => pool.terminate());

  it('drives a compiled component through $store, re-running when a prop changes', async () => {
    const target = document.createElement('div');
    document.body.append(target);
    const component = mount(TaskView, { target, props: { pool, initial: 3 } }) as { setX(x: number): void };
    try {
      await waitFor(() => text(target, 'result') === '6', 30_000, 'result 6');
      component.setX(4);
      flushSync();
      await waitFor(() => text(target, 'result') === '8', 30_000, 'result 8');
      expect(Number(text(target, 'completed'))).to.be.at.least(2);
    } finally {
      await unmount(component);
      target.remove();
    }
  });

  it('follows the store contract: immediate value, unsubscribe, fromStore', async () => {
    const values: string[] = [];
    const t = task<number>(pool, 'double(21)', { auto: true });
    const stop = t.subscribe((s) => values.push(s.status));
    expect(values[0]).to.be.oneOf(['idle', 'queued']);
    await waitFor(() => values.includes('done'), 30_000, 'done');
    stop();
    const state = fromStore(poolState(pool));
    expect(state.current.workers).to.have.length(1);
    const view = fromStore(t);
    expect(view.current.result).to.equal(42);
  });

  it('carries awaitingInput in its value, with sendInput and send on the store', async () => {
    const t = task<string>(pool, 'from worker_pool import receive\ninput("? ") + receive()', { auto: true });
    const prompts: (string | undefined)[] = [];
    const stop = t.subscribe((s) => prompts.push(s.awaitingInput));
    await waitFor(() => prompts.includes('? '), 30_000, 'the prompt');
    t.send('!');
    expect(t.sendInput('hey')).to.equal(true);
    const view = fromStore(t);
    await waitFor(() => view.current.result === 'hey!', 30_000, 'the result');
    expect(view.current.awaitingInput).to.equal(undefined);
    stop();
  });

  it('cancels the run when its last subscriber leaves', async () => {
    const t = task(pool, 'while True:\n    pass', { auto: true });
    let status = '';
    const stop = t.subscribe((s) => (status = s.status));
    await waitFor(() => status === 'running', 30_000, 'running');
    stop();
    await waitFor(() => pool.state.running.value === 0, 10_000, 'nothing running');
  });

  it('leaves nothing listening after its last subscriber, and runs again for a new one', async () => {
    const holder = new CountingHolder(pool);
    const t = task<number>(holder, 'double(x)', { inputs: { x: 1 }, auto: true });
    expect(holder.listeners).to.equal(0);
    const before = pool.state.completed.value;
    let status = '';
    let stop = t.subscribe((s) => (status = s.status));
    await waitFor(() => status === 'done', 30_000, 'the first run');
    stop();
    expect(holder.listeners).to.equal(0);
    status = '';
    stop = t.subscribe((s) => (status = s.status));
    await waitFor(() => pool.state.completed.value === before + 2, 30_000, 'a second run');
    stop();
    expect(holder.listeners).to.equal(0);
  });

  it('maps as a store: progress in items, new items with setItems', async () => {
    const squares = map<number>(pool, 'item ** 2', [1, 2, 3], { auto: true });
    const seen = fromStore(squares);
    const values: (number[] | undefined)[] = [];
    const stop = squares.subscribe((s) => values.push(s.result));
    try {
      await waitFor(() => seen.current.status === 'done', 30_000, 'mapped');
      expect(seen.current.result).to.deep.equal([1, 4, 9]);
      expect(seen.current.progress).to.deep.include({ done: 3, total: 3 });
      squares.setItems([4]);
      await waitFor(() => seen.current.result?.[0] === 16, 30_000, 'mapped again');
      expect(await squares.run([5])).to.deep.equal([25]);
    } finally {
      stop();
    }
  });
});

describe('Svelte adapter: call on a ModulePool', () => {
  let pool: ModulePool;
  before(async () => {
    pool = new ModulePool({ module: new URL('../fixtures/modules/calc.js', import.meta.url), min: 1, max: 2 });
    await pool.ready();
  });
  after(() => pool.terminate());

  it('drives a compiled component through $store, calling again when a prop changes', async () => {
    const target = document.createElement('div');
    document.body.append(target);
    const component = mount(CallView, { target, props: { pool, initial: 3 } }) as { setA(a: number): void };
    try {
      await waitFor(() => text(target, 'result') === '4', 30_000, 'result 4');
      expect(Number(text(target, 'workers'))).to.be.at.least(1);
      component.setA(41);
      flushSync();
      await waitFor(() => text(target, 'result') === '42', 30_000, 'result 42');
    } finally {
      await unmount(component);
      target.remove();
    }
  });

  it("carries what the export logged in its value's stdout", async () => {
    const chatty = call<number>(pool, 'chatty', ['ada'], { auto: true });
    const view = fromStore(chatty);
    const stop = chatty.subscribe(() => {});
    try {
      await waitFor(() => view.current.status === 'done', 30_000, 'done');
      expect(view.current.result).to.equal(3);
      expect(view.current.stdout).to.equal('hello ada {"n":1}\ndone\n');
    } finally {
      stop();
    }
  });

  it('puts what the export threw in error; run(args) calls again with new ones', async () => {
    const failing = call(pool, 'reject', ['custom'], { auto: true });
    const view = fromStore(failing);
    const stop = failing.subscribe(() => {});
    try {
      await waitFor(() => view.current.status === 'failed', 30_000, 'failed');
      expect(view.current.error?.name).to.equal('ValidationError');
      expect(view.current.error?.message).to.equal('the input is invalid');
      const err = await failing.run(['type']).catch((e: Error) => e);
      expect(err).to.be.instanceOf(TypeError);
      expect(view.current.error).to.equal(err);
    } finally {
      stop();
    }
  });

  it('cancels the running call when its last subscriber leaves', async () => {
    const forever = call(pool, 'forever', [], { auto: true });
    let status = '';
    const stop = forever.subscribe((s) => (status = s.status));
    await waitFor(() => status === 'running', 30_000, 'running');
    const failed = pool.state.failed.value;
    stop();
    await waitFor(() => pool.state.running.value === 0 && pool.state.failed.value === failed + 1, 10_000, 'the call cancelled');
    expect(await pool.call('add', [1, 2])).to.equal(3);
  });
});
