// python/map.py on the real interpreter: a chunk's values and its items' failure records.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { bootRuntime, plain } from './interpreter.mjs';

let r;
before(async () => {
  r = await bootRuntime();
});

/** One chunk: `code` per item, `timeout` in seconds per item. */
function chunk(code, items, { keepGoing = false, timeout, shared } = {}) {
  const inputs = r.pyodide.toPy({ items, ...(shared && { shared }) });
  try {
    return r.map.run_map(code, inputs, keepGoing, timeout);
  } finally {
    inputs.destroy();
  }
}

const python = (index, pythonType, message, line) => ({ index, kind: 'python', pythonType, message, line });

/** A chunk's failures without their tracebacks (checked apart). */
const failures = (result) => result.errors.map(({ traceback, ...rest }) => rest);

describe('run_map', () => {
  test('runs an expression per item, over setup and the shared globals', () => {
    r.runtime.run_setup('OFFSET = 100');
    assert.deepEqual(plain(chunk('item * k + OFFSET', [1, 2, 3], { shared: { k: 10 } })), { values: [110, 120, 130], errors: [] });
  });

  test('runs statements per item in a fresh namespace, the last expression its value', () => {
    const result = plain(chunk('seen = globals().get("seen", 0) + 1\nsquare = item * item\n(square, seen)', [2, 3]));
    assert.deepEqual(result, {
      values: [
        [4, 1],
        [9, 1],
      ],
      errors: [],
    });
  });

  test('stops at the first failure without keep_going, its values cut there', () => {
    const result = plain(chunk('10 // item', [5, 2, 0, 1]));
    assert.deepEqual(result.values, [2, 5]);
    assert.deepEqual(failures(result), [python(2, 'ZeroDivisionError', 'division by zero', 1)]);
    assert.match(result.errors[0].traceback, /File "<task>", line 1/);
    assert.doesNotMatch(result.errors[0].traceback, /pyodide-pool/);
  });

  test('with keep_going, a failed item leaves None and the rest run', () => {
    const result = plain(chunk('x = 10 // item\nx', [0, 2, 0, 5], { keepGoing: true }));
    assert.deepEqual(result.values, [undefined, 5, undefined, 2]);
    assert.deepEqual(failures(result), [python(0, 'ZeroDivisionError', 'division by zero', 1), python(2, 'ZeroDivisionError', 'division by zero', 1)]);
  });

  test('a syntax error fails the first item only', () => {
    const result = plain(chunk('item +', [1, 2]));
    assert.deepEqual(result.values, []);
    assert.equal(result.errors.length, 1);
    assert.equal(result.errors[0].index, 0);
    assert.equal(result.errors[0].pythonType, 'SyntaxError');
  });

  test('an item past its timeout fails as a timeout', () => {
    // Any item takes more than no time at all.
    const result = plain(chunk('sum(range(20000 * item))', [1, 2], { keepGoing: true, timeout: 0 }));
    assert.deepEqual(result.values, [undefined, undefined]);
    assert.deepEqual(
      result.errors,
      [0, 1].map((index) => ({ index, kind: 'timeout', pythonType: 'TimeoutError', message: '', traceback: '', line: undefined })),
    );
  });

  test('code that awaits gives an AsyncRun, with the same records', async () => {
    const run = chunk('import asyncio\nawait asyncio.sleep(0)\n1 // item', [1, 0, 2], { keepGoing: true });
    assert.equal(run.type, 'AsyncRun');
    const result = plain(await run.future);
    run.destroy();
    assert.deepEqual(result.values, [1, undefined, 0]);
    assert.deepEqual(failures(result), [python(1, 'ZeroDivisionError', 'division by zero', 3)]);
  });
});

describe('fix_map', () => {
  test('turns values that cannot become plain data into conversion failures, in item order', () => {
    const result = chunk('object() if item == 1 else (1 // item)', [0, 1, 2], { keepGoing: true });
    try {
      assert.equal(r.map.fix_map(result), 1);
      const fixed = plain(result.copy());
      assert.deepEqual(fixed.values, [undefined, undefined, 0]);
      assert.deepEqual(
        failures(fixed).map(({ index, kind, pythonType }) => [index, kind, pythonType]),
        [
          [0, 'python', 'ZeroDivisionError'],
          [1, 'conversion', 'object'],
        ],
      );
      assert.equal(fixed.errors[1].message, "cannot convert a Python 'object' to plain data");
    } finally {
      result.destroy();
    }
  });
});
