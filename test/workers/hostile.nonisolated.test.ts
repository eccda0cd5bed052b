// Task code that tries to outlast the pool, on a plain page (no shared memory: a task is
// stopped by ending its worker). The hidden-heap case is shared with the isolated page
// (see heap-limit-cases.ts); the control block's attacks need shared memory (see
// hostile.test.ts).
import { expect } from 'chai';
import { PyodidePool } from '../../workers/index.js';
import { allSettled, indexURL, rejection, RUNAWAY } from '../helpers.js';
import { heapLimitCases } from './heap-limit-cases.js';

describe('heap limits (plain page)', () => {
  heapLimitCases();
});

describe('stops that task code cannot outlast (plain page)', () => {
  it('a map chunk cancelled mid-item (an earlier item failed) is held to the grace: its worker is ended', async () => {
    const pool = new PyodidePool({ indexURL, min: 2, max: 2, interruptGrace: 300 });
    try {
      await pool.ready();
      const before = pool.state.workers.value.map((w) => w.id);
      // Item 0 fails once item 1 is under way in the other worker; item 1 runs 5 s.
      const code = `if item == 0:\n    import time\n    time.sleep(0.3)\n    raise ValueError("first")\n${RUNAWAY}`;
      expect(await rejection(pool.map(code, [0, 1], { chunkSize: 1 }))).to.have.property('name', 'MapError');
      await allSettled(pool);
      // The chunk did not get to run its 5 s: its worker was ended at the grace's end.
      const after = pool.state.workers.value.map((w) => w.id);
      expect(before.filter((id) => !after.includes(id))).to.have.length(1);
    } finally {
      await pool.terminate();
    }
  });
});
