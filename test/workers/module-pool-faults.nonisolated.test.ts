// Faults on a plain page (no COOP/COEP): the module pools' failures found on the
// isolated page (test/workers/*-faults.test.ts) happen here too; the pools take the same
// paths (module workers get no control block on either page).
import { expect } from 'chai';
import { ModulePool, TaskTimeoutError, WasmPool } from '../../workers/index.js';

const module = new URL('../fixtures/modules/attack.js', import.meta.url);
const wasm = '/__fixtures__/attack.wasm';
const STUCK = 4_000;

describe('faults: module pools on a plain page', () => {
  it('with max instances leased, acquire() waits (a call on the lease does not hand its instance on)', async () => {
    const pool = new WasmPool({ wasm, min: 1, max: 1 });
    try {
      const first = await pool.acquire();
      const waiting = pool.acquire({ timeout: 1_500 });
      await first.call('push', 1);
      const second = await waiting.catch((err: Error) => err);
      expect(second).to.be.instanceOf(TaskTimeoutError);
    } finally {
      await pool.terminate();
    }
  });

  it('a stack overflow in WebAssembly ends the instance', async () => {
    const pool = new WasmPool({ wasm, min: 1, max: 1 });
    try {
      await pool.call('deep', 10_000_000, { timeout: STUCK }).catch(() => {});
      expect(await pool.call('sp')).to.equal(65536);
    } finally {
      await pool.terminate();
    }
  });

  it('an async export that rejects with a null-prototype object settles on its own', async () => {
    const pool = new ModulePool({ module, min: 1, max: 1 });
    try {
      const outcome = await pool.call('rejectNullProto', [], { timeout: STUCK }).catch((err: Error) => err);
      expect(outcome).not.to.be.instanceOf(TaskTimeoutError);
    } finally {
      await pool.terminate();
    }
  });
});
