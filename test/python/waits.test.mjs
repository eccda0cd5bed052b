// python/waits.py and python/generator.py on the real interpreter, with fake hooks in
// place of the worker's (workers/worker/waits.ts): what input(), time.sleep, receive(),
// progress and emit ask of the hooks, and what their answers become in Python.
import assert from 'node:assert/strict';
import { before, beforeEach, describe, test } from 'node:test';
import { bootRuntime, plain } from './interpreter.mjs';

let r;
/** What the hooks were asked, in order. */
let calls;
/** The hooks' next answers, by hook. */
let answers;

before(async () => {
  r = await bootRuntime();
  const asJs = (value) => (typeof value?.toJs === 'function' ? value.toJs({ dict_converter: Object.fromEntries }) : value);
  const next = (name, ...args) => {
    calls.push([name, ...args.map(asJs)]);
    return answers[name]?.shift();
  };
  r.waits.install_hooks({
    ends: r.WAIT_ENDS,
    can_block: true,
    read_line: (prompt) => next('read_line', prompt),
    sleep: (ms) => next('sleep', ms) ?? 0,
    receive: (ms) => next('receive', ms),
    receive_async: () => next('receive_async'),
    receive_abandoned: (token) => next('receive_abandoned', token),
    progress: (fraction, message) => next('progress', fraction, message),
    emit: (data) => next('emit', data),
  });
});

beforeEach(() => {
  calls = [];
  answers = {};
});

/** Run task `code` to its value, or to the failure record it left (as `{ failed }`). */
async function task(code) {
  let value;
  try {
    value = r.runtime.run(code, undefined);
  } catch {
    return { failed: plain(r.runtime.error_info) };
  }
  if (value?.type !== 'AsyncRun') return plain(value);
  // Attribute proxies are borrowed from their owner: copy before destroying it.
  const future = value.future.copy();
  value.destroy();
  try {
    return plain(await future);
  } catch {
    return { failed: plain(r.runtime.error_info) };
  }
}

const failedWith = (got) => got.failed && `${got.failed.pythonType}: ${got.failed.message}`;

describe('input()', () => {
  test("reads the hook's line, asking with the prompt", async () => {
    answers.read_line = ['Ada'];
    assert.equal(await task('"hello " + input("name? ")'), 'hello Ada');
    assert.deepEqual(calls, [['read_line', 'name? ']]);
  });

  test('raises what each end of the input means', async () => {
    const { eof, no_source, interrupted } = r.WAIT_ENDS;
    answers.read_line = [
      { end: eof, note: '' },
      { end: eof, note: 'the caller closed stdin' },
      { end: no_source, note: '' },
      { end: interrupted, note: '' },
    ];
    assert.equal(failedWith(await task('input()')), 'EOFError: EOF when reading a line');
    assert.equal(failedWith(await task('input()')), 'EOFError: EOF when reading a line (the caller closed stdin)');
    assert.match(failedWith(await task('input()')), /^EOFError: input\(\) has nothing to read: pass stdin text with the task/);
    assert.equal(failedWith(await task('input()')), 'KeyboardInterrupt: ');
  });
});

describe('time.sleep', () => {
  test('asks the hook to wait, in ms; an interrupt ends it with KeyboardInterrupt', async () => {
    answers.sleep = [0, r.WAIT_ENDS.interrupted];
    assert.equal(await task('import time\ntime.sleep(0.25)\n"slept"'), 'slept');
    assert.equal(failedWith(await task('import time\ntime.sleep(5)')), 'KeyboardInterrupt: ');
    assert.deepEqual(calls, [
      ['sleep', 250],
      ['sleep', 5000],
    ]);
    assert.equal(failedWith(await task('import time\ntime.sleep(-1)')), 'ValueError: sleep length must be non-negative');
  });
});

describe('receive()', () => {
  test("returns the message's data; a timeout in seconds reaches the hook in ms", async () => {
    answers.receive = [r.pyodide.toPy({ v: { n: 1 } }), r.pyodide.toPy({ v: 'two' })];
    assert.deepEqual(await task('from worker_pool import receive\n[receive(), receive(1.5)]'), [{ n: 1 }, 'two']);
    assert.deepEqual(calls, [
      ['receive', -1],
      ['receive', 1500],
    ]);
  });

  test('raises what each end of the wait means', async () => {
    const { interrupted, timed_out, cannot_block } = r.WAIT_ENDS;
    answers.receive = [timed_out, interrupted, cannot_block];
    assert.equal(failedWith(await task('from worker_pool import receive\nreceive(2)')), 'TimeoutError: no message arrived within 2 s');
    assert.equal(failedWith(await task('from worker_pool import receive\nreceive()')), 'KeyboardInterrupt: ');
    assert.match(failedWith(await task('from worker_pool import receive\nreceive()')), /^RuntimeError: receive\(\) blocks the worker, which needs a cross-origin-isolated page/);
    assert.equal(failedWith(await task('from worker_pool import receive\nreceive(-1)')), 'ValueError: timeout must be non-negative');
  });
});

