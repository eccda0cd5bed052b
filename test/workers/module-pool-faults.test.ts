// Faults: ModulePool against a module that misbehaves (test/fixtures/modules/attack.js).
// Each test states a promise of the contract (API.md, "Beyond Python: module pools") and
// checks it; where a call could hang, it gets a generous `timeout`, so that the hang shows
// as a TaskTimeoutError instead of a stuck run.
import { expect } from 'chai';
import { ConversionError, ModulePool, TaskCancelledError, TaskTimeoutError, WorkerCrashedError } from '../../workers/index.js';
import type { OutputEvent } from '../../workers/index.js';
import { rejection, until } from '../helpers.js';

const module = new URL('../fixtures/modules/attack.js', import.meta.url);
/** Long enough for any honest call here; a call that needs it was stuck. */
const STUCK = 4_000;

/** A fresh pool of one warm worker for `body`, ended after it. */
async function withPool(body: (pool: ModulePool) => Promise<void>, options: Partial<ConstructorParameters<typeof ModulePool>[0]> = {}): Promise<void> {
  const pool = new ModulePool({ module, min: 1, max: 1, ...options });
  try {
    await pool.ready();
    await body(pool);
  } finally {
    await pool.terminate();
  }
}

/** The ids of the pool's workers, once every one is warm. */
async function warmIds(pool: ModulePool): Promise<number[]> {
  const workers = await until(pool.state.workers, (list) => list.length > 0 && list.every((w) => w.status === 'idle'));
  return workers.map((w) => w.id);
}

/** Errors the page reports as uncaught while `body` runs (a pool's listener that threw). */
async function pageErrors(body: () => Promise<void>): Promise<string[]> {
  const seen: string[] = [];
  const onError = (event: ErrorEvent) => {
    seen.push(event.message);
    event.preventDefault();
  };
  const onRejection = (event: PromiseRejectionEvent) => {
    seen.push(`unhandled rejection: ${String(event.reason)}`);
  };
  const mochaHandler = window.onerror;
  window.onerror = null;
  window.addEventListener('error', onError);
  window.addEventListener('unhandledrejection', onRejection);
  try {
    await body();
    // Let the page's listeners run for whatever the worker posted last.
    await new Promise((r) => setTimeout(r, 0));
  } finally {
    window.removeEventListener('error', onError);
    window.removeEventListener('unhandledrejection', onRejection);
    window.onerror = mochaHandler;
  }
  return seen;
}

