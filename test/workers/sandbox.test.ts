// A sandboxed pool on a cross-origin isolated page: everything a pool does (interrupts
// included), with task code kept from the page's origin. See sandbox-cases.ts.
import { expect } from 'chai';
import { PyodidePool, TaskCancelledError } from '../../workers/index.js';
import { SNAPSHOT_CACHE, snapshotCacheKey } from '../../workers/pool/snapshot-store.js';
import { indexURL, rejection, SPIN, until, waitFor } from '../helpers.js';
import { sandboxCases } from './sandbox-cases.js';

const WHEEL = new URL('/__fixtures__/tinypkg-1.0.0-py3-none-any.whl', location.href).href;
/** A wheel that records the cookies its request carried. */
const COOKIE_WHEEL = new URL('/__fixtures__/cookiepkg-1.0.0-py3-none-any.whl', location.href).href;
/** The same server under another name: another origin, which `connect` may allow. */
const OTHER_ORIGIN = `http://127.0.0.1:${location.port}`;

describe('sandboxed pool (isolated page)', () => {
  let pool: PyodidePool;

  before(async () => {
    // The page has a cookie while the workers boot: the page's relay must not send it.
    document.cookie = 'relay-boot=secret; path=/';
    pool = new PyodidePool({
      indexURL,
      min: 2,
      max: 2,
      sandbox: { connect: [OTHER_ORIGIN] },
      packages: [WHEEL, COOKIE_WHEEL],
      files: { '/home/pyodide/data.txt': 'from the page' },
    });
    await pool.ready();
  });

  after(() => {
    document.cookie = 'relay-boot=; path=/; max-age=0';
    return pool.terminate();
  });

  sandboxCases(() => pool);

  it('interrupts a running task and keeps its worker warm', async () => {
    expect(pool.capabilities.interrupt).to.equal(true);
    const ids = pool.state.workers.value.map((w) => w.id);
    const task = pool.submit(SPIN);
    await until(task.status, (s) => s === 'running');
    task.cancel();
    expect(await rejection(task.result)).to.be.instanceOf(TaskCancelledError);
    expect(await pool.run('"after the interrupt"')).to.equal('after the interrupt');
    expect(pool.state.workers.value.map((w) => w.id)).to.include.members(ids.filter((id) => pool.state.workers.value.some((w) => w.id === id)));
  });

  it('boots its workers with the page’s packages and files', async () => {
    expect(await pool.run('import tinypkg\ntinypkg.greet("sandbox")')).to.equal('hello sandbox from tinypkg');
    expect(await pool.run('open("/home/pyodide/data.txt").read()')).to.equal('from the page');
  });

  it('had its wheels fetched by the page without the page’s cookies', async () => {
    expect(document.cookie).to.include('relay-boot=secret');
    expect(await pool.run('import cookiepkg\ncookiepkg.COOKIE')).to.equal('');
  });

  it('fetches from a `connect` origin, without the page’s cookies', async () => {
    document.cookie = 'sandbox-test=secret; path=/';
    const answer = await pool.run(
      `from pyodide.http import pyfetch\nr = await pyfetch(${JSON.stringify(`${OTHER_ORIGIN}/__fixtures__/open-data.json`)}, credentials="include")\nawait r.json()`,
    );
    expect(answer).to.deep.equal({ open: true, cookie: '' });
    document.cookie = 'sandbox-test=; path=/; max-age=0';
  });

  it('refuses files of the page beyond Pyodide’s own, even under indexURL', async () => {
    const index = new URL(indexURL, location.href).href;
    for (const url of [new URL('../package.json', index).href, `${index}package.json`, `${index}pyodide.d.ts`, `${index}pyodide.mjs?v=2`]) {
      const err = await rejection(pool.run(`from pyodide.http import pyfetch\nawait pyfetch(${JSON.stringify(url)})`));
      expect(err.message, url).to.match(/no network access/);
    }
    // Pyodide's own files are served to task code too (it could have them from any CDN).
    expect(await pool.run(`from pyodide.http import pyfetch\n(await pyfetch(${JSON.stringify(`${index}pyodide.mjs`)})).status`)).to.equal(200);
  });
});

describe('sandboxed pool boots', () => {
  it('restores later workers from the snapshot the page keeps', async () => {
    const pool = new PyodidePool({ indexURL, min: 2, max: 2, sandbox: true, setup: 'GREETING = "restored"' });
    try {
      await pool.ready();
      await until(pool.state.workers, (ws) => ws.length === 2 && ws.every((w) => w.status === 'idle'), 60_000);
      expect(pool.state.workers.value.map((w) => w.bootMode)).to.include('snapshot');
      expect(pool.capabilities.snapshot).to.equal(true);
      expect(await Promise.all([pool.run('GREETING'), pool.run('GREETING')])).to.deep.equal(['restored', 'restored']);
    } finally {
      await pool.terminate();
    }
  });

  it('restores the next pool’s first worker from the stored snapshot (bytes, where the engine needs them)', async () => {
    // A setup of its own, so that no earlier pool (or run) stored a snapshot for it.
    const setup = `TOKEN = ${JSON.stringify(`${Date.now()}-${Math.random()}`)}`;
    const first = new PyodidePool({ indexURL, min: 1, max: 1, sandbox: true, setup });
    await first.ready();
    await first.terminate();
    // A sandboxed pool's snapshot is made before any task ran, and kept under a key of its own.
    const key = await snapshotCacheKey({ indexURL: first.options.indexURL, packages: [], setup, beforeTasks: true });
    await waitFor(async () => (await (await caches.open(SNAPSHOT_CACHE)).match(key)) !== undefined, 10_000, 'stored snapshot');
    const next = new PyodidePool({ indexURL, min: 1, max: 1, sandbox: true, setup });
    try {
      await next.ready();
      expect(next.state.workers.value[0]!.bootMode).to.equal('snapshot');
      expect(await next.run('TOKEN')).to.equal(setup.slice('TOKEN = "'.length, -1));
    } finally {
      await next.terminate();
    }
  });

  it('checks the sandbox option', () => {
    expect(() => new PyodidePool({ indexURL, sandbox: { connect: ['data.example'] } })).to.throw(TypeError, /sandbox.connect/);
    expect(() => new PyodidePool({ indexURL, sandbox: 'yes' as never })).to.throw(TypeError, /sandbox/);
  });
});
