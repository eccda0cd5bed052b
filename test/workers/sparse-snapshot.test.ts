// The packed form snapshots are stored in: only pages with data, restored byte for byte.
import { expect } from 'chai';
import { packSnapshot, unpackSnapshot } from '../../workers/worker/sparse-snapshot.js';

describe('packed snapshots', () => {
  /** 5.5 pages of 64 KiB: data in pages 0, 3 and the short last one; the rest zeros. */
  function sample(): Uint8Array {
    const bytes = new Uint8Array(65_536 * 5 + 32_768);
    bytes[10] = 1;
    bytes[65_536 * 3 + 12_345] = 2;
    bytes[bytes.length - 1] = 3;
    return bytes;
  }

  it('keeps only the pages that hold data, and restores every byte', () => {
    const bytes = sample();
    const packed = packSnapshot(bytes);
    expect(packed.length).to.be.lessThan(65_536 * 2 + 32_768 + 100);
    expect(unpackSnapshot(packed)).to.deep.equal(bytes);
  });

  it('restores an all-zero snapshot and one that is not page aligned', () => {
    expect(unpackSnapshot(packSnapshot(new Uint8Array(200_000)))).to.deep.equal(new Uint8Array(200_000));
    const odd = new Uint8Array(70_001).map((_, i) => i % 251);
    expect(unpackSnapshot(packSnapshot(odd))).to.deep.equal(odd);
  });

  it('keeps a snapshot with few zero pages whole, and restores it as a view without copying', () => {
    const dense = new Uint8Array(65_536 * 10).map((_, i) => (i % 7) + 1);
    dense.fill(0, 0, 65_536); // one zero page in ten: not worth leaving out
    const packed = packSnapshot(dense);
    expect(packed.length).to.equal(dense.length + 12);
    const restored = unpackSnapshot(packed)!;
    expect(restored).to.deep.equal(dense);
    expect(restored.buffer).to.equal(packed.buffer);
    expect(unpackSnapshot(packed.subarray(0, packed.length - 1))).to.equal(undefined);
  });

  it('refuses bytes in another form, or cut short', () => {
    expect(unpackSnapshot(new Uint8Array([1, 2, 3, 4]))).to.equal(undefined);
    const packed = packSnapshot(sample());
    expect(unpackSnapshot(packed.subarray(0, packed.length - 1))).to.equal(undefined);
    expect(unpackSnapshot(packed.subarray(0, 8))).to.equal(undefined);
  });
});
