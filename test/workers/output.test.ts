// A task's output on a cross-origin isolated page (see output-cases.ts), where Pyodide's
// interrupt checks also send what a flood gathered while Python computes.
import { expect } from 'chai';
import { PyodidePool } from '../../workers/index.js';
import { indexURL, rejection, SPIN, until } from '../helpers.js';
import { outputCases } from './output-cases.js';

describe('task output (isolated page)', () => {
  let pool: PyodidePool;
  before(async () => {
    pool = new PyodidePool({ indexURL, min: 1, max: 1 });
    await pool.ready();
  });
  after(() => pool.terminate());

  outputCases(() => pool, SPIN);

  it('the last lines of a flood show while Python computes after it', async () => {
    const task = pool.submit(`for i in range(20000):\n    print(i)\nprint("tail")\n${SPIN}`);
    await until(task.stdout, (out) => out.includes('tail'));
    expect(task.status.value).to.equal('running');
    task.cancel('seen');
    expect(await rejection(task.result)).to.have.property('name', 'TaskCancelledError');
  });
});
