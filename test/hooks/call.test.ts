// The bridge's createCall: a TaskRun whose runs call an export by name, on a real
// ModulePool (test/fixtures/modules/calc.js) and a real WasmPool (math.wat).
import { expect } from 'chai';
import { signal } from '@preact/signals-core';
import { createCall, createMap, createPoolState, createTask } from '../../hooks/index.js';
import { ModulePool, PyodidePool, TaskCancelledError, TaskRun, TaskTimeoutError, WasmPool, WorkerCrashedError } from '../../workers/index.js';
import { indexURL, rejection, until } from '../helpers.js';
import { CountingHolder } from '../workers/views/counting-holder.js';

const module = new URL('../fixtures/modules/calc.js', import.meta.url);

describe('hooks bridge: createCall on a ModulePool', () => {
  let pool: ModulePool;
  before(async () => {
    pool = new ModulePool({ module, min: 1, max: 2 });
    await pool.ready();
  });
  after(() => pool.terminate());

  it('calls at once with auto, re-calls when the args change by value (not when equal), and run(args) calls with new ones', async () => {
    const sum = createCall<number>(pool, 'add', [2, 3], { auto: true });
    await until(sum.status, (s) => s === 'done');
    expect(sum.result.value).to.equal(5);
    expect(sum.error.value).to.equal(undefined);
    const calls = pool.state.completed.value;
    expect(sum.update({ args: [2, 3] })).to.equal(false);
    expect(pool.state.completed.value).to.equal(calls);
    expect(sum.update({ args: [4, 5] })).to.equal(true);
    await until(sum.result, (r) => r === 9);
    expect(await sum.run([1, 1])).to.equal(2);
    expect(sum.snapshot.value).to.include({ status: 'done', result: 2 });
    sum.dispose();
  });

  it("shows what the export logs in stdout, and hands every event to onOutput's view", async () => {
    const greet = createCall<number>(pool, 'chatty', ['ada']);
    expect(await greet.run()).to.equal(3);
    // console.log and console.info are stdout; console.warn went to stderr.
    expect(greet.stdout.value).to.equal('hello ada {"n":1}\ndone\n');
    const events: string[] = [];
    const run = new TaskRun(pool, 'chatty', { args: ['bo'], onOutput: (event) => events.push(`${event.type}:${'text' in event ? event.text : ''}`) });
    await run.run();
    expect(events).to.deep.equal(['stdout:hello bo {"n":1}\n', 'stderr:careful\n', 'stdout:done\n']);
    greet.dispose();
    run.dispose();
  });

  it('reads args given as a function at each run', async () => {
    const a = signal(1);
    const sum = createCall<number>(pool, 'add', () => [a.value, 10]);
    expect(await sum.run()).to.equal(11);
    a.value = 5;
    expect(await sum.run()).to.equal(15);
    sum.dispose();
  });

  it('follows a <worker-pool>-like holder: waits, queued, for its pool, then calls on it', async () => {
    const holder = new CountingHolder(undefined);
    const sum = createCall<number>(holder, 'add', [20, 22], { auto: true });
    const { state, dispose } = createPoolState(holder);
    expect(sum.status.value).to.equal('queued');
    holder.change(pool);
    await until(sum.result, (r) => r === 42);
    expect(state.value.workers.length).to.be.at.least(1);
    dispose();
    sum.dispose();
    expect(holder.listeners).to.equal(0);
  });
});

