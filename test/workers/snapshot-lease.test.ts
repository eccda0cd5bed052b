// The snapshot lease state machine (SnapshotStore without persistence): who makes the
// snapshot, who waits for it, who restores, and what a failure changes. No Pyodide.
import { expect } from 'chai';
import { SnapshotStore } from '../../workers/pool/snapshot-store.js';

const bytes = (n: number) => new Uint8Array(8).fill(n);
/** What a maker's release hands over: its snapshot, taken (packed) when wanted. */
const made = (n: number) => async () => bytes(n);
const read = async (packed: Blob | Uint8Array | undefined) => [...(packed instanceof Uint8Array ? packed : new Uint8Array(await packed!.arrayBuffer()))];

describe('snapshot leases', () => {
  it('lets the first worker make the snapshot; the others wait, then restore from the one it hands over', async () => {
    const store = new SnapshotStore(true);
    const maker = await store.lease();
    expect(maker.make).to.equal(true);
    let waited = false;
    const waiting = store.lease().then((lease) => ((waited = true), lease));
    await Promise.resolve();
    expect(waited).to.equal(false);
    let taken = 0;
    maker.release(async () => (taken++, bytes(7)));
    const restorer = await waiting;
    expect(restorer.make).to.equal(false);
    expect(await read(restorer.snapshot)).to.deep.equal([...bytes(7)]);
    // One snapshot for every restoring worker, taken from the maker once.
    expect((await store.lease()).snapshot).to.equal(restorer.snapshot);
    expect(taken).to.equal(1);
    expect(store.disabled).to.equal(false);
  });

  it('says when a boot starts waiting for the snapshot to be made, and only then', async () => {
    const store = new SnapshotStore(true);
    let told = 0;
    const maker = await store.lease(undefined, () => told++);
    expect(told).to.equal(0);
    const waiting = store.lease(undefined, () => told++);
    await Promise.resolve();
    expect(told).to.equal(1);
    maker.release(made(3));
    await waiting;
    await store.lease(undefined, () => told++); // the snapshot is there: no wait
    expect(told).to.equal(1);
  });

  it('lets another worker make the snapshot when the maker is gone before handing it over', async () => {
    const store = new SnapshotStore(true);
    const maker = await store.lease();
    const next = store.lease();
    maker.release(async () => undefined);
    expect((await next).make).to.equal(true);
    expect(store.disabled).to.equal(false);
  });

  it('hands the making to the next worker when the maker fails to boot', async () => {
    const store = new SnapshotStore(true);
    const maker = await store.lease();
    const next = store.lease();
    maker.release(undefined, false);
    expect((await next).make).to.equal(true);
  });

  it('turns snapshots off when a worker booted but no snapshot could be made', async () => {
    const store = new SnapshotStore(true);
    const maker = await store.lease();
    const next = store.lease();
    maker.release(undefined, true);
    const lease = await next;
    expect(lease.make).to.equal(false);
    expect(lease.snapshot).to.equal(undefined);
    expect(store.disabled).to.equal(true);
  });

  it('boots normally from then on when its own snapshot does not restore', async () => {
    const store = new SnapshotStore(true);
    (await store.lease()).release(made(1));
    expect((await store.lease()).snapshot).to.not.equal(undefined);
    store.restoreFailed();
    const lease = await store.lease();
    expect(lease.make || lease.snapshot !== undefined).to.equal(false);
    expect(store.disabled).to.equal(true);
  });

  it('gives nothing to make or restore when off, and wakes waiters when cleared', async () => {
    const off = new SnapshotStore(false);
    const lease = await off.lease();
    expect(lease.make || lease.snapshot !== undefined).to.equal(false);

    const store = new SnapshotStore(true);
    await store.lease(); // the maker, never released
    const waiting = store.lease();
    store.clear();
    const woken = await waiting;
    expect(woken.make || woken.snapshot !== undefined).to.equal(false);
  });
});
