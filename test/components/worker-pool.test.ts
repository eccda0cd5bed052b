// <worker-pool> owns its pool: made on connect, kept on a move, ended on removal,
// rebuilt when what its workers need changes, resized live otherwise.
import { expect, fixture, html, oneEvent } from '@open-wc/testing';
import '../../components/index.js';
import type { PoolMonitorElement, PyTaskElement, WorkerPoolElement } from '../../components/index.js';
import { PoolTerminatedError } from '../../workers/index.js';
import { baseSnapshotFits, indexURL, until } from '../helpers.js';

async function makePool(attrs = ''): Promise<WorkerPoolElement> {
  const el = await fixture<WorkerPoolElement>(`<worker-pool index-url="${indexURL}" ${attrs}></worker-pool>`);
  if (!el.pool) await oneEvent(el, 'pool-change');
  return el;
}

describe('<worker-pool>', () => {
  it('has its pool as soon as it is connected', async () => {
    const el = document.createElement('worker-pool');
    el.setAttribute('index-url', indexURL);
    el.max = 1;
    expect(el.pool).to.equal(undefined);
    document.body.append(el);
    try {
      // No await between inserting the element and using its pool.
      const pool = el.pool!;
      expect(pool).to.be.an('object');
      expect(pool.options.max).to.equal(1);
      expect(await pool.run('6 * 7')).to.equal(42);
      expect(el.pool).to.equal(pool);
    } finally {
      el.remove();
    }
  });

  it('fires pool-ready once its workers are warm', async () => {
    const el = document.createElement('worker-pool');
    el.setAttribute('index-url', indexURL);
    const ready = oneEvent(el, 'pool-ready');
    document.body.append(el);
    try {
      const event = await ready;
      expect(event.detail.pool).to.equal(el.pool);
      expect(el.pool!.state.ready.value).to.equal(true);
    } finally {
      el.remove();
    }
  });

  it('ends its workers when removed from the document', async () => {
    const el = await makePool();
    const pool = el.pool!;
    await pool.ready();
    el.remove();
    await new Promise((r) => setTimeout(r, 0));
    expect(el.pool).to.equal(undefined);
    expect(pool.state.workers.value).to.deep.equal([]);
    expect(() => pool.submit('1')).to.throw(PoolTerminatedError);
  });

  it('keeps its pool when moved within the document', async () => {
    const el = await makePool();
    const pool = el.pool!;
    await pool.ready();
    const elsewhere = document.createElement('section');
    document.body.append(elsewhere);
    elsewhere.append(el);
    await new Promise((r) => setTimeout(r, 0));
    expect(el.pool).to.equal(pool);
    expect(await pool.run('"still here"')).to.equal('still here');
    elsewhere.remove();
  });

  it('fires pool-error for a pool that cannot start, and its tasks fail with that error', async () => {
    const el = document.createElement('worker-pool');
    el.setAttribute('index-url', '/nowhere/');
    const failed = oneEvent(el, 'pool-error');
    document.body.append(el);
    const task = document.createElement('py-task');
    task.code = '1';
    el.append(task);
    try {
      expect((await failed).detail.error.message).to.contain('/nowhere/');
      const error = await task.run().catch((e: Error) => e);
      expect((error as Error).message).to.contain('/nowhere/');
      expect(task.status).to.equal('failed');
    } finally {
      el.remove();
    }
  });

  it('fires pool-error for bad attributes instead of throwing', async () => {
    const el = document.createElement('worker-pool');
    el.setAttribute('min', '3');
    el.setAttribute('max', '1');
    const failed = oneEvent(el, 'pool-error');
    document.body.append(el);
    try {
      expect((await failed).detail.error).to.be.instanceOf(RangeError);
    } finally {
      el.remove();
    }
  });

  it('isolate="task" gives every task a worker no earlier task touched; a bad value is a pool-error', async () => {
    const el = await makePool('max="1" isolate="task"');
    try {
      expect(el.pool!.options.isolate).to.equal('task');
      const code = 'import builtins\nseen = getattr(builtins, "mark", None)\nbuiltins.mark = "left"\nseen';
      expect(await el.pool!.run(code)).to.equal(null);
      expect(await el.pool!.run(code)).to.equal(null);
    } finally {
      el.remove();
    }
    const bad = document.createElement('worker-pool');
    bad.setAttribute('isolate', 'worker');
    const failed = oneEvent(bad, 'pool-error');
    document.body.append(bad);
    try {
      expect((await failed).detail.error).to.be.instanceOf(TypeError);
    } finally {
      bad.remove();
    }
  });

  it('no-base-snapshot starts a first visit cold, and says so; without it the base snapshot is used', async () => {
    // A setup of its own: no snapshot of it is stored, so this is a first visit.
    const withSetup = async (attrs: string, setup: string) => {
      const el = await fixture<WorkerPoolElement>(`<worker-pool index-url="${indexURL}" max="1" ${attrs}><script type="text/python">${setup}</script></worker-pool>`);
      if (!el.pool) await oneEvent(el, 'pool-change');
      return el;
    };
    const token = `TOKEN = ${JSON.stringify(String(Math.random()))}`;
    const cold = await withSetup('no-base-snapshot', token);
    try {
      expect(cold.pool!.options.baseSnapshot).to.equal(false);
      await cold.pool!.ready();
      const [worker] = cold.pool!.state.workers.value;
      expect([worker!.bootMode, worker!.baseSnapshot, worker!.snapshotSkipped]).to.deep.equal(['normal', false, 'disabled']);
    } finally {
      cold.remove();
    }
    const based = await withSetup('', `${token}\nBASED = 1`);
    try {
      await based.pool!.ready();
      const [worker] = based.pool!.state.workers.value;
      expect([worker!.bootMode, worker!.baseSnapshot, worker!.snapshotSkipped]).to.deep.equal(
        (await baseSnapshotFits()) ? ['normal', true, undefined] : ['normal', false, 'engine'],
      );
    } finally {
      based.remove();
    }
  });

  it('applies max and timeout changes live, and rebuilds when setup changes', async () => {
    const el = await makePool('min="1" max="1"');
    const pool = el.pool!;
    await pool.ready();
    el.setAttribute('max', '2');
    el.setAttribute('timeout', '5000');
    await el.updateComplete;
    expect(el.pool).to.equal(pool);
    expect(pool.options.max).to.equal(2);
    expect(pool.options.timeout).to.equal(5000);

    const task = document.createElement('py-task');
    task.auto = true;
    task.code = 'GREETING';
    const script = document.createElement('script');
    script.type = 'text/python';
    script.textContent = 'GREETING = "new setup"';
    const rebuilt = oneEvent(el, 'pool-change');
    el.append(script);
    await rebuilt;
    expect(el.pool).not.to.equal(pool);
    expect(pool.state.workers.value).to.deep.equal([]);
    el.append(task);
    expect((await oneEvent(task, 'task-result')).detail.result).to.equal('new setup');
    el.remove();
  });

  it('shows live counts in a <pool-monitor>', async () => {
    const el = await makePool('min="1" max="1"');
    const monitor = document.createElement('pool-monitor') as PoolMonitorElement;
    el.append(monitor);
    await el.pool!.ready();
    await Promise.all([1, 2, 3].map((i) => el.pool!.run(`${i}`)));
    await el.pool!.run('raise ValueError()').catch(() => undefined);
    await monitor.updateComplete;
    const count = (name: string) =>
      [...monitor.shadowRoot!.querySelectorAll('[part="counts"] div')].find((d) => d.querySelector('dt')!.textContent === name)!.querySelector('dd')!.textContent;
    expect(count('completed')).to.equal('3');
    expect(count('failed')).to.equal('1');
    expect(count('workers')).to.equal('1');
    const workers = monitor.shadowRoot!.querySelectorAll('[part="worker"]');
    expect(workers).to.have.length(1);
    expect(workers[0]!.textContent).to.match(/idle · 4 tasks · \d+ MB/);
    // Busy shows while a task runs.
    const busy = el.pool!.submit('import time\nend = time.monotonic() + 0.5\nwhile time.monotonic() < end:\n    pass');
    await until(busy.status, (s) => s === 'running');
    await monitor.updateComplete;
    expect(monitor.shadowRoot!.querySelector('[part="worker"]')!.getAttribute('data-status')).to.equal('busy');
    await busy.result;
    await expect(monitor).to.be.accessible();
    el.remove();
  });

  it('lets <py-task> elements defined before the pool element find it (upgrade order)', async () => {
    // Both are defined here already; what matters is that the task waits for the pool
    // element to make its pool, which happens after the task has connected.
    const container = await fixture<HTMLDivElement>(html`<div></div>`);
    container.innerHTML = `<worker-pool index-url="${indexURL}"><py-task auto><script type="text/python">"found"</script></py-task></worker-pool>`;
    const el = container.querySelector('py-task') as PyTaskElement;
    expect((await oneEvent(el, 'task-result')).detail.result).to.equal('found');
    container.remove();
  });
});
