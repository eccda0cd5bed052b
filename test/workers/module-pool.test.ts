// ModulePool: an ES module's exports called by name on the pool's scheduler. One warm pool
// for the calls that leave its workers alone; fresh ones where a worker must die.
import { expect } from 'chai';
import { ModulePool, PoolTerminatedError, QueueFullError, TaskCancelledError, TaskTimeoutError, WorkerBootError, WorkerCrashedError } from '../../workers/index.js';
import type { OutputEvent } from '../../workers/index.js';
import { rejection, until } from '../helpers.js';

const module = new URL('../fixtures/modules/calc.js', import.meta.url);

describe('ModulePool', () => {
  let pool: ModulePool;
  before(async () => {
    pool = new ModulePool({ module, min: 1, max: 2 });
    await pool.ready();
  });
  after(() => pool.terminate());

  it('calls an export with its arguments, sync or async', async () => {
    expect(await pool.call('add', [2, 3])).to.equal(5);
    expect(await pool.call('later', ['waited', 5])).to.equal('waited');
    expect(await pool.call('sum', [[1, 2, 3, 4]])).to.equal(10);
  });

  it('moves transferred buffers to the worker, and copies the rest', async () => {
    const view = new Uint8Array([7, 8, 9]);
    const result = pool.call('bytes', [view], { transfer: [view.buffer] });
    expect(view.byteLength, 'detached at once').to.equal(0);
    expect(await result).to.deep.equal({ length: 3, first: 7, detachedHere: false });
    const kept = new Uint8Array([1]);
    await pool.call('bytes', [kept]);
    expect(kept.byteLength).to.equal(1);
  });

  it('rejects with what the export threw: name, message and stack', async () => {
    const type = await rejection(pool.call('reject', ['type']));
    expect(type).to.be.instanceOf(TypeError);
    expect(type.message).to.equal('not a number');
    expect(type.stack).to.include('calc.js');
    const custom = await rejection(pool.call('reject', ['custom']));
    expect(custom.name).to.equal('ValidationError');
    expect(custom.message).to.equal('the input is invalid');
    const async = await rejection(pool.call('rejectLater'));
    expect(async).to.be.instanceOf(RangeError);
    // The worker is unharmed.
    expect(await pool.call('add', [1, 1])).to.equal(2);
  });

  it('rejects a missing export with a TypeError naming it, and the pool carries on', async () => {
    const [before] = pool.state.workers.value;
    const missing = await rejection(pool.call('nope'));
    expect(missing).to.be.instanceOf(TypeError);
    expect(missing.message).to.include('"nope"');
    const notFunction = await rejection(pool.call('version'));
    expect(notFunction).to.be.instanceOf(TypeError);
    expect(notFunction.message).to.include('not a function');
    expect(pool.state.workers.value.map((w) => w.id)).to.include(before!.id);
  });

  it('refuses arguments that cannot be cloned before sending anything', () => {
    const sentBefore = pool.state.completed.value + pool.state.failed.value + pool.state.queued.value;
    expect(() => pool.submit('add', { args: [() => 1] })).to.throw(TypeError, /cannot be sent/);
    expect(() => pool.submit('add', { args: [{ f: Symbol('x') }] })).to.throw(TypeError, /cannot be sent/);
    expect(pool.state.completed.value + pool.state.failed.value + pool.state.queued.value).to.equal(sentBefore);
    expect(() => pool.submit('add', { inputs: { a: 1 } } as never)).to.throw(TypeError, /'inputs' is for Python tasks/);
    return pool.call('bad', 'not an array' as never).then(
      () => expect.fail('resolved'),
      (err: Error) => expect(err).to.be.instanceOf(TypeError),
    );
  });

  it("sends the module's console output to that call's onOutput", async () => {
    const events: OutputEvent[] = [];
    expect(await pool.call('chatty', ['ada'], { onOutput: (event) => events.push(event) })).to.equal(3);
    expect(events).to.deep.equal([
      { type: 'stdout', text: 'hello ada {"n":1}\n' },
      { type: 'stderr', text: 'careful\n' },
      { type: 'stdout', text: 'done\n' },
    ]);
  });

  it('runs higher priorities first and keeps counts in pool.state', async () => {
    const one = new ModulePool({ module, min: 1, max: 1 });
    try {
      await one.ready();
      const order: string[] = [];
      const blocker = one.call('later', ['first', 30]).then((v) => order.push(v as string));
      const low = one.call('add', ['lo', 'w']).then((v) => order.push(v as string));
      const high = one.call('add', ['hi', 'gh'], { priority: 5 }).then((v) => order.push(v as string));
      expect(one.state.queued.value).to.equal(2);
      await Promise.all([blocker, low, high]);
      expect(order).to.deep.equal(['first', 'high', 'low']);
      expect(one.state.completed.value).to.equal(3);
    } finally {
      await one.terminate();
    }
  });

  it('throws QueueFullError past maxQueue', async () => {
    const small = new ModulePool({ module, min: 1, max: 1, maxQueue: 1 });
    try {
      await small.ready();
      const running = small.call('later', [1, 20]);
      const queued = small.call('add', [1, 2]);
      expect(() => small.submit('add', { args: [1, 2] })).to.throw(QueueFullError);
      expect(await running).to.equal(1);
      expect(await queued).to.equal(3);
    } finally {
      await small.terminate();
    }
  });

  it('ends a call past its timeout by replacing its worker', async () => {
    const own = new ModulePool({ module, min: 1, max: 1 });
    try {
      await own.ready();
      const [first] = own.state.workers.value;
      const err = await rejection(own.call('forever', [], { timeout: 100 }));
      expect(err).to.be.instanceOf(TaskTimeoutError);
      expect(await own.call('add', [20, 22])).to.equal(42);
      expect(own.state.workers.value.map((w) => w.id)).not.to.include(first!.id);
    } finally {
      await own.terminate();
    }
  });

  it('cancels a waiting call at once and a running one by ending its worker', async () => {
    const own = new ModulePool({ module, min: 1, max: 1 });
    try {
      await own.ready();
      const stopRunning = new AbortController();
      const stopWaiting = new AbortController();
      const running = own.call('forever', [], { signal: stopRunning.signal });
      const waiting = own.call('add', [1, 2], { signal: stopWaiting.signal });
      await until(own.state.running, (n) => n === 1);
      stopWaiting.abort('not needed');
      expect(await rejection(waiting)).to.be.instanceOf(TaskCancelledError);
      stopRunning.abort();
      expect(await rejection(running)).to.be.instanceOf(TaskCancelledError);
      expect(await own.call('add', [2, 2])).to.equal(4);
    } finally {
      await own.terminate();
    }
  });

  it('turns a WebAssembly trap into WorkerCrashedError naming it, and replaces the worker', async () => {
    const own = new ModulePool({ module, min: 1, max: 1 });
    try {
      await own.ready();
      const [first] = own.state.workers.value;
      const err = await rejection(own.call('trap'));
      expect(err).to.be.instanceOf(WorkerCrashedError);
      expect(err.message).to.match(/WebAssembly trap in trap\(\)/);
      expect(err.message).to.match(/unreachable/i);
      expect(await own.call('add', [1, 2])).to.equal(3);
      expect(own.state.workers.value.map((w) => w.id)).not.to.include(first!.id);
    } finally {
      await own.terminate();
    }
  });

  it('notices a worker that closes itself under a call', async () => {
    const own = new ModulePool({ module, min: 1, max: 1 });
    try {
      const err = await rejection(own.call('exit'));
      expect(err).to.be.instanceOf(WorkerCrashedError);
      expect(await own.call('add', [1, 2])).to.equal(3);
    } finally {
      await own.terminate();
    }
  });

  it('notices a worker that vanishes without a word (its Web Lock) and replaces it', async () => {
    const workerURL = new URL('../fixtures/silent-death-module-worker.js', import.meta.url);
    const own = new ModulePool({ module, min: 1, max: 1, workerURL });
    try {
      await own.ready();
      const [first] = own.state.workers.value;
      // close() takes effect when the call returns: its value still arrives, then the worker is gone without an event.
      expect(await own.call('vanish')).to.equal('last words');
      await until(own.state.workers, (workers) => workers.length === 1 && workers[0]!.id !== first!.id && workers[0]!.status === 'idle');
      expect(await own.call('add', [1, 2])).to.equal(3);
    } finally {
      await own.terminate();
    }
  });

  it('fails to start with WorkerBootError naming a module that does not load', async () => {
    for (const url of [new URL('../fixtures/modules/broken.js', import.meta.url), new URL('../fixtures/modules/missing.js', import.meta.url)]) {
      const bad = new ModulePool({ module: url, min: 1, max: 1 });
      try {
        const err = await rejection(bad.ready());
        expect(err).to.be.instanceOf(WorkerBootError);
        expect(err.message).to.include(url.href);
        expect(await rejection(bad.call('add', [1, 2]))).to.be.instanceOf(WorkerBootError);
      } finally {
        await bad.terminate();
      }
    }
  });

  it('checks its options', () => {
    expect(() => new ModulePool({} as never)).to.throw(TypeError, /module/);
    expect(() => new ModulePool({ module, min: 3, max: 1 })).to.throw(RangeError, /^ModulePool:/);
  });

  it('rejects calls after terminate()', async () => {
    const own = new ModulePool({ module, min: 0, max: 1 });
    await own.terminate();
    expect(await rejection(own.call('add', [1, 2]))).to.be.instanceOf(PoolTerminatedError);
  });
});
