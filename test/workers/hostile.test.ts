// Task code that tries to take the pool's levers (issue 23), on a cross-origin isolated
// page, where the page and each worker share a control block:
// - replacing the global `Atomics` or typed-array methods hands task code nothing: the
//   pool's worker code calls only built-ins captured before any task ran;
// - a worker whose control block lies (its lock held for good, its "running" word
//   cleared) neither freezes the page nor keeps its task alive past its timeout: the
//   page's clock ends the worker;
// - a heap figure cannot be made small by redefining `HEAP8`.
import { expect } from 'chai';
import { PyodidePool, TaskCancelledError, TaskTimeoutError } from '../../workers/index.js';
import { indexURL, rejection, SPIN, until } from '../helpers.js';
import { heapLimitCases } from './heap-limit-cases.js';

/**
 * Task code that replaces `Atomics`' functions and the typed arrays' `set`, `slice` and
 * `subarray` with spies noting each call that involves shared memory, in `js.seen`.
 */
const SPY_ON_BUILT_INS = `
from pyodide.code import run_js
run_js("""
globalThis.seen = [];
const shared = (v) => { try { return Object.prototype.toString.call(v.buffer) === '[object SharedArrayBuffer]'; } catch { return false; } };
for (const name of ['load', 'store', 'compareExchange', 'wait', 'notify', 'exchange', 'add']) {
  const original = Atomics[name];
  Atomics[name] = function (...args) { if (args.some(shared)) seen.push(name); return original.apply(this, args); };
}
const proto = Object.getPrototypeOf(Uint8Array.prototype);
for (const name of ['set', 'slice', 'subarray']) {
  const original = proto[name];
  proto[name] = function (...args) { if (shared(this) || args.some(shared)) seen.push(name); return original.apply(this, args); };
}
""")
None
`;

describe('task code cannot reach the control block', () => {
  for (const sandbox of [false, true]) {
    it(`replacing Atomics hands task code nothing${sandbox ? ' (sandboxed pool)' : ''}`, async () => {
      const pool = new PyodidePool({ indexURL, min: 1, max: 1, sandbox, snapshot: false });
      try {
        await pool.ready();
        expect(pool.capabilities.interrupt).to.equal(true);
        // Spies in place, then everything that makes the pool's worker code touch shared
        // memory: a blocking sleep, an input() answered through the exchange, the next
        // task's start and end, a cancelled task's interrupt.
        await pool.run(SPY_ON_BUILT_INS);
        expect(await pool.run('import time\ntime.sleep(0.01)\ninput("? ")', { onInput: () => 'an answer' })).to.equal('an answer');
        const spinning = pool.submit(SPIN);
        await until(spinning.status, (s) => s === 'running');
        spinning.cancel('enough');
        expect(await rejection(spinning.result)).to.be.instanceOf(TaskCancelledError);
        expect(await pool.run('import js\nlist(js.seen)')).to.deep.equal([]);
      } finally {
        await pool.terminate();
      }
    });
  }
});

describe('a worker whose control block lies', () => {
  // A worker that lets task code write its control block (see fixtures/lying-worker.ts).
  const workerURL = new URL('../fixtures/lying-worker.js', import.meta.url);
  let pool: PyodidePool;

  before(async () => {
    pool = new PyodidePool({ indexURL, min: 1, max: 1, workerURL, interruptGrace: 500 });
    await pool.ready();
  });

  after(() => pool.terminate());

  /** Python that tells `what` lie, says so, then spins until stopped. */
  const lie = (what: string) => `import js\nassert js.controlBlockLie("${what}")\nprint("lied", flush=True)\n${SPIN}`;

  it('holding the lock for good neither freezes the page nor defeats the timeout', async () => {
    const [first] = pool.state.workers.value;
    const task = pool.submit(lie('hold-lock'), { timeout: 1_000 });
    const err = (await rejection(task.result)) as TaskTimeoutError;
    expect(task.stdout.value, 'the lie was told before the timeout').to.include('lied');
    expect(err).to.be.instanceOf(TaskTimeoutError);
    expect(err.timeout).to.equal(1_000);
    // The worker was ended and replaced: the next task runs.
    expect(await pool.run('"next"')).to.equal('next');
    expect(pool.state.workers.value.map((w) => w.id)).not.to.include(first!.id);
  });

  it('holding the lock for good does not defeat cancel()', async () => {
    const task = pool.submit(lie('hold-lock'));
    await until(task.stdout, (out) => out.includes('lied'));
    task.cancel('stop');
    expect(await rejection(task.result)).to.be.instanceOf(TaskCancelledError);
    expect(await pool.run('"after cancel"')).to.equal('after cancel');
  });

  it('clearing the "running" word does not make a timed-out task look finished', async () => {
    const liar = pool.submit(lie('clear-running'), { timeout: 1_000 });
    const behind = pool.submit('"behind it"');
    expect(await rejection(liar.result)).to.be.instanceOf(TaskTimeoutError);
    expect(liar.stdout.value, 'the lie was told before the timeout').to.include('lied');
    expect(await behind.result).to.equal('behind it');
  });
});

describe('heap limits (isolated page)', () => {
  heapLimitCases();
});
