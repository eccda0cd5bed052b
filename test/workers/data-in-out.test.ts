// Data in and out: Files and Blobs in inputs reach Python as read-only binary file
// objects (an io.BytesIO subclass with name, type and size), at any depth, in map items
// and in messages; buffers listed in `transfer` move to the worker; binary results come
// back as typed arrays of their element type.
import { expect } from 'chai';
import { PyodidePool, PythonError } from '../../workers/index.js';
import { indexURL, rejection } from '../helpers.js';

const csv = (name: string, rows: string[][]) => new File([rows.map((r) => r.join(',')).join('\n') + '\n'], name, { type: 'text/csv' });

describe('Files and Blobs in inputs', () => {
  let pool: PyodidePool;

  before(async () => {
    pool = new PyodidePool({ indexURL, min: 1, max: 2 });
    await pool.ready();
  });

  after(() => pool.terminate());

  it('gives a File as a file object with its name, type and size', async () => {
    const file = csv('people.csv', [['name', 'age'], ['Ada', '36']]);
    const code = 'import io\n[item.name, item.type, item.size, isinstance(item, io.BytesIO), item.read().decode()]';
    expect(await pool.run(code, { inputs: { item: file } })).to.deep.equal(['people.csv', 'text/csv', file.size, true, 'name,age\nAda,36\n']);
  });

  it('reads text through io.TextIOWrapper, as API.md shows, for every file of a map', async () => {
    const files = [csv('a.csv', [['x'], ['1'], ['2']]), csv('b.csv', [['y'], ['3']])];
    expect(await pool.map('import csv, io\nlen(list(csv.reader(io.TextIOWrapper(item))))', files)).to.deep.equal([3, 2]);
  });

  it('converts Blobs at any depth, a Blob without a name included', async () => {
    const inputs = { batch: { files: [new Blob([new Uint8Array([1, 2, 3])], { type: 'application/octet-stream' })] } };
    expect(await pool.run('f = batch["files"][0]\n[f.name, f.type, list(f.read())]', { inputs })).to.deep.equal(['', 'application/octet-stream', [1, 2, 3]]);
  });

  it('refuses to write to a File from the page', async () => {
    const err = (await rejection(pool.run('item.write(b"x")', { inputs: { item: new Blob(['abc']) } }))) as PythonError;
    expect(err).to.be.instanceOf(PythonError);
    expect(err.pythonType).to.equal('UnsupportedOperation');
  });

  it('delivers a File sent as a message', async () => {
    const task = pool.submit('from worker_pool import receive_async\nf = await receive_async()\nf.read().decode()');
    task.send(new File(['hello'], 'hello.txt'));
    expect(await task.result).to.equal('hello');
  });

  describe('zero-copy transfer', () => {
    it('moves listed buffers to the worker, detaching the caller\'s', async () => {
      const data = new Uint8Array(1024).fill(7);
      const task = pool.submit('sum(data)', { inputs: { data }, transfer: [data.buffer] });
      expect(data.byteLength).to.equal(0);
      expect(await task.result).to.equal(7 * 1024);
    });

    it('refuses a detached buffer, one listed twice, or a view instead of its buffer', () => {
      const data = new Uint8Array(8);
      pool.submit('None', { inputs: { data }, transfer: [data.buffer] });
      expect(() => pool.submit('None', { inputs: { data }, transfer: [data.buffer] })).to.throw();
      const other = new ArrayBuffer(8);
      expect(() => pool.submit('None', { transfer: [other, other] })).to.throw(TypeError, /twice/);
      expect(() => pool.submit('None', { transfer: [new Uint8Array(4) as unknown as ArrayBuffer] })).to.throw(TypeError, /buffer/);
      expect(other.byteLength).to.equal(8);
    });

    it('gives each map item the listed buffers it holds', async () => {
      const items = [new Float64Array([1, 2]), new Float64Array([3, 4])];
      const sums = await pool.map('sum(item)', items, { transfer: items.map((a) => a.buffer as ArrayBuffer) });
      expect(sums).to.deep.equal([3, 7]);
      expect(items.every((a) => a.byteLength === 0)).to.equal(true);
    });

    it('returns binary results as typed arrays of their element type', async () => {
      const [raw, doubles, ints] = (await pool.run('import array\n[bytes(range(4)), array.array("d", [1.5, -2]), memoryview(array.array("i", [7]))]')) as [Uint8Array, Float64Array, Int32Array];
      expect(raw).to.be.instanceOf(Uint8Array);
      expect([...raw]).to.deep.equal([0, 1, 2, 3]);
      expect(doubles).to.be.instanceOf(Float64Array);
      expect([...doubles]).to.deep.equal([1.5, -2]);
      expect(ints).to.be.instanceOf(Int32Array);
      expect([...ints]).to.deep.equal([7]);
    });
  });
});
