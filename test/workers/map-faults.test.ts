// A map whose worker dies under it, and a map ended by terminate(): fresh pools, since
// these tests end workers.
import { expect } from 'chai';
import { MapError, PoolTerminatedError, PyodidePool, WorkerCrashedError } from '../../workers/index.js';
import { indexURL, rejection, until } from '../helpers.js';

describe('pool.map when workers end', () => {
  it('rejects with MapError (cause WorkerCrashedError) when an item ends its worker, and the pool carries on', async () => {
    const pool = new PyodidePool({ indexURL, min: 1, max: 1 });
    try {
      await pool.ready();
      const code = 'if item == 3:\n    import js\n    js.close()\nitem';
      const err = (await rejection(pool.map(code, [0, 1, 2, 3, 4], { chunkSize: 1 }))) as MapError;
      expect(err).to.be.instanceOf(MapError);
      expect(err.index).to.equal(3);
      expect(err.cause).to.be.instanceOf(WorkerCrashedError);
      // With settle: 'all', the crashed chunk's items fail and the others still run.
      const all = await pool.map(code, [3, 5, 6], { chunkSize: 1, settle: 'all' });
      expect((all[0] as { error: Error }).error).to.be.instanceOf(WorkerCrashedError);
      expect(all.slice(1)).to.deep.equal([{ value: 5 }, { value: 6 }]);
    } finally {
      await pool.terminate();
    }
  });

  it('rejects with PoolTerminatedError when the pool is terminated mid-map', async () => {
    const pool = new PyodidePool({ indexURL, min: 1, max: 1 });
    await pool.ready();
    const mapped = pool.map(
      'import time\ntime.sleep(0.01)\nitem',
      Array.from({ length: 500 }, (_, i) => i),
    );
    await until(pool.state.running, (n) => n > 0);
    await pool.terminate();
    expect(await rejection(mapped)).to.be.instanceOf(PoolTerminatedError);
    expect(await rejection(pool.map('item', [1]))).to.be.instanceOf(PoolTerminatedError);
  });
});
