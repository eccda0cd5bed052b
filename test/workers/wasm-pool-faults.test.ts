// Faults: WasmPool and its leases (test/fixtures/wasm/attack.wat). Each test states
// a promise of the contract (API.md, "Beyond Python: module pools") and checks it; where a
// call could hang, it gets a generous `timeout`, so that a hang shows as TaskTimeoutError.
import { expect } from 'chai';
import { PoolTerminatedError, TaskCancelledError, TaskTimeoutError, WasmPool, WorkerBootError, WorkerCrashedError } from '../../workers/index.js';
import type { WasmLease } from '../../workers/index.js';
import { rejection, until } from '../helpers.js';

const wasm = '/__fixtures__/attack.wasm';
/** Long enough for any honest call here; a call that needs it was stuck. */
const STUCK = 4_000;

async function withPool(body: (pool: WasmPool) => Promise<void>, options: Partial<ConstructorParameters<typeof WasmPool>[0]> = {}): Promise<void> {
  const pool = new WasmPool({ wasm, min: 1, max: 1, ...options });
  try {
    await body(pool);
  } finally {
    await pool.terminate();
  }
}

async function warmIds(pool: WasmPool): Promise<number[]> {
  const workers = await until(pool.state.workers, (list) => list.length > 0 && list.every((w) => w.status === 'idle'));
  return workers.map((w) => w.id);
}

