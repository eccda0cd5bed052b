// Python that waits, on a page that is not cross-origin isolated (no shared memory):
// awaiting still works and a stop message still reaches awaiting code (the worker is
// kept); the blocking waits say what they need instead of hanging.
import { expect } from 'chai';
import { PyodidePool, PythonError, TaskCancelledError, TaskTimeoutError } from '../../workers/index.js';
import { indexURL, rejection, until } from '../helpers.js';

describe('Python that waits (plain page)', () => {
  let pool: PyodidePool;

  before(async () => {
    pool = new PyodidePool({ indexURL, min: 1, max: 1, interruptGrace: 10_000 });
    await pool.ready();
  });

  after(() => pool.terminate());

  const workerIds = () => pool.state.workers.value.map((w) => w.id);

  it('cannot block here', () => {
    expect(crossOriginIsolated).to.equal(false);
    expect(pool.capabilities.interrupt).to.equal(false);
  });

  it('awaits at top level', async () => {
    expect(await pool.run('import asyncio\nawait asyncio.sleep(0.01)\n6 * 7')).to.equal(42);
  });

  it('cancels an awaiting task without replacing its worker', async () => {
    const ids = workerIds();
    const task = pool.submit('import asyncio\nprint("waiting", flush=True)\nawait asyncio.sleep(60)');
    await until(task.stdout, (s) => s.includes('waiting'));
    task.cancel('stop');
    expect(await rejection(task.result)).to.be.instanceOf(TaskCancelledError);
    expect(workerIds()).to.deep.equal(ids);
    expect(await pool.run('"kept"')).to.equal('kept');
  });

  // The worker must have said it awaits before the timeout fires (it could not be reached
  // otherwise): the timeouts leave it seconds to, on a loaded machine too.
  it('times out a promise that never settles without replacing its worker', async () => {
    const ids = workerIds();
    const task = pool.submit('import js\nawait js.Promise.new(lambda resolve, reject: None)', { timeout: 3_000 });
    expect(await rejection(task.result)).to.be.instanceOf(TaskTimeoutError);
    expect(workerIds()).to.deep.equal(ids);
  });

  // That the worker is kept is asserted on the isolated page, in every engine. Here
  // WebKit, after an earlier file has ended workers that were spinning, sometimes does
  // not finish the cancelled fetch, and the worker is replaced after `interruptGrace`:
  // what the contract promises is that the task settles and the pool carries on.
  it('times out a fetch whose answer never arrives, and carries on', async () => {
    const url = new URL('/__fixtures__/never-ends', location.href).href;
    const task = pool.submit('from pyodide.http import pyfetch\nr = await pyfetch(url)\nawait r.text()', { inputs: { url }, timeout: 3_000 });
    expect(await rejection(task.result)).to.be.instanceOf(TaskTimeoutError);
    expect(await pool.run('"next"')).to.equal('next');
  });

  it('feeds input() from stdin', async () => {
    expect(await pool.run('[input(), input()]', { stdin: 'a\nb' })).to.deep.equal(['a', 'b']);
  });

  it('raises EOFError for input() answered by onInput, saying what it needs', async () => {
    const err = (await rejection(pool.run('input("? ")', { onInput: () => 'never asked' }))) as PythonError;
    expect(err.pythonType).to.equal('EOFError');
    expect(err.message).to.match(/cross-origin-isolated/);
  });

  it('receives messages with await receive_async()', async () => {
    const task = pool.submit('from worker_pool import receive_async\n[await receive_async(), await receive_async()]');
    task.send('one');
    task.send({ two: 2 });
    expect(await task.result).to.deep.equal(['one', { two: 2 }]);
  });

  it('drops messages sent to a settled task', async () => {
    const done = pool.submit('"done"');
    await done.result;
    done.send('for nobody');
    const next = pool.submit('from worker_pool import receive_async\nawait receive_async()');
    next.send('mine');
    expect(await next.result).to.equal('mine');
  });

  it('refuses a blocking receive() with a RuntimeError that names the alternative', async () => {
    const err = (await rejection(pool.run('from worker_pool import receive\nreceive()'))) as PythonError;
    expect(err.pythonType).to.equal('RuntimeError');
    expect(err.message).to.contain('receive_async');
  });
});
