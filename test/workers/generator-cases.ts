// Generator tasks, the same on every page: yields as progress and data, the return value
// as the result, urgent tasks run at a yield, cancel and timeout landing at a yield with
// the worker kept. Run by generators.test.ts (isolated) and generators.nonisolated.test.ts.
import { expect } from 'chai';
import { PyodidePool, PythonError, TaskCancelledError, TaskTimeoutError, type OutputEvent } from '../../workers/index.js';
import { indexURL, rejection, until } from '../helpers.js';

/** A generator task of `steps` iterations of `ms` each, yielding its progress. */
export const steps = (count: number, ms: number, result = '"finished"') =>
  `import time\ndef work():\n    for i in range(${count}):\n        end = time.perf_counter() + ${ms / 1000}\n        while time.perf_counter() < end:\n            pass\n        yield (i + 1) / ${count}\n    return ${result}\nwork()`;

export function describeGenerators(title: string): void {
  describe(title, () => {
    let pool: PyodidePool;

    before(async () => {
      pool = new PyodidePool({ indexURL, min: 1, max: 1, interruptGrace: 10_000 });
      await pool.ready();
    });

    after(() => pool.terminate());

    const workerIds = () => pool.state.workers.value.map((w) => w.id);

    it('reports yielded floats as progress, other values as data, and returns the result', async () => {
      const events: OutputEvent[] = [];
      const code = 'def work():\n    yield 0.25\n    yield None\n    yield {"rows": 3}\n    yield 7\n    yield 1.0\n    return "done"\nwork()';
      const task = pool.submit(code, { onOutput: (e) => events.push(e) });
      expect(await task.result).to.equal('done');
      expect(events).to.deep.equal([
        { type: 'progress', fraction: 0.25, message: undefined },
        { type: 'data', data: { rows: 3 } },
        { type: 'data', data: 7 },
        { type: 'progress', fraction: 1, message: undefined },
      ]);
      expect(task.progress.value).to.deep.equal({ fraction: 1, message: undefined });
    });

    it('gives null for a generator that returns nothing, and a PythonError for one that raises', async () => {
      expect(await pool.run('def g():\n    yield 0.5\ng()')).to.equal(null);
      const err = (await rejection(pool.run('def g():\n    yield 0.5\n    raise ValueError("bad step")\ng()'))) as PythonError;
      expect(err).to.be.instanceOf(PythonError);
      expect(err.pythonType).to.equal('ValueError');
      expect(err.line).to.equal(3);
    });

    it('runs a more urgent task at a yield and then resumes the generator in its worker', async () => {
      const ids = workerIds();
      const slow = pool.submit(steps(12, 50, 'sum(range(5))'));
      await until(slow.progress, (p) => p !== undefined);
      const urgent = pool.submit('"urgent"', { priority: 5 });
      expect(await urgent.result).to.equal('urgent');
      // The generator had not finished: it was set aside, not run to its end first.
      expect(slow.status.value).to.equal('running');
      expect(slow.progress.value!.fraction).to.be.lessThan(1);
      expect(await slow.result).to.equal(10);
      expect(workerIds()).to.deep.equal(ids);
    });

    it('drops an urgent task cancelled before its turn, keeping the generator and its worker', async () => {
      const ids = workerIds();
      // Steps long enough that the cancel comes before the next yield.
      const slow = pool.submit(steps(6, 300, '"kept"'));
      await until(slow.progress, (p) => p !== undefined);
      const urgent = pool.submit('"urgent"', { priority: 5 });
      urgent.cancel('not needed');
      expect(await rejection(urgent.result)).to.be.instanceOf(TaskCancelledError);
      expect(await slow.result).to.equal('kept');
      expect(workerIds()).to.deep.equal(ids);
    });

    it('sends tasks handed over behind a generator back to the queue, where an urgent one can go first', async () => {
      // Teach the worker that tasks of this code are tiny, so several travel at once.
      await Promise.all(Array.from({ length: 40 }, () => pool.run('0')));
      const gen = pool.submit(steps(10, 50, '"gen"'));
      const behind = Array.from({ length: 5 }, () => pool.submit('0'));
      await until(gen.progress, (p) => p !== undefined);
      const urgent = pool.submit('"urgent"', { priority: 5 });
      expect(await urgent.result).to.equal('urgent');
      expect(gen.status.value).to.equal('running');
      expect(await gen.result).to.equal('gen');
      expect(await Promise.all(behind.map((t) => t.result))).to.deep.equal([0, 0, 0, 0, 0]);
    });

    it('keeps a task of equal priority waiting behind a generator', async () => {
      const slow = pool.submit(steps(6, 30));
      await until(slow.progress, (p) => p !== undefined);
      const same = pool.submit('"same"');
      let slowDone = false;
      void slow.result.then(() => (slowDone = true));
      expect(await same.result).to.equal('same');
      expect(slowDone).to.equal(true);
    });

    it('cancels a generator at its next yield, keeping the worker and running its finally', async () => {
      const ids = workerIds();
      const code =
        'import time, worker_pool\ndef work():\n    try:\n        while True:\n            end = time.perf_counter() + 0.05\n            while time.perf_counter() < end:\n                pass\n            yield 0.5\n    finally:\n        worker_pool.cleaned = True\nwork()';
      const task = pool.submit(code);
      await until(task.progress, (p) => p !== undefined);
      task.cancel('stop');
      const err = await rejection(task.result);
      expect(err).to.be.instanceOf(TaskCancelledError);
      expect(workerIds()).to.deep.equal(ids);
      expect(await pool.run('import worker_pool\ngetattr(worker_pool, "cleaned", False)')).to.equal(true);
    });

    it('times out a generator at a yield, keeping the worker', async () => {
      const ids = workerIds();
      const err = await rejection(pool.run(steps(400, 50), { timeout: 500 }));
      expect(err).to.be.instanceOf(TaskTimeoutError);
      expect(workerIds()).to.deep.equal(ids);
      expect(await pool.run('1 + 1')).to.equal(2);
    });
  });
}
