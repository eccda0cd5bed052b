// React 19 adapter, StrictMode included, against a real pool.
import { expect } from 'chai';
import { createElement as h, StrictMode, useState } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import { useCall, useMap, usePool, usePoolState, useTask } from '../../hooks/react.js';
import { ModulePool, PythonError, type PyodidePool } from '../../workers/index.js';
import type { PoolSnapshot } from '../../hooks/index.js';
import { allSettled, indexURL, liveWorkers, waitFor } from '../helpers.js';

const SETUP = 'def double(x):\n    return 2 * x';
const text = (container: HTMLElement, id: string) => container.querySelector(`#${id}`)?.textContent ?? '';

let container: HTMLElement;
let root: Root;

beforeEach(() => {
  container = document.createElement('div');
  document.body.append(container);
  root = createRoot(container);
});

afterEach(() => {
  root.unmount();
  container.remove();
});

describe('React: usePool', () => {
  it('makes one pool under StrictMode, shows results and state, and ends it on unmount', async () => {
    let seen: PyodidePool | undefined;
    function App({ x }: { x: number }) {
      const pool = usePool({ indexURL, min: 1, max: 1, setup: SETUP });
      seen = pool;
      const { workers, completed, ready } = usePoolState(pool);
      const { status, result } = useTask<number>(pool, 'double(x)', { inputs: { x }, auto: true });
      return h(
        'div',
        null,
        h('b', { id: 'status' }, status),
        h('b', { id: 'result' }, String(result ?? '')),
        h('b', { id: 'workers' }, workers.length),
        h('b', { id: 'completed' }, completed),
        h('b', { id: 'ready' }, String(ready)),
      );
    }
    root.render(h(StrictMode, null, h(App, { x: 2 })));
    await waitFor(() => text(container, 'result') === '4', 30_000, 'result 4');
    expect(text(container, 'ready')).to.equal('true');
    expect(text(container, 'workers')).to.equal('1');
    // StrictMode mounted twice, yet only one worker lives.
    expect(await liveWorkers()).to.equal(1);
    const first = seen;
    // Re-rendering does not rebuild the pool; a new input re-runs.
    root.render(h(StrictMode, null, h(App, { x: 5 })));
    await waitFor(() => text(container, 'result') === '10', 30_000, 'result 10');
    expect(seen).to.equal(first);
    expect(Number(text(container, 'completed'))).to.be.at.least(2);
    root.unmount();
    await waitFor(async () => (await liveWorkers()) === 0, 5_000, 'no workers left');
    expect(await liveWorkers()).to.equal(0);
    root = createRoot(container);
  });

  it('keeps options JSON would mangle (Infinity, a URL), and one pool for options equal by value', async () => {
    const pools: (PyodidePool | undefined)[] = [];
    let rerender: () => void = () => {};
    function App() {
      const [, setTick] = useState(0);
      rerender = () => setTick((n) => n + 1);
      // A new object every render, equal by value.
      const pool = usePool({ indexURL, max: 1, maxQueue: Infinity, workerURL: new URL('/workers/pool-worker.js', location.href) });
      pools.push(pool);
      return h('b', { id: 'made' }, String(!!pool));
    }
    root.render(h(App));
    await waitFor(() => text(container, 'made') === 'true', 10_000, 'a pool');
    const pool = pools.at(-1)!;
    expect(pool.options.maxQueue).to.equal(Infinity);
    expect(await pool.run('"from the URL worker"')).to.equal('from the URL worker');
    const renders = pools.length;
    rerender();
    await waitFor(() => pools.length > renders, 10_000, 'a re-render');
    expect(pools.at(-1)).to.equal(pool);
  });
});

