// <pool-monitor>: finding its pool, however late it comes, without updates inside updates.
// Pools here have min="0": they boot no worker, which these tests do not need.
// The first test must stay first in this page: Lit warns about a change in an update only
// once per element and kind, so an earlier test could hide the warning.
import { expect } from '@open-wc/testing';
import '../../components/index.js';
import type { PoolMonitorElement, WorkerPoolElement } from '../../components/index.js';
import { indexURL, waitFor } from '../helpers.js';

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
