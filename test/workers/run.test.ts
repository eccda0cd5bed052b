// Running Python: results, inputs, setup, namespaces, conversion and errors.
// One warm pool of two workers is shared by the whole file.
import { expect } from 'chai';
import { ConversionError, PyodidePool, PythonError, type OutputEvent } from '../../workers/index.js';
import { indexURL, rejection } from '../helpers.js';

describe('running Python', () => {
  let pool: PyodidePool;

  before(async () => {
    pool = new PyodidePool({
      indexURL,
      min: 2,
      max: 2,
      setup: 'SHARED = {"a": 1}\nimport math\n\ndef double(x):\n    return 2 * x\n\ndef explode():\n    return 1 / 0\n',
    });
    await pool.ready();
  });

  after(() => pool.terminate());

  it('returns the value of the final expression', async () => {
    expect(await pool.run('1 + 1')).to.equal(2);
    expect(await pool.run('x = 6\ny = 7\nx * y')).to.equal(42);
  });

  it('returns null when the code ends in a statement', async () => {
    expect(await pool.run('x = 1')).to.equal(null);
    expect(await pool.run('')).to.equal(null);
    expect(await pool.run('None')).to.equal(null);
  });

  it('makes inputs Python globals and sees setup names', async () => {
    expect(await pool.run('double(x) + 1', { inputs: { x: 20 } })).to.equal(41);
    expect(await pool.run('math.sqrt(n)', { inputs: { n: 16 } })).to.equal(4);
  });

  it('gives every task a fresh namespace', async () => {
    await pool.map('leaked = item', [1, 2, 3, 4]);
    const seen = await pool.map("'leaked' in globals()", [1, 2, 3, 4]);
    expect(seen).to.deep.equal([false, false, false, false]);
    // An input shadows a setup name for that task only.
    expect(await pool.run('double', { inputs: { double: 5 } })).to.equal(5);
    expect(await pool.run('double(2)')).to.equal(4);
  });

  it('converts inputs to Python types', async () => {
    const inputs = {
      obj: { a: [1, 'two', true, null] },
      raw: new Uint8Array([1, 2, 3]),
      floats: new Float64Array([1.5, 2.5]),
      map: new Map([['k', 1]]),
      when: new Date(Date.UTC(2024, 0, 2, 3, 4, 5)),
      big: 2n ** 70n,
    };
    const code = `[
      type(obj).__name__, type(obj['a']).__name__, obj['a'][3] is None,
      bytes(raw), floats.format, floats.tolist(), map['k'],
      when.year, when.month, when.hour, when.tzinfo is not None,
      big == 2 ** 70,
    ]`;
    expect(await pool.run(code, { inputs })).to.deep.equal(['dict', 'list', true, new Uint8Array([1, 2, 3]), 'd', [1.5, 2.5], 1, 2024, 1, 3, true, true]);
  });

  it('converts results to plain data', async () => {
    const value = await pool.run('{"list": [1, 2.5, "s", True, None], "tuple": (1, 2), "bytes": b"ab", "nested": {"x": {"y": None}}, "big": 2 ** 70}');
    expect(value).to.deep.equal({ list: [1, 2.5, 's', true, null], tuple: [1, 2], bytes: new Uint8Array([97, 98]), nested: { x: { y: null } }, big: 2n ** 70n });
  });

  it('rejects a result that is not plain data with ConversionError naming the type', async () => {
    const err = await rejection(pool.run('import datetime\ndatetime.date(2020, 1, 1)'));
    expect(err).to.be.instanceOf(ConversionError);
    expect((err as ConversionError).pythonType).to.equal('date');
    const nested = await rejection(pool.run('class Thing: pass\n{"ok": [1, Thing()]}'));
    expect(nested).to.be.instanceOf(ConversionError);
    expect((nested as ConversionError).pythonType).to.equal('Thing');
    // The worker is fine afterwards.
    expect(await pool.run('3')).to.equal(3);
  });

  it('rejects inputs that cannot be cloned with ConversionError', async () => {
    const err = await rejection(pool.run('x', { inputs: { x: () => 1 } }));
    expect(err).to.be.instanceOf(ConversionError);
    expect(err.message).to.match(/inputs/);
    expect(await pool.run('4')).to.equal(4);
  });

  it('rejects bad arguments synchronously', () => {
    expect(() => pool.submit(42 as unknown as string)).to.throw(TypeError);
    expect(() => pool.submit('1', { inputs: [1] as unknown as Record<string, unknown> })).to.throw(TypeError);
    expect(() => pool.submit('1', { timeout: -5 })).to.throw(RangeError);
  });

  it('reports a Python exception with its type, line and traceback', async () => {
    const err = await rejection(pool.run('a = 1\nb = 0\na / b'));
    expect(err).to.be.instanceOf(PythonError);
    const py = err as PythonError;
    expect(py.name).to.equal('PythonError');
    expect(py.pythonType).to.equal('ZeroDivisionError');
    expect(py.line).to.equal(3);
    expect(py.traceback).to.contain('ZeroDivisionError');
    expect(py.traceback).to.contain('a / b');
    expect(py.traceback).not.to.contain('pyodide-pool');
  });

  it('points at the task line when the error is raised inside setup code', async () => {
    const err = (await rejection(pool.run('x = 1\nexplode()'))) as PythonError;
    expect(err.pythonType).to.equal('ZeroDivisionError');
    expect(err.line).to.equal(2);
    expect(err.traceback).to.contain('<setup>');
  });

  it('reports a syntax error with its line', async () => {
    const err = (await rejection(pool.run('x = 1\nif x\n  pass'))) as PythonError;
    expect(err).to.be.instanceOf(PythonError);
    expect(err.pythonType).to.equal('SyntaxError');
    expect(err.line).to.equal(2);
  });

  it('runs the same code again with other inputs (compiled once, cached)', async () => {
    const results = await pool.map('item ** 2', [1, 2, 3, 4, 5, 6]);
    expect(results).to.deep.equal([1, 4, 9, 16, 25, 36]);
  });

  it('leaves no Python reference behind after tasks', async () => {
    // A leaked PyProxy of a result or an input would keep a reference to SHARED.
    const before = (await pool.map('import sys\nsys.getrefcount(SHARED)', [0, 1])) as number[];
    await pool.map(
      'SHARED',
      Array.from({ length: 20 }, (_, i) => i),
    );
    await pool.map(
      '{"inner": SHARED, "item": item}',
      Array.from({ length: 20 }, (_, i) => i),
    );
    const after = (await pool.map('import sys\nsys.getrefcount(SHARED)', [0, 1])) as number[];
    expect(after).to.deep.equal(before);
  });

  it('streams ordered output events to onOutput and the stdout signal', async () => {
    const events: OutputEvent[] = [];
    const task = pool.submit(
      'import sys\nfrom worker_pool import progress, emit\nprint("one")\nprogress(0.5, "half")\nprint("two", end="")\nemit({"rows": [1, None]})\nsys.stderr.write("warn\\n")\n"end"',
      { onOutput: (event) => events.push(event) },
    );
    expect(await task.result).to.equal('end');
    expect(events).to.deep.equal([
      { type: 'stdout', text: 'one\n' },
      { type: 'progress', fraction: 0.5, message: 'half' },
      { type: 'stdout', text: 'two' },
      { type: 'data', data: { rows: [1, null] } },
      { type: 'stderr', text: 'warn\n' },
    ]);
    expect(task.stdout.value).to.equal('one\ntwo');
    expect(task.progress.value).to.deep.equal({ fraction: 0.5, message: 'half' });
    expect(task.status.value).to.equal('done');
  });

  it('raises ConversionError inside Python when emit() gets something that is not data', async () => {
    const result = await pool.run('from worker_pool import emit, ConversionError\ntry:\n    emit(object())\n    r = "sent"\nexcept ConversionError as e:\n    r = str(e)\nr');
    expect(result).to.match(/object/);
  });

  it('routes output to the right task when tasks run concurrently', async () => {
    const code = 'for i in range(5):\n    print(name, i)\nname';
    const a = pool.submit(code, { inputs: { name: 'a' } });
    const b = pool.submit(code, { inputs: { name: 'b' } });
    expect(await Promise.all([a.result, b.result])).to.deep.equal(['a', 'b']);
    expect(a.stdout.value).to.equal([0, 1, 2, 3, 4].map((i) => `a ${i}\n`).join(''));
    expect(b.stdout.value).to.equal([0, 1, 2, 3, 4].map((i) => `b ${i}\n`).join(''));
  });

  it('keeps the pool usable when an onOutput listener throws', async () => {
    const errors: unknown[] = [];
    const onError = (event: ErrorEvent) => {
      errors.push(event.error);
      event.preventDefault();
    };
    // Mocha treats uncaught errors as failures; listen for the report ourselves instead.
    const mochaOnError = window.onerror;
    window.onerror = null;
    window.addEventListener('error', onError);
    try {
      const value = await pool.run('print("x")\n5', {
        onOutput: () => {
          throw new Error('listener bug');
        },
      });
      expect(value).to.equal(5);
    } finally {
      window.removeEventListener('error', onError);
      window.onerror = mochaOnError;
    }
    expect(errors.map((e) => (e as Error).message)).to.deep.equal(['listener bug']);
  });

  it('maps over items in input order', async () => {
    expect(await pool.map('item * 2', [1, 2, 3])).to.deep.equal([2, 4, 6]);
    expect(await pool.map('item', [])).to.deep.equal([]);
  });

  it('counts completed and failed tasks', async () => {
    const completed = pool.state.completed.value;
    const failed = pool.state.failed.value;
    await pool.run('1');
    await rejection(pool.run('raise ValueError("no")'));
    expect(pool.state.completed.value).to.equal(completed + 1);
    expect(pool.state.failed.value).to.equal(failed + 1);
    expect(pool.state.running.value).to.equal(0);
    expect(pool.state.queued.value).to.equal(0);
    expect(pool.state.workers.value.map((w) => w.status)).to.deep.equal(['idle', 'idle']);
  });
});

