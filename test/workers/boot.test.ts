// Booting: memory snapshots, packages, sizing (min/max growth, idle retirement).
// These tests are about booting, so each boots its own pool.
import { effect } from '@preact/signals-core';
import { expect } from 'chai';
import { PyodidePool, WorkerBootError } from '../../workers/index.js';
import { SNAPSHOT_CACHE, snapshotCacheKey } from '../../workers/pool/snapshot-store.js';
import { packSnapshot } from '../../workers/worker/sparse-snapshot.js';
import { indexURL, rejection, until, waitFor } from '../helpers.js';

const WHEEL = '/__fixtures__/tinypkg-1.0.0-py3-none-any.whl';
const SETUP = 'import random\nGREETING = "from setup"\n\ndef shout(s):\n    return s.upper()\n';

/** Runs `code` once on each of `n` workers at the same time (each task holds its worker briefly). */
async function onEachWorker(pool: PyodidePool, code: string, n: number): Promise<unknown[]> {
  const hold = 'import time\nend = time.monotonic() + 0.3\nwhile time.monotonic() < end:\n    pass\n';
  return Promise.all(Array.from({ length: n }, () => pool.run(hold + code)));
}

describe('booting', () => {
  it('boots the first worker normally and the others from its snapshot, with setup in place', async () => {
    const pool = new PyodidePool({ indexURL, min: 2, max: 2, setup: SETUP, persistSnapshot: false });
    try {
      // Nothing has tried a snapshot yet: unknown.
      expect(pool.capabilities.snapshot).to.equal(undefined);
      await pool.ready();
      const workers = pool.state.workers.value;
      expect(workers.map((w) => w.bootMode).sort()).to.deep.equal(['normal', 'snapshot']);
      expect(pool.capabilities.snapshot).to.equal(true);
      const results = await onEachWorker(pool, 'shout(GREETING)', 2);
      expect(results).to.deep.equal(['FROM SETUP', 'FROM SETUP']);
    } finally {
      await pool.terminate();
    }
  });

  it('gives restored workers random streams of their own', async () => {
    const pool = new PyodidePool({ indexURL, min: 2, max: 2, setup: SETUP });
    try {
      await pool.ready();
      const draws = (await onEachWorker(pool, '[random.random() for _ in range(3)]', 2)) as number[][];
      expect(draws[0]).not.to.deep.equal(draws[1]);
    } finally {
      await pool.terminate();
    }
  });

  it('boots every worker normally with snapshot: false', async () => {
    const pool = new PyodidePool({ indexURL, min: 2, max: 2, snapshot: false, setup: SETUP });
    try {
      await pool.ready();
      expect(pool.state.workers.value.map((w) => w.bootMode)).to.deep.equal(['normal', 'normal']);
      expect(pool.capabilities.snapshot).to.equal(false);
      expect(await onEachWorker(pool, 'GREETING', 2)).to.deep.equal(['from setup', 'from setup']);
    } finally {
      await pool.terminate();
    }
  });

  it('falls back to normal boots when setup holds something a snapshot cannot keep', async () => {
    // A JavaScript object referenced from Python cannot go into a memory snapshot.
    const pool = new PyodidePool({ indexURL, min: 2, max: 2, setup: 'import js\nHOLD = js.Object.new()\nN = 5' });
    try {
      await pool.ready();
      expect(pool.state.workers.value.map((w) => w.bootMode)).to.deep.equal(['normal', 'normal']);
      expect(pool.capabilities.snapshot).to.equal(false);
      expect(await onEachWorker(pool, 'N', 2)).to.deep.equal([5, 5]);
    } finally {
      await pool.terminate();
    }
  });

  it('loads a package from a wheel URL on every worker, snapshot-restored ones included', async () => {
    const pool = new PyodidePool({ indexURL, min: 2, max: 2, packages: [WHEEL], setup: 'import tinypkg' });
    try {
      await pool.ready();
      // The submodule is imported lazily: its file must exist on the restored worker too.
      const results = await onEachWorker(pool, 'from tinypkg.greeting import greet\ngreet("pool")', 2);
      expect(results).to.deep.equal(['hello pool from tinypkg', 'hello pool from tinypkg']);
    } finally {
      await pool.terminate();
    }
  });

  it('rejects ready() and tasks with an error naming a package that cannot be fetched', async () => {
    const pool = new PyodidePool({ indexURL, packages: ['/__fixtures__/missing-1.0.0-py3-none-any.whl'] });
    const task = pool.submit('1');
    const err = (await rejection(pool.ready())) as WorkerBootError;
    expect(err).to.be.instanceOf(WorkerBootError);
    expect(err.message).to.contain('missing-1.0.0-py3-none-any.whl');
    expect(err.packageName).to.contain('missing-1.0.0-py3-none-any.whl');
    expect(await rejection(task.result)).to.equal(err);
    await pool.terminate();
  });

  it('rejects with an error naming an unknown package', async () => {
    const pool = new PyodidePool({ indexURL, packages: ['no-such-package-xyz'] });
    const err = (await rejection(pool.ready())) as WorkerBootError;
    expect(err).to.be.instanceOf(WorkerBootError);
    expect(err.packageName).to.equal('no-such-package-xyz');
    expect(err.message).to.contain('no-such-package-xyz');
    await pool.terminate();
  });

  it('grows on demand up to max and retires idle workers above min', async () => {
    const pool = new PyodidePool({ indexURL, min: 1, max: 2, idleTimeout: 300 });
    try {
      await pool.ready();
      expect(pool.state.workers.value).to.have.length(1);
      let most = 0;
      const stop = effect(() => {
        most = Math.max(most, pool.state.workers.value.length);
      });
      // Three tasks of a second each: the queue asks for a second worker, never a third.
      const busy = pool.map('import time\nend = time.monotonic() + 1\nwhile time.monotonic() < end:\n    pass\nitem', [1, 2, 3]);
      await until(pool.state.workers, (ws) => ws.length === 2 && ws.every((w) => w.status !== 'starting'));
      expect(await busy).to.deep.equal([1, 2, 3]);
      stop();
      expect(most).to.equal(2);
      // Idle for idleTimeout, the worker above min is retired.
      await until(pool.state.workers, (ws) => ws.length === 1 && ws[0]!.status === 'idle', 10_000);
    } finally {
      await pool.terminate();
    }
  });

  it('with min: 0 boots nothing until asked, then one worker for ready()', async () => {
    const pool = new PyodidePool({ indexURL, min: 0, max: 2, idleTimeout: 60_000 });
    try {
      expect(pool.state.workers.value).to.deep.equal([]);
      await pool.ready();
      expect(pool.state.ready.value).to.equal(true);
      expect(pool.state.workers.value).to.have.length(1);
      expect(await pool.run('2 + 2')).to.equal(4);
    } finally {
      await pool.terminate();
    }
  });

  it('rejects bad options at once', () => {
    expect(() => new PyodidePool({ indexURL, min: 3, max: 2 })).to.throw(RangeError, /min/);
    expect(() => new PyodidePool({ indexURL, bootTimeout: 0 })).to.throw(RangeError, /bootTimeout/);
    expect(() => new PyodidePool({ indexURL, max: 0 })).to.throw(RangeError, /max/);
    expect(() => new PyodidePool({ indexURL, packages: 'numpy' as unknown as string[] })).to.throw(TypeError, /packages/);
    expect(() => new PyodidePool({ indexURL, timeout: -1 })).to.throw(RangeError, /timeout/);
    expect(() => new PyodidePool({ indexURL, debug: 'yes' as unknown as boolean })).to.throw(TypeError, /debug/);
  });
});