describe('faults: ModulePool', () => {
  describe('WebAssembly traps', () => {
    for (const [name, args, pattern] of [
      ['fail', [], /unreachable/i],
      ['oob', [], /bounds/i],
      ['divide', [1, 0], /divi/i],
      ['trunc', [NaN], /float|conver|integer|trunc|representable/i],
      ['callNull', [], /null|uninitiali|table|function|signature/i],
    ] as const) {
      it(`a ${name} trap in a sync export rejects with WorkerCrashedError naming it, and the worker is replaced`, () =>
        withPool(async (pool) => {
          const [before] = await warmIds(pool);
          const err = await rejection(pool.call('wasmCall', [name, ...args]));
          expect(err).to.be.instanceOf(WorkerCrashedError);
          expect(err.message).to.match(pattern);
          expect(await pool.call('add', [1, 2])).to.equal(3);
          expect(await warmIds(pool)).not.to.include(before);
        }));
    }

    it('a stack overflow in WebAssembly (deep recursion) rejects with WorkerCrashedError and the worker is replaced', () =>
      withPool(async (pool) => {
        const [before] = await warmIds(pool);
        const err = await rejection(pool.call('wasmCall', ['recurse', 0], { timeout: STUCK }));
        expect(err).to.be.instanceOf(WorkerCrashedError);
        expect(await pool.call('add', [1, 2])).to.equal(3);
        expect(await warmIds(pool)).not.to.include(before);
      }));

    it('after a stack overflow in WebAssembly the next call does not run on the half-unwound instance', () =>
      withPool(async (pool) => {
        expect(await pool.call('wasmCall', ['sp'])).to.equal(65536);
        await rejection(pool.call('wasmCall', ['deep', 10_000_000], { timeout: STUCK }));
        // A C or Rust build's shadow stack pointer: moved down on entry, back on return.
        // The overflow skipped every return: an instance kept alive has lost that memory.
        expect(await pool.call('wasmCall', ['sp'])).to.equal(65536);
      }));

    it('a trap inside an async export rejects with WorkerCrashedError naming it', () =>
      withPool(async (pool) => {
        const err = await rejection(pool.call('asyncTrap', [], { timeout: STUCK }));
        expect(err).to.be.instanceOf(WorkerCrashedError);
        expect(err.message).to.match(/unreachable/i);
        expect(await pool.call('add', [1, 2])).to.equal(3);
      }));

    it('a trap rethrown with the RuntimeError as its cause still rejects with WorkerCrashedError', () =>
      withPool(async (pool) => {
        const err = await rejection(pool.call('trapRethrownWithCause'));
        expect(err).to.be.instanceOf(WorkerCrashedError);
      }));

    it('a trap in a timer after the call returned replaces the worker, and the pool carries on', () =>
      withPool(async (pool) => {
        const [before] = await warmIds(pool);
        expect(await pool.call('trapInTimer')).to.equal('returned');
        await until(pool.state.workers, (list) => list.length > 0 && !list.some((w) => w.id === before));
        expect(await pool.call('add', [2, 2])).to.equal(4);
      }));
  });

  describe('what a call leaves behind', () => {
    it('an error a timer throws after its call returned does not fail the next call', () =>
      withPool(async (pool) => {
        expect(await pool.call('throwLater', [30])).to.equal('returned');
        const next = await pool.call('later', ['innocent', 300]).catch((err: Error) => `${err.name}: ${err.message}`);
        expect(next).to.equal('innocent');
      }));

    it('an unhandled rejection in the module does not fail the call or the next one', () =>
      withPool(async (pool) => {
        expect(await pool.call('unhandledRejection')).to.equal('returned');
        expect(await pool.call('later', ['next', 50])).to.equal('next');
      }));

    it('a close() in a timer after the call returned: the worker is replaced and the next calls succeed', () =>
      withPool(async (pool) => {
        const [before] = await warmIds(pool);
        expect(await pool.call('closeAfterReturn')).to.equal('returned');
        await until(pool.state.workers, (list) => list.length > 0 && !list.some((w) => w.id === before));
        expect(await pool.call('add', [2, 3])).to.equal(5);
      }));

    it('the native close(), past the pool wrapper, fails the call with WorkerCrashedError and the pool carries on', () =>
      withPool(async (pool) => {
        const outcome = await pool.call('closeNative', [], { timeout: STUCK }).catch((err: Error) => err);
        if (outcome !== 'no native close to reach') expect(outcome).to.be.instanceOf(WorkerCrashedError);
        expect(await pool.call('add', [2, 3])).to.equal(5);
      }));
  });

  describe('what an export throws and returns', () => {
    it('an async export that rejects with a null-prototype object settles on its own (not only by the timeout)', () =>
      withPool(async (pool) => {
        const err = await rejection(pool.call('rejectNullProto', [], { timeout: STUCK }));
        expect(err).not.to.be.instanceOf(TaskTimeoutError);
        expect(await pool.call('add', [1, 1])).to.equal(2);
      }));

    it('a sync export that throws a null-prototype object rejects with an error saying so, keeping the worker', () =>
      withPool(async (pool) => {
        const [before] = await warmIds(pool);
        const err = await rejection(pool.call('throwNullProto', [], { timeout: STUCK }));
        expect(err).not.to.be.instanceOf(TaskTimeoutError);
        expect(err).not.to.be.instanceOf(WorkerCrashedError);
        expect(await warmIds(pool)).to.include(before);
      }));

    it('a thrown string arrives as an Error naming it', () =>
      withPool(async (pool) => {
        const err = await rejection(pool.call('rejectString'));
        expect(err.message).to.include('a plain string');
      }));

    it('a thrown Error arrives with its name, message and stack', () =>
      withPool(async (pool) => {
        const err = await rejection(pool.call('throwWithCause'));
        expect(err.name).to.equal('Error');
        expect(err.message).to.equal('outer');
        expect(err.stack).to.include('attack.js');
      }));

    for (const name of ['returnFunction', 'returnMemory', 'returnNested', 'returnThrowingGetter', 'returnSymbol']) {
      it(`a result that cannot be sent (${name}) rejects with a clear error, and the worker is unharmed`, () =>
        withPool(async (pool) => {
          const [before] = await warmIds(pool);
          const err = await rejection(pool.call(name, [], { timeout: STUCK }));
          expect(err).to.be.instanceOf(ConversionError);
          expect(err.message).to.match(/could not be sent/);
          expect(await pool.call('add', [1, 1])).to.equal(2);
          expect(await warmIds(pool)).to.include(before);
        }));
    }

    it('a thenable that never settles is stopped by its timeout', () =>
      withPool(async (pool) => {
        expect(await rejection(pool.call('neverThen', [], { timeout: 200 }))).to.be.instanceOf(TaskTimeoutError);
        expect(await pool.call('add', [1, 1])).to.equal(2);
      }));

    it('infinite JavaScript recursion rejects with the engine’s RangeError, the worker unharmed', () =>
      withPool(async (pool) => {
        const err = await rejection(pool.call('recurseJS', [0], { timeout: STUCK }));
        expect(err.name).to.be.oneOf(['RangeError', 'InternalError']);
        expect(await pool.call('add', [1, 1])).to.equal(2);
      }));
  });

  describe('the worker’s machinery', () => {
    it('a module cannot post to the page (self.postMessage is gone): it can neither forge nor garble the protocol', async () => {
      const errors = await pageErrors(() =>
        withPool(async (pool) => {
          for (const message of [{ t: 'results' }, { t: 'out', seq: 1, ev: null }, { t: 'results', list: [{ seq: 1, value: 'forged' }], heap: 0, busyMs: 0 }]) {
            expect(await rejection(pool.call('post', [message], { timeout: STUCK }))).to.be.instanceOf(TypeError);
          }
          expect(await pool.call('add', [1, 1], { timeout: STUCK })).to.equal(2);
        }),
      );
      expect(errors).to.deep.equal([]);
    });

    it('a module that replaces self.postMessage does not cut the pool off', () =>
      withPool(async (pool) => {
        expect(await pool.call('replacePostMessage')).to.equal('replaced');
        expect(await pool.call('add', [4, 5], { timeout: STUCK })).to.equal(9);
      }));

    it("a module that wraps console.log still reaches the call's onOutput", () =>
      withPool(async (pool) => {
        const events: OutputEvent[] = [];
        expect(await pool.call('overrideConsole', [], { onOutput: (e) => events.push(e) })).to.equal('overridden');
        expect(events).to.deep.equal([{ type: 'stdout', text: '[mine] hello\n' }]);
      }));

    it("console.assert, dir, table and count reach the call's onOutput", () =>
      withPool(async (pool) => {
        const events: OutputEvent[] = [];
        expect(await pool.call('otherConsole', [], { onOutput: (e) => events.push(e) })).to.equal('done');
        const text = events.map((e) => ('text' in e ? e.text : '')).join('');
        expect(text).to.include('an assertion failed');
        expect(text).to.include('dir');
        expect(text).to.include('counted');
      }));

    it('console.log of a hostile object does not throw into the module (the native console does not)', () =>
      withPool(async (pool) => {
        expect(await pool.call('logHostile').catch((err: Error) => `${err.name}: ${err.message}`)).to.equal('logged');
      }));
  });

  describe('the pool around it', () => {
    it('a signal that is not an AbortSignal is refused, and nothing is left counted as queued', () =>
      withPool(async (pool) => {
        const err = await rejection(pool.call('add', [1, 2], { signal: {} as AbortSignal }));
        expect(err).to.be.instanceOf(TypeError);
        expect(pool.state.queued.value, 'a call that was refused, still counted as waiting').to.equal(0);
        expect(err.message).to.match(/signal/);
      }));

    it('arguments that cannot be cloned (a WebAssembly.Memory, a function deep inside) are refused, nothing sent', () =>
      withPool(async (pool) => {
        expect(() => pool.submit('add', { args: [new WebAssembly.Memory({ initial: 1 })] })).to.throw(TypeError, /cannot be sent/);
        expect(() => pool.submit('add', { args: [{ deep: [1, { f: () => 1 }] }] })).to.throw(TypeError, /cannot be sent/);
        expect(pool.state.queued.value).to.equal(0);
        expect(await pool.call('add', [1, 1])).to.equal(2);
      }));

    it('cancels a running async call and a queued one; the pool carries on', () =>
      withPool(async (pool) => {
        const running = pool.submit('later', { args: [1, 60_000] });
        const queued = pool.submit('add', { args: [1, 2] });
        await until(running.status, (s) => s === 'running');
        queued.cancel();
        running.cancel();
        expect(await rejection(queued.result)).to.be.instanceOf(TaskCancelledError);
        expect(await rejection(running.result)).to.be.instanceOf(TaskCancelledError);
        expect(await pool.call('add', [2, 2])).to.equal(4);
      }));

    for (const name of ['flood', 'floodAsync']) {
      it(`a flood of console output (${name}) reaches its call's onOutput whole, and none reaches the next call`, () =>
        withPool(async (pool) => {
          let text = '';
          expect(await pool.call(name, [50_000], { onOutput: (e) => (text += 'text' in e ? e.text : '') })).to.equal(50_000);
          const lines = text.split('\n').filter(Boolean);
          expect(lines.length).to.equal(50_000);
          expect(lines[49_999]).to.equal('line 49999');
          const next: OutputEvent[] = [];
          expect(await pool.call('later', ['quiet', 100], { onOutput: (e) => next.push(e) })).to.equal('quiet');
          expect(next).to.deep.equal([]);
        }));
    }

    it('settles thousands of tiny calls, in order of their values', async function () {
      this.timeout(120_000);
      const pool = new ModulePool({ module, min: 2, max: 2 });
      try {
        await pool.ready();
        const results = await Promise.all(Array.from({ length: 5_000 }, (_, i) => pool.call('add', [i, 1])));
        expect(results.every((v, i) => v === i + 1)).to.equal(true);
        expect(pool.state.completed.value).to.equal(5_000);
      } finally {
        await pool.terminate();
      }
    });

    it('one worker failing to import the module (once the pool is up) does not break the pool that has a warm worker', async () => {
      const flaky = new URL(`../fixtures/modules/flaky.js?key=${Math.random().toString(36).slice(2)}`, import.meta.url);
      const pool = new ModulePool({ module: flaky, min: 1, max: 2 });
      try {
        await pool.ready();
        // Two calls at once: the second starts a second worker, whose import fails.
        const first = pool.call('later', ['first', 300]);
        const second = pool.call('add', [1, 2]).catch((err: Error) => err);
        expect(await first).to.equal('first');
        const outcome = await second;
        const later = await pool.call('add', [2, 2]).catch((err: Error) => err);
        expect(outcome, 'the call queued while the second worker failed to boot').to.equal(3);
        expect(later, 'a call after that, with a warm worker in the pool').to.equal(4);
      } finally {
        await pool.terminate();
      }
    });
  });
});
