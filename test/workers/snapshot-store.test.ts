// The snapshot store's decisions, as pure logic (no worker, no Pyodide): which boot makes
// the pool's snapshot, which restore it, which start from the base snapshot, and the
// reason each worker that boots normally is given.
import { expect } from 'chai';
import { SnapshotStore } from '../../workers/pool/snapshot-store.js';

const made = async () => new Uint8Array([1, 2, 3]);
/** Lets the store take a maker's snapshot (it does so in a later turn). */
const turn = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('SnapshotStore', () => {
  it('has the first boot make the snapshot from the base snapshot, and the next restore it', async () => {
    const store = new SnapshotStore(true, undefined, false, true);
    const maker = await store.lease();
    expect([maker.make, maker.base, maker.skipped]).to.deep.equal([true, true, undefined]);
    const waiting = store.lease();
    maker.release(made);
    await turn();
    const next = await waiting;
    expect([next.make, next.base, next.skipped]).to.deep.equal([false, false, undefined]);
    expect(next.snapshot).to.deep.equal(new Uint8Array([1, 2, 3]));
  });

  it("gives 'disabled' to every boot when snapshots are off, and to the maker when only the base snapshot is", async () => {
    const off = new SnapshotStore(false, undefined, false, true);
    for (let i = 0; i < 2; i++) {
      const lease = await off.lease();
      expect([lease.make, lease.base, lease.skipped]).to.deep.equal([false, false, 'disabled']);
    }
    const noBase = new SnapshotStore(true, undefined, false, false);
    const maker = await noBase.lease();
    expect([maker.make, maker.base, maker.skipped]).to.deep.equal([true, false, 'disabled']);
  });

  it("starts later boots from the base snapshot, saying why, when the pool's snapshot cannot be made", async () => {
    const store = new SnapshotStore(true, undefined, false, true);
    const maker = await store.lease();
    maker.release(undefined, true, 'packages');
    const next = await store.lease();
    expect([next.make, next.base, next.snapshot, next.skipped]).to.deep.equal([false, true, undefined, 'packages']);
    // The base snapshot then fails here too: cold boots, still for the first reason.
    store.baseFailed('engine');
    const after = await store.lease();
    expect([after.make, after.base, after.skipped]).to.deep.equal([false, false, 'packages']);
  });

  it('has a maker whose base snapshot did not fit boot cold, saying why, and keeps the first reason', async () => {
    const store = new SnapshotStore(true, undefined, false, true);
    store.baseFailed('version');
    store.baseFailed('engine');
    const maker = await store.lease();
    expect([maker.make, maker.base, maker.skipped]).to.deep.equal([true, false, 'version']);
  });

  it("turns snapshots off with the restore's reason when a snapshot made here does not restore", async () => {
    const store = new SnapshotStore(true, undefined, false, false);
    const maker = await store.lease();
    maker.release(made);
    await turn();
    const restoring = await store.lease();
    expect(restoring.snapshot).to.not.equal(undefined);
    restoring.release(undefined, false);
    store.restoreFailed('too-large');
    const next = await store.lease();
    expect([next.make, next.snapshot, next.skipped]).to.deep.equal([false, undefined, 'too-large']);
    expect(store.disabled).to.equal(true);
  });

  it('lets another boot make the snapshot when the maker failed to boot', async () => {
    const store = new SnapshotStore(true, undefined, false, true);
    const maker = await store.lease();
    const waiting = store.lease();
    maker.release(undefined, false);
    const second = await waiting;
    expect([second.make, second.base, second.skipped]).to.deep.equal([true, true, undefined]);
  });
});
