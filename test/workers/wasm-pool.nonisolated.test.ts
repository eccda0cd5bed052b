// Module pools on a plain page (no COOP/COEP): calls, leases and traps work as anywhere;
// only a shared memory needs isolation, and says so.
import { expect } from 'chai';
import { ModulePool, WasmPool, WorkerCrashedError } from '../../workers/index.js';
import { rejection } from '../helpers.js';

const wasm = '/__fixtures__/math.wasm';

describe('module pools on a plain page', () => {
  it('calls, leases and replaces a trapped instance', async () => {
    const pool = new WasmPool({ wasm, min: 1, max: 1 });
    try {
      expect(await pool.call('add', 40, 2)).to.equal(42);
      const lease = await pool.acquire();
      await lease.call('push', 4);
      expect(await lease.call('total')).to.equal(4);
      lease.release();
      expect(await rejection(pool.call('fail'))).to.be.instanceOf(WorkerCrashedError);
      expect(await pool.call('total')).to.equal(0);
    } finally {
      await pool.terminate();
    }
  });

  it('runs a module pool', async () => {
    const pool = new ModulePool({ module: new URL('../fixtures/modules/calc.js', import.meta.url), max: 1 });
    try {
      expect(await pool.call('add', [1, 2])).to.equal(3);
    } finally {
      await pool.terminate();
    }
  });

  it('refuses a shared memory, which needs a cross-origin-isolated page', () => {
    expect(crossOriginIsolated).to.equal(false);
    expect(() => new WasmPool({ wasm, sharedMemory: { initial: 1, maximum: 4 } })).to.throw(TypeError, /cross-origin-isolated/);
  });
});
