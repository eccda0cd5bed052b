// <worker-pool package-base-url lock-file-url>: where named packages come from, as the
// pool's options; a change rebuilds the pool; under a code policy both are URLs of code
// and must pass it, as index-url does.
import { expect, oneEvent } from '@open-wc/testing';
import '../../components/index.js';
import { CodePolicyError, configureElements, type PoolChangeEvent, type PoolErrorEvent, type WorkerPoolElement } from '../../components/index.js';
import { HELLO, HELLO_RESULT, lockFile, served, WHEELS } from '../fixtures/hellopkg-lock.js';
import { indexURL } from '../helpers.js';

/** The same test server under another origin (the page is served from localhost). */
const FOREIGN = `http://127.0.0.1:${location.port}`;
const LOCKS = new URL('/__fixtures__/locks/', location.href).href;

/** A `<worker-pool>` from markup, added to the page. */
function addPool(markup: string): WorkerPoolElement {
  const template = document.createElement('template');
  template.innerHTML = markup.trim();
  const el = template.content.firstElementChild as WorkerPoolElement;
  document.body.append(el);
  return el;
}

describe('<worker-pool package-base-url lock-file-url>', function () {
  this.timeout(120_000);
  let lockFileURL: string;

  before(async () => {
    lockFileURL = served(LOCKS, 'lock.json', await lockFile());
  });

  afterEach(() => {
    configureElements({ nonce: undefined, allowSrc: undefined });
    for (const el of document.body.querySelectorAll(':scope > worker-pool')) el.remove();
  });

  it('loads named packages from the lock file and folder they name', async () => {
    const el = addPool(`<worker-pool max="1" index-url="${indexURL}" package-base-url="/__fixtures__/wheels" lock-file-url="${lockFileURL}" packages="hellopkg"></worker-pool>`);
    const pool = el.pool!;
    // Resolved against the page, the folder ending in '/'.
    expect(pool.options.packageBaseUrl).to.equal(WHEELS);
    expect(pool.options.lockFileURL).to.equal(lockFileURL);
    expect(await pool.run(HELLO)).to.equal(HELLO_RESULT);
  });

  it('a change of either attribute makes a new pool', async () => {
    const el = addPool(`<worker-pool min="0" max="1" index-url="${indexURL}" packages="hellopkg" package-base-url="${WHEELS}" lock-file-url="${lockFileURL}"></worker-pool>`);
    const first = el.pool!;
    for (const [name, value] of [
      ['package-base-url', `${LOCKS}`],
      ['lock-file-url', served(WHEELS, 'lock.json', '{}')],
    ] as const) {
      const before = el.pool!;
      const changed = oneEvent(el, 'pool-change') as Promise<PoolChangeEvent>;
      el.setAttribute(name, value);
      await changed;
      expect(el.pool).to.not.equal(before);
      expect(el.pool!.options[name === 'package-base-url' ? 'packageBaseUrl' : 'lockFileURL']).to.equal(value);
    }
    expect(el.pool).to.not.equal(first);
    // Other attributes (sizing) keep the pool.
    const kept = el.pool!;
    el.setAttribute('max', '2');
    await el.updateComplete;
    expect(el.pool).to.equal(kept);
  });

  for (const [attribute, foreign] of [
    ['package-base-url', `${FOREIGN}/__fixtures__/wheels/`],
    ['lock-file-url', `${FOREIGN}/__fixtures__/locks/lock.json`],
  ] as const) {
    it(`${attribute}: under a code policy, another origin, data: or blob: is refused before anything is requested; allowSrc decides`, async () => {
      configureElements({ nonce: 'n0nce-packages' });
      const requested = () => performance.getEntriesByType('resource').filter((entry) => entry.name.startsWith(FOREIGN));
      for (const [i, url] of [foreign, 'data:application/json,{}', `blob:${location.origin}/0000`].entries()) {
        const el = document.createElement('worker-pool') as WorkerPoolElement;
        el.id = `${attribute}-${i}`;
        el.setAttribute('min', '1');
        el.setAttribute('index-url', indexURL);
        el.setAttribute('packages', 'hellopkg');
        el.setAttribute(attribute, url);
        const refused = oneEvent(el, 'pool-error') as Promise<PoolErrorEvent>;
        document.body.append(el);
        const { error } = (await refused).detail;
        expect(error).to.be.instanceOf(CodePolicyError);
        expect((error as CodePolicyError).attribute).to.equal(attribute);
        expect(error.message).to.include(`<worker-pool id="${el.id}">`).and.include(attribute);
        expect(el.pool).to.equal(undefined);
        el.remove();
      }
      expect(requested()).to.deep.equal([]);
      // The page's own origin passes the nonce policy.
      const own = addPool(
        `<worker-pool min="0" index-url="${indexURL}" packages="hellopkg" ${attribute}="${attribute === 'package-base-url' ? WHEELS : lockFileURL}"></worker-pool>`,
      );
      expect(own.poolError).to.equal(undefined);
      own.remove();
      // allowSrc, once set, is the judge: it may accept another origin (and must accept the runtime).
      const runtime = new URL(indexURL, location.href).href;
      configureElements({ allowSrc: (url) => url === runtime || url === foreign });
      const allowed = addPool(`<worker-pool min="0" index-url="${indexURL}" packages="hellopkg" ${attribute}="${foreign}"></worker-pool>`);
      expect(allowed.poolError).to.equal(undefined);
      expect(allowed.pool!.options[attribute === 'package-base-url' ? 'packageBaseUrl' : 'lockFileURL']).to.equal(foreign);
      allowed.remove();
    });
  }
});
