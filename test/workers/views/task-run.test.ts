// TaskRun decides when it connects, as TanStack's observers do: its first subscriber
// connects it (and, with `auto`, runs it), its last one leaving disconnects it.
import { expect } from 'chai';
import { PyodidePool, TaskCancelledError, TaskRun, type TaskRunStatus } from '../../../workers/index.js';
import { allSettled, indexURL, SPIN, until } from '../../helpers.js';
import { CountingHolder } from './counting-holder.js';

describe('TaskRun: connects on its first subscriber, disconnects on its last', () => {
  let pool: PyodidePool;
  before(async () => {
    pool = new PyodidePool({ indexURL, min: 2, max: 2, setup: 'def double(x):\n    return 2 * x' });
    await pool.ready();
  });
  after(() => pool.terminate());

  it('does nothing until subscribed; the first subscriber connects and runs it, a second one neither follows again nor re-runs', async () => {
    const holder = new CountingHolder(pool);
    const run = new TaskRun<number>(holder, 'double(x)', { inputs: { x: 2 }, auto: true });
    expect(holder.listeners).to.equal(0);
    expect(run.status.value).to.equal('idle');
    const seen: TaskRunStatus[] = [];
    const stopA = run.subscribe((s) => seen.push(s.status));
    // Its first value is the one from before the run started.
    expect(seen[0]).to.equal('idle');
    expect(holder.listeners).to.equal(1);
    await until(run.status, (s) => s === 'done');
    expect(run.result.value).to.equal(4);
    let second: TaskRunStatus | undefined;
    const stopB = run.subscribe((s) => (second = s.status));
    // A run would be queued by now (it begins synchronously): none began.
    expect(second).to.equal('done');
    expect(run.status.value).to.equal('done');
    expect(holder.listeners).to.equal(1);
    stopA();
    expect(holder.listeners, 'one subscriber is left').to.equal(1);
    stopB();
    stopB();
    expect(holder.listeners, 'the last one left (twice is once)').to.equal(0);
  });

  it('cancels the run in progress, with the reason given, when its last subscriber leaves; a new subscriber runs it again', async () => {
    const holder = new CountingHolder(pool);
    const run = new TaskRun(holder, SPIN, { auto: true });
    const stop = run.subscribe(() => {});
    await until(run.status, (s) => s === 'running');
    stop('the panel closed');
    await until(run.status, (s) => s === 'cancelled');
    expect(run.error.value).to.be.instanceOf(TaskCancelledError);
    expect((run.error.value as TaskCancelledError).reason).to.equal('the panel closed');
    expect(holder.listeners).to.equal(0);
    await allSettled(pool);
    const again = run.subscribe(() => {});
    expect(run.status.value, 'auto runs for the new subscriber').to.be.oneOf(['queued', 'running']);
    await until(run.status, (s) => s === 'running');
    again();
    await until(run.status, (s) => s === 'cancelled');
    await allSettled(pool);
  });

  it('stays connected with connect() and no subscriber, until disconnect()', async () => {
    const holder = new CountingHolder(pool);
    const run = new TaskRun<number>(holder, 'double(x)', { inputs: { x: 5 } });
    run.connect();
    expect(holder.listeners).to.equal(1);
    const stop = run.subscribe(() => {});
    stop();
    expect(holder.listeners, 'connect() still holds it').to.equal(1);
    expect(await run.run()).to.equal(10);
    expect(holder.listeners).to.equal(1);
    run.disconnect();
    expect(holder.listeners).to.equal(0);
  });

  it('disconnects on disconnect() even while subscribed, cancelling the run in progress', async () => {
    const holder = new CountingHolder(pool);
    const run = new TaskRun(holder, SPIN);
    let status: TaskRunStatus | undefined;
    const stop = run.subscribe((s) => (status = s.status));
    const result = run.run();
    await until(run.status, (s) => s === 'running');
    run.disconnect('stop it');
    expect(holder.listeners).to.equal(0);
    expect(await result.catch((err: unknown) => err)).to.be.instanceOf(TaskCancelledError);
    expect(status, 'the subscriber still hears').to.equal('cancelled');
    stop();
    await allSettled(pool);
  });

  it('follows its pool for a run nobody watches, only until that run ends', async () => {
    const holder = new CountingHolder(pool);
    const run = new TaskRun<number>(holder, 'double(x)', { inputs: { x: 1 } });
    const first = run.run();
    expect(holder.listeners).to.equal(1);
    const second = run.run({ x: 3 });
    // The superseded run ending does not let go of the newer one's pool.
    await first.catch(() => undefined);
    expect(holder.listeners).to.equal(1);
    expect(await second).to.equal(6);
    expect(holder.listeners).to.equal(0);
  });

  it('a run waiting for a pool that nobody watches starts on the pool when it comes', async () => {
    const holder = new CountingHolder(undefined);
    const run = new TaskRun<number>(holder, 'double(x)', { inputs: { x: 7 } });
    const result = run.run();
    expect(run.status.value).to.equal('queued');
    holder.change(pool);
    expect(await result).to.equal(14);
    expect(holder.listeners).to.equal(0);
  });

  it('does not connect again once disposed, subscribers or not', async () => {
    const holder = new CountingHolder(pool);
    const run = new TaskRun(holder, 'double(x)', { inputs: { x: 1 }, auto: true });
    const stop = run.subscribe(() => {});
    run.dispose();
    expect(holder.listeners).to.equal(0);
    await until(run.status, (s) => s === 'cancelled');
    stop();
    const later = run.subscribe(() => {});
    expect(holder.listeners).to.equal(0);
    // A run would be queued by now (it begins synchronously): none began.
    expect(run.status.value).to.equal('cancelled');
    later();
  });
});