describe('hooks bridge: createCall failures', () => {
  let pool: ModulePool;
  before(async () => {
    pool = new ModulePool({ module, min: 1, max: 2 });
    await pool.ready();
  });
  after(() => pool.terminate());

  it('puts what the export threw in error, by name and message, and the pool carries on', async () => {
    const failing = createCall(pool, 'reject', ['type'], { auto: true });
    await until(failing.status, (s) => s === 'failed');
    expect(failing.error.value).to.be.instanceOf(TypeError);
    expect(failing.error.value!.message).to.equal('not a number');
    expect(failing.result.value).to.equal(undefined);
    const custom = createCall(pool, 'reject', ['custom']);
    const err = await rejection(custom.run());
    expect(err.name).to.equal('ValidationError');
    expect(custom.error.value).to.equal(err);
    expect(await pool.call('add', [1, 2])).to.equal(3);
    failing.dispose();
    custom.dispose();
  });

  it('fails a missing export with a TypeError naming it', async () => {
    const missing = createCall(pool, 'nope');
    const err = await rejection(missing.run());
    expect(err).to.be.instanceOf(TypeError);
    expect(err.message).to.include('"nope"');
    expect(missing.status.value).to.equal('failed');
    missing.dispose();
  });

  it('times out a call past its timeout, and cancels one on request; the workers are replaced', async () => {
    const slow = createCall(pool, 'later', ['late', 60_000], { timeout: 100 });
    expect(await rejection(slow.run())).to.be.instanceOf(TaskTimeoutError);
    expect(slow.status.value).to.equal('failed');
    const spinning = createCall(pool, 'forever');
    const run = spinning.run();
    await until(spinning.status, (s) => s === 'running');
    spinning.cancel('enough');
    expect(await rejection(run)).to.be.instanceOf(TaskCancelledError);
    expect(spinning.status.value).to.equal('cancelled');
    await until(pool.state.running, (n) => n === 0);
    expect(await pool.call('add', [2, 2])).to.equal(4);
    slow.dispose();
    spinning.dispose();
  });

  it('fails args that are not an array, saying so, and sends nothing', async () => {
    const sent = pool.state.completed.value + pool.state.failed.value;
    const bad = createCall(pool, 'add', (() => 'two and three') as unknown as () => unknown[]);
    const err = await rejection(bad.run());
    expect(err).to.be.instanceOf(TypeError);
    expect(err.message).to.match(/args must be an array/);
    expect(bad.status.value).to.equal('failed');
    expect(pool.state.completed.value + pool.state.failed.value).to.equal(sent);
    bad.dispose();
  });

  it('fails Python code on a pool of exports, and a map, saying to use a call', async () => {
    const task = createTask(pool, 'add(2, 3)');
    const err = await rejection(task.run());
    expect(err).to.be.instanceOf(TypeError);
    expect(err.message).to.match(/calls exports by name.*use a call/);
    const map = createMap(pool, 'item', [1, 2]);
    expect((await rejection(map.run())).message).to.match(/calls exports by name/);
    task.dispose();
    map.dispose();
  });

  it('fails a call on a pool that runs Python, saying which pools take calls', async () => {
    // No worker is needed (min 0): the run fails before anything is submitted.
    const python = new PyodidePool({ indexURL, min: 0, max: 1 });
    try {
      const call = createCall(python, 'add', [2, 3]);
      const err = await rejection(call.run());
      expect(err).to.be.instanceOf(TypeError);
      expect(err.message).to.match(/ModulePool or WasmPool/);
      expect(call.status.value).to.equal('failed');
      expect(python.state.queued.value + python.state.completed.value + python.state.failed.value).to.equal(0);
      call.dispose();
    } finally {
      await python.terminate();
    }
  });

  it('refuses args and items together', () => {
    expect(() => new TaskRun(pool, 'add', { args: [1], items: [1] })).to.throw(TypeError, /cannot be combined/);
  });
});

describe('hooks bridge: createCall on a WasmPool', () => {
  let pool: WasmPool;
  before(async () => {
    pool = new WasmPool({ wasm: '/__fixtures__/math.wasm', min: 1, max: 1 });
    await pool.ready();
  });
  after(() => pool.terminate());

  it('calls an export with numbers', async () => {
    const product = createCall<number>(pool, 'mul', [1.5, 4], { auto: true });
    await until(product.status, (s) => s === 'done');
    expect(product.result.value).to.equal(6);
    product.dispose();
  });

  it('puts a trap in error as WorkerCrashedError naming it, and the instance is replaced', async () => {
    const [before] = pool.state.workers.value;
    const trap = createCall(pool, 'fail', [], { auto: true });
    await until(trap.status, (s) => s === 'failed');
    expect(trap.error.value).to.be.instanceOf(WorkerCrashedError);
    expect(trap.error.value!.message).to.match(/unreachable/i);
    await until(pool.state.workers, (workers) => workers.length === 1 && workers[0]!.id !== before!.id && workers[0]!.status === 'idle');
    expect(await pool.call('add', 2, 3)).to.equal(5);
    trap.dispose();
  });
});
