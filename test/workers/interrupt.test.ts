// Stopping running tasks on a cross-origin isolated page: KeyboardInterrupt keeps the
// worker warm; a wedged interpreter is terminated and replaced after the grace period.
import { expect } from 'chai';
import { PyodidePool, TaskCancelledError, TaskTimeoutError } from '../../workers/index.js';
import { indexURL, rejection, SPIN, submitCancelledAfterEach, until } from '../helpers.js';

describe('interrupting running tasks (isolated page)', () => {
  let pool: PyodidePool;

  // A long grace: these tests are about interrupts landing, and on a loaded 2-core
  // machine an acknowledgement can take a while; the wedged test has its own short grace.
  before(async () => {
    pool = new PyodidePool({ indexURL, min: 1, max: 1, interruptGrace: 5_000 });
    await pool.ready();
  });

  after(() => pool.terminate());

  const submit = submitCancelledAfterEach(() => pool);

  const workerIds = () => pool.state.workers.value.map((w) => w.id);

  it('can interrupt here', () => {
    expect(crossOriginIsolated).to.equal(true);
    expect(pool.capabilities.interrupt).to.equal(true);
  });

  it('times out a runaway loop and keeps the worker warm', async () => {
    const ids = workerIds();
    const task = submit(SPIN, { timeout: 300 });
    const err = (await rejection(task.result)) as TaskTimeoutError;
    expect(err).to.be.instanceOf(TaskTimeoutError);
    expect(err.timeout).to.equal(300);
    expect(task.status.value).to.equal('failed');
    expect(workerIds()).to.deep.equal(ids);
    expect(await pool.run('"still warm"')).to.equal('still warm');
  });

  it('cancels a running task with KeyboardInterrupt and keeps the worker', async () => {
    const ids = workerIds();
    const task = submit('print("started", flush=True)\n' + SPIN);
    await until(task.stdout, (s) => s.includes('started'));
    task.cancel('stop');
    const err = (await rejection(task.result)) as TaskCancelledError;
    expect(err).to.be.instanceOf(TaskCancelledError);
    expect(err.reason).to.equal('stop');
    expect(task.status.value).to.equal('cancelled');
    expect(workerIds()).to.deep.equal(ids);
    expect(await pool.run('1 + 1')).to.equal(2);
  });

  it('interrupts a task cancelled before its worker has even picked it up', async () => {
    // Dispatched (so "running") but not yet started in the worker: the interrupt must
    // wait for it rather than be cleared when the task starts.
    await until(pool.state.workers, (ws) => ws.length === 1 && ws[0]!.status === 'idle');
    const ids = workerIds();
    for (let i = 0; i < 5; i++) {
      const task = submit(SPIN);
      expect(task.status.value).to.equal('running');
      task.cancel('at once');
      expect(await rejection(task.result)).to.be.instanceOf(TaskCancelledError);
      const quick = submit(SPIN, { timeout: 1 });
      expect(await rejection(quick.result)).to.be.instanceOf(TaskTimeoutError);
    }
    expect(workerIds()).to.deep.equal(ids);
    expect(await pool.run('"no stale interrupt"')).to.equal('no stale interrupt');
  });

  it('cancels a running task through its AbortSignal', async () => {
    const controller = new AbortController();
    const task = submit(SPIN, { signal: controller.signal });
    await until(task.status, (s) => s === 'running');
    controller.abort(new Error('user left'));
    const err = (await rejection(task.result)) as TaskCancelledError;
    expect(err).to.be.instanceOf(TaskCancelledError);
    expect((err.reason as Error).message).to.equal('user left');
  });

  it('counts the timeout from when the task starts running, not from when it was queued', async () => {
    const busy = submit('import time\nend = time.monotonic() + 0.8\nwhile time.monotonic() < end:\n    pass\n"busy"');
    const quick = submit('"quick"', { timeout: 400 });
    expect(await busy.result).to.equal('busy');
    expect(await quick.result).to.equal('quick');
  });

  it('terminates and replaces a worker whose code swallows the interrupt, after interruptGrace', async () => {
    const wedgedPool = new PyodidePool({ indexURL, min: 1, max: 1, interruptGrace: 300 });
    try {
      await wedgedPool.ready();
      const ids = wedgedPool.state.workers.value.map((w) => w.id);
      const wedged = 'while True:\n    try:\n        while True:\n            pass\n    except KeyboardInterrupt:\n        pass';
      const task = wedgedPool.submit(wedged, { timeout: 200 });
      expect(await rejection(task.result)).to.be.instanceOf(TaskTimeoutError);
      // The wedged worker is gone; a fresh one takes over.
      expect(wedgedPool.state.workers.value.map((w) => w.id)).not.to.deep.equal(ids);
      expect(await wedgedPool.run('"replacement works"')).to.equal('replacement works');
    } finally {
      await wedgedPool.terminate();
    }
  });

  it('settles a task whose code catches the interrupt and returns, as cancelled', async () => {
    const code = 'try:\n' + '    print("in", flush=True)\n    while True:\n        pass\nexcept KeyboardInterrupt:\n    result = "caught"\nresult';
    const task = submit(code);
    await until(task.stdout, (s) => s.includes('in'));
    task.cancel();
    expect(await rejection(task.result)).to.be.instanceOf(TaskCancelledError);
    expect(await pool.run('3')).to.equal(3);
  });
});
