// <pool-monitor>: finding its pool, however late it comes, without updates inside updates.
// Pools here have min="0": they boot no worker, which these tests do not need.
// The first test must stay first in this page: Lit warns about a change in an update only
// once per element and kind, so an earlier test could hide the warning.
import { expect } from '@open-wc/testing';
import '../../components/index.js';
import type { PoolMonitorElement, WorkerPoolElement } from '../../components/index.js';
import { TaskCancelledError, WasmPool, WorkerCrashedError } from '../../workers/index.js';
import { indexURL, rejection, waitFor } from '../helpers.js';

/** The monitor's worker chips, as `{ id, status }`. */
function chips(monitor: PoolMonitorElement): { id: number; status: string }[] {
  return [...monitor.shadowRoot!.querySelectorAll<HTMLElement>('[part="worker"]')].map((li) => ({ id: Number(/#(\d+)/.exec(li.textContent!)![1]), status: li.dataset.status! }));
}

/** The monitor's counter called `name` (e.g. `completed`), as shown. */
function count(monitor: PoolMonitorElement, name: string): string | undefined {
  const row = [...monitor.shadowRoot!.querySelectorAll('[part="counts"] div')].find((div) => div.querySelector('dt')?.textContent === name);
  return row?.querySelector('dd')?.textContent ?? undefined;
}

function workerPool(id: string): WorkerPoolElement {
  const el = document.createElement('worker-pool');
  el.id = id;
  el.setAttribute('index-url', indexURL);
  el.setAttribute('min', '0');
  return el;
}

describe('<pool-monitor>', () => {
  it('switches to another pool when `for` changes without scheduling an update from an update', async () => {
    const a = workerPool('monitor-a');
    const b = workerPool('monitor-b');
    const monitor = document.createElement('pool-monitor') as PoolMonitorElement;
    monitor.setAttribute('for', 'monitor-a');
    document.body.append(a, b, monitor);
    const warnings: string[] = [];
    const warn = console.warn;
    console.warn = (...args: unknown[]) => {
      warnings.push(args.map(String).join(' '));
      warn.apply(console, args);
    };
    try {
      await monitor.updateComplete;
      expect(monitor.pool).to.equal(a.pool);
      monitor.for = 'monitor-b';
      await monitor.updateComplete;
      expect(monitor.pool).to.equal(b.pool);
      // Lit (in dev mode, as here) warns when an update schedules another.
      await monitor.updateComplete;
      expect(warnings.filter((w) => /scheduled an update/.test(w))).to.deep.equal([]);
    } finally {
      console.warn = warn;
      a.remove();
      b.remove();
      monitor.remove();
    }
  });

  it('finds a for= pool that is added after it', async () => {
    const monitor = document.createElement('pool-monitor') as PoolMonitorElement;
    monitor.setAttribute('for', 'monitor-late');
    document.body.append(monitor);
    const late = workerPool('monitor-late');
    try {
      await monitor.updateComplete;
      expect(monitor.pool).to.equal(undefined);
      document.body.append(late);
      await waitFor(() => monitor.pool === late.pool && late.pool !== undefined, 10_000, 'the late pool');
      await monitor.updateComplete;
      expect(monitor.shadowRoot!.querySelector('[part="counts"]')).to.not.equal(null);
    } finally {
      monitor.remove();
      late.remove();
    }
  });
});

describe('<pool-monitor> given any pool as its `pool` property', () => {
  let pool: WasmPool;
  let monitor: PoolMonitorElement;
  beforeEach(() => {
    pool = new WasmPool({ wasm: '/__fixtures__/math.wasm', min: 2, max: 2 });
    monitor = document.createElement('pool-monitor');
    // Given before it is connected: shown once it is.
    monitor.pool = pool;
    document.body.append(monitor);
  });
  afterEach(async () => {
    monitor.remove();
    await pool.terminate();
  });

  it("shows a WasmPool's workers as chips and its counts as calls run and settle", async () => {
    expect(monitor.pool).to.equal(pool);
    await pool.ready();
    await waitFor(() => chips(monitor).length === 2 && chips(monitor).every((c) => c.status === 'idle'), 10_000, 'two idle chips');
    expect(chips(monitor).map((c) => c.id)).to.deep.equal(pool.state.workers.value.map((w) => w.id));
    expect(count(monitor, 'workers')).to.equal('2');
    expect(await Promise.all([1, 2, 3, 4, 5].map((n) => pool.call('add', n, n)))).to.deep.equal([2, 4, 6, 8, 10]);
    await waitFor(() => count(monitor, 'completed') === '5', 10_000, 'completed 5');
    // An instance's memory is one 64 KiB page: shown as such, not rounded down to "0 MB".
    await waitFor(() => [...monitor.shadowRoot!.querySelectorAll('[part="worker"]')].some((li) => li.textContent!.includes('· 64 KB')), 10_000, 'a 64 KB heap');
    // A call that runs until cancelled: a busy chip and one running, then one failed.
    const stop = new AbortController();
    const spinning = pool.call('forever', { signal: stop.signal });
    await waitFor(() => count(monitor, 'running') === '1' && chips(monitor).some((c) => c.status === 'busy'), 10_000, 'one running, a busy chip');
    stop.abort('enough');
    expect(await rejection(spinning)).to.be.instanceOf(TaskCancelledError);
    await waitFor(() => count(monitor, 'running') === '0' && count(monitor, 'failed') === '1', 10_000, 'none running, one failed');
    expect(count(monitor, 'completed')).to.equal('5');
  });

  it('shows a trap as a failed call and the instance that replaces the trapped one', async () => {
    await pool.ready();
    await waitFor(() => chips(monitor).length === 2, 10_000, 'two chips');
    const before = chips(monitor).map((c) => c.id);
    expect(await rejection(pool.call('fail'))).to.be.instanceOf(WorkerCrashedError);
    await waitFor(() => count(monitor, 'failed') === '1', 10_000, 'one failed');
    await waitFor(() => chips(monitor).length === 2 && chips(monitor).some((c) => !before.includes(c.id)), 10_000, 'a new instance among the chips');
    expect(chips(monitor).filter((c) => before.includes(c.id))).to.have.length(1);
  });

  it('goes back to its <worker-pool> when the pool is unset', async () => {
    const host = workerPool('monitor-host');
    document.body.append(host);
    try {
      monitor.setAttribute('for', 'monitor-host');
      await monitor.updateComplete;
      expect(monitor.pool).to.equal(pool);
      monitor.pool = undefined;
      await waitFor(() => monitor.pool === host.pool && host.pool !== undefined, 10_000, "the <worker-pool>'s pool");
      monitor.pool = pool;
      expect(monitor.pool).to.equal(pool);
    } finally {
      host.remove();
    }
  });
});
