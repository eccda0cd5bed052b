// WasmPool with one shared memory (cross-origin-isolated pages): a threaded module's
// instances in every worker work on the same memory with atomics; a trap, a death or a
// timeout in one fails every call in flight on the group, which is rebuilt on a fresh memory.
import { expect } from 'chai';
import { TaskTimeoutError, WasmPool, WorkerCrashedError } from '../../workers/index.js';
import { rejection, until } from '../helpers.js';

const wasm = '/__fixtures__/threads.wasm';
const sharedMemory = { initial: 1, maximum: 16 };

/** Two warm workers on one memory. */
async function group(options: { timeout?: number } = {}): Promise<WasmPool> {
  const pool = new WasmPool({ wasm, min: 2, max: 2, sharedMemory, ...options });
  await pool.ready();
  await until(pool.state.workers, (workers) => workers.filter((w) => w.status === 'idle').length === 2);
  return pool;
}

describe('WasmPool with a shared memory', () => {
  it('gives every instance the same memory, the page included', async () => {
    const pool = await group();
    try {
      await Promise.all(Array.from({ length: 40 }, (_, i) => pool.call('add_to', 0, i + 1)));
      expect(await pool.call('get', 0)).to.equal(820);
      expect(new Int32Array(pool.memory!.buffer)[0]).to.equal(820);
      expect(pool.memory!.buffer).to.be.instanceOf(SharedArrayBuffer);
    } finally {
      await pool.terminate();
    }
  });

  it('lets one worker wait on an atomic that another wakes', async () => {
    const pool = await group();
    try {
      const waiting = pool.call('wait', 64, 0);
      await until(pool.state.running, (n) => n === 1);
      // The first worker is blocked in wait: this runs on the other one.
      expect(await pool.call('wake', 64)).to.be.at.least(0);
      expect(await waiting).to.be.oneOf([0, 1]);
    } finally {
      await pool.terminate();
    }
  });

  it('fails every call in flight on the group when one worker traps, naming the trap and the worker, and rebuilds it', async () => {
    const pool = await group();
    try {
      await pool.call('add_to', 0, 5);
      const before = pool.memory;
      const stuck = pool.call('wait', 128, 0);
      await until(pool.state.running, (n) => n === 1);
      const trapped = await rejection(pool.call('trap'));
      expect(trapped).to.be.instanceOf(WorkerCrashedError);
      expect(trapped.message).to.include('WebAssembly trap in trap()');
      const other = await rejection(stuck);
      expect(other).to.be.instanceOf(WorkerCrashedError);
      expect(other.message).to.include('WebAssembly trap in trap()');
      expect(other.message).to.match(/worker #\d+/);
      // A new group, on a fresh memory.
      expect(pool.memory).not.to.equal(before);
      expect(await pool.call('get', 0)).to.equal(0);
      await until(pool.state.workers, (workers) => workers.filter((w) => w.status === 'idle').length === 2);
      await pool.call('add_to', 0, 1);
      expect(new Int32Array(pool.memory!.buffer)[0]).to.equal(1);
    } finally {
      await pool.terminate();
    }
  });

  it('bounds a stuck group with timeout: the group is rebuilt', async () => {
    const pool = await group({ timeout: 150 });
    try {
      const before = pool.memory;
      const err = await rejection(pool.call('wait', 256, 0));
      expect(err).to.be.instanceOf(TaskTimeoutError);
      expect(pool.memory).not.to.equal(before);
      expect(await pool.call('add_to', 0, 2)).to.equal(0);
    } finally {
      await pool.terminate();
    }
  });

  it('rebuilds the group when a leased worker traps, ending the lease', async () => {
    const pool = await group();
    try {
      const lease = await pool.acquire();
      expect(await rejection(lease.call('trap'))).to.be.instanceOf(WorkerCrashedError);
      expect(await rejection(lease.call('get', 0))).to.be.instanceOf(WorkerCrashedError);
      lease.release();
      expect(await pool.call('get', 0)).to.equal(0);
    } finally {
      await pool.terminate();
    }
  });
});
