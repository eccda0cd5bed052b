// WasmPool: a bare .wasm compiled once, one instance per worker; leases with a limit;
// traps as crashes. One warm pool for calls that leave instances alone, fresh ones where
// an instance must trap, time out or be leased to the limit.
import { expect } from 'chai';
import { PoolTerminatedError, TaskCancelledError, TaskTimeoutError, WasmPool, WorkerBootError, WorkerCrashedError } from '../../workers/index.js';
import { rejection, until } from '../helpers.js';

const wasm = '/__fixtures__/math.wasm';

describe('WasmPool', () => {
  let pool: WasmPool;
  before(async () => {
    pool = new WasmPool({ wasm, min: 1, max: 2 });
    await pool.ready();
  });
  after(() => pool.terminate());

  it('calls exports with numbers, BigInts for i64', async () => {
    expect(await pool.call('add', 2, 3)).to.equal(5);
    expect(await pool.call('add64', 2n ** 40n, 1n)).to.equal(2n ** 40n + 1n);
    expect(await pool.call('mul', 1.5, 4)).to.equal(6);
  });

  it('takes a trailing options object', async () => {
    expect(await pool.call('add', 1, 2, { priority: 3, timeout: 5_000 })).to.equal(3);
  });

  it('refuses arguments that are not numbers, which an export would silently turn into 0', async () => {
    for (const bad of ['2', { a: 1 }, [1], null, () => 1]) {
      const err = await rejection(pool.call('add', 1, bad));
      expect(err).to.be.instanceOf(TypeError);
      expect(err.message).to.match(/argument 2 is .*WebAssembly exports take numbers/);
    }
  });

  it('rejects a missing export with a TypeError naming it, without harming the instance', async () => {
    const err = await rejection(pool.call('nothing', 1));
    expect(err).to.be.instanceOf(TypeError);
    expect(err.message).to.include('"nothing"');
    expect((await rejection(pool.call('answer'))).message).to.include('not a function');
    expect(await pool.call('add', 1, 1)).to.equal(2);
  });

  it('accepts a compiled WebAssembly.Module, shared with every worker', async () => {
    const module = await WebAssembly.compileStreaming(fetch(wasm));
    const own = new WasmPool({ wasm: module, min: 2, max: 2 });
    try {
      await own.ready();
      expect(await Promise.all([own.call('add', 1, 2), own.call('add', 3, 4)])).to.deep.equal([3, 7]);
    } finally {
      await own.terminate();
    }
  });

  for (const [name, args, pattern] of [
    ['fail', [], /unreachable/i],
    ['oob', [], /out of bounds|bounds/i],
    ['divide', [1, 0], /divide by zero|division by zero/i],
  ] as const) {
    it(`turns a trap (${name}) into WorkerCrashedError naming it, and replaces the instance`, async () => {
      const own = new WasmPool({ wasm, min: 1, max: 1 });
      try {
        await own.ready();
        const [first] = own.state.workers.value;
        const err = await rejection(own.call(name, ...args));
        expect(err).to.be.instanceOf(WorkerCrashedError);
        expect(err.message).to.include(`WebAssembly trap in ${name}()`);
        expect(err.message).to.match(pattern);
        expect(await own.call('add', 2, 2)).to.equal(4);
        expect(own.state.workers.value.map((w) => w.id)).not.to.include(first!.id);
      } finally {
        await own.terminate();
      }
    });
  }

  it('stops a call past its timeout by replacing the instance', async () => {
    const own = new WasmPool({ wasm, min: 1, max: 1, timeout: 100 });
    try {
      expect(await rejection(own.call('forever'))).to.be.instanceOf(TaskTimeoutError);
      expect(await own.call('add', 20, 22)).to.equal(42);
    } finally {
      await own.terminate();
    }
  });

  it('keeps a leased instance between calls, and its own state apart from others', async () => {
    const own = new WasmPool({ wasm, min: 2, max: 2 });
    try {
      await own.ready();
      const a = await own.acquire();
      const b = await own.acquire();
      expect(a.workerId).not.to.equal(b.workerId);
      await a.call('push', 5);
      await b.call('push', 100);
      expect(await a.call('push', 2)).to.equal(7);
      expect(await a.call('total')).to.equal(7);
      expect(await b.call('total')).to.equal(100);
      // Calls made together on one lease run one after another on it.
      expect(await Promise.all([a.call('push', 1), a.call('push', 1), a.call('total')])).to.deep.equal([8, 9, 9]);
      a.release();
      b.release();
      expect(await rejection(a.call('total'))).to.match(/released/);
    } finally {
      await own.terminate();
    }
  });

  it('makes acquire() wait while max instances are leased, and honours timeout and signal', async () => {
    const own = new WasmPool({ wasm, min: 1, max: 1 });
    try {
      const first = await own.acquire();
      expect(await rejection(own.acquire({ timeout: 50 }))).to.be.instanceOf(TaskTimeoutError);
      const stop = new AbortController();
      const cancelled = own.acquire({ signal: stop.signal });
      stop.abort();
      expect(await rejection(cancelled)).to.be.instanceOf(TaskCancelledError);
      // A waiting acquire() gets the instance when it is released; the pool's queue waits behind the lease.
      const second = own.acquire();
      const queued = own.call('add', 1, 2);
      await first.call('push', 3);
      first.release();
      const lease = await second;
      expect(await lease.call('total'), 'the same instance, its state kept').to.equal(3);
      lease.release();
      expect(await queued).to.equal(3);
    } finally {
      await own.terminate();
    }
  });

  it('starts instances for leases up to max', async () => {
    const own = new WasmPool({ wasm, min: 0, max: 2 });
    try {
      const [a, b] = await Promise.all([own.acquire(), own.acquire()]);
      expect(own.state.workers.value).to.have.length(2);
      expect(a.workerId).not.to.equal(b.workerId);
      a.release();
      b.release();
    } finally {
      await own.terminate();
    }
  });

  it('ends a lease on a trapped instance with the same error, and frees its place', async () => {
    const own = new WasmPool({ wasm, min: 1, max: 1 });
    try {
      const lease = await own.acquire();
      const err = await rejection(lease.call('fail'));
      expect(err).to.be.instanceOf(WorkerCrashedError);
      const after = await rejection(lease.call('total'));
      expect(after).to.be.instanceOf(WorkerCrashedError);
      expect(after.message).to.include('WebAssembly trap in fail()');
      lease.release();
      const next = await own.acquire({ timeout: 10_000 });
      expect(await next.call('total'), 'a fresh instance').to.equal(0);
      next.release();
    } finally {
      await own.terminate();
    }
  });

  it('rejects waiting acquires and ends leases on terminate()', async () => {
    const own = new WasmPool({ wasm, min: 1, max: 1 });
    const lease = await own.acquire();
    const waiting = own.acquire();
    await own.terminate();
    expect(await rejection(waiting)).to.be.instanceOf(PoolTerminatedError);
    expect(await rejection(lease.call('total'))).to.be.instanceOf(PoolTerminatedError);
    expect(await rejection(own.acquire())).to.be.instanceOf(PoolTerminatedError);
  });

  it('fails to start with WorkerBootError for a file that is missing or does not validate', async () => {
    const invalid = URL.createObjectURL(new Blob([new Uint8Array([0, 97, 115, 109, 9, 9, 9, 9])]));
    for (const [url, says] of [
      ['/__fixtures__/missing.wasm', /404/],
      [invalid, /not a valid WebAssembly module/],
    ] as const) {
      const bad = new WasmPool({ wasm: url, min: 1, max: 1 });
      try {
        const err = await rejection(bad.ready());
        expect(err).to.be.instanceOf(WorkerBootError);
        expect(err.message).to.include(url);
        expect(err.message).to.match(says);
        expect(await rejection(bad.acquire())).to.be.instanceOf(WorkerBootError);
      } finally {
        await bad.terminate();
      }
    }
  });

  it('refuses a module that imports functions (they cannot cross into a worker)', async () => {
    // (module (import "env" "log" (func (param i32))))
    const bytes = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 1, 127, 0, 2, 11, 1, 3, 101, 110, 118, 3, 108, 111, 103, 0, 0]);
    const bad = new WasmPool({ wasm: await WebAssembly.compile(bytes), min: 1, max: 1 });
    try {
      const err = await rejection(bad.ready());
      expect(err).to.be.instanceOf(WorkerBootError);
      expect(err.message).to.include('env.log');
    } finally {
      await bad.terminate();
    }
  });

  it('checks its options', () => {
    expect(() => new WasmPool({} as never)).to.throw(TypeError, /wasm/);
    expect(() => new WasmPool({ wasm, sharedMemory: { initial: 4, maximum: 1 } })).to.throw(TypeError, /sharedMemory/);
  });

  it('shows its workers in pool.state', async () => {
    await until(pool.state.workers, (workers) => workers.length >= 1 && workers.every((w) => w.status === 'idle'));
    expect(pool.state.workers.value[0]!.bootMode).to.equal('normal');
  });
});
