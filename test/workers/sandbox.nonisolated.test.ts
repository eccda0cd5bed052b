// A sandboxed pool on a plain page (no shared memory): stopping a task ends its worker,
// and task code is kept from the page's origin all the same. See sandbox-cases.ts.
import { expect } from 'chai';
import { PyodidePool } from '../../workers/index.js';
import { indexURL } from '../helpers.js';
import { sandboxCases } from './sandbox-cases.js';

describe('sandboxed pool (plain page)', () => {
  let pool: PyodidePool;

  before(async () => {
    pool = new PyodidePool({ indexURL, min: 2, max: 2, sandbox: true });
    await pool.ready();
  });

  after(() => pool.terminate());

  it('runs on a page that is not isolated', () => {
    expect(crossOriginIsolated).to.equal(false);
    expect(pool.capabilities.interrupt).to.equal(false);
  });

  sandboxCases(() => pool);
});
