// Fast start: snapshots of any heap size, the base snapshot shipped with the package for
// first visits, and why a worker booted normally (WorkerInfo.snapshotSkipped).
// Every test is about booting, so each boots its own pools.
import { expect } from 'chai';
import { PyodidePool, type WorkerInfo } from '../../workers/index.js';
import { SNAPSHOT_CACHE, snapshotCacheKey } from '../../workers/pool/snapshot-store.js';
import { baseSnapshotFits, indexURL, until, waitFor } from '../helpers.js';

/** A setup of its own, so that no earlier test (or run) has stored a snapshot for it. */
function fresh(setup = ''): string {
  return `TOKEN = ${JSON.stringify(`${Date.now()}-${Math.random()}`)}\n${setup}`;
}

/** The pool's `n` workers once all are warm, the first one booted first. */
async function warm(pool: PyodidePool, n: number): Promise<readonly WorkerInfo[]> {
  const workers = await until(pool.state.workers, (ws) => ws.length === n && ws.every((w) => w.bootMode !== undefined), 90_000);
  return [...workers].sort((a, b) => a.id - b.id);
}

/** Runs `code` on each of `n` workers at once (each task holds its worker briefly). */
function onEachWorker(pool: PyodidePool, code: string, n: number): Promise<unknown[]> {
  const hold = 'import time\n_end = time.monotonic() + 0.3\nwhile time.monotonic() < _end:\n    pass\n';
  return Promise.all(Array.from({ length: n }, () => pool.run(hold + code)));
}

/** Resolves once the snapshot of a pool with this `setup` is in Cache Storage; its stored size. */
async function stored(setup: string): Promise<number> {
  const key = await snapshotCacheKey({ indexURL: new URL(indexURL, location.href).href, packages: [], setup });
  const cache = await caches.open(SNAPSHOT_CACHE);
  return waitFor(async () => (await (await cache.match(key))?.arrayBuffer())?.byteLength, 20_000, 'stored snapshot');
}

const names = (worker: WorkerInfo) => worker.bootTimeline!.map((stage) => stage.name);