describe('receive_async()', () => {
  test("awaits the hook's promise for the message's data", async () => {
    answers.receive_async = [{ token: 7, promise: Promise.resolve(r.pyodide.toPy({ v: [1, 2] })) }];
    assert.deepEqual(await task('from worker_pool import receive_async\nawait receive_async()'), [1, 2]);
    assert.deepEqual(calls, [['receive_async']]);
  });

  test('abandons its token when the wait times out', async () => {
    answers.receive_async = [{ token: 8, promise: new Promise(() => {}) }];
    assert.equal((await task('from worker_pool import receive_async\nawait receive_async(0)')).failed.pythonType, 'TimeoutError');
    assert.deepEqual(calls, [['receive_async'], ['receive_abandoned', 8]]);
  });
});

describe('progress() and emit()', () => {
  test('reach the hooks; data the hook cannot send raises ConversionError', async () => {
    answers.emit = [undefined, 'cannot convert a Python object'];
    const got = await task(`
from worker_pool import ConversionError, emit, progress
progress(1, "all")
progress(0.5)
emit({"rows": [1, 2]})
try:
    emit(object())
except ConversionError as exc:
    said = str(exc)
said`);
    assert.equal(got, 'cannot convert a Python object');
    assert.deepEqual(calls.slice(0, 3), [
      ['progress', 1, 'all'],
      ['progress', 0.5, undefined],
      ['emit', { rows: [1, 2] }],
    ]);
  });
});

describe('generator tasks', () => {
  /** Start generator task `code` (its last expression makes the generator). */
  const start = (code) => r.runtime.run(code, undefined);

  test('step reports progress and data at yields, and True once it returned', () => {
    const code = 'def g():\n    yield 0.25\n    yield {"x": 1}\n    yield None\n    yield 2.0\n    return "done"\ng()';
    const gen = start(code);
    const steps = [];
    for (let i = 0; i < 5; i++) steps.push(r.generator.step(gen, code));
    gen.destroy();
    assert.deepEqual(steps, [false, false, false, false, true]);
    assert.equal(r.generator.take_result(), 'done');
    assert.equal(r.generator.take_result(), undefined);
    // 2.0 is not a fraction of the work: it is data.
    assert.deepEqual(calls, [
      ['progress', 0.25, undefined],
      ['emit', { x: 1 }],
      ['emit', 2],
    ]);
  });

  test('a failure inside is described, and step raises it', () => {
    const code = 'def g():\n    yield\n    raise ValueError("at the second step")\ng()';
    const gen = start(code);
    assert.equal(r.generator.step(gen, code), false);
    assert.throws(() => r.generator.step(gen, code));
    gen.destroy();
    const info = plain(r.runtime.error_info);
    assert.deepEqual([info.pythonType, info.message, info.line], ['ValueError', 'at the second step', 3]);
  });

  test('a yielded value the hook cannot send closes the generator with ConversionError', () => {
    answers.emit = ['not plain data'];
    const code = 'def g():\n    yield object()\n    yield "never reached"\ng()';
    const gen = start(code);
    assert.throws(() => r.generator.step(gen, code));
    const frame = gen.gi_frame;
    assert.equal(frame, undefined, 'the generator is closed');
    gen.destroy();
    const info = plain(r.runtime.error_info);
    assert.deepEqual([info.pythonType, info.message], ['ConversionError', 'a yielded value could not be sent: not plain data']);
  });

  test('close_generator runs its finally blocks', () => {
    const code = 'import builtins\ndef g():\n    try:\n        yield\n    finally:\n        builtins.closed_at_yield = True\ng()';
    const gen = start(code);
    r.generator.step(gen, code);
    r.generator.close_generator(gen);
    gen.destroy();
    assert.equal(r.py('import builtins\nbuiltins.__dict__.pop("closed_at_yield", False)'), true);
  });
});
