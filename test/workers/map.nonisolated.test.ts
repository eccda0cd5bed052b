// pool.map on a page that is not cross-origin isolated: cancel stops between items with
// no interrupt, so the workers are kept; an item that never ends is timed out by
// replacing its worker, as a task would be.
import { expect } from 'chai';
import { MapError, PyodidePool, TaskCancelledError, TaskTimeoutError } from '../../workers/index.js';
import { allSettled, indexURL, rejection, RUNAWAY } from '../helpers.js';

describe('pool.map (plain page)', () => {
  let pool: PyodidePool;

  before(async () => {
    pool = new PyodidePool({ indexURL, min: 2, max: 2 });
    await pool.ready();
  });

  after(() => pool.terminate());

  const workerIds = () => pool.state.workers.value.map((w) => w.id);

  it('maps in order here too', async () => {
    expect(crossOriginIsolated).to.equal(false);
    const items = Array.from({ length: 10_000 }, (_, i) => i);
    expect(await pool.map('item + 1', items)).to.deep.equal(items.map((i) => i + 1));
  });

  it('cancels between items, keeping both workers', async () => {
    const ids = workerIds();
    const controller = new AbortController();
    const mapped = pool.map(
      'import time\nend = time.monotonic() + 0.02\nwhile time.monotonic() < end:\n    pass\nitem',
      Array.from({ length: 300 }, (_, i) => i),
      {
        signal: controller.signal,
        onProgress: ({ done }) => done >= 3 && controller.abort('enough'),
      },
    );
    expect(await rejection(mapped)).to.be.instanceOf(TaskCancelledError);
    await allSettled(pool);
    expect(workerIds()).to.deep.equal(ids);
    expect(await pool.run('"kept"')).to.equal('kept');
  });

  it('times out an item that runs on by replacing its worker', async () => {
    const code = `if item:\n${RUNAWAY.replace(/^/gm, '    ')}\nitem`;
    const err = (await rejection(pool.map(code, [0, 1, 0], { timeout: 400, chunkSize: 1 }))) as MapError;
    expect(err).to.be.instanceOf(MapError);
    expect(err.index).to.equal(1);
    expect(err.cause).to.be.instanceOf(TaskTimeoutError);
    await pool.ready();
    expect(await pool.map('item * 3', [1, 2])).to.deep.equal([3, 6]);
  });
});