describe('React: useTask on a shared pool', () => {
  let pool: PyodidePool;
  before(async () => {
    const { PyodidePool } = await import('../../workers/index.js');
    pool = new PyodidePool({ indexURL, min: 2, max: 2, setup: SETUP });
    await pool.ready();
  });
  after(() => pool.terminate());

  it('compares inline inputs by value (no re-run loop) and lets the newest run win', async () => {
    let setX: (x: number) => void = () => {};
    let renders = 0;
    function Slow() {
      const [x, set] = useState(1);
      setX = set;
      renders++;
      const { status, result } = useTask<number>(pool, 'import time\nend = time.monotonic() + wait\nwhile time.monotonic() < end:\n    pass\nx', {
        inputs: { x, wait: x === 1 ? 0.8 : 0 },
        auto: true,
      });
      return h('p', null, h('b', { id: 'status' }, status), h('b', { id: 'result' }, String(result ?? '')));
    }
    root.render(h(StrictMode, null, h(Slow)));
    await waitFor(() => text(container, 'status') === 'running', 30_000, 'running');
    setX(2);
    await waitFor(() => text(container, 'result') === '2', 30_000, 'result 2');
    // The stale run has settled too (cancelled) once the pool has nothing left in hand.
    await allSettled(pool);
    expect(text(container, 'result')).to.equal('2');
    expect(text(container, 'status')).to.equal('done');
    // Nothing more to show: another task through the pool causes no render here.
    const settledRenders = renders;
    await pool.run('1');
    expect(renders).to.equal(settledRenders);
  });

  it('renders only when what it shows changes', async () => {
    const shown: string[] = [];
    function Once() {
      const t = useTask<number>(pool, 'double(x)', { inputs: { x: 4 }, auto: true });
      shown.push(`${t.status}:${String(t.result)}:${t.stdout}`);
      return h('b', { id: 'once' }, t.status);
    }
    root.render(h(Once));
    await waitFor(() => text(container, 'once') === 'done', 30_000, 'done');
    await allSettled(pool);
    expect(shown.at(-1)).to.equal('done:8:');
    for (let i = 1; i < shown.length; i++) expect(shown[i], JSON.stringify(shown)).to.not.equal(shown[i - 1]);
  });

  it("renders the pool's real state on the first render", async () => {
    const seen: PoolSnapshot[] = [];
    function State() {
      const state = usePoolState(pool);
      seen.push(state);
      return h('b', { id: 'workers' }, state.workers.length);
    }
    root.render(h(State));
    await waitFor(() => text(container, 'workers') !== '', 10_000, 'a render');
    expect(seen[0]!.workers).to.have.length(2);
    expect(seen[0]!.ready).to.equal(true);
  });

  it('exposes awaitingInput and answers it with sendInput', async () => {
    let answer: (text: string) => boolean = () => false;
    function Asking() {
      const t = useTask<string>(pool, 'f"hi {input(\'name? \')}"', { auto: true });
      answer = t.sendInput;
      return h('p', null, h('b', { id: 'prompt' }, t.awaitingInput ?? ''), h('b', { id: 'result' }, t.result ?? ''));
    }
    root.render(h(Asking));
    await waitFor(() => text(container, 'prompt') === 'name? ', 30_000, 'the prompt');
    expect(answer('Ada')).to.equal(true);
    await waitFor(() => text(container, 'result') === 'hi Ada', 30_000, 'the answer');
    expect(text(container, 'prompt')).to.equal('');
  });

  it('shows a Python error', async () => {
    let error: Error | undefined;
    function Failing() {
      const t = useTask(pool, 'raise ValueError("bad")', { auto: true });
      error = t.error;
      return h('b', { id: 'status' }, t.status);
    }
    root.render(h(Failing));
    await waitFor(() => text(container, 'status') === 'failed', 30_000, 'failed');
    expect(error).to.be.instanceOf(PythonError);
    expect((error as PythonError).pythonType).to.equal('ValueError');
  });

  it('cancels on request, and cancels its running task on unmount', async () => {
    let cancel: (reason?: unknown) => void = () => {};
    function Spinner() {
      const t = useTask(pool, 'while True:\n    pass', { auto: true });
      cancel = t.cancel;
      return h('b', { id: 'status' }, t.status);
    }
    root.render(h(Spinner));
    await waitFor(() => text(container, 'status') === 'running', 30_000, 'running');
    cancel('enough');
    await waitFor(() => text(container, 'status') === 'cancelled', 30_000, 'cancelled');
    // Run it again, then unmount while it runs: nothing may keep running.
    root.render(h(Spinner, { key: 'again' }));
    await waitFor(() => text(container, 'status') === 'running', 30_000, 'running again');
    root.unmount();
    await waitFor(() => pool.state.running.value === 0, 10_000, 'nothing running');
    root = createRoot(container);
  });

  it('maps with useMap, showing progress, and maps again when the items change by value', async () => {
    let setItems: (items: number[]) => void = () => {};
    function Squares() {
      const [items, set] = useState([1, 2, 3]);
      setItems = set;
      const { status, result, progress } = useMap<number>(pool, 'item ** 2', items, { auto: true });
      return h('div', null, h('b', { id: 'status' }, status), h('b', { id: 'result' }, (result ?? []).join(',')), h('b', { id: 'done' }, String(progress?.done ?? 0)));
    }
    root.render(h(StrictMode, null, h(Squares)));
    await waitFor(() => text(container, 'result') === '1,4,9', 30_000, 'squares');
    expect(text(container, 'done')).to.equal('3');
    setItems([4, 5]);
    await waitFor(() => text(container, 'result') === '16,25', 30_000, 'new squares');
    expect(text(container, 'status')).to.equal('done');
  });
});

