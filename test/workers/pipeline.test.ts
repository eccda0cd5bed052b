// Pipelining: when tiny tasks queue deep, a worker is handed many at once and answers in
// batches. A task handed over but not begun must still behave as queued: cancel drops it
// unrun, its timeout counts from its real start, and a crash sends it to another worker.
import { expect } from 'chai';
import { PyodidePool, QueueFullError, TaskCancelledError, TaskTimeoutError, WorkerCrashedError, type Task } from '../../workers/index.js';
import { indexURL, rejection, SPIN, until } from '../helpers.js';

describe('pipelined tasks', () => {
  let pool: PyodidePool;

  before(async () => {
    pool = new PyodidePool({ indexURL, min: 1, max: 1, interruptGrace: 5_000 });
    await pool.ready();
    // Teach the worker that tasks here are tiny, so it is handed them in bulk.
    await pool.map(
      'item',
      Array.from({ length: 50 }, (_, i) => i),
    );
  });

  after(() => pool.terminate());

  const tiny = (count: number, from = 0): Task<number>[] => Array.from({ length: count }, (_, i) => pool.submit<number>('item * 2', { inputs: { item: from + i } }));

  it('runs thousands of tiny tasks with every result in place and the counters back to zero', async () => {
    const tasks = tiny(3000);
    const completedBefore = pool.state.completed.value;
    const results = await Promise.all(tasks.map((t) => t.result));
    expect(results).to.deep.equal(Array.from({ length: 3000 }, (_, i) => i * 2));
    expect(pool.state.completed.value - completedBefore).to.equal(3000);
    await until(pool.state.running, (n) => n === 0);
    expect(pool.state.queued.value).to.equal(0);
    expect(pool.state.workers.value[0]!.status).to.equal('idle');
    expect(pool.state.workers.value[0]!.tasksRun).to.be.greaterThan(3000);
  });

  it("drops a cancelled task that is already in its worker's hands, and runs the rest", async () => {
    const outputs: unknown[] = [];
    const before = tiny(400);
    const victim = pool.submit('print("ran")\n"victim"', { onOutput: (e) => outputs.push(e) });
    const after = tiny(400, 400);
    // Once results flow the worker holds a batch that includes the victim (or it is
    // still queued here): either way, cancelling must keep it from running.
    await before[0]!.result;
    victim.cancel('not wanted');
    const err = (await rejection(victim.result)) as TaskCancelledError;
    expect(err).to.be.instanceOf(TaskCancelledError);
    expect(err.reason).to.equal('not wanted');
    const results = await Promise.all([...before, ...after].map((t) => t.result));
    expect(results).to.deep.equal(Array.from({ length: 800 }, (_, i) => i * 2));
    expect(outputs).to.deep.equal([]);
    expect(victim.stdout.value).to.equal('');
  });

  it("counts a handed-over task's timeout from when it starts, behind a long task", async () => {
    const quickOnes = tiny(100);
    const long = pool.submit('import time\nend = time.monotonic() + 0.6\nwhile time.monotonic() < end:\n    pass\n"long"');
    const timed = pool.submit('"in time"', { timeout: 300 });
    await until(long.status, (s) => s === 'running');
    // Waiting behind the long task, handed over or not, it is not running yet.
    expect(timed.status.value).to.equal('queued');
    expect(await long.result).to.equal('long');
    expect(await timed.result).to.equal('in time');
    await Promise.all(quickOnes.map((t) => t.result));
  });

  it('times out a handed-over task that runs too long, and the tasks behind it still run', async () => {
    const before = tiny(100);
    const runaway = pool.submit(SPIN, { timeout: 200 });
    const after = tiny(100, 100);
    expect(await rejection(runaway.result)).to.be.instanceOf(TaskTimeoutError);
    // No interrupt meant for the runaway lands on a later task.
    const results = await Promise.all([...before, ...after].map((t) => t.result));
    expect(results).to.deep.equal(Array.from({ length: 200 }, (_, i) => i * 2));
  });

  it('cancels the running task of a batch without touching the ones behind it', async () => {
    const running = pool.submit('print("spinning", flush=True)\n' + SPIN);
    const behind = tiny(300);
    await until(running.stdout, (s) => s.includes('spinning'));
    running.cancel();
    expect(await rejection(running.result)).to.be.instanceOf(TaskCancelledError);
    expect(await Promise.all(behind.map((t) => t.result))).to.deep.equal(Array.from({ length: 300 }, (_, i) => i * 2));
  });

  it('keeps a high-priority task ahead of lower ones submitted while the worker is busy', async () => {
    const order: string[] = [];
    const gate = pool.submit('import time\nend = time.monotonic() + 0.3\nwhile time.monotonic() < end:\n    pass');
    await until(gate.status, (s) => s === 'running');
    const low = Array.from({ length: 20 }, (_, i) => pool.submit('name', { inputs: { name: `low-${i}` } }).result.then((n) => order.push(n as string)));
    const high = pool.submit('"high"', { priority: 10 }).result.then((n) => order.push(n as string));
    await Promise.all([gate.result, high, ...low]);
    expect(order[0]).to.equal('high');
    expect(order.slice(1)).to.deep.equal(Array.from({ length: 20 }, (_, i) => `low-${i}`));
  });
});

