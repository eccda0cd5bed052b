// python/runtime.py on the real interpreter: running a task's code, and the failure
// record (`error_info`) the worker sends as it is.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { bootRuntime, plain } from './interpreter.mjs';

let r;
before(async () => {
  r = await bootRuntime();
});

/** Run `code` as a task that must fail; the failure record it left. */
function failure(code, inputs) {
  assert.throws(
    () => r.runtime.run(code, inputs && r.pyodide.toPy(inputs)),
    (err) => err.type !== undefined,
  );
  return plain(r.runtime.error_info);
}

describe('run', () => {
  test('gives the last expression, with the inputs as globals', () => {
    assert.equal(r.runtime.run('y = x * 2\ny + 1', r.pyodide.toPy({ x: 20 })), 41);
    assert.equal(r.runtime.run('z = 1', undefined), undefined);
  });

  test('starts every task from setup, in a fresh namespace', () => {
    r.runtime.run_setup('BASE = 10');
    assert.equal(r.runtime.run('leftover = BASE + 1\nleftover', undefined), 11);
    assert.equal(failure('leftover').pythonType, 'NameError');
  });

  test('hands code that awaits back as an AsyncRun whose future gives its value', async () => {
    const run = r.runtime.run('import asyncio\nawait asyncio.sleep(0)\n6 * 7', undefined);
    assert.equal(run.type, 'AsyncRun');
    const future = run.future;
    assert.equal(await future, 42);
    run.destroy();
  });

  test('compiles each source once, and keeps at most _CACHE_MAX of them', () => {
    const cache = r.runtime._CACHE;
    for (let i = 0; i < r.runtime._CACHE_MAX + 5; i++) r.runtime.run(`${i}`, undefined);
    assert.equal(cache.length, r.runtime._CACHE_MAX);
    cache.destroy();
  });
});

describe('error_info', () => {
  test('names the failure as the task failure is named in JavaScript', () => {
    const info = failure('a = 1\nb = 0\na / b');
    assert.deepEqual(Object.keys(info).sort(), ['line', 'message', 'pythonType', 'traceback']);
    assert.equal(info.pythonType, 'ZeroDivisionError');
    assert.equal(info.message, 'division by zero');
    assert.equal(info.line, 3);
    assert.match(info.traceback, /File "<task>", line 3, in <module>\n +a \/ b/);
  });

  test("leaves the runtime's own frames out of the traceback", () => {
    const info = failure('def f():\n    raise ValueError("inner")\nf()');
    assert.doesNotMatch(info.traceback, /pyodide-pool/);
    assert.match(info.traceback, /^Traceback \(most recent call last\):\n {2}File "<task>", line 3/);
    assert.equal(info.line, 2);
  });

  test('a syntax error gives its message and line, not the exception text', () => {
    const info = failure('x = 1\ny = (\n');
    assert.equal(info.pythonType, 'SyntaxError');
    assert.equal(info.line, 2);
    assert.match(info.message, /never closed/);
  });

  test('a deep recursion shows its outermost and innermost frames only', () => {
    const info = failure('def down(n):\n    return down(n + 1)\ndown(0)');
    assert.equal(info.pythonType, 'RecursionError');
    assert.match(info.traceback, /\[\.\.\. \d+ more frames \.\.\.\]/);
    assert.ok(info.traceback.split('\n').length < 200, 'the traceback is abbreviated');
  });

  test('a failing setup is described under <setup>', () => {
    assert.throws(() => r.runtime.run_setup('x = 1\nraise KeyError("k")'));
    const info = plain(r.runtime.error_info);
    assert.equal(info.pythonType, 'KeyError');
    assert.equal(info.line, 2);
    assert.match(info.traceback, /File "<setup>", line 2/);
  });
});

describe('unconvertible_type', () => {
  test('names the first value inside that cannot become plain data', () => {
    assert.equal(r.py('import _pyodide_pool as m\nm.unconvertible_type({"a": [1, 2.5, "s", b"b", None, (True,)]})'), undefined);
    assert.equal(r.py('import _pyodide_pool as m\nm.unconvertible_type({"a": [1, {"b": {1, object()}}]})'), 'object');
    assert.equal(r.py('import _pyodide_pool as m\nm.unconvertible_type([1, 1j])'), 'complex');
  });

  test('ends on a value that holds itself', () => {
    assert.equal(r.py('import _pyodide_pool as m\nloop = []\nloop.append(loop)\nm.unconvertible_type(loop)'), undefined);
  });
});

describe('BlobFile', () => {
  test('is a read-only binary file with the name, type and size it had in the page', () => {
    const got = r.py(`
import io
from _pyodide_pool import BlobFile
f = BlobFile(b"a,b\\n1,2\\n", "data.csv", "text/csv")
try:
    f.write(b"x")
    wrote = "yes"
except io.UnsupportedOperation as exc:
    wrote = str(exc)
[f.name, f.type, f.size, f.writable(), io.TextIOWrapper(f).read(), wrote, repr(BlobFile(b"", "e", ""))]
`);
    assert.deepEqual(got, ['data.csv', 'text/csv', 8, false, 'a,b\n1,2\n', 'a File from the page is read-only', "<File name='e' type='' size=0>"]);
  });
});