describe('error names', () => {
  it('keeps each class name in error.name, even when minified', async () => {
    // workers/pool/errors.ts bundled and minified as a production build would (by the test server).
    const bundle = '/__fixtures__/errors.min.js';
    const errors = (await import(/* @vite-ignore */ bundle)) as typeof import('../../workers/pool/errors.js');
    // Minified for real: the classes themselves lost their names.
    expect(errors.PythonError.name).to.not.equal('PythonError');
    const made = [
      new errors.PythonError({ pythonType: 'ValueError', message: 'x', traceback: '' }),
      new errors.TaskTimeoutError(1),
      new errors.TaskCancelledError(),
      new errors.WorkerCrashedError('x'),
      new errors.QueueFullError('x'),
      new errors.PoolTerminatedError(),
      new errors.ConversionError('x'),
      new errors.WorkerBootError('x'),
      new errors.PoolError('x'),
    ];
    expect(made.map((e) => e.name)).to.deep.equal([
      'PythonError',
      'TaskTimeoutError',
      'TaskCancelledError',
      'WorkerCrashedError',
      'QueueFullError',
      'PoolTerminatedError',
      'ConversionError',
      'WorkerBootError',
      'PoolError',
    ]);
    expect(made.every((e) => e instanceof errors.PoolError && e instanceof Error)).to.equal(true);
  });
});
