// Python that waits, on a cross-origin-isolated page: top-level await, asyncio.run
// (where the engine can switch stacks), input(), an interruptible time.sleep and
// messages into a running task — and cancel/timeout reaching each kind of wait while
// the worker stays warm.
import { expect } from 'chai';
import { PyodidePool, PythonError, TaskCancelledError, TaskTimeoutError } from '../../workers/index.js';
import { indexURL, rejection, submitCancelledAfterEach, until } from '../helpers.js';

describe('Python that waits (isolated page)', () => {
  let pool: PyodidePool;

  before(async () => {
    // The setup awaits too: it runs to completion before the worker is ready.
    const setup = 'import asyncio\nawait asyncio.sleep(0)\nSETUP_SAYS = "setup awaited"';
    pool = new PyodidePool({ indexURL, min: 1, max: 1, setup, interruptGrace: 10_000 });
    await pool.ready();
  });

  after(() => pool.terminate());

  const submit = submitCancelledAfterEach(() => pool);
  const workerIds = () => pool.state.workers.value.map((w) => w.id);

  describe('top-level await', () => {
    it('awaits at top level and returns the final expression', async () => {
      expect(await pool.run('import asyncio\nawait asyncio.sleep(0.01)\n6 * 7')).to.equal(42);
      expect(await pool.run('SETUP_SAYS')).to.equal('setup awaited');
    });

    it('awaits in the final expression itself', async () => {
      expect(await pool.run('import asyncio\nasync def f(x):\n    await asyncio.sleep(0)\n    return x + 1\nawait f(x)', { inputs: { x: 1 } })).to.equal(2);
    });

    it('loads its own data with pyfetch', async () => {
      const code = 'from pyodide.http import pyfetch\nr = await pyfetch(url)\n(await r.json())["name"]';
      expect(await pool.run(code, { inputs: { url: new URL('/package.json', location.href).href } })).to.equal('pyodide-pool');
    });

    it('reports an exception raised after an await, with its line', async () => {
      const err = (await rejection(pool.run('import asyncio\nawait asyncio.sleep(0)\n1 / 0'))) as PythonError;
      expect(err).to.be.instanceOf(PythonError);
      expect(err.pythonType).to.equal('ZeroDivisionError');
      expect(err.line).to.equal(3);
    });

    it('keeps names an awaiting task defines out of later tasks', async () => {
      await pool.run('import asyncio\nawait asyncio.sleep(0)\nleaked = 1');
      expect(await pool.run('"leaked" in globals()')).to.equal(false);
    });

    it('runs tasks sent while one awaits after it, in order', async () => {
      const order: string[] = [];
      const slow = pool.run('import asyncio\nawait asyncio.sleep(0.05)\n"slow"').then((v) => order.push(v as string));
      const fast = pool.run('"fast"').then((v) => order.push(v as string));
      await Promise.all([slow, fast]);
      expect(order).to.deep.equal(['slow', 'fast']);
    });

    it('runs asyncio.run where the engine switches stacks, and says why not elsewhere', async () => {
      const code = 'import asyncio\nasync def main():\n    await asyncio.sleep(0.01)\n    return "ran"\nasyncio.run(main())';
      if (pool.capabilities.jspi) {
        expect(await pool.run(code)).to.equal('ran');
      } else {
        const err = (await rejection(pool.run(code))) as PythonError;
        expect(err).to.be.instanceOf(PythonError);
        expect(err.message).to.match(/stack switching/i);
      }
    });
  });

  describe('cancel and timeout reach awaiting code', () => {
    it('cancels a task awaiting asyncio.sleep and keeps the worker', async () => {
      const ids = workerIds();
      const task = submit('import asyncio\nprint("waiting", flush=True)\nawait asyncio.sleep(60)');
      await until(task.stdout, (s) => s.includes('waiting'));
      task.cancel('enough');
      const err = (await rejection(task.result)) as TaskCancelledError;
      expect(err).to.be.instanceOf(TaskCancelledError);
      expect(err.reason).to.equal('enough');
      expect(workerIds()).to.deep.equal(ids);
      expect(await pool.run('1 + 1')).to.equal(2);
    });

    it('times out a promise that never settles and keeps the worker', async () => {
      const ids = workerIds();
      const task = submit('import js\nawait js.Promise.new(lambda resolve, reject: None)', { timeout: 300 });
      const err = (await rejection(task.result)) as TaskTimeoutError;
      expect(err).to.be.instanceOf(TaskTimeoutError);
      expect(workerIds()).to.deep.equal(ids);
      expect(await pool.run('"after"')).to.equal('after');
    });

    it('times out a fetch whose answer never arrives', async () => {
      const ids = workerIds();
      const url = new URL('/__fixtures__/never-ends', location.href).href;
      const task = submit('from pyodide.http import pyfetch\nr = await pyfetch(url)\nawait r.text()', { inputs: { url }, timeout: 500 });
      expect(await rejection(task.result)).to.be.instanceOf(TaskTimeoutError);
      expect(workerIds()).to.deep.equal(ids);
    });
  });

  describe('input()', () => {
    it('reads stdin line by line, through input() and sys.stdin', async () => {
      const task = submit('import sys\na = input("first? ")\nb = sys.stdin.readline()\n[a, b]', { stdin: 'one\ntwo\n' });
      expect(await task.result).to.deep.equal(['one', 'two\n']);
      expect(task.stdout.value).to.contain('first? ');
    });

    it('raises EOFError when stdin runs out', async () => {
      const err = (await rejection(pool.run('input()\ninput()', { stdin: 'only line' }))) as PythonError;
      expect(err.pythonType).to.equal('EOFError');
    });

    it('raises an EOFError that says how to give input when there is none', async () => {
      const err = (await rejection(pool.run('input("name? ")'))) as PythonError;
      expect(err.pythonType).to.equal('EOFError');
      expect(err.message)
        .to.match(/stdin/)
        .and.to.match(/onInput/);
    });

    it('asks onInput and shows the prompt in awaitingInput while it waits', async () => {
      let answer!: (text: string) => void;
      const task = submit('name = input("name? ")\nf"hi {name}"', { onInput: () => new Promise((r) => (answer = r)) });
      await until(task.awaitingInput, (p) => p === 'name? ');
      answer('Ada');
      expect(await task.result).to.equal('hi Ada');
      expect(task.awaitingInput.value).to.equal(undefined);
    });

    it('carries an answer longer than the shared buffer', async () => {
      const long = 'x'.repeat(200_000) + 'é';
      expect(await pool.run('len(input())', { onInput: () => long })).to.equal(long.length);
    });

    it('ends the input with EOFError when onInput rejects', async () => {
      const task = submit('input("? ")', { onInput: () => Promise.reject(new Error('no answer today')) });
      const err = (await rejection(task.result)) as PythonError;
      expect(err.pythonType).to.equal('EOFError');
      expect(err.message).to.contain('no answer today');
    });

    it('cancels a task waiting for input and keeps the worker', async () => {
      const ids = workerIds();
      const task = submit('input("never answered? ")', { onInput: () => new Promise<string>(() => {}) });
      await until(task.awaitingInput, (p) => p !== undefined);
      task.cancel('gave up');
      expect(await rejection(task.result)).to.be.instanceOf(TaskCancelledError);
      expect(task.awaitingInput.value).to.equal(undefined);
      expect(workerIds()).to.deep.equal(ids);
      expect(await pool.run('"warm"')).to.equal('warm');
    });
  });

  describe('time.sleep', () => {
    it('sleeps for the time asked', async () => {
      const slept = await pool.run('import time\nt = time.monotonic()\ntime.sleep(0.05)\ntime.monotonic() - t');
      expect(slept).to.be.at.least(0.045);
    });

    it('is cancelled mid-sleep without replacing the worker', async () => {
      const ids = workerIds();
      const task = submit('import time\nprint("asleep", flush=True)\ntime.sleep(30)');
      await until(task.stdout, (s) => s.includes('asleep'));
      task.cancel();
      expect(await rejection(task.result)).to.be.instanceOf(TaskCancelledError);
      expect(workerIds()).to.deep.equal(ids);
      expect(await pool.run('"awake"')).to.equal('awake');
    });

    it('times out mid-sleep without replacing the worker', async () => {
      const ids = workerIds();
      expect(await rejection(submit('import time\ntime.sleep(30)', { timeout: 200 }).result)).to.be.instanceOf(TaskTimeoutError);
      expect(workerIds()).to.deep.equal(ids);
    });

    it('rejects a negative length as Python does', async () => {
      const err = (await rejection(pool.run('import time\ntime.sleep(-1)'))) as PythonError;
      expect(err.pythonType).to.equal('ValueError');
    });
  });

  describe('messages into a running task', () => {
    it('delivers messages sent before the task starts, in order, to a blocking receive()', async () => {
      const task = submit('from worker_pool import receive\n[receive(), receive(), receive()]');
      task.send(1);
      task.send({ two: [2] });
      task.send('three');
      expect(await task.result).to.deep.equal([1, { two: [2] }, 'three']);
    });

    it('delivers to await receive_async() while the task awaits', async () => {
      const task = submit('from worker_pool import receive_async\nprint("ready", flush=True)\nm = await receive_async()\nm["n"] * 2');
      await until(task.stdout, (s) => s.includes('ready'));
      task.send({ n: 21 });
      expect(await task.result).to.equal(42);
    });

    it('raises TimeoutError when no message comes within the timeout', async () => {
      const err = (await rejection(pool.run('from worker_pool import receive\nreceive(timeout=0.05)'))) as PythonError;
      expect(err.pythonType).to.equal('TimeoutError');
      const err2 = (await rejection(pool.run('from worker_pool import receive_async\nawait receive_async(timeout=0.05)'))) as PythonError;
      expect(err2.pythonType).to.equal('TimeoutError');
    });

    it('keeps a message that came after a receive timed out for the next receive', async () => {
      const task = submit(
        'from worker_pool import receive, receive_async, emit\ntry:\n    await receive_async(timeout=0.01)\nexcept TimeoutError:\n    emit("timed out")\nreceive()',
        { onOutput: (e) => e.type === 'data' && task.send('late') },
      );
      expect(await task.result).to.equal('late');
    });

    it('carries a message longer than the shared buffer', async () => {
      const task = submit('from worker_pool import receive\nlen(receive())');
      task.send('m'.repeat(300_000));
      expect(await task.result).to.equal(300_000);
    });

    it('drops messages sent to a settled task', async () => {
      const done = submit('"done"');
      await done.result;
      done.send('for nobody');
      const next = submit('from worker_pool import receive\nreceive()');
      next.send('mine');
      expect(await next.result).to.equal('mine');
    });

    it('refuses data that cannot be cloned, at once', () => {
      const task = submit('from worker_pool import receive\nreceive()');
      expect(() => task.send(() => 1)).to.throw();
    });

    it('cancels a task blocked in receive() and keeps the worker', async () => {
      const ids = workerIds();
      const task = submit('from worker_pool import receive\nprint("listening", flush=True)\nreceive()');
      await until(task.stdout, (s) => s.includes('listening'));
      task.cancel();
      expect(await rejection(task.result)).to.be.instanceOf(TaskCancelledError);
      expect(workerIds()).to.deep.equal(ids);
      expect(await pool.run('"still here"')).to.equal('still here');
    });
  });
});
