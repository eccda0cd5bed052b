// Queueing: priorities, FIFO order, backpressure, cancelling and aborting queued tasks.
// One warm single-worker pool is shared: a "gate" task holds the worker while others queue.
import { expect } from 'chai';
import { PyodidePool, QueueFullError, TaskCancelledError, type Task } from '../../workers/index.js';
import { indexURL, rejection, until } from '../helpers.js';

/** Python that runs until the test releases it through an input flag file would need I/O; a short busy loop does. */
const GATE = 'import time\nend = time.monotonic() + seconds\nwhile time.monotonic() < end:\n    pass\n"gate"';

describe('scheduling', () => {
  let pool: PyodidePool;

  before(async () => {
    pool = new PyodidePool({ indexURL, min: 1, max: 1, maxQueue: 3 });
    await pool.ready();
  });

  after(() => pool.terminate());

  /** Occupy the only worker for `seconds`, and wait until it is running. */
  async function gate(seconds = 0.5): Promise<Task> {
    const task = pool.submit(GATE, { inputs: { seconds } });
    await until(task.status, (s) => s === 'running');
    return task;
  }

  it('runs higher priority first and FIFO within a priority', async () => {
    const order: string[] = [];
    const blocker = await gate();
    const submit = (name: string, priority: number) => pool.submit('name', { inputs: { name }, priority }).result.then((n) => order.push(n as string));
    const done = [submit('low-1', 0), submit('high', 5), submit('low-2', 0)];
    expect(pool.state.queued.value).to.equal(3);
    await blocker.result;
    await Promise.all(done);
    expect(order).to.deep.equal(['high', 'low-1', 'low-2']);
  });

  it('refuses tasks beyond maxQueue with QueueFullError and keeps the others', async () => {
    const blocker = await gate();
    const queued = [1, 2, 3].map((i) => pool.submit('i', { inputs: { i } }));
    expect(() => pool.submit('4')).to.throw(QueueFullError);
    const err = await rejection(pool.run('5'));
    expect(err).to.be.instanceOf(QueueFullError);
    await blocker.result;
    expect(await Promise.all(queued.map((t) => t.result))).to.deep.equal([1, 2, 3]);
  });

  it('drops a cancelled queued task without running it', async () => {
    const blocker = await gate();
    const events: unknown[] = [];
    const task = pool.submit('print("ran")\n1', { onOutput: (e) => events.push(e) });
    const after = pool.submit('2');
    task.cancel('not needed');
    expect(task.status.value).to.equal('cancelled');
    expect(pool.state.queued.value).to.equal(1);
    const err = (await rejection(task.result)) as TaskCancelledError;
    expect(err).to.be.instanceOf(TaskCancelledError);
    expect(err.reason).to.equal('not needed');
    await blocker.result;
    expect(await after.result).to.equal(2);
    expect(events).to.deep.equal([]);
  });

  it('cancels through an AbortSignal, before or while queued', async () => {
    const pre = new AbortController();
    pre.abort('early');
    const early = pool.submit('1', { signal: pre.signal });
    expect(early.status.value).to.equal('cancelled');
    expect(((await rejection(early.result)) as TaskCancelledError).reason).to.equal('early');

    const blocker = await gate();
    const controller = new AbortController();
    const task = pool.submit('1', { signal: controller.signal });
    controller.abort('later');
    const err = (await rejection(task.result)) as TaskCancelledError;
    expect(err).to.be.instanceOf(TaskCancelledError);
    expect(err.reason).to.equal('later');
    await blocker.result;
  });

  it('makes cancel a no-op once a task has settled', async () => {
    const task = pool.submit('7');
    expect(await task.result).to.equal(7);
    task.cancel();
    expect(task.status.value).to.equal('done');
  });

  it('rejects map() on the first failure and cancels the rest', async () => {
    const blocker = await gate(0.3);
    const err = await rejection(pool.map('if item == 1:\n    raise ValueError("bad item")\nitem', [0, 1, 2]));
    expect(err.message).to.contain('bad item');
    await blocker.result;
    // The last item may already have started when the failure came; it is interrupted.
    await until(pool.state.running, (n) => n === 0);
    expect(pool.state.queued.value).to.equal(0);
    expect(await pool.run('"next"')).to.equal('next');
  });

  it('rejects map() with QueueFullError while the queue is full, queueing none of its items', async () => {
    const blocker = await gate(0.3);
    const waiting = [pool.submit('1'), pool.submit('2'), pool.submit('3')];
    const err = await rejection(pool.map('item', [0, 1, 2, 3, 4]));
    expect(err).to.be.instanceOf(QueueFullError);
    expect(pool.state.queued.value).to.equal(3);
    await Promise.all([blocker.result, ...waiting.map((t) => t.result)]);
    // Items travel in chunks: a map longer than maxQueue is not refused once it has room.
    expect(await pool.map('item', [0, 1, 2, 3, 4])).to.deep.equal([0, 1, 2, 3, 4]);
  });
});
