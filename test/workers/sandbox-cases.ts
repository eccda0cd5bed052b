// What a sandboxed pool promises, on any page: task code runs as usual, and cannot reach
// the page's origin, its storage or its locks; hostile code harms neither the pool nor
// other tasks. Shared by the isolated and the plain-page suites.
import { expect } from 'chai';
import { PythonError, STDOUT_LIMIT, TaskTimeoutError, WorkerCrashedError, type PyodidePool } from '../../workers/index.js';
import { blobsReadable } from '../../workers/shared/sandbox-blobs.js';
import { allSettled, rejection, RUNAWAY } from '../helpers.js';
import { fileCases } from './file-cases.js';

const engine = (globalThis as { __PYPOOL_ENGINE__?: string }).__PYPOOL_ENGINE__;

/** Run `code` (JavaScript) inside the task's worker and return what it gives, or `error: …`. */
const inWorker = (code: string) => `
from pyodide.code import run_js
from pyodide.ffi import to_js
try:
    result = await run_js(${JSON.stringify(`(async () => { ${code} })()`)})
except Exception as err:
    result = "error: " + str(err)
result
`;

export function sandboxCases(pool: () => PyodidePool): void {
  it('runs Python with results, stdout and progress, and says it is sandboxed', async () => {
    const events: string[] = [];
    const task = pool().submit('from worker_pool import progress\nprint("hi")\nprogress(0.5)\nsum(range(10))', {
      onOutput: (ev) => events.push(ev.type),
    });
    expect(await task.result).to.equal(45);
    expect(task.stdout.value).to.equal('hi\n');
    expect(events).to.include('progress');
    expect(pool().capabilities.sandboxed).to.equal(true);
    expect(pool().capabilities.locks).to.equal(false);
  });

  describe('Files and Blobs, as in any pool', () => {
    fileCases(pool);

    it('are sent as bytes only where the engine lets a sandboxed worker read no Blob (WebKit)', () => {
      expect(blobsReadable()).to.equal(engine !== 'webkit');
    });
  });

  it('gives task code an opaque origin, not the page’s', async () => {
    expect(await pool().run(inWorker('return self.origin;'))).to.equal('null');
  });

  it('refuses requests to the page’s origin, with credentials or without', async () => {
    const url = new URL('/package.json', location.href).href;
    for (const [target, init] of [
      [url, '{}'],
      [url, "{ credentials: 'include' }"],
      [url, "{ method: 'POST', body: 'x', credentials: 'include' }"],
      ['/package.json', '{}'],
    ]) {
      const answer = (await pool().run(inWorker(`const r = await fetch(${JSON.stringify(target)}, ${init}); return 'status ' + r.status;`))) as string;
      expect(answer, `${target} ${init}`).to.match(/^error: .*no network access/);
    }
    // Python's own ways: pyodide.http (fetch underneath) and open_url (XMLHttpRequest).
    const err = await rejection(pool().run(`from pyodide.http import pyfetch\nawait pyfetch(${JSON.stringify(url)})`));
    expect(err).to.be.instanceOf(PythonError);
    expect(err.message).to.match(/no network access/);
    expect(
      await pool().run(`from pyodide.http import open_url\ntry:\n    open_url(${JSON.stringify(url)})\n    r = "fetched"\nexcept Exception as e:\n    r = "refused"\nr`),
    ).to.equal('refused');
    expect(await pool().run(inWorker('return [typeof XMLHttpRequest, typeof WebSocket, typeof EventSource, typeof Worker].join();'))).to.equal(
      'undefined,undefined,undefined,undefined',
    );
  });

  it('keeps the page’s Cache Storage out of reach, the pool’s snapshots included', async () => {
    const cache = await caches.open('page-secrets');
    await cache.put('/secret', new Response('the page’s secret'));
    const before = await caches.keys();
    const read = await pool().run(inWorker("const c = await caches.open('page-secrets'); return await (await c.match('/secret')).text();"));
    expect(read).to.match(/^error: /);
    const write = await pool().run(inWorker("const c = await caches.open('pyodide-pool-snapshots-v2'); await c.put('/x', new Response('poison')); return 'written';"));
    expect(write).to.match(/^error: /);
    expect(await caches.keys()).to.deep.equal(before);
    expect(await (await cache.match('/secret'))!.text()).to.equal('the page’s secret');
    await caches.delete('page-secrets');
  });

  it('keeps the page’s IndexedDB out of reach', async () => {
    const answer = await pool().run(
      inWorker("await new Promise((ok, fail) => { const r = indexedDB.open('page-db'); r.onsuccess = ok; r.onerror = () => fail(r.error); }); return 'opened';"),
    );
    expect(answer).to.match(/^error: /);
  });

  it('cannot take a Web Lock of the page (such as those the pool watches workers by)', async () => {
    const answer = await pool().run(inWorker("return await navigator.locks.request('pyodide-pool:taken', () => 'held');"));
    expect(answer).to.match(/^error: /);
    if (navigator.locks) expect((await navigator.locks.query()).held?.map((l) => l.name)).not.to.include('pyodide-pool:taken');
  });

  it('ignores messages that imitate the pool’s protocol; other tasks keep their results', async () => {
    const forged = [
      "{ t: 'results', list: Array.from({ length: 64 }, (_, seq) => ({ seq, value: 'forged' })), heap: 0, busyMs: 0 }",
      "{ t: 'out', seq: 0, ev: { type: 'stdout', text: 'forged' } }",
      "{ t: 'results', list: 'not a list' }",
      "{ t: 'out', seq: 1 }",
      "{ t: 'ask', seq: 0, id: 1, kind: 'input', prompt: 5 }",
      "{ t: 'locked' }",
      "'just a string'",
      '{ __pyodidePoolSandboxCode: "postMessage(1)" }',
    ];
    const neighbours = Array.from({ length: 6 }, (_, i) => pool().submit(`${i} * 10`));
    // Every way to post it (the global, its prototype's), and to the worker's own listeners.
    const hostile = pool().submit(
      inWorker(`
        let posted = 0;
        const posts = [self.postMessage, Object.getPrototypeOf(self).postMessage, globalThis.DedicatedWorkerGlobalScope?.prototype.postMessage];
        for (const m of [${forged.join(', ')}, { t: 'run', tasks: [{ seq: 0, code: '"forged run"' }] }]) {
          for (let i = 0; i < 20; i++) {
            for (const post of posts) {
              try { post.call(self, m); posted++; } catch {}
            }
            self.dispatchEvent(new MessageEvent('message', { data: m }));
          }
        }
        return posted;`),
    );
    expect(await Promise.all(neighbours.map((t) => t.result))).to.deep.equal([0, 10, 20, 30, 40, 50]);
    expect(await hostile.result).to.equal(0);
    const after = await Promise.all(Array.from({ length: 8 }, (_, i) => pool().run(`"after ${i}"`)));
    expect(after).to.deep.equal(Array.from({ length: 8 }, (_, i) => `after ${i}`));
    await allSettled(pool());
    expect(pool().state.workers.value.length).to.be.greaterThan(0);
  });

  it('contains a task that floods stdout: its kept output is bounded and other tasks run', async () => {
    let seen = 0;
    const flood = pool().submit('for i in range(12):\n    print("x" * 1_000_000)\nfor i in range(20_000):\n    print(i)\n"flooded"', {
      onOutput: (ev) => {
        if (ev.type === 'stdout') seen += ev.text.length;
      },
    });
    const neighbour = pool().submit('"unharmed"');
    expect(await neighbour.result).to.equal('unharmed');
    expect(await flood.result).to.equal('flooded');
    expect(seen).to.be.greaterThan(12_000_000);
    expect(flood.stdout.value.length).to.be.lessThan(STDOUT_LIMIT + 200);
    expect(flood.stdout.value).to.match(/stdout past \d+ characters is not kept/);
    expect(await pool().run('"still serving"')).to.equal('still serving');
  });

  it('times out a runaway task and serves the next one', async () => {
    const err = await rejection(pool().run(RUNAWAY, { timeout: 300 }));
    expect(err).to.be.instanceOf(TaskTimeoutError);
    expect(await pool().run('"next"')).to.equal('next');
  });

  it('notices a worker that closes itself, even through the prototype’s close', async () => {
    for (const code of ['import js\njs.close()\n"never"', inWorker('Object.getPrototypeOf(self).close?.call(self); self.close(); return "never";')]) {
      const err = await rejection(pool().run(code));
      expect(err).to.be.instanceOf(WorkerCrashedError);
      expect(await pool().run('"replaced"')).to.equal('replaced');
    }
  });
}