describe('snapshots kept across page loads', () => {
  // A setup of its own, so no earlier test (or run) has stored a snapshot for it.
  const setup = `TOKEN = ${JSON.stringify(`${Date.now()}-${Math.random()}`)}\nimport random`;

  it('restores every worker of the next pool, the first one included', async () => {
    const first = new PyodidePool({ indexURL, min: 1, max: 1, setup });
    await first.ready();
    expect(first.state.workers.value[0]!.bootMode).to.equal('normal');
    await first.terminate();
    // The snapshot is written in the background; wait until it is there.
    const key = await snapshotCacheKey({ indexURL: first.options.indexURL, packages: [], setup });
    await waitFor(async () => (await (await caches.open(SNAPSHOT_CACHE)).match(key)) !== undefined, 10_000, 'stored snapshot');
    const next = new PyodidePool({ indexURL, min: 2, max: 2, setup });
    try {
      await next.ready();
      expect(next.state.workers.value.map((w) => w.bootMode)).to.deep.equal(['snapshot', 'snapshot']);
      // The timeline shows the stored snapshot found by the page, read and unpacked by the worker.
      const stages = next.state.workers.value[0]!.bootTimeline!;
      for (const name of ['snapshot-lookup', 'snapshot-read', 'snapshot-unpack', 'memory-restore']) expect(stages.map((s) => s.name)).to.include(name);
      expect(stages.find((s) => s.name === 'snapshot-lookup')!.where).to.equal('page');
      expect(stages.find((s) => s.name === 'snapshot-read')!.where).to.equal('worker');
      const draws = (await onEachWorker(next, '[TOKEN, random.random()]', 2)) as [string, number][];
      expect(draws[0]![0]).to.equal(draws[1]![0]);
      expect(draws[0]![1]).not.to.equal(draws[1]![1]);
    } finally {
      await next.terminate();
    }
  });

  it('ignores a stored snapshot that does not restore, and stores a good one instead', async () => {
    const stale = `${setup}\nSTALE = 1`;
    const key = await snapshotCacheKey({ indexURL: new URL(indexURL, location.href).href, packages: [], setup: stale });
    const cache = await caches.open(SNAPSHOT_CACHE);
    // Well stored, but not a snapshot this Pyodide can restore (as after an upgrade).
    await cache.put(key, new Response(packSnapshot(new Uint8Array(100_000).fill(7))));
    const pool = new PyodidePool({ indexURL, min: 1, max: 1, setup: stale });
    try {
      await pool.ready();
      expect(pool.state.workers.value[0]!.bootMode).to.equal('normal');
      expect(await pool.run('STALE + 1')).to.equal(2);
      await waitFor(async () => ((await (await cache.match(key))?.arrayBuffer())?.byteLength ?? 0) > 1_000_000, 10_000, 'fresh snapshot');
    } finally {
      await pool.terminate();
    }
  });

  it('replaces a damaged stored snapshot, booting normally', async () => {
    const damaged = `${setup}\nDAMAGED = 1`;
    const key = await snapshotCacheKey({ indexURL: new URL(indexURL, location.href).href, packages: [], setup: damaged });
    const cache = await caches.open(SNAPSHOT_CACHE);
    await cache.put(key, new Response(new Uint8Array([1, 2, 3, 4])));
    const pool = new PyodidePool({ indexURL, min: 1, max: 1, setup: damaged });
    try {
      await pool.ready();
      expect(pool.state.workers.value[0]!.bootMode).to.equal('normal');
      expect(await pool.run('DAMAGED')).to.equal(1);
      await waitFor(async () => ((await (await cache.match(key))?.arrayBuffer())?.byteLength ?? 0) > 1_000_000, 10_000, 'fresh snapshot');
    } finally {
      await pool.terminate();
    }
  });

  it('stores nothing with persistSnapshot: false', async () => {
    // Two pools side by side, alike but for persistSnapshot: once the one that keeps its
    // snapshot has stored it, the other would have too. (Not a wait that a slow write passes.)
    const notKept = `${setup}\nNOT_KEPT = 1`;
    const kept = `${setup}\nKEPT = 1`;
    const keyOf = (own: string) => snapshotCacheKey({ indexURL: new URL(indexURL, location.href).href, packages: [], setup: own });
    const cache = await caches.open(SNAPSHOT_CACHE);
    const without = new PyodidePool({ indexURL, min: 2, max: 2, setup: notKept, persistSnapshot: false });
    const control = new PyodidePool({ indexURL, min: 2, max: 2, setup: kept });
    try {
      await Promise.all([without.ready(), control.ready()]);
      const keptKey = await keyOf(kept);
      await waitFor(async () => (await cache.match(keptKey)) !== undefined, 30_000, 'the control pool storing its snapshot');
      expect(await cache.match(await keyOf(notKept))).to.equal(undefined);
    } finally {
      await Promise.all([without.terminate(), control.terminate()]);
    }
  });
});

