// The framework-free bridge: createTask / createPoolState on a real pool.
import { expect } from 'chai';
import '../../components/index.js';
import { createMap, createPoolState, createTask } from '../../hooks/index.js';
import { MapError, PyodidePool, PythonError, STDOUT_LIMIT, TaskCancelledError, type OutputEvent } from '../../workers/index.js';
import { allSettled, indexURL, onePoolElement, rejection, until } from '../helpers.js';

const SLOW = 'import time\nend = time.monotonic() + wait\nwhile time.monotonic() < end:\n    pass\nn';

describe('hooks bridge', () => {
  let pool: PyodidePool;

  before(async () => {
    pool = new PyodidePool({ indexURL, min: 2, max: 2, setup: 'def double(x):\n    return 2 * x' });
    await pool.ready();
  });

  after(() => pool.terminate());

  it('shows the prompt input() waits on and answers it with sendInput', async () => {
    const t = createTask<string>(pool, 'name = input("name? ")\nf"hi {name}"');
    expect(t.sendInput('too early')).to.equal(false);
    const result = t.run();
    await until(t.awaitingInput, (p) => p === 'name? ');
    expect(t.snapshot.value.awaitingInput).to.equal('name? ');
    expect(t.sendInput('Ada')).to.equal(true);
    expect(await result).to.equal('hi Ada');
    expect(t.awaitingInput.value).to.equal(undefined);
    t.dispose();
  });

  it('ends the wait for input when the run is cancelled', async () => {
    const t = createTask(pool, 'input("? ")');
    const result = t.run();
    await until(t.awaitingInput, (p) => p !== undefined);
    t.cancel('no');
    expect(await rejection(result)).to.be.instanceOf(TaskCancelledError);
    expect(t.awaitingInput.value).to.equal(undefined);
    expect(t.sendInput('late')).to.equal(false);
    t.dispose();
  });

  it('feeds stdin, and sends messages to the run, even before its task starts', async () => {
    expect(await createTask(pool, 'input() + input()', { stdin: 'a\nb\n' }).run()).to.equal('ab');
    const t = createTask(pool, 'from worker_pool import receive\n[receive(), receive()]');
    const result = t.run();
    t.send('first');
    t.send({ second: 2 });
    expect(await result).to.deep.equal(['first', { second: 2 }]);
    t.dispose();
  });

  it('treats another File as a change of inputs, and the same File as none', async () => {
    const first = new File(['one'], 'a.txt');
    const t = createTask<string>(pool, 'f.read().decode()', { inputs: { f: first }, auto: true });
    await until(t.result, (r) => r === 'one');
    expect(t.setInputs({ f: first })).to.equal(false);
    expect(t.setInputs({ f: new File(['two'], 'a.txt') })).to.equal(true);
    await until(t.result, (r) => r === 'two');
    t.dispose();
  });

  it('runs at once with auto and exposes the outcome as signals', async () => {
    const t = createTask<number>(pool, 'print("hi")\ndouble(x)', { inputs: { x: 21 }, auto: true });
    await until(t.status, (s) => s === 'done');
    expect(t.result.value).to.equal(42);
    expect(t.stdout.value).to.equal('hi\n');
    expect(t.snapshot.value).to.include({ status: 'done', result: 42 });
    t.dispose();
  });

  it('keeps at most STDOUT_LIMIT characters of output, as task.stdout does, and says it truncated', async () => {
    // A few big prints, 9 M characters in all: past the limit by one million.
    const code = 'line = "x" * 999_999\nfor _ in range(9):\n    print(line)\n"done"';
    let seen = 0;
    const t = createTask(pool, code);
    const onOutput = (event: OutputEvent) => {
      if (event.type === 'stdout') seen += event.text.length;
    };
    const direct = pool.submit(code, { onOutput });
    expect(await t.run()).to.equal('done');
    await direct.result;
    // The task's listener saw all of it; both kept the same first STDOUT_LIMIT characters and the same note.
    expect(seen).to.equal(9_000_000);
    expect(t.stdoutTruncated.value).to.equal(true);
    expect(t.snapshot.value.stdoutTruncated).to.equal(true);
    expect(t.stdout.value.startsWith('x'.repeat(999_999) + '\n')).to.equal(true);
    expect(t.stdout.value.length).to.equal(direct.stdout.value.length);
    expect(t.stdout.value === direct.stdout.value).to.equal(true);
    expect(t.stdout.value.slice(STDOUT_LIMIT)).to.match(/^\n\[pyodide-pool: stdout past 8000000 characters is not kept\]\n$/);
    // The next run starts afresh, untruncated.
    t.update({ code: 'print("small")' });
    await t.run();
    expect(t.stdout.value).to.equal('small\n');
    expect(t.snapshot.value).to.include({ stdout: 'small\n', stdoutTruncated: false });
    t.dispose();
  });

  it('keeps a map run to STDOUT_LIMIT characters across its items', async () => {
    const m = createMap<number>(pool, 'print("y" * 2_999_999)\nitem', [1, 2, 3]);
    expect(await m.run()).to.deep.equal([1, 2, 3]);
    expect(m.stdoutTruncated.value).to.equal(true);
    expect(m.stdout.value.length).to.equal(STDOUT_LIMIT + '\n[pyodide-pool: stdout past 8000000 characters is not kept]\n'.length);
    m.dispose();
  });

  it('does not re-run for inputs equal by value, and re-runs when they change', async () => {
    const t = createTask<number>(pool, 'double(x)', { inputs: { x: 1 }, auto: true });
    await until(t.status, (s) => s === 'done');
    const runs = pool.state.completed.value;
    expect(t.setInputs({ x: 1 })).to.equal(false);
    expect(pool.state.completed.value).to.equal(runs);
    expect(t.setInputs({ x: 5 })).to.equal(true);
    await until(t.result, (r) => r === 10);
    t.dispose();
  });

  it('never lets a stale run overwrite a newer one', async () => {
    const t = createTask<number>(pool, SLOW, { inputs: { n: 1, wait: 0.8 }, auto: true });
    await until(t.status, (s) => s === 'running');
    t.setInputs({ n: 2, wait: 0 });
    await until(t.status, (s) => s === 'done');
    expect(t.result.value).to.equal(2);
    // The stale run has settled too (cancelled) once the pool has nothing left in hand.
    await allSettled(pool);
    expect(t.result.value).to.equal(2);
    expect(t.status.value).to.equal('done');
    t.dispose();
  });

  it('reports errors and cancellation in its signals', async () => {
    const failing = createTask(pool, '1 / 0');
    await failing.run().catch(() => undefined);
    expect(failing.status.value).to.equal('failed');
    expect(failing.error.value).to.be.instanceOf(PythonError);

    const spinning = createTask(pool, 'while True:\n    pass');
    const run = spinning.run();
    await until(spinning.status, (s) => s === 'running');
    spinning.cancel('stop');
    expect(await run.catch((e: Error) => e)).to.be.instanceOf(TaskCancelledError);
    expect(spinning.status.value).to.equal('cancelled');
  });

  it('cancels its run when disposed', async () => {
    const t = createTask(pool, 'while True:\n    pass', { auto: true });
    await until(t.status, (s) => s === 'running');
    t.dispose();
    await until(t.status, (s) => s === 'cancelled');
    await until(pool.state.running, (n) => n === 0);
  });

  it('follows a <worker-pool>-like element, waiting for its pool', async () => {
    const element = Object.assign(new EventTarget(), { pool: undefined as PyodidePool | undefined });
    const t = createTask<number>(element, 'double(4)', { auto: true });
    const { state, dispose } = createPoolState(element);
    expect(t.status.value).to.equal('queued');
    expect(state.value.ready).to.equal(false);
    element.pool = pool;
    element.dispatchEvent(new Event('pool-change'));
    await until(t.result, (r) => r === 8);
    expect(state.value.ready).to.equal(true);
    expect(state.value.workers).to.have.length(2);
    // The pool's recent activity comes with the state, for charts of one's own.
    await until(state, (s) => s.recent.tasks.some((task) => task.label === 'double(4)' && task.outcome === 'done'));
    dispose();
    t.dispose();
  });

  it('settles a run that waits for a pool when it is cancelled or disposed first', async () => {
    const element = Object.assign(new EventTarget(), { pool: undefined as PyodidePool | undefined });
    const cancelled = createTask(element, '1');
    const first = cancelled.run();
    expect(cancelled.status.value).to.equal('queued');
    cancelled.cancel('changed my mind');
    expect(await rejection(first)).to.be.instanceOf(TaskCancelledError);
    expect(cancelled.status.value).to.equal('cancelled');

    const disposed = createTask(element, '1');
    const second = disposed.run();
    disposed.dispose();
    expect(await rejection(second)).to.be.instanceOf(TaskCancelledError);
    expect(disposed.status.value).to.equal('cancelled');
  });

  it('moves a run to the new pool when its <worker-pool> rebuilds, and re-runs with auto', async () => {
    const el = onePoolElement('<script type="text/python">VALUE = "old setup"</script>');
    document.body.append(el);
    try {
      await el.pool!.ready();
      const auto = createTask<string>(el, 'VALUE', { auto: true });
      await until(auto.result, (r) => r === 'old setup');
      const slow = createTask<string>(el, 'import time\nend = time.monotonic() + 0.5\nwhile time.monotonic() < end:\n    pass\nVALUE');
      const run = slow.run();
      await until(slow.status, (s) => s === 'running');
      // New setup: the element ends its pool and makes another.
      el.querySelector('script')!.textContent = 'VALUE = "new setup"';
      expect(await run).to.equal('new setup');
      await until(auto.result, (r) => r === 'new setup');
      auto.dispose();
      slow.dispose();
    } finally {
      el.remove();
    }
  });

  it('waits for the next pool when its holder loses its pool mid-run, and cancel still settles it', async () => {
    const own = new PyodidePool({ indexURL, min: 1, max: 1 });
    const holder = Object.assign(new EventTarget(), { pool: own as PyodidePool | undefined });
    const t = createTask(holder, 'while True:\n    pass');
    const run = t.run();
    await until(t.status, (s) => s === 'running');
    // The holder drops its pool (as a <worker-pool> being rebuilt does), and ends it.
    holder.pool = undefined;
    holder.dispatchEvent(new Event('pool-change'));
    await own.terminate();
    await until(t.status, (s) => s === 'queued');
    t.cancel('no pool is coming');
    expect(await rejection(run)).to.be.instanceOf(TaskCancelledError);
    expect(t.status.value).to.equal('cancelled');
    t.dispose();
  });

  it('maps with createMap: results in order, progress counted in items, new items on run', async () => {
    const items = Array.from({ length: 2000 }, (_, i) => i);
    const m = createMap<number>(pool, 'double(item)', items, { auto: true });
    await until(m.status, (s) => s === 'done');
    expect(m.result.value).to.deep.equal(items.map((i) => 2 * i));
    expect(m.progress.value).to.deep.include({ done: 2000, total: 2000, fraction: 1 });
    expect(await m.run([5, 6])).to.deep.equal([10, 12]);
    expect(m.progress.value).to.deep.include({ done: 2, total: 2 });
    m.dispose();
  });

  it("cancels a map between items, and shows a failing item's MapError", async () => {
    const slow = 'import time\nend = time.monotonic() + 0.02\nwhile time.monotonic() < end:\n    pass\nitem';
    const m = createMap(
      pool,
      slow,
      Array.from({ length: 300 }, (_, i) => i),
    );
    const running = m.run();
    await until(m.progress, (p) => (p?.done ?? 0) > 0);
    m.cancel('enough');
    expect(await rejection(running)).to.be.instanceOf(TaskCancelledError);
    expect(m.status.value).to.equal('cancelled');
    await allSettled(pool);
    const failing = createMap(pool, '1 / item', [1, 0]);
    const err = (await rejection(failing.run())) as MapError;
    expect(err).to.be.instanceOf(MapError);
    expect(err.index).to.equal(1);
    expect(failing.error.value).to.equal(err);
    expect(failing.status.value).to.equal('failed');
    m.dispose();
    failing.dispose();
  });
});