describe('React: useCall on a ModulePool', () => {
  let pool: ModulePool;
  before(async () => {
    pool = new ModulePool({ module: new URL('../fixtures/modules/calc.js', import.meta.url), min: 1, max: 2 });
    await pool.ready();
  });
  after(() => pool.terminate());

  it('calls on mount, shows the state of any pool, and calls again when the inline args change by value', async () => {
    let setA: (a: number) => void = () => {};
    let rerender: () => void = () => {};
    function Sum() {
      const [a, set] = useState(2);
      const [tick, setTick] = useState(0);
      setA = set;
      rerender = () => setTick((n) => n + 1);
      const { status, result } = useCall<number>(pool, 'add', [a, 3], { auto: true });
      const { workers } = usePoolState(pool);
      return h(
        'p',
        null,
        h('b', { id: 'status' }, status),
        h('b', { id: 'result' }, String(result ?? '')),
        h('b', { id: 'workers' }, workers.length),
        h('b', { id: 'tick' }, tick),
      );
    }
    root.render(h(StrictMode, null, h(Sum)));
    await waitFor(() => text(container, 'result') === '5', 30_000, 'result 5');
    expect(text(container, 'status')).to.equal('done');
    expect(Number(text(container, 'workers'))).to.be.at.least(1);
    // A re-render makes a new args array, equal by value: nothing is submitted. A call
    // the effect started would be in the pool's counts by the time one of ours is back.
    const settled = pool.state.completed.value + pool.state.failed.value;
    rerender();
    await waitFor(() => text(container, 'tick') === '1', 10_000, 'a re-render');
    expect(await pool.call('add', [0, 0])).to.equal(0);
    expect(pool.state.queued.value + pool.state.running.value).to.equal(0);
    expect(pool.state.completed.value + pool.state.failed.value).to.equal(settled + 1);
    expect(text(container, 'status')).to.equal('done');
    setA(10);
    await waitFor(() => text(container, 'result') === '13', 30_000, 'result 13');
  });

  it('shows what the export logged in stdout', async () => {
    function Chatty() {
      const { status, stdout } = useCall<number>(pool, 'chatty', ['ada'], { auto: true });
      return h('div', null, h('b', { id: 'status' }, status), h('pre', { id: 'stdout' }, stdout));
    }
    root.render(h(Chatty));
    await waitFor(() => text(container, 'status') === 'done', 30_000, 'done');
    expect(text(container, 'stdout')).to.equal('hello ada {"n":1}\ndone\n');
  });

  it('puts what the export threw in error, by name and message', async () => {
    let error: Error | undefined;
    function Failing() {
      const t = useCall(pool, 'reject', ['custom'], { auto: true });
      error = t.error;
      return h('b', { id: 'status' }, t.status);
    }
    root.render(h(Failing));
    await waitFor(() => text(container, 'status') === 'failed', 30_000, 'failed');
    expect(error?.name).to.equal('ValidationError');
    expect(error?.message).to.equal('the input is invalid');
  });

  it('cancels its running call on unmount, and the worker is replaced', async () => {
    function Forever() {
      const t = useCall(pool, 'forever', [], { auto: true });
      return h('b', { id: 'status' }, t.status);
    }
    root.render(h(Forever));
    await waitFor(() => text(container, 'status') === 'running', 30_000, 'running');
    const failed = pool.state.failed.value;
    root.unmount();
    await waitFor(() => pool.state.running.value === 0 && pool.state.failed.value === failed + 1, 10_000, 'the call cancelled');
    expect(await pool.call('add', [1, 2])).to.equal(3);
    root = createRoot(container);
  });
});
