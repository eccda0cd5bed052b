// pool.state.recent on the fake fleet (see fake-fleet.ts): the log of task timings the
// ledger keeps as the scheduler moves tasks. Milliseconds per test.
import { expect } from 'chai';
import { PoolLedger } from '../../workers/pool/ledger.js';
import { RECENT_TASKS, type TaskTiming } from '../../workers/pool/recent-log.js';
import { TaskRecord } from '../../workers/pool/task.js';
import { posted, setUp } from './fake-fleet.js';

describe('pool.state.recent (fake fleet)', () => {
  /** The log's value once this turn's changes are in (it publishes once per microtask turn). */
  const recent = async (ledger: PoolLedger) => {
    await Promise.resolve();
    await Promise.resolve();
    return ledger.view.recent.value;
  };

  it('records each task: its label, its worker, when it waited, ran and ended, and how it ended', async () => {
    const { fleet, ledger, submit, answer } = setUp(1);
    const done = submit('\n  # sums\nsum(range(10))\nprint("x")');
    const failing = submit('1 / 0');
    const dropped = submit('never');
    const stopped = submit('while True: pass', { timeout: 5 });
    dropped.task.cancel();
    await posted();
    const worker = fleet.workers[0]!;
    answer(worker, 1, { value: 45 });
    answer(worker, 2, { pythonType: 'ZeroDivisionError' });
    await stopped.promise.catch(() => {});
    const { tasks } = await recent(ledger);
    expect(tasks.map((t) => [t.id, t.label, t.outcome, t.kind])).to.deep.equal([
      [done.id, '# sums', 'done', 'task'],
      [failing.id, '1 / 0', 'failed', 'task'],
      [dropped.id, 'never', 'cancelled', 'task'],
      [stopped.id, 'while True: pass', 'timeout', 'task'],
    ]);
    const [first, second, third] = tasks as [TaskTiming, TaskTiming, TaskTiming];
    expect(first.worker).to.equal(worker.id);
    expect(first.queued).to.be.at.most(first.started!);
    expect(first.started).to.be.at.most(first.ended!);
    expect(second.started, 'the second waited for the first').to.be.at.least(first.started!);
    expect(third.started, 'a task cancelled while waiting never started').to.equal(undefined);
  });

  it('marks a task whose worker died as crashed, and gives each change a new value', async () => {
    const { fleet, ledger, submit } = setUp(1);
    const before = await recent(ledger);
    const record = submit('crash()');
    await posted();
    const worker = fleet.workers[0]!;
    const running = await recent(ledger);
    expect(running).not.to.equal(before);
    expect(running.tasks[0]).to.include({ worker: worker.id, outcome: undefined });
    fleet.remove(worker);
    fleet.events.died(worker, 'it crashed');
    await record.promise.catch(() => {});
    expect((await recent(ledger)).tasks[0]!.outcome).to.equal('crashed');
  });

  it('keeps at most RECENT_TASKS timings, dropping the oldest', async () => {
    const ledger = new PoolLedger();
    const count = RECENT_TASKS + 3;
    for (let id = 1; id <= count; id++) ledger.added(new TaskRecord(id, `task ${id}`, { priority: 0, timeout: undefined }, () => {}));
    const { tasks } = await recent(ledger);
    expect(tasks.length).to.equal(RECENT_TASKS);
    expect(tasks[0]!.id).to.equal(4);
    expect(tasks.at(-1)!.id).to.equal(count);
  });

  it("keeps settled tasks' details as text only while someone keeps them", async () => {
    const { fleet, ledger, submit, answer } = setUp(1);
    const release = ledger.view.recent.peek().keepDetails();
    const record = new TaskRecord(99, 'x = 1', { priority: 0, timeout: undefined, inputs: { data: new Uint8Array(5), name: '<b>hi</b>' } }, () => {});
    ledger.added(record);
    ledger.settle(record, undefined, 'done', { rows: [1, 2, 3] });
    const kept = (await recent(ledger)).details(99)!;
    expect(kept.code).to.equal('x = 1');
    expect(kept.inputs).to.equal('{ data: Uint8Array(5), name: "<b>hi</b>" }');
    expect(kept.result).to.equal('{ rows: [ 1, 2, 3 ] }');
    const running = submit('print(1)');
    await posted();
    expect((await recent(ledger)).details(running.id)!.timing.outcome, 'a running task is read live').to.equal(undefined);
    release();
    answer(fleet.workers[0]!, 1, { value: 1 });
    expect((await recent(ledger)).details(99), 'released: nothing kept').to.equal(undefined);
    expect((await recent(ledger)).details(running.id)).to.equal(undefined);
  });
});
