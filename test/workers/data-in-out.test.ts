// Data in and out: Files and Blobs in inputs reach Python as read-only binary file
// objects (an io.BytesIO subclass with name, type and size), at any depth, in map items
// and in messages; buffers listed in `transfer` move to the worker; binary results come
// back as typed arrays of their element type.
import { expect } from 'chai';
import { PyodidePool } from '../../workers/index.js';
import { indexURL } from '../helpers.js';
import { fileCases } from './file-cases.js';

describe('Files and Blobs in inputs', () => {
  let pool: PyodidePool;

  before(async () => {
    pool = new PyodidePool({ indexURL, min: 1, max: 2 });
    await pool.ready();
  });

  after(() => pool.terminate());

  fileCases(() => pool);

  describe('zero-copy transfer', () => {
    it("moves listed buffers to the worker, detaching the caller's", async () => {
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
      const [raw, doubles, ints] = (await pool.run('import array\n[bytes(range(4)), array.array("d", [1.5, -2]), memoryview(array.array("i", [7]))]')) as [
        Uint8Array,
        Float64Array,
        Int32Array,
      ];
      expect(raw).to.be.instanceOf(Uint8Array);
      expect([...raw]).to.deep.equal([0, 1, 2, 3]);
      expect(doubles).to.be.instanceOf(Float64Array);
      expect([...doubles]).to.deep.equal([1.5, -2]);
      expect(ints).to.be.instanceOf(Int32Array);
      expect([...ints]).to.deep.equal([7]);
    });
  });
});