describe('pipelined tasks and maxQueue', () => {
  it('counts tasks handed to a worker but not begun as queued, for maxQueue too', async () => {
    const pool = new PyodidePool({ indexURL, min: 1, max: 1, maxQueue: 50 });
    try {
      await pool.ready();
      await pool.map(
        'item',
        Array.from({ length: 40 }, (_, i) => i),
      );
      const long = 'import time\nend = time.monotonic() + 0.5\nwhile time.monotonic() < end:\n    pass';
      // One tiny task first: when it reports, the worker is handed the long one and the
      // 40 behind it in one go (tiny tasks, judging by this worker's past).
      const tasks = [pool.submit('0'), pool.submit(long), ...Array.from({ length: 40 }, (_, i) => pool.submit('i', { inputs: { i } }))];
      await until(tasks[1]!.status, (s) => s === 'running');
      expect(pool.state.queued.value).to.equal(40);
      let accepted = 0;
      for (;;) {
        try {
          tasks.push(pool.submit('"more"'));
          accepted++;
        } catch (err) {
          expect(err).to.be.instanceOf(QueueFullError);
          break;
        }
      }
      expect(accepted).to.equal(10);
      await Promise.all(tasks.map((t) => t.result));
    } finally {
      await pool.terminate();
    }
  });
});

describe('pipelined tasks across workers', () => {
  it('lets an idle worker take over tasks another worker holds but has not begun', async () => {
    const pool = new PyodidePool({ indexURL, min: 2, max: 2 });
    try {
      await pool.ready();
      // Both workers learn that tasks are tiny, so the next batch goes to one worker whole.
      await pool.map(
        'item',
        Array.from({ length: 100 }, (_, i) => i),
      );
      const gate = pool.submit('import time\nend = time.monotonic() + 0.3\nwhile time.monotonic() < end:\n    pass');
      await until(gate.status, (s) => s === 'running');
      const before = new Map(pool.state.workers.value.map((w) => [w.id, w.tasksRun]));
      // Tiny tasks, then 20 of 50 ms: the free worker is handed the whole line at once,
      // judging by the tiny ones. The gated worker, once free, must relieve it rather
      // than sit idle.
      const slow = 'import time\nend = time.monotonic() + 0.05\nwhile time.monotonic() < end:\n    pass\nitem';
      const tasks = [
        ...Array.from({ length: 100 }, (_, i) => pool.submit('item', { inputs: { item: i } })),
        ...Array.from({ length: 20 }, (_, i) => pool.submit(slow, { inputs: { item: 100 + i } })),
      ];
      const results = await Promise.all(tasks.map((t) => t.result));
      await gate.result;
      expect(results).to.deep.equal(Array.from({ length: 120 }, (_, i) => i));
      const ran = pool.state.workers.value.map((w) => w.tasksRun - before.get(w.id)!);
      expect(ran.reduce((a, b) => a + b)).to.equal(121);
      // The gated worker ran the gate and then some of the slow tasks.
      const gated = pool.state.workers.value.findIndex((w) => w.tasksRun - before.get(w.id)! < 100);
      expect(ran[gated]).to.be.greaterThan(1);
    } finally {
      await pool.terminate();
    }
  });
});

describe('pipelined tasks when their worker dies', () => {
  it('runs the tasks it had not begun on the next worker, and fails only the one that crashed', async () => {
    const pool = new PyodidePool({ indexURL, min: 1, max: 1 });
    try {
      await pool.ready();
      await pool.map(
        'item',
        Array.from({ length: 50 }, (_, i) => i),
      );
      const first = pool.state.workers.value[0]!.id;
      const before = Array.from({ length: 200 }, (_, i) => pool.submit<number>('item', { inputs: { item: i } }));
      const crash = pool.submit('import js\njs.close()\n"never delivered"');
      const after = Array.from({ length: 200 }, (_, i) => pool.submit<number>('item', { inputs: { item: 200 + i } }));
      expect(await rejection(crash.result)).to.be.instanceOf(WorkerCrashedError);
      const results = await Promise.all([...before, ...after].map((t) => t.result));
      expect(results).to.deep.equal(Array.from({ length: 400 }, (_, i) => i));
      expect(pool.state.workers.value.map((w) => w.id)).not.to.include(first);
      expect(pool.state.queued.value).to.equal(0);
      expect(pool.state.running.value).to.equal(0);
    } finally {
      await pool.terminate();
    }
  });
});
