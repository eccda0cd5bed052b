// Faults: workers that die under a task, terminate() with work in flight, boots that fail.
// These tests are about crashing and terminating, so each boots its own pool.
import { expect } from 'chai';
import { effect } from '@preact/signals-core';
import { PoolTerminatedError, PyodidePool, WorkerBootError, WorkerCrashedError } from '../../workers/index.js';
import { stallFirstBoot } from '../fixtures/stall-channel.js';
import { indexURL, rejection, SPIN, until } from '../helpers.js';

describe('faults', () => {
  it('notices a worker that closes itself, rejects its task and carries on with the queue', async () => {
    const pool = new PyodidePool({ indexURL, min: 1, max: 1 });
    try {
      await pool.ready();
      const [first] = pool.state.workers.value;
      // After close() the worker posts nothing more and ends: no event reaches the Worker object.
      const crash = pool.submit('import js\njs.close()\n"never delivered"');
      const next = pool.submit('"after the crash"');
      const err = await rejection(crash.result);
      expect(err).to.be.instanceOf(WorkerCrashedError);
      expect(crash.status.value).to.equal('failed');
      expect(await next.result).to.equal('after the crash');
      expect(pool.state.workers.value.map((w) => w.id)).not.to.include(first!.id);
      // pool.state.recent tells the story: the worker's boot, its death, its successor; the crashed task.
      const successor = pool.state.workers.value[0]!.id;
      await until(pool.state.recent, (r) => r.workers.some((e) => e.worker === successor && e.event === 'booted'));
      const { tasks, workers } = pool.state.recent.value;
      const events = workers.map((e) => `${e.worker} ${e.event}`);
      expect(events).to.include.members([`${first!.id} started`, `${first!.id} booted`, `${first!.id} died`, `${successor} started`, `${successor} booted`]);
      expect(workers.find((e) => e.worker === successor && e.event === 'started')).to.include({ replaces: first!.id, detail: `replaces #${first!.id} (crashed)` });
      expect(workers.find((e) => e.worker === first!.id && e.event === 'booted')!.mode).to.be.oneOf(['normal', 'base-snapshot', 'snapshot']);
      expect(tasks.find((t) => t.id === crash.id)).to.include({ outcome: 'crashed', worker: first!.id, label: 'import js' });
      expect(tasks.find((t) => t.id === next.id)).to.include({ outcome: 'done', worker: successor });
      await pool.terminate();
      expect(pool.state.recent.value.workers.at(-1)).to.include({ worker: successor, event: 'ended', detail: 'the pool ended' });
    } finally {
      await pool.terminate();
    }
  });

  it('notices a worker that vanishes without a word (Web Lock) and replaces it', async () => {
    const workerURL = new URL('../fixtures/silent-death-worker.js', import.meta.url);
    const pool = new PyodidePool({ indexURL, min: 1, max: 1, workerURL });
    try {
      await pool.ready();
      const [first] = pool.state.workers.value;
      // close() takes effect when the worker's current job ends, so this synchronous task
      // still delivers its value; then the worker is gone without any event.
      expect(await pool.run('import js\njs.silentClose()\n"last words"')).to.equal('last words');
      // Only the life lock the worker held can tell the pool that it is gone.
      await until(pool.state.workers, (ws) => ws.length === 1 && ws[0]!.id !== first!.id && ws[0]!.status === 'idle');
      expect(await pool.run('"replaced"')).to.equal('replaced');
    } finally {
      await pool.terminate();
    }
  });

  it('terminate() rejects running and queued tasks and ends every worker', async () => {
    const pool = new PyodidePool({ indexURL, min: 1, max: 1 });
    await pool.ready();
    const running = pool.submit(SPIN);
    const queued = pool.submit('1');
    await until(running.status, (s) => s === 'running');
    await pool.terminate();
    expect(await rejection(running.result)).to.be.instanceOf(PoolTerminatedError);
    expect(await rejection(queued.result)).to.be.instanceOf(PoolTerminatedError);
    expect(pool.state.workers.value).to.deep.equal([]);
    expect(pool.state.running.value).to.equal(0);
    expect(pool.state.queued.value).to.equal(0);
    expect(() => pool.submit('1')).to.throw(PoolTerminatedError);
    expect(await rejection(pool.run('1'))).to.be.instanceOf(PoolTerminatedError);
    await pool.terminate(); // idempotent
  });

  it('terminate() while workers are still booting rejects ready() and the queue', async () => {
    const pool = new PyodidePool({ indexURL, min: 1 });
    const task = pool.submit('1');
    await pool.terminate();
    expect(await rejection(pool.ready())).to.be.instanceOf(PoolTerminatedError);
    expect(await rejection(task.result)).to.be.instanceOf(PoolTerminatedError);
  });

  it('rejects ready() and queued tasks with a clear error when Pyodide cannot be loaded', async () => {
    const pool = new PyodidePool({ indexURL: '/no-pyodide-here/', min: 1 });
    const task = pool.submit('1');
    const err = (await rejection(pool.ready())) as WorkerBootError;
    expect(err).to.be.instanceOf(WorkerBootError);
    expect(err.message).to.contain('/no-pyodide-here/');
    expect(await rejection(task.result)).to.equal(err);
    // New work is refused with the same error instead of hanging.
    expect(await rejection(pool.run('1'))).to.equal(err);
    expect(pool.state.workers.value).to.deep.equal([]);
    await pool.terminate();
  });

  it('rejects with the setup error when setup raises', async () => {
    const pool = new PyodidePool({ indexURL, setup: 'x = 1\nraise RuntimeError("broken setup")' });
    const err = (await rejection(pool.ready())) as WorkerBootError;
    expect(err).to.be.instanceOf(WorkerBootError);
    expect(err.message).to.contain('RuntimeError: broken setup');
    expect(err.message).to.contain('setup line 2');
    await pool.terminate();
  });

  it('ends a boot that stalls after bootTimeout and boots another worker in its place', async () => {
    const stopStalling = stallFirstBoot();
    const workerURL = new URL('../fixtures/stall-first-boot.js', import.meta.url);
    // Long enough for a real boot on a loaded machine, short enough for a test.
    const pool = new PyodidePool({ indexURL, min: 1, max: 1, workerURL, bootTimeout: 10_000, snapshot: false });
    const started = new Set<number>();
    const stop = effect(() => pool.state.workers.value.forEach((w) => started.add(w.id)));
    try {
      const task = pool.submit('"after the stall"');
      await pool.ready();
      expect(await task.result).to.equal('after the stall');
      // The stalled worker, then the one that replaced it.
      expect(started.size).to.equal(2);
    } finally {
      stop();
      await pool.terminate();
      stopStalling();
    }
  });

  it('gives up after a few crashes while booting instead of looping forever', async () => {
    // A worker script that dies at once: every boot fails the same way.
    const script = URL.createObjectURL(new Blob(['throw new Error("bad worker")'], { type: 'text/javascript' }));
    const pool = new PyodidePool({ indexURL, workerURL: script });
    // Every worker the pool starts shows up in its state: count them. (In Firefox the
    // script's error arrives before the boot is even asked for; it must count too.)
    const started = new Set<number>();
    const stop = effect(() => pool.state.workers.value.forEach((w) => started.add(w.id)));
    const err = (await rejection(pool.ready())) as WorkerBootError;
    stop();
    expect(err).to.be.instanceOf(WorkerBootError);
    expect(err.message).to.match(/died while starting/);
    expect(started.size).to.equal(3);
    await pool.terminate();
    URL.revokeObjectURL(script);
  });
});