describe('faults: WasmPool', () => {
  describe('traps', () => {
    for (const [name, args, pattern] of [
      ['divide', [1, 0], /divi/i],
      ['divide', [-2147483648, -1], /overflow|divi/i],
      ['trunc', [NaN], /float|conver|integer|trunc|representable/i],
      ['callNull', [], /null|uninitiali|table|function|signature/i],
    ] as const) {
      it(`${name}(${args.join(', ')}) traps: WorkerCrashedError naming it, the instance replaced`, () =>
        withPool(async (pool) => {
          const [before] = await warmIds(pool);
          const err = await rejection(pool.call(name, ...args));
          expect(err).to.be.instanceOf(WorkerCrashedError);
          expect(err.message).to.match(pattern);
          expect(await pool.call('add', 1, 2)).to.equal(3);
          expect(await warmIds(pool)).not.to.include(before);
        }));
    }

    it('a stack overflow (infinite recursion) rejects with WorkerCrashedError, the instance replaced', () =>
      withPool(async (pool) => {
        const [before] = await warmIds(pool);
        const err = await rejection(pool.call('recurse', 0, { timeout: STUCK }));
        expect(err).to.be.instanceOf(WorkerCrashedError);
        expect(await warmIds(pool)).not.to.include(before);
      }));

    it('after a stack overflow, the next call gets an instance whose shadow stack is whole', () =>
      withPool(async (pool) => {
        expect(await pool.call('sp')).to.equal(65536);
        await rejection(pool.call('deep', 10_000_000, { timeout: STUCK }));
        expect(await pool.call('sp')).to.equal(65536);
      }));

    it('wrong argument types reject with a TypeError, the instance kept', () =>
      withPool(async (pool) => {
        const [before] = await warmIds(pool);
        // add takes i32s: a BigInt cannot become one.
        const err = await rejection(pool.call('add', 1n, 2n));
        expect(err).to.be.instanceOf(TypeError);
        expect(await warmIds(pool)).to.include(before);
      }));

    it('a memory.grow past the maximum returns -1, no crash', () =>
      withPool(async (pool) => {
        expect(await pool.call('grow', 100)).to.equal(-1);
        expect(await pool.call('add', 1, 1)).to.equal(2);
      }));
  });

  describe('boots', () => {
    it('a module whose start function traps fails to boot with WorkerBootError naming the URL', () =>
      withPool(
        async (pool) => {
          const err = await rejection(pool.ready());
          expect(err).to.be.instanceOf(WorkerBootError);
          expect(err.message).to.include('attack-start.wasm');
        },
        { wasm: '/__fixtures__/attack-start.wasm' },
      ));

    it('a file that is not WebAssembly (served as JSON) fails to boot with WorkerBootError naming the URL', () =>
      withPool(
        async (pool) => {
          const err = await rejection(pool.ready());
          expect(err).to.be.instanceOf(WorkerBootError);
          expect(err.message).to.include('/package.json');
        },
        { wasm: '/package.json' },
      ));

    it('acquire() while boots are failing rejects with WorkerBootError (it does not wait for ever)', () =>
      withPool(
        async (pool) => {
          const err = await rejection(pool.acquire({ timeout: STUCK }));
          expect(err).to.be.instanceOf(WorkerBootError);
        },
        { wasm: '/__fixtures__/missing.wasm', min: 0 },
      ));
  });

  describe('leases', () => {
    it('with max instances leased, acquire() waits: a call on the held lease does not hand its instance to a waiter', () =>
      withPool(async (pool) => {
        const first = await pool.acquire();
        const waiting = pool.acquire({ timeout: 1_500 });
        await first.call('push', 1);
        const second = await waiting.catch((err: Error) => err);
        if (!(second instanceof Error)) {
          // Two leases on one instance: what one pushes, the other sees.
          await second.call('push', 100);
        }
        expect(second, 'the second acquire() should still wait: the only instance is leased').to.be.instanceOf(TaskTimeoutError);
      }));

    it('a lease keeps its instance to itself when another lease on it is released', () =>
      withPool(async (pool) => {
        const first = await pool.acquire();
        const waiting = pool.acquire();
        await first.call('push', 1);
        // (With the double grant above, `waiting` already holds the same instance.)
        const queued = pool.call('push', 1_000);
        queued.catch(() => {});
        first.release();
        const second = await waiting;
        expect(await second.call('total')).to.equal(1);
        expect(await second.call('push', 1)).to.equal(2);
        second.release();
        expect(await queued).to.equal(1_002);
      }));

    it('a lease whose instance trapped ends, even when another acquire() was waiting for that instance', () =>
      withPool(async (pool) => {
        const first = await pool.acquire();
        const waiting = pool.acquire();
        await first.call('push', 1);
        expect(await rejection(first.call('fail'))).to.be.instanceOf(WorkerCrashedError);
        const after = await rejection(first.call('total', { timeout: STUCK }));
        expect(after).to.be.instanceOf(WorkerCrashedError);
        first.release();
        const second = await waiting;
        second.release();
      }));

    it('many callers acquiring, using and releasing: each lease sees only its own instance state, and all settle', () =>
      withPool(
        async (pool) => {
          const callers = Array.from({ length: 40 }, async (_, i) => {
            const lease = await pool.acquire({ timeout: 20_000 });
            try {
              const base = (await lease.call('total', { timeout: STUCK })) as number;
              await lease.call('push', 1, { timeout: STUCK });
              await lease.call('busy', 20_000, { timeout: STUCK });
              const after = (await lease.call('total', { timeout: STUCK })) as number;
              return after - base === 1 ? 'exclusive' : `caller ${i} saw ${after - base} pushes`;
            } finally {
              lease.release();
            }
          });
          const outcomes = (await Promise.allSettled(callers)).map((o) => (o.status === 'fulfilled' ? o.value : `${(o.reason as Error).name}: ${(o.reason as Error).message}`));
          expect(outcomes.filter((o) => o !== 'exclusive')).to.deep.equal([]);
        },
        { min: 2, max: 2 },
      ));

    it('a leased instance is not retired by idleTimeout while leased', () =>
      withPool(
        async (pool) => {
          // Two idle workers, both counting down to retire; one is leased.
          await Promise.all([pool.call('add', 1, 2), pool.call('add', 3, 4)]);
          await until(pool.state.workers, (workers) => workers.length === 2 && workers.every((w) => w.status === 'idle'));
          const lease = await pool.acquire();
          // The other one's countdown, started with it, ends: the leased one is left.
          const [left] = await until(pool.state.workers, (workers) => workers.length === 1);
          expect(left!.id).to.equal(lease.workerId);
          expect(await lease.call('push', 5, { timeout: STUCK })).to.equal(5);
          lease.release();
        },
        { min: 0, max: 2, idleTimeout: 200 },
      ));

    it('configure({ max }) lowered below the leases held: every lease call still settles (not by its timeout)', () =>
      withPool(
        async (pool) => {
          const a = await pool.acquire();
          const b = await pool.acquire();
          pool.configure({ max: 1 });
          const outcomes = await Promise.all([a, b].map((lease) => lease.call('push', 1, { timeout: STUCK }).catch((err: Error) => err)));
          for (const outcome of outcomes) expect(outcome).not.to.be.instanceOf(TaskTimeoutError);
          a.release();
          b.release();
          expect(await pool.call('add', 1, 1, { timeout: STUCK })).to.equal(2);
        },
        { min: 0, max: 2 },
      ));

    it('a call made just before release() still runs ("calls already made still run")', () =>
      withPool(async (pool) => {
        const lease = await pool.acquire();
        const made = lease.call('push', 4);
        lease.release();
        expect(await made.catch((err: Error) => `${err.name}: ${err.message}`)).to.equal(4);
      }));

    it('release() twice, and release() with a call in flight: the call settles, the instance returns once', () =>
      withPool(
        async (pool) => {
          const lease = await pool.acquire();
          const inFlight = lease.call('busy', 2_000_000);
          await until(pool.state.running, (n) => n === 1);
          lease.release();
          lease.release();
          expect(typeof (await inFlight)).to.equal('number');
          expect(await rejection(lease.call('total'))).to.match(/released/);
          const [a, b] = await Promise.all([pool.acquire({ timeout: STUCK }), pool.acquire({ timeout: STUCK })]);
          expect(a.workerId).not.to.equal(b.workerId);
          a.release();
          b.release();
        },
        { min: 0, max: 2 },
      ));

    it('a lease call cancelled while it runs rejects TaskCancelledError, and the lease ends with WorkerCrashedError', () =>
      withPool(async (pool) => {
        const lease = await pool.acquire();
        const stop = new AbortController();
        const running = lease.call('forever', { signal: stop.signal });
        await until(pool.state.running, (n) => n === 1);
        stop.abort('enough');
        expect(await rejection(running)).to.be.instanceOf(TaskCancelledError);
        expect(await rejection(lease.call('total'))).to.be.instanceOf(WorkerCrashedError);
        lease.release();
        const next = await pool.acquire({ timeout: STUCK });
        expect(await next.call('total')).to.equal(0);
        next.release();
      }));

    it('a lease call past its timeout rejects TaskTimeoutError, and the lease ends', () =>
      withPool(async (pool) => {
        const lease = await pool.acquire();
        expect(await rejection(lease.call('forever', { timeout: 100 }))).to.be.instanceOf(TaskTimeoutError);
        expect(await rejection(lease.call('total'))).to.be.instanceOf(WorkerCrashedError);
        lease.release();
      }));

    it('a lease call with arguments that cannot be sent rejects TypeError; the lease goes on', () =>
      withPool(async (pool) => {
        const lease = await pool.acquire();
        expect(await rejection(lease.call('push', Symbol('x')))).to.be.instanceOf(TypeError);
        expect(await lease.call('push', 3)).to.equal(3);
        expect(await rejection(lease.call('nothing'))).to.be.instanceOf(TypeError);
        expect(await lease.call('total')).to.equal(3);
        lease.release();
      }));

    it('terminate() with a lease call running rejects it with PoolTerminatedError', () =>
      withPool(async (pool) => {
        const lease = await pool.acquire();
        const running = lease.call('forever');
        await until(pool.state.running, (n) => n === 1);
        await pool.terminate();
        expect(await rejection(running)).to.be.instanceOf(PoolTerminatedError);
        expect(await rejection(lease.call('total'))).to.be.instanceOf(PoolTerminatedError);
      }));

    it('a waiting acquire() comes before queued calls when a busy instance frees up', () =>
      withPool(async (pool) => {
        await warmIds(pool);
        const busy = pool.call('busy', 5_000_000);
        const queued = pool.call('push', 7);
        const lease = pool.acquire({ timeout: STUCK });
        await busy;
        const held = await lease;
        expect(await held.call('total'), 'the queued call waits behind the lease').to.equal(0);
        held.release();
        expect(await queued).to.equal(7);
      }));

    it('acquire() with an aborted signal, or a timeout of 0, rejects at once', () =>
      withPool(async (pool) => {
        const stop = new AbortController();
        stop.abort();
        expect(await rejection(pool.acquire({ signal: stop.signal }))).to.be.instanceOf(TaskCancelledError);
        const first = await pool.acquire();
        const err = await rejection(pool.acquire({ timeout: 0 }));
        expect(err).to.be.instanceOf(TaskTimeoutError);
        first.release();
      }));

    it('acquire() checks its options', () =>
      withPool(async (pool) => {
        const err = await pool.acquire({ timeout: -5 }).then(
          (lease: WasmLease) => {
            lease.release();
            return 'granted';
          },
          (e: Error) => e,
        );
        expect(err).to.be.instanceOf(RangeError);
      }));
  });

  describe('load', () => {
    it('settles thousands of tiny calls on two instances, and thousands on one lease', async function () {
      this.timeout(120_000);
      const pool = new WasmPool({ wasm, min: 2, max: 2 });
      try {
        await pool.ready();
        const results = await Promise.all(Array.from({ length: 5_000 }, (_, i) => pool.call('add', i, 1)));
        expect(results.every((v, i) => v === i + 1)).to.equal(true);
        const lease = await pool.acquire();
        const pushed = await Promise.all(Array.from({ length: 2_000 }, () => lease.call('push', 1)));
        expect(pushed[pushed.length - 1]).to.equal(2_000);
        lease.release();
        expect(pool.state.completed.value).to.equal(7_000);
      } finally {
        await pool.terminate();
      }
    });

    it('mixes traps into a flood of calls: every call settles, once', async function () {
      this.timeout(120_000);
      const pool = new WasmPool({ wasm, min: 2, max: 2 });
      try {
        await pool.ready();
        const calls = Array.from({ length: 400 }, (_, i) => (i % 50 === 0 ? pool.call('fail') : pool.call('add', i, 1)));
        const outcomes = await Promise.allSettled(calls);
        const crashed = outcomes.filter((o) => o.status === 'rejected' && o.reason instanceof WorkerCrashedError).length;
        const done = outcomes.filter((o) => o.status === 'fulfilled').length;
        expect(crashed).to.equal(8);
        expect(done).to.equal(392);
      } finally {
        await pool.terminate();
      }
    });
  });
});