describe('fast start', () => {
  /** The base snapshot fits this engine (see `baseSnapshotFits`); where not, a first visit starts cold saying 'engine'. */
  let fits = false;
  before(async () => {
    fits = await baseSnapshotFits();
  });
  it("starts a first visit's first worker from the base snapshot, which then makes the pool's", async () => {
    const setup = fresh('def shout(s):\n    return s.upper()');
    const pool = new PyodidePool({ indexURL, min: 2, max: 2, setup, persistSnapshot: false });
    try {
      const [first, second] = await warm(pool, 2);
      expect(first!.bootMode).to.equal('normal');
      if (fits) {
        expect([first!.baseSnapshot, first!.snapshotSkipped]).to.deep.equal([true, undefined]);
        // Fetched by the page, unzipped and restored by the worker; setup then ran on it.
        for (const name of ['base-fetch', 'snapshot-unzip', 'memory-restore', 'setup', 'snapshot-make']) expect(names(first!)).to.include(name);
      } else {
        // Made with stack switching, which this engine lacks: cold, and it says so.
        expect([first!.baseSnapshot, first!.snapshotSkipped]).to.deep.equal([false, 'engine']);
        expect(names(first!)).not.to.include('snapshot-unzip');
      }
      expect(second!.bootMode).to.equal('snapshot');
      expect(second!.baseSnapshot).to.equal(false);
      expect(second!.snapshotSkipped).to.equal(undefined);
      const results = await onEachWorker(pool, "[shout('hi'), __import__('sys').platform]", 2);
      expect(results).to.deep.equal([
        ['HI', 'emscripten'],
        ['HI', 'emscripten'],
      ]);
    } finally {
      await pool.terminate();
    }
  });

  for (const mb of [12, 64]) {
    it(`restores a setup that leaves ${mb} MB in the heap, on first and next visits`, async () => {
      // Data on every page of it (a zero page is not stored), and a few imports.
      const setup = fresh(`import json, decimal, fractions\nDATA = bytearray(${mb} << 20)\nDATA[::4096] = b'\\x07' * len(DATA[::4096])`);
      const check = 'len(DATA) + DATA[4096 * 5] + DATA[4096 * 5 + 1]';
      const expected = (mb << 20) + 7;
      const first = new PyodidePool({ indexURL, min: 2, max: 2, setup });
      try {
        const workers = await warm(first, 2);
        expect(workers.map((w) => w.bootMode)).to.deep.equal(['normal', 'snapshot']);
        expect(workers[1]!.heapBytes).to.be.greaterThan(mb << 20);
        expect(await onEachWorker(first, check, 2)).to.deep.equal([expected, expected]);
      } finally {
        await first.terminate();
      }
      const bytes = await stored(setup);
      // Stored packed: about the pages that hold data, not the whole heap.
      expect(bytes).to.be.greaterThan(mb << 20);
      const next = new PyodidePool({ indexURL, min: 2, max: 2, setup });
      try {
        const workers = await warm(next, 2);
        expect(workers.map((w) => w.bootMode)).to.deep.equal(['snapshot', 'snapshot']);
        expect(workers.map((w) => w.snapshotSkipped)).to.deep.equal([undefined, undefined]);
        expect(await onEachWorker(next, check, 2)).to.deep.equal([expected, expected]);
      } finally {
        await next.terminate();
      }
    });
  }

  it("says why with baseSnapshot: false, and still restores the others from the pool's snapshot", async () => {
    const pool = new PyodidePool({ indexURL, min: 2, max: 2, setup: fresh(), baseSnapshot: false, persistSnapshot: false });
    try {
      const [first, second] = await warm(pool, 2);
      expect([first!.bootMode, first!.baseSnapshot, first!.snapshotSkipped]).to.deep.equal(['normal', false, 'disabled']);
      expect(names(first!)).not.to.include('base-fetch');
      expect([second!.bootMode, second!.snapshotSkipped]).to.deep.equal(['snapshot', undefined]);
    } finally {
      await pool.terminate();
    }
  });

  it('takes the base snapshot from the URL given as baseSnapshot, in a sandboxed pool too', async () => {
    const pool = new PyodidePool({ indexURL, min: 1, max: 1, setup: fresh(), baseSnapshot: '/dist/base-snapshot.bin', sandbox: true, persistSnapshot: false });
    try {
      const [first] = await warm(pool, 1);
      expect([first!.bootMode, first!.baseSnapshot, first!.snapshotSkipped]).to.deep.equal(fits ? ['normal', true, undefined] : ['normal', false, 'engine']);
      expect(await pool.run('TOKEN')).to.be.a('string');
    } finally {
      await pool.terminate();
    }
  });

  it("boots cold, saying 'unavailable' (and warning once), when no base snapshot is served at its URL", async () => {
    const warnings: string[] = [];
    const original = console.warn;
    console.warn = (...args: unknown[]) => warnings.push(args.map(String).join(' '));
    const missing = `/__fixtures__/no-base-snapshot-${Math.random()}.bin`;
    const pool = new PyodidePool({ indexURL, min: 2, max: 2, setup: fresh(), baseSnapshot: missing, persistSnapshot: false });
    try {
      const [first, second] = await warm(pool, 2);
      expect([first!.bootMode, first!.baseSnapshot, first!.snapshotSkipped]).to.deep.equal(['normal', false, 'unavailable']);
      expect([second!.bootMode, second!.snapshotSkipped]).to.deep.equal(['snapshot', undefined]);
      expect(warnings.filter((w) => w.includes('no base snapshot at') && w.includes(missing))).to.have.length(1);
    } finally {
      console.warn = original;
      await pool.terminate();
    }
  });

  it("says 'disabled' on every worker with snapshot: false", async () => {
    const pool = new PyodidePool({ indexURL, min: 2, max: 2, setup: fresh(), snapshot: false });
    try {
      const workers = await warm(pool, 2);
      expect(workers.map((w) => [w.bootMode, w.baseSnapshot, w.snapshotSkipped])).to.deep.equal([
        ['normal', false, 'disabled'],
        ['normal', false, 'disabled'],
      ]);
    } finally {
      await pool.terminate();
    }
  });

  it("boots cold, saying 'version', when indexURL serves another Pyodide than the base snapshot's", async () => {
    // Pyodide's own files, but a loader that names another version.
    const pool = new PyodidePool({ indexURL: '/__fixtures__/other-pyodide/', min: 2, max: 2, setup: fresh(), persistSnapshot: false });
    try {
      const [first, second] = await warm(pool, 2);
      expect([first!.bootMode, first!.baseSnapshot, first!.snapshotSkipped]).to.deep.equal(['normal', false, 'version']);
      expect(names(first!)).not.to.include('snapshot-unzip');
      // The pool's own snapshot is made as before.
      expect([second!.bootMode, second!.snapshotSkipped]).to.deep.equal(['snapshot', undefined]);
      expect(await pool.run('1 + 1')).to.equal(2);
    } finally {
      await pool.terminate();
    }
  });

  it("boots every worker normally with a binary package loaded, saying 'packages', the later ones from the base snapshot", async () => {
    const wheel = '/__fixtures__/binpkg-1.0.0-cp314-cp314-pyemscripten_2026_0_wasm32.whl';
    const debug: string[] = [];
    const original = console.debug;
    console.debug = (...args: unknown[]) => debug.push(args.map(String).join(' '));
    const pool = new PyodidePool({ indexURL, min: 2, max: 2, packages: [wheel], setup: fresh('import binpkg'), persistSnapshot: false, debug: true });
    try {
      const [first, second] = await warm(pool, 2);
      expect([first!.bootMode, first!.baseSnapshot, first!.snapshotSkipped]).to.deep.equal(fits ? ['normal', true, 'packages'] : ['normal', false, 'engine']);
      expect(names(first!)).not.to.include('snapshot-make');
      expect([second!.bootMode, second!.baseSnapshot, second!.snapshotSkipped]).to.deep.equal(['normal', fits, 'packages']);
      expect(await onEachWorker(pool, 'binpkg.NATIVE', 2)).to.deep.equal([false, false]);
      // `debug` prints the reason with each worker's timeline.
      expect(debug.filter((line) => line.includes('snapshot skipped: packages'))).to.have.length(fits ? 2 : 1);
    } finally {
      console.debug = original;
      await pool.terminate();
    }
  });
});