describe('configure()', () => {
  it('applies max, min and timeout changes to a live pool', async () => {
    const pool = new PyodidePool({ indexURL, min: 1, max: 1, idleTimeout: 60_000 });
    try {
      await pool.ready();
      pool.configure({ min: 2, max: 2 });
      await until(pool.state.workers, (ws) => ws.length === 2 && ws.every((w) => w.status === 'idle'));
      pool.configure({ min: 1, max: 1 });
      await until(pool.state.workers, (ws) => ws.length === 1);
      pool.configure({ timeout: 200 });
      expect(await rejection(pool.run('while True:\n    pass'))).to.have.property('name', 'TaskTimeoutError');
      expect(() => pool.configure({ min: 3, max: 2 })).to.throw(RangeError);
      expect(pool.options.max).to.equal(1);
    } finally {
      await pool.terminate();
    }
  });
});

describe('recycle', () => {
  it('replaces a worker after afterTasks tasks, between tasks, with no task failing', async () => {
    const pool = new PyodidePool({ indexURL, min: 1, max: 1, recycle: { afterTasks: 3 } });
    try {
      await pool.ready();
      const [first] = pool.state.workers.value;
      // Each task names its worker by a token the worker's first task leaves in builtins.
      const code = 'import builtins, os\nif not hasattr(builtins, "token"):\n    builtins.token = os.urandom(8).hex()\n[builtins.token, item * 10]';
      const results = (await Promise.all(Array.from({ length: 12 }, (_, i) => pool.run(code, { inputs: { item: i } })))) as [string, number][];
      expect(results.map(([, value]) => value)).to.deep.equal(Array.from({ length: 12 }, (_, i) => i * 10));
      expect(pool.state.failed.value).to.equal(0);
      // A worker that has run its 3 tasks takes no further one: none ran more.
      const perWorker = new Map<string, number>();
      for (const [token] of results) perWorker.set(token, (perWorker.get(token) ?? 0) + 1);
      expect(
        [...perWorker.values()].every((n) => n <= 3),
        JSON.stringify([...perWorker]),
      ).to.equal(true);
      expect(perWorker.size).to.be.at.least(4);
      await until(pool.state.workers, (ws) => ws.length === 1 && ws[0]!.id !== first!.id && ws[0]!.status === 'idle');
      expect(pool.state.workers.value[0]!.tasksRun).to.be.below(3);
    } finally {
      await pool.terminate();
    }
  });

  it('replaces a worker whose heap passes heapBytes, by a warm one from the snapshot', async () => {
    const pool = new PyodidePool({ indexURL, min: 1, max: 1, recycle: { heapBytes: 1 } });
    try {
      await pool.ready();
      const [first] = pool.state.workers.value;
      expect(await pool.run('"one"')).to.equal('one');
      await until(pool.state.workers, (ws) => ws.length === 1 && ws[0]!.id !== first!.id && ws[0]!.status === 'idle');
      expect(pool.state.workers.value[0]!.bootMode).to.equal('snapshot');
      expect(await pool.run('"two"')).to.equal('two');
    } finally {
      await pool.terminate();
    }
  });

  it('rejects a bad recycle option', () => {
    expect(() => new PyodidePool({ indexURL, recycle: { afterTasks: 0 } })).to.throw(RangeError, /afterTasks/);
  });
});
