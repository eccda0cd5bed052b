// The scheduler on a fake fleet (see fake-fleet.ts): real queue, task lines, ledger and
// phases; fake workers that record what they are sent and answer when told. Milliseconds per test.
import { expect } from 'chai';
import { TaskCancelledError, TaskTimeoutError, WorkerCrashedError, PythonError } from '../../workers/pool/errors.js';
import type { WorkerMessage } from '../../workers/shared/protocol.js';
import { FakeClaims, posted, setUp, type FakeWorker } from './fake-fleet.js';

describe('scheduler (fake fleet)', () => {
  it("hands a task to an idle worker and settles it with the worker's answer", async () => {
    const { fleet, ledger, submit, answer } = setUp(1);
    const record = submit('6 * 7');
    await posted();
    const worker = fleet.workers[0]!;
    expect(worker.sent.map((o) => o.code)).to.deep.equal(['6 * 7']);
    expect(record.phase).to.include({ name: 'handed', worker, seq: 1 });
    expect(record.status.peek()).to.equal('running');
    answer(worker, 1, { value: 42 });
    expect(await record.promise).to.equal(42);
    expect(record.phase.name).to.equal('settled');
    expect(ledger.completed.peek()).to.equal(1);
    expect(worker.tasksRun).to.equal(1);
  });

  it('runs waiting tasks highest priority first once the busy worker answers', async () => {
    const { fleet, submit, answer } = setUp(1);
    submit('first');
    const low = submit('low', { priority: 0 });
    const high = submit('high', { priority: 5 });
    await posted();
    const worker = fleet.workers[0]!;
    expect(low.phase.name).to.equal('queued');
    answer(worker, 1, { value: 1 });
    await posted();
    expect(worker.sent.map((o) => o.code)).to.deep.equal(['first', 'high']);
    expect(high.phase.name).to.equal('handed');
    expect(low.phase.name).to.equal('queued');
  });

  it('drops a cancelled waiting task without sending it', async () => {
    const { fleet, ledger, submit } = setUp(1);
    submit('busy');
    const waiting = submit('never');
    waiting.task.cancel('no longer needed');
    await posted();
    const error = await waiting.promise.catch((e: unknown) => e);
    expect(error).to.be.instanceOf(TaskCancelledError);
    expect(waiting.status.peek()).to.equal('cancelled');
    expect(fleet.workers[0]!.sent.map((o) => o.code)).to.deep.equal(['busy']);
    expect(ledger.queued.peek()).to.equal(0);
  });

  it('fails the task a dead worker was running and runs the waiting ones on the next worker', async () => {
    const { fleet, submit, answer } = setUp(2);
    const a = submit('a');
    const b = submit('b');
    const c = submit('c');
    await posted();
    const [first, second] = fleet.workers as [FakeWorker, FakeWorker];
    expect(a.worker).to.equal(first);
    expect(b.worker).to.equal(second);
    fleet.remove(first);
    fleet.events.died(first, 'it crashed');
    expect(await a.promise.catch((e: unknown) => e)).to.be.instanceOf(WorkerCrashedError);
    answer(second, 1, { value: 'b' });
    await posted();
    expect(c.worker).to.equal(second);
    expect(await b.promise).to.equal('b');
  });

  it('follows what the worker says of a running task: it awaits, it yields', async () => {
    const { fleet, submit } = setUp(1);
    const record = submit('await something()');
    await posted();
    const worker = fleet.workers[0]!;
    expect(record.awaiting).to.equal(false);
    fleet.events.message(worker, { t: 'awaiting', seq: 1 } as WorkerMessage);
    expect(record.phase).to.include({ name: 'handed', runs: 'awaiting' });
    fleet.events.message(worker, { t: 'yielding', seq: 1 } as WorkerMessage);
    expect(record.preemptible).to.equal(true);
  });

  it('times a task out: a worker that cannot be interrupted is ended and the task fails with TaskTimeoutError', async () => {
    const { fleet, submit } = setUp(1);
    const record = submit('while True: pass', { timeout: 5 });
    await posted();
    const worker = fleet.workers[0]!;
    const error = await record.promise.catch((e: unknown) => e);
    expect(error).to.be.instanceOf(TaskTimeoutError);
    expect(fleet.removed).to.include(worker);
    expect(record.phase.name).to.equal('settled');
  });

  it('asks an awaiting task to stop by message, keeping its worker, and settles it when the worker answers', async () => {
    const { fleet, submit, answer } = setUp(1);
    const record = submit('await forever()');
    await posted();
    const worker = fleet.workers[0]!;
    fleet.events.message(worker, { t: 'awaiting', seq: 1 } as WorkerMessage);
    record.task.cancel('stop');
    expect(worker.posted).to.deep.equal([{ t: 'stop', seq: 1 }]);
    expect(record.stop).to.deep.equal({ kind: 'cancel', reason: 'stop' });
    // Whatever it answers, a task asked to stop ends as stopped.
    answer(worker, 1, { pythonType: 'CancelledError' });
    expect(await record.promise.catch((e: unknown) => e)).to.be.instanceOf(TaskCancelledError);
    expect(fleet.removed).to.deep.equal([]);
  });

  it('fails a task with PythonError when its code raised', async () => {
    const { fleet, submit, answer } = setUp(1);
    const record = submit('1 / 0');
    await posted();
    answer(fleet.workers[0]!, 1, { pythonType: 'ZeroDivisionError' });
    const error = await record.promise.catch((e: unknown) => e);
    expect(error).to.be.instanceOf(PythonError);
    expect(record.status.peek()).to.equal('failed');
  });

  it('sends no queued task to a leased worker: its caller hands it calls directly, and it stays held', async () => {
    const claims = new FakeClaims();
    const { fleet, scheduler, submit, answer } = setUp(2, {}, claims);
    const [leased, free] = fleet.workers as [FakeWorker, FakeWorker];
    claims.holding.add(leased);
    expect(scheduler.idleWorker()).to.equal(free);
    const queued = [submit('q1'), submit('q2')];
    const own = submit('mine', { to: leased });
    await posted();
    expect(leased.sent.map((o) => o.code)).to.deep.equal(['mine']);
    expect(free.sent.map((o) => o.code)).to.deep.equal(['q1']);
    answer(leased, 1, { value: 'done' });
    await posted();
    expect(await own.promise).to.equal('done');
    expect(
      leased.sent.map((o) => o.code),
      'idle, but held: q2 waits for the free worker',
    ).to.deep.equal(['mine']);
    expect(queued[1]!.phase.name).to.equal('queued');
    // Released: it takes the queue again.
    claims.holding.delete(leased);
    scheduler.becameIdle(leased);
    await posted();
    expect(leased.sent.map((o) => o.code)).to.deep.equal(['mine', 'q2']);
  });

  it('offers a worker that falls idle to a waiting lease before the queue', async () => {
    const claims = new FakeClaims();
    const { fleet, submit, answer } = setUp(1, {}, claims);
    const worker = fleet.workers[0]!;
    submit('running');
    const waiting = submit('queued');
    await posted();
    claims.wanting = 1;
    answer(worker, 1, { value: 1 });
    await posted();
    expect(claims.held(worker)).to.equal(true);
    expect(worker.sent.map((o) => o.code)).to.deep.equal(['running']);
    expect(waiting.phase.name).to.equal('queued');
  });
});
