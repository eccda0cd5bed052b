// Bad Python never wedges a worker or keeps the device's memory: a very deep recursion
// settles fast (no `timeout` set), a memory-filling loop fails with MemoryError and its
// worker is replaced, a heap past the ceiling is given back, and every failure reads well.
import { expect } from 'chai';
import { PyodidePool, PythonError, WorkerCrashedError } from '../../workers/index.js';
import { readable } from '../../workers/shared/thrown.js';
import { indexURL, rejection, until } from '../helpers.js';

const recurse = (limit: number) => `import sys\nsys.setrecursionlimit(${limit})\ndef f(n):\n    return f(n + 1) + 1\nf(0)`;
const FILL = 'chunks = []\nwhile True:\n    chunks.append(bytearray(50_000_000))';

describe('bad Python', () => {
  describe('a very deep recursion', () => {
    let pool: PyodidePool;
    before(async () => {
      pool = new PyodidePool({ indexURL, min: 1, max: 1 });
      await pool.ready();
    });
    after(() => pool.terminate());

    it('past a limit of 20,000 fails with RecursionError, its traceback cut to both ends, and the worker goes on', async () => {
      const [worker] = pool.state.workers.value;
      const error = (await rejection(pool.run(recurse(20_000)))) as PythonError;
      expect(error).to.be.instanceOf(PythonError);
      expect(error.pythonType).to.equal('RecursionError');
      expect(error.traceback).to.match(/\[\.\.\. \d+ more frames \.\.\.\]/);
      expect(error.traceback).to.include('return f(n + 1) + 1');
      expect(error.traceback.length).to.be.lessThan(20_000);
      expect(await pool.run('6 * 7')).to.equal(42);
      expect(pool.state.workers.value[0]!.id).to.equal(worker!.id);
    });

    it('past a limit of 1,000,000 settles too: RecursionError, or the worker replaced naming the stack overflow', async () => {
      const error = await rejection(pool.run(recurse(1_000_000)));
      if (error instanceof PythonError) expect(error.pythonType).to.equal('RecursionError');
      else {
        expect(error).to.be.instanceOf(WorkerCrashedError);
        expect(error.message).to.match(/stack/i);
      }
      expect(await pool.run('6 * 7')).to.equal(42);
    });
  });

  it('a loop that fills memory fails with MemoryError, and its worker is replaced by a fresh one', async () => {
    const pool = new PyodidePool({ indexURL, min: 1, max: 1 });
    try {
      await pool.ready();
      const [before] = pool.state.workers.value;
      const error = (await rejection(pool.run(FILL))) as PythonError;
      expect(error).to.be.instanceOf(PythonError);
      expect(error.pythonType).to.equal('MemoryError');
      const [after] = await until(pool.state.workers, (ws) => ws.length === 1 && ws[0]!.id !== before!.id && ws[0]!.status === 'idle', 60_000);
      expect(after!.replaces).to.deep.equal({ id: before!.id, reason: 'memory-error' });
      expect(after!.heapBytes).to.be.lessThan(2 ** 28);
      expect(await pool.run('6 * 7')).to.equal(42);
    } finally {
      await pool.terminate();
    }
  });

  it('replaces a worker whose heap ends a task above recycle.heapBytes (1 GiB unless set), saying why', async () => {
    const pool = new PyodidePool({ indexURL, min: 1, max: 1, recycle: { heapBytes: 200 * 2 ** 20 } });
    try {
      const defaults = new PyodidePool({ indexURL, min: 0 });
      expect(defaults.options.recycle.heapBytes).to.equal(2 ** 30);
      await defaults.terminate();
      await pool.ready();
      const [before] = pool.state.workers.value;
      // The bytes are freed when the task ends; the heap they grew stays.
      expect(await pool.run('len(bytearray(300 * 2**20))')).to.equal(300 * 2 ** 20);
      const [after] = await until(pool.state.workers, (ws) => ws.length === 1 && ws[0]!.id !== before!.id && ws[0]!.status === 'idle', 60_000);
      expect(after!.replaces).to.deep.equal({ id: before!.id, reason: 'heap' });
    } finally {
      await pool.terminate();
    }
  });

  it('gives back the heap of a memory-filling task cancelled mid-way: the next task runs on a fresh worker', async () => {
    const pool = new PyodidePool({ indexURL, min: 1, max: 1 });
    try {
      await pool.ready();
      const [before] = pool.state.workers.value;
      const filling = pool.submit('chunks = []\nwhile True:\n    chunks.append(bytearray(50_000_000))\n    print(len(chunks), flush=True)');
      await until(filling.stdout, (out) => out.includes('\n24\n'), 60_000);
      filling.cancel();
      await rejection(filling.result);
      // Past the 1 GiB ceiling: replaced, so no later task inherits that heap.
      const [after] = await until(pool.state.workers, (ws) => ws.length === 1 && ws[0]!.id !== before!.id && ws[0]!.status === 'idle', 60_000);
      expect(after!.replaces?.reason).to.equal('heap');
      expect(after!.heapBytes).to.be.lessThan(2 ** 28);
      expect(await pool.run('6 * 7')).to.equal(42);
    } finally {
      await pool.terminate();
    }
  });

  it('never reports a failure as [object Object]', () => {
    expect(readable({ message: 'out of memory', name: 'RuntimeError' })).to.equal('RuntimeError: out of memory');
    expect(readable({ code: 7 })).to.equal('Object {"code":7}');
    expect(readable(new RangeError('Maximum call stack size exceeded'))).to.equal('RangeError: Maximum call stack size exceeded');
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(readable(cyclic)).to.not.include('[object');
    expect(readable(Object.create(null))).to.not.include('[object');
  });
});
