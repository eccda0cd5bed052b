// Task code that tries to take the pool's levers (issue 23), on a cross-origin isolated
// page, where the page and each worker share a control block:
// - replacing the global `Atomics` or typed-array methods hands task code nothing: the
//   pool's worker code calls only built-ins captured before any task ran;
// - a worker whose control block lies (its lock held for good, its "running" word
//   cleared) neither freezes the page nor keeps its task alive past its timeout: the
//   page's clock ends the worker;
// - a heap figure cannot be made small by redefining `HEAP8`.
import { expect } from 'chai';
import { PyodidePool, TaskCancelledError, TaskTimeoutError, WorkerCrashedError } from '../../workers/index.js';
import { allSettled, indexURL, rejection, SPIN, until } from '../helpers.js';
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

describe('task code that rewrites what its worker sends', () => {
  it('a task reported as skipped though the pool never took it back fails, and its worker is replaced', async () => {
    const pool = new PyodidePool({ indexURL, min: 1, max: 1, isolate: 'task' });
    try {
      // Rewrites the worker's outgoing outcomes (through a patched Array method) so that
      // its own task reads as skipped: the page would run it again in the same worker.
      const forge = [
        'from pyodide.code import run_js',
        'run_js("""',
        'const flatMap = Array.prototype.flatMap;',
        'Array.prototype.flatMap = function (...args) {',
        "  for (let i = 0; i < this.length; i++) { const o = this[i]; if (o && typeof o === 'object' && typeof o.seq === 'number' && !('skipped' in o)) this[i] = { seq: o.seq, skipped: true }; }",
        '  return flatMap.apply(this, args);',
        '};',
        '""")',
        'import builtins',
        'builtins.mark = "left behind"',
        'None',
      ].join('\n');
      expect(await rejection(pool.run(forge))).to.be.instanceOf(WorkerCrashedError);
      expect(await pool.run('import builtins\ngetattr(builtins, "mark", None)')).to.equal(null);
    } finally {
      await pool.terminate();
    }
  });
});

describe('stops that task code cannot outlast (isolated page)', () => {
  let pool: PyodidePool;
  before(async () => {
    pool = new PyodidePool({ indexURL, min: 2, max: 2, interruptGrace: 500 });
    await pool.ready();
  });
  after(() => pool.terminate());

  /** Spins, swallowing every KeyboardInterrupt. */
  const STUBBORN = 'while True:\n    try:\n        while True:\n            pass\n    except KeyboardInterrupt:\n        pass';

  it('a map chunk cancelled mid-item (an earlier item failed) stops, even if it ignores the interrupt', async () => {
    // Item 0 fails once item 1 is under way in the other worker.
    const code = `if item == 0:\n    import time\n    time.sleep(0.3)\n    raise ValueError("first")\n${STUBBORN}`;
    const err = await rejection(pool.map(code, [0, 1], { chunkSize: 1 }));
    expect(err).to.have.property('name', 'MapError');
    await allSettled(pool);
    expect(await Promise.all([pool.run('1'), pool.run('2')])).to.deep.equal([1, 2]);
  });

  it('a generator that never yields again is stopped, though an urgent task waits for its yield', async () => {
    const gen = pool.submit(`def g():\n    yield 0.5\n    ${STUBBORN.replaceAll('\n', '\n    ')}\ng()`, { priority: 0 });
    const other = pool.submit(STUBBORN.replace('while True:', 'print("busy", flush=True)\nwhile True:'), { priority: 0 });
    await until(gen.progress, (p) => p !== undefined);
    await until(other.stdout, (out) => out.includes('busy'));
    // Both workers busy: the urgent task goes to the generator, to run at its next yield.
    const urgent = pool.submit('"urgent"', { priority: 10 });
    gen.cancel('stop');
    expect(await rejection(gen.result)).to.be.instanceOf(TaskCancelledError);
    expect(await urgent.result).to.equal('urgent');
    other.cancel('done');
    await rejection(other.result);
  });
});

describe('heap limits (isolated page)', () => {
  heapLimitCases();
});
