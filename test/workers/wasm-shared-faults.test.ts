// Faults: WasmPool on one shared memory (cross-origin-isolated pages only), with
// test/fixtures/wasm/attack-threads.wat. The promise: a trap or death in any worker fails
// every call in flight on the group with WorkerCrashedError and the group is rebuilt on a
// fresh memory; a stuck group is bounded by `timeout`. Calls that wait on the group get a
// generous `timeout`, so that a group left stuck shows as TaskTimeoutError.
import { expect } from 'chai';
import { TaskCancelledError, TaskTimeoutError, WasmPool, WorkerCrashedError } from '../../workers/index.js';
import { rejection, until } from '../helpers.js';

const wasm = '/__fixtures__/attack-threads.wasm';
const sharedMemory = { initial: 1, maximum: 16 };
const STUCK = 4_000;

async function group(size = 2, options: { timeout?: number } = {}): Promise<WasmPool> {
  const pool = new WasmPool({ wasm, min: size, max: size, sharedMemory, ...options });
  await pool.ready();
  await until(pool.state.workers, (workers) => workers.filter((w) => w.status === 'idle').length === size);
  return pool;
}

describe('faults: WasmPool with a shared memory', () => {
  it('a stack overflow in one worker fails the call waiting on another and rebuilds the group', async () => {
    const pool = await group();
    try {
      const before = pool.memory;
      const stuck = pool.call('wait', 128, 0, { timeout: STUCK });
      await until(pool.state.running, (n) => n === 1);
      const overflow = await rejection(pool.call('recurse', 0, { timeout: STUCK }));
      const other = await rejection(stuck);
      expect(overflow).to.be.instanceOf(WorkerCrashedError);
      expect(other).to.be.instanceOf(WorkerCrashedError);
      expect(pool.memory).not.to.equal(before);
    } finally {
      await pool.terminate();
    }
  });

  it('a divide-by-zero trap fails the waiting call, names the trap and the worker, and rebuilds the group', async () => {
    const pool = await group();
    try {
      const before = pool.memory;
      const stuck = pool.call('wait', 128, 0, { timeout: STUCK });
      await until(pool.state.running, (n) => n === 1);
      const trapped = await rejection(pool.call('divide', 1, 0));
      const other = await rejection(stuck);
      expect(trapped).to.be.instanceOf(WorkerCrashedError);
      expect(other).to.be.instanceOf(WorkerCrashedError);
      expect(other.message).to.match(/divide by zero|division by zero|divi/i);
      expect(other.message).to.match(/worker #\d+/);
      expect(pool.memory).not.to.equal(before);
    } finally {
      await pool.terminate();
    }
  });

  it('a cancelled call ends its worker: the call waiting on the group fails, the group is rebuilt and serves again', async () => {
    const pool = await group();
    try {
      const stop = new AbortController();
      const spinning = pool.call('forever', { signal: stop.signal });
      const stuck = pool.call('wait', 128, 0, { timeout: STUCK });
      await until(pool.state.running, (n) => n === 2);
      stop.abort('enough');
      expect(await rejection(spinning)).to.be.instanceOf(TaskCancelledError);
      const other = await rejection(stuck);
      expect(other).to.be.instanceOf(WorkerCrashedError);
      expect(await pool.call('add_to', 0, 3)).to.equal(0);
      expect(new Int32Array(pool.memory!.buffer)[0]).to.equal(3);
    } finally {
      await pool.terminate();
    }
  });

  it('a call queued behind a trapping group runs on the rebuilt group, on its memory', async () => {
    const pool = await group();
    try {
      const stuck = pool.call('wait', 128, 0, { timeout: STUCK });
      await until(pool.state.running, (n) => n === 1);
      const trapped = pool.call('divide', 1, 0);
      const queued = pool.call('add_to', 0, 9);
      expect(await rejection(trapped)).to.be.instanceOf(WorkerCrashedError);
      expect(await rejection(stuck)).to.be.instanceOf(WorkerCrashedError);
      expect(await queued).to.equal(0);
      expect(new Int32Array(pool.memory!.buffer)[0]).to.equal(9);
    } finally {
      await pool.terminate();
    }
  });

  it('after a storm of traps every call has settled and every worker is on the one memory the pool shows', async function () {
    this.timeout(120_000);
    const pool = await group(3);
    try {
      const calls = Array.from({ length: 60 }, (_, i) => (i % 10 === 3 ? pool.call('divide', 1, 0) : pool.call('add_to', 4, 1, { timeout: STUCK })));
      const outcomes = await Promise.allSettled(calls);
      const timedOut = outcomes.filter((o) => o.status === 'rejected' && o.reason instanceof TaskTimeoutError).length;
      expect(timedOut).to.equal(0);
      await until(pool.state.workers, (workers) => workers.filter((w) => w.status === 'idle').length === 3);
      // Every worker now: each adds 1, many times over; the page's view of the memory sees all of it.
      const start = (await pool.call('get', 8)) as number;
      await Promise.all(Array.from({ length: 90 }, () => pool.call('add_to', 8, 1)));
      expect(new Int32Array(pool.memory!.buffer)[2]).to.equal(start + 90);
    } finally {
      await pool.terminate();
    }
  });

  it('a leased worker in a rebuilt group ends its lease; a new lease works on the new memory', async () => {
    const pool = await group();
    try {
      const lease = await pool.acquire();
      const waiting = lease.call('wait', 128, 0, { timeout: STUCK });
      await until(pool.state.running, (n) => n === 1);
      expect(await rejection(pool.call('divide', 1, 0))).to.be.instanceOf(WorkerCrashedError);
      expect(await rejection(waiting)).to.be.instanceOf(WorkerCrashedError);
      expect(await rejection(lease.call('get', 0))).to.be.instanceOf(WorkerCrashedError);
      lease.release();
      const next = await pool.acquire({ timeout: STUCK });
      await next.call('add_to', 0, 5);
      expect(new Int32Array(pool.memory!.buffer)[0]).to.equal(5);
      next.release();
    } finally {
      await pool.terminate();
    }
  });
});
