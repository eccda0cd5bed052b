// A task's output on a plain page (see output-cases.ts). A cancel ends the worker here, so
// the computation that follows a print is bounded.
import { PyodidePool } from '../../workers/index.js';
import { indexURL, RUNAWAY } from '../helpers.js';
import { outputCases } from './output-cases.js';

describe('task output (plain page)', () => {
  let pool: PyodidePool;
  before(async () => {
    pool = new PyodidePool({ indexURL, min: 1, max: 1 });
    await pool.ready();
  });
  after(() => pool.terminate());

  outputCases(() => pool, RUNAWAY);
});
