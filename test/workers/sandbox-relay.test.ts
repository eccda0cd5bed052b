// The page's file relay for sandboxed workers (pool/sandbox-relay.ts), on its own: the real
// relay on a MessageChannel, fetching from the test server. It serves exactly Pyodide's
// files and the pool's packages, without the page's credentials, within its bounds, and
// answers every request.
import { expect } from 'chai';
import { FileRelay, PYODIDE_FILES, RELAY_BYTES, RELAY_CONCURRENT, RELAY_WAITING } from '../../workers/pool/sandbox-relay.js';
import { indexURL } from '../helpers.js';

const INDEX = new URL(indexURL, location.href).href;
const WHEEL = new URL('/__fixtures__/tinypkg-1.0.0-py3-none-any.whl', location.href).href;

interface Answer {
  id: number;
  status?: number;
  body?: ArrayBuffer;
  refused?: string;
}

/** A relay serving `packages` (beside Pyodide under indexURL) and `ask(url)` for its answer. */
function relay(packages: string[]): (url: string) => Promise<Answer> {
  const channel = new MessageChannel();
  new FileRelay(channel.port1, { indexURL: INDEX, packages }, () => {});
  const waiting = new Map<number, (answer: Answer) => void>();
  channel.port2.onmessage = (event: MessageEvent<Answer>) => {
    waiting.get(event.data.id)?.(event.data);
    waiting.delete(event.data.id);
  };
  let id = 0;
  return (url) =>
    new Promise((resolve) => {
      const n = ++id;
      waiting.set(n, resolve);
      channel.port2.postMessage({ id: n, url });
    });
}

describe('the sandbox file relay', function () {
  this.timeout(120_000);

  it('serves the files of Pyodide a worker loads, and the pool’s wheels', async () => {
    const ask = relay([WHEEL]);
    for (const url of [...PYODIDE_FILES.map((name) => INDEX + name), WHEEL]) {
      const answer = await ask(url);
      expect(answer.refused, url).to.equal(undefined);
      expect(answer.status, url).to.equal(200);
      expect(answer.body!.byteLength, url).to.be.greaterThan(0);
    }
  });

  it('refuses every other file, under indexURL or not', async () => {
    const ask = relay([WHEEL]);
    const others = [
      `${INDEX}package.json`,
      `${INDEX}README.md`,
      `${INDEX}pyodide.d.ts`,
      `${INDEX}console.html`,
      `${INDEX}pyodide.mjs.map`,
      `${INDEX}pyodide.mjs?v=1`,
      `${INDEX}pyodide.mjs#top`,
      `${INDEX}sub/pyodide.mjs`,
      new URL('../package.json', INDEX).href,
      new URL('/package.json', location.href).href,
      `${WHEEL}?v=1`,
      `http://127.0.0.1:${location.port}/node_modules/pyodide/pyodide.mjs`,
    ];
    for (const url of others) expect((await ask(url)).refused, url).to.match(/^no network access to .*only Pyodide's files and the pool's packages/);
  });

  it('serves a named package’s wheel and its dependencies’ from the lock file, and no other', async () => {
    const lock = (await (await fetch(`${INDEX}pyodide-lock.json`)).json()) as { packages: Record<string, { file_name: string; depends: string[] }> };
    const [name, entry] = Object.entries(lock.packages).find(([, p]) => p.depends.length === 1 && lock.packages[p.depends[0]!]!.depends.length === 0)!;
    const dependency = lock.packages[entry.depends[0]!]!;
    const unrelated = Object.entries(lock.packages).find(([n]) => n !== name && n !== entry.depends[0])![1];
    // Named as users write it (any case, _ for -).
    const ask = relay([name.toUpperCase().replace(/-/g, '_')]);
    // The npm package ships no wheels: the server answers 404, but the relay asked it.
    for (const file of [entry.file_name, dependency.file_name]) expect((await ask(INDEX + file)).status, file).to.equal(404);
    expect((await ask(INDEX + unrelated.file_name)).refused).to.match(/no network access/);
  });

  it('fetches without the page’s cookies', async () => {
    document.cookie = 'relay-test=secret; path=/';
    try {
      // Two URLs: the HTTP cache must not answer the relay with the page's response.
      const url = new URL(`/__fixtures__/open-data.json?relay=${Math.random()}`, location.href).href;
      // The page's own request carries the cookie…
      expect(((await (await fetch(`${url}-page`)).json()) as { cookie: string }).cookie).to.include('relay-test=secret');
      // …the relay's does not.
      const answer = await relay([url])(url);
      expect(JSON.parse(new TextDecoder().decode(answer.body))).to.deep.equal({ open: true, cookie: '' });
    } finally {
      document.cookie = 'relay-test=; path=/; max-age=0';
    }
  });

  it(`fetches at most ${RELAY_CONCURRENT} at once for a worker, keeps ${RELAY_WAITING} waiting, and refuses more at once`, async () => {
    const key = Math.random().toString(36).slice(2);
    const total = RELAY_CONCURRENT + RELAY_WAITING + 20;
    const urls = Array.from({ length: total }, (_, i) => new URL(`/__fixtures__/held?key=${key}&n=${i}&ms=300`, location.href).href);
    const ask = relay(urls);
    const answers = await Promise.all(urls.map((url) => ask(url)));
    const served = answers.filter((a) => a.status === 200);
    const refused = answers.filter((a) => a.refused);
    expect(served.length).to.equal(RELAY_CONCURRENT + RELAY_WAITING);
    expect(refused.length).to.equal(20);
    for (const answer of refused) expect(answer.refused).to.match(/requests to the page open already/);
    const stats = (await (await fetch(`/__fixtures__/held-stats?key=${key}`)).json()) as { max: number; total: number };
    expect(stats.total).to.equal(RELAY_CONCURRENT + RELAY_WAITING);
    expect(stats.max).to.be.within(1, RELAY_CONCURRENT);
  });

  it(`serves one worker at most ${RELAY_BYTES / 2 ** 20} MiB, then refuses`, async () => {
    const mb = RELAY_BYTES / 2 ** 20;
    const big = (size: number, stream: boolean) => new URL(`/__fixtures__/zeros?mb=${size}&stream=${stream ? 1 : 0}`, location.href).href;
    const [first, sized, streamed, after] = [big(mb - 64, true), big(128, false), big(128, true), big(1, false)];
    const ask = relay([first, sized, streamed, after]);
    expect((await ask(first)).body!.byteLength).to.equal((mb - 64) * 2 ** 20);
    // Its length says it would pass the bound: refused before its body is read.
    expect((await ask(sized)).refused).to.match(/would take this worker past its \d+ bytes/);
    // No length: cut off where it passes the bound.
    expect((await ask(streamed)).refused).to.match(/took this worker past its \d+ bytes/);
    expect((await ask(after)).refused).to.match(/had its \d+ bytes/);
  });
});
