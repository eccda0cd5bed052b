// pool.map at the speed of a loop: items in chunks, one compiled body per worker, results
// in order, progress, MapError for the first failing item, settle: 'all', cancel between
// items, per-item timeouts, and uneven items shared between the workers.
import { expect } from 'chai';
import { ConversionError, MapError, PyodidePool, PythonError, QueueFullError, TaskCancelledError, TaskTimeoutError, type MapProgress } from '../../workers/index.js';
import { allSettled, indexURL, rejection, until } from '../helpers.js';

const spin = (seconds: number) => `import time\n_end = time.perf_counter() + ${seconds}\nwhile time.perf_counter() < _end:\n    pass`;

describe('pool.map', () => {
  let pool: PyodidePool;

  before(async () => {
    pool = new PyodidePool({ indexURL, min: 2, max: 2, setup: 'def double(x):\n    return 2 * x\nOFFSET = 1000' });
    await pool.ready();
  });

  after(() => pool.terminate());

  it('maps many items in input order, with the names setup defined', async () => {
    const items = Array.from({ length: 20_000 }, (_, i) => i);
    expect(await pool.map('double(item) + OFFSET', items)).to.deep.equal(items.map((i) => 2 * i + 1000));
  });

  it('maps statements as well as expressions, each item in a fresh namespace', async () => {
    const items = Array.from({ length: 500 }, (_, i) => i);
    await pool.map('leaked = item\nleaked', items);
    expect(await pool.map("'leaked' in globals()", items.slice(0, 50))).to.deep.equal(items.slice(0, 50).map(() => false));
    // A walrus binds a name: the item still starts from setup's namespace.
    expect(await pool.map("(seen := item) and 'seen' in globals()", [1, 2, 3])).to.deep.equal([true, true, true]);
    expect(await pool.map('[x * 2 for x in item]', [[1, 2], [3]])).to.deep.equal([[2, 4], [6]]);
  });

  it('gives every item the globals of the inputs option', async () => {
    expect(await pool.map('item * factor', [1, 2, 3], { inputs: { factor: 3 } })).to.deep.equal([3, 6, 9]);
    expect(await pool.map('total = item + factor\ntotal', [1], { inputs: { factor: 10 } })).to.deep.equal([11]);
  });

  it('keeps plain data as tasks do: None as null, dicts as objects, bytes as Uint8Array', async () => {
    const out = await pool.map('None if item is None else {"v": item, "b": bytes([1, 2])}', [null, 'a', 2.5]);
    expect(out[0]).to.equal(null);
    expect(out[1]).to.deep.include({ v: 'a' });
    expect((out[2] as { b: Uint8Array }).b).to.be.instanceOf(Uint8Array);
  });

  it('reports progress up to the total', async () => {
    const seen: MapProgress[] = [];
    const items = Array.from({ length: 3000 }, (_, i) => i);
    await pool.map('item', items, { onProgress: (p) => seen.push(p) });
    expect(seen.length).to.be.greaterThan(1);
    expect(seen.at(-1)).to.deep.equal({ done: 3000, total: 3000 });
    for (let i = 1; i < seen.length; i++) expect(seen[i]!.done).to.be.greaterThan(seen[i - 1]!.done);
  });

  it('rejects with MapError for the lowest failing index, its cause the PythonError', async () => {
    const items = Array.from({ length: 2000 }, (_, i) => (i === 700 || i === 1500 ? 0 : i + 1));
    const err = await rejection(pool.map('1 / item', items));
    expect(err).to.be.instanceOf(MapError);
    const mapError = err as MapError;
    expect(mapError.name).to.equal('MapError');
    expect(mapError.index).to.equal(700);
    expect(mapError.cause).to.be.instanceOf(PythonError);
    expect((mapError.cause as PythonError).pythonType).to.equal('ZeroDivisionError');
    expect((mapError.cause as PythonError).line).to.equal(1);
    expect(mapError.message).to.contain('700').and.contain('ZeroDivisionError');
    await allSettled(pool);
  });

  it("resolves every item with settle: 'all'", async () => {
    const out = await pool.map('1 / item', [1, 0, 4, 0], { settle: 'all' });
    expect(out[0]).to.deep.equal({ value: 1 });
    expect(out[2]).to.deep.equal({ value: 0.25 });
    for (const i of [1, 3]) {
      const entry = out[i] as { error: PythonError };
      expect(entry.error).to.be.instanceOf(PythonError);
      expect(entry.error.pythonType).to.equal('ZeroDivisionError');
    }
  });

  it('fails only the item whose result cannot cross, as a ConversionError', async () => {
    const code = 'object() if item == 1 else item';
    const err = (await rejection(pool.map(code, [0, 1, 2]))) as MapError;
    expect(err).to.be.instanceOf(MapError);
    expect(err.index).to.equal(1);
    expect(err.cause).to.be.instanceOf(ConversionError);
    const all = await pool.map(code, [0, 1, 2], { settle: 'all' });
    expect(all[0]).to.deep.equal({ value: 0 });
    expect((all[1] as { error: Error }).error).to.be.instanceOf(ConversionError);
    expect(all[2]).to.deep.equal({ value: 2 });
  });

  it('fails a syntax error at item 0', async () => {
    const err = (await rejection(pool.map('item +', [1, 2]))) as MapError;
    expect(err).to.be.instanceOf(MapError);
    expect(err.index).to.equal(0);
    expect((err.cause as PythonError).pythonType).to.equal('SyntaxError');
  });

  it('applies the timeout to each item', async () => {
    const code = `if item == 1:\n${spin(1.5).replace(/^/gm, '    ')}\nitem`;
    const err = (await rejection(pool.map(code, [0, 0, 1, 0], { timeout: 300 }))) as MapError;
    expect(err).to.be.instanceOf(MapError);
    expect(err.index).to.equal(2);
    expect(err.cause).to.be.instanceOf(TaskTimeoutError);
    expect((err.cause as TaskTimeoutError).timeout).to.equal(300);
    await allSettled(pool);
    // Fast items under the same timeout pass.
    expect(await pool.map('item', [1, 2, 3], { timeout: 300 })).to.deep.equal([1, 2, 3]);
  });

  it('stops between items on cancel, keeping its workers', async () => {
    const ids = pool.state.workers.value.map((w) => w.id);
    const controller = new AbortController();
    let done = 0;
    const items = Array.from({ length: 200 }, (_, i) => i);
    const mapped = pool.map(`${spin(0.02)}\nitem`, items, {
      signal: controller.signal,
      onProgress: (p) => {
        done = p.done;
        if (p.done >= 4) controller.abort('enough');
      },
    });
    const err = await rejection(mapped);
    expect(err).to.be.instanceOf(TaskCancelledError);
    expect((err as TaskCancelledError).reason).to.equal('enough');
    await allSettled(pool);
    expect(done).to.be.lessThan(items.length);
    expect(pool.state.workers.value.map((w) => w.id)).to.deep.equal(ids);
    expect(await pool.run('"kept"')).to.equal('kept');
  });

  it('rejects an already-aborted signal without running anything', async () => {
    const controller = new AbortController();
    controller.abort('no');
    const before = pool.state.completed.value;
    expect(await rejection(pool.map('item', [1], { signal: controller.signal }))).to.be.instanceOf(TaskCancelledError);
    expect(pool.state.completed.value).to.equal(before);
  });

  it('shares uneven items between both workers', async () => {
    const before = new Map(pool.state.workers.value.map((w) => [w.id, w.tasksRun]));
    const items = Array.from({ length: 240 }, (_, i) => i);
    const out = await pool.map(`if item % 40 == 0:\n${spin(0.1).replace(/^/gm, '    ')}\nitem`, items);
    expect(out).to.deep.equal(items);
    for (const w of pool.state.workers.value) expect(w.tasksRun - (before.get(w.id) ?? 0)).to.be.greaterThan(0);
  });

  it('runs a task of higher priority between chunks of a long map', async () => {
    const items = Array.from({ length: 60 }, (_, i) => i);
    let finished = false;
    const long = pool.map(`${spin(0.03)}\nitem`, items).then((v) => ((finished = true), v));
    await until(pool.state.running, (n) => n > 0);
    expect(await pool.run('"urgent"', { priority: 10 })).to.equal('urgent');
    expect(finished).to.equal(false);
    expect(await long).to.deep.equal(items);
  });

  it('maps code that awaits', async () => {
    expect(await pool.map('import asyncio\nawait asyncio.sleep(0)\nitem + 1', [1, 2, 3])).to.deep.equal([2, 3, 4]);
  });

  it('takes any iterable, a fixed chunkSize, and an empty list', async () => {
    expect(await pool.map('item * 2', new Set([1, 2, 3]), { chunkSize: 2 })).to.deep.equal([2, 4, 6]);
    expect(await pool.map('item', [])).to.deep.equal([]);
  });

  it('refuses bad arguments with TypeError or RangeError', async () => {
    expect(await rejection(pool.map('item', 5 as unknown as number[]))).to.be.instanceOf(TypeError);
    expect(await rejection(pool.map(3 as unknown as string, [1]))).to.be.instanceOf(TypeError);
    expect(await rejection(pool.map('item', [1], { chunkSize: 0 }))).to.be.instanceOf(RangeError);
    expect(await rejection(pool.map('item', [1], { settle: 'some' as 'all' }))).to.be.instanceOf(TypeError);
    expect(await rejection(pool.map('item', [1], { onProgress: 1 as unknown as () => void }))).to.be.instanceOf(TypeError);
  });
});

describe('pool.map and maxQueue', () => {
  it('refuses a map while the queue is full, and runs a long map through a short queue', async () => {
    const pool = new PyodidePool({ indexURL, min: 1, max: 1, maxQueue: 2 });
    try {
      await pool.ready();
      const blocker = pool.submit(spin(0.3));
      await until(blocker.status, (s) => s === 'running');
      const waiting = [pool.submit('1'), pool.submit('2')];
      expect(await rejection(pool.map('item', [1]))).to.be.instanceOf(QueueFullError);
      await Promise.all([blocker.result, ...waiting.map((t) => t.result)]);
      const items = Array.from({ length: 5000 }, (_, i) => i);
      expect(await pool.map('item', items)).to.deep.equal(items);
    } finally {
      await pool.terminate();
    }
  });
});
