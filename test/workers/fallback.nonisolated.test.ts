// A page that is not cross-origin isolated has no SharedArrayBuffer, so a running task
// cannot be interrupted: its worker is terminated and replaced instead.
import { expect } from 'chai';
import { PyodidePool, TaskCancelledError, TaskTimeoutError } from '../../workers/index.js';
import { indexURL, rejection, RUNAWAY, until } from '../helpers.js';

describe('stopping tasks without isolation (terminate and replace)', () => {
  let pool: PyodidePool;

  before(async () => {
    pool = new PyodidePool({ indexURL, min: 1, max: 1 });
    await pool.ready();
  });

  after(() => pool.terminate());

  const workerIds = () => pool.state.workers.value.map((w) => w.id);

  it('cannot interrupt here', () => {
    expect(crossOriginIsolated).to.equal(false);
    expect(pool.capabilities.interrupt).to.equal(false);
  });

  it('times out a runaway loop by replacing its worker, and runs the queue on', async () => {
    const ids = workerIds();
    const task = pool.submit(RUNAWAY, { timeout: 300 });
    const next = pool.submit('"next"');
    const err = (await rejection(task.result)) as TaskTimeoutError;
    expect(err).to.be.instanceOf(TaskTimeoutError);
    expect(err.timeout).to.equal(300);
    expect(await next.result).to.equal('next');
    expect(workerIds()).not.to.deep.equal(ids);
  });

  it('cancels a running task by replacing its worker', async () => {
    const task = pool.submit('print("go", flush=True)\n' + RUNAWAY);
    await until(task.stdout, (s) => s.includes('go'));
    const ids = workerIds();
    task.cancel('enough');
    const err = (await rejection(task.result)) as TaskCancelledError;
    expect(err).to.be.instanceOf(TaskCancelledError);
    expect(task.status.value).to.equal('cancelled');
    expect(workerIds()).not.to.deep.equal(ids);
    expect(await pool.run('6 * 7')).to.equal(42);
  });

  it('uses the snapshot to replace workers quickly', async () => {
    const task = pool.submit(RUNAWAY, { timeout: 100 });
    await rejection(task.result);
    await until(pool.state.workers, (ws) => ws.length === 1 && ws[0]!.status === 'idle');
    expect(pool.state.workers.value[0]!.bootMode).to.equal('snapshot');
  });
});
