// poolStateStore: a pool's state as one store (snapshot + subscribe), the contract every
// view of pool state reads.
import { expect } from 'chai';
import { EMPTY_POOL_SNAPSHOT, PyodidePool, poolStateStore, type PoolSnapshot } from '../../../workers/index.js';
import { indexURL } from '../../helpers.js';
import { CountingHolder } from './counting-holder.js';

describe('poolStateStore', () => {
  let pool: PyodidePool;
  before(async () => {
    pool = new PyodidePool({ indexURL, min: 2, max: 2 });
    await pool.ready();
  });
  after(() => pool.terminate());

  it('reads the state without subscribing, the same object until something changes', () => {
    const holder = new CountingHolder(pool);
    const store = poolStateStore(holder);
    const now = store.getSnapshot();
    expect(holder.listeners).to.equal(0);
    expect(now.workers).to.have.length(2);
    expect(now.ready).to.equal(true);
    expect(store.getSnapshot()).to.equal(now);
    expect(poolStateStore(undefined).getSnapshot()).to.equal(EMPTY_POOL_SNAPSHOT);
  });

  it('follows its source once for all subscribers, from the first to the last', async () => {
    const holder = new CountingHolder(pool);
    const store = poolStateStore(holder);
    const a: PoolSnapshot[] = [];
    const b: PoolSnapshot[] = [];
    const stopA = store.subscribe((s) => a.push(s));
    const stopB = store.subscribe((s) => b.push(s));
    expect(holder.listeners).to.equal(1);
    expect(a).to.have.length(1);
    expect(b[0]).to.equal(a[0]);
    const completed = a[0]!.completed;
    let counted: (state: PoolSnapshot) => void = () => {};
    const seen = new Promise<PoolSnapshot>((resolve) => (counted = resolve));
    const stopC = store.subscribe((s) => s.completed > completed && counted(s));
    await pool.run('1 + 1');
    const after = await seen;
    stopC();
    expect(after.completed).to.equal(completed + 1);
    expect(store.getSnapshot()).to.equal(a.at(-1));
    stopA();
    expect(holder.listeners).to.equal(1);
    stopB();
    expect(holder.listeners).to.equal(0);
  });

  it('follows a holder that loses or changes its pool', () => {
    const holder = new CountingHolder(pool);
    const store = poolStateStore(holder);
    let last: PoolSnapshot | undefined;
    const stop = store.subscribe((s) => (last = s));
    expect(last!.ready).to.equal(true);
    holder.change(undefined);
    expect(last).to.equal(EMPTY_POOL_SNAPSHOT);
    holder.change(pool);
    expect(last!.workers).to.have.length(2);
    stop();
    expect(holder.listeners).to.equal(0);
  });
});
