// The scheduler on a fake fleet: real queue, task lines, ledger and phases; fake workers
// that record what they are sent and answer when told. No Pyodide, milliseconds per test.
import { expect } from 'chai';
import { resolveOptions } from '../../workers/pool/options.js';
import { PoolLedger } from '../../workers/pool/ledger.js';
import { RECENT_TASKS, type TaskTiming } from '../../workers/pool/recent-log.js';
import { Scheduler } from '../../workers/pool/scheduler.js';
import { TaskLine, type WorkerStatus } from '../../workers/pool/task-line.js';
import { TaskRecord } from '../../workers/pool/task.js';
import { TaskCancelledError, TaskTimeoutError, WorkerCrashedError, PythonError } from '../../workers/pool/errors.js';
import type { Fleet, FleetEvents, RanBatch, SchedulableWorker, WorkerClaims } from '../../workers/pool/scheduler-ports.js';
import type { PoolOptions } from '../../workers/pool/options.js';
import type { RunMessage, TaskMessage, TaskOrder, WorkerMessage } from '../../workers/shared/protocol.js';

type Record = TaskRecord<SchedulableWorker>;

/** A booted worker without shared memory (one task at a time) that records what it is sent. */
class FakeWorker implements SchedulableWorker {
  dead = false;
  tasksRun = 0;
  readonly exchange = undefined;
  readonly sent: TaskOrder[] = [];
  readonly posted: TaskMessage[] = [];
  readonly line: TaskLine<Record>;

  constructor(readonly id: number) {
    this.line = new TaskLine<Record>(undefined, {
      status: () => this.status,
      post: (message) => this.posted.push(message),
      postRun: (message: RunMessage) => this.sent.push(...message.tasks),
      unsendable: () => {},
    });
  }

  get status(): WorkerStatus {
    return this.dead ? 'dead' : this.line.live > 0 ? 'busy' : 'idle';
  }

  get live(): number {
    return this.line.live;
  }
  capacity(): number {
    return this.line.capacity();
  }
  head(): Record | undefined {
    return this.line.head();
  }
  post(message: TaskMessage): void {
    this.posted.push(message);
  }
  ran(batch: RanBatch): void {
    this.tasksRun += batch.tasks;
  }
}

/** A fleet of fake workers, all warm from the start; `events` is how a test plays the workers' part. */
class FakeFleet implements Fleet {
  workers: FakeWorker[] = [];
  removed: FakeWorker[] = [];
  events!: FleetEvents;

  constructor(readonly size: number) {}
  get active(): number {
    return this.workers.length;
  }
  get warm(): number {
    return this.workers.length;
  }
  spent(): boolean {
    return false;
  }
  ensure(): boolean {
    if (this.workers.length + this.removed.length >= this.size) return false;
    while (this.workers.length < this.size) this.workers.push(new FakeWorker(this.workers.length + this.removed.length + 1));
    return true;
  }
  settle(): 'serving' {
    return 'serving';
  }
  retireWhenIdle(): void {}
  busy(): void {}
  remove(worker: SchedulableWorker): void {
    (worker as FakeWorker).dead = true;
    this.workers = this.workers.filter((w) => w !== worker);
    this.removed.push(worker as FakeWorker);
  }
  end(): Promise<unknown> {
    for (const worker of [...this.workers]) this.remove(worker);
    return Promise.resolve();
  }
  infos() {
    return [];
  }
}

/** Leases as the scheduler sees them: workers held, and callers waiting for one (see `pool/leases.ts`). */
class FakeClaims implements WorkerClaims {
  readonly holding = new Set<SchedulableWorker>();
  /** Callers waiting: each takes the next worker offered. */
  wanting = 0;
  get waiting(): number {
    return this.wanting;
  }
  held(worker: SchedulableWorker): boolean {
    return this.holding.has(worker);
  }
  offer(worker: SchedulableWorker): boolean {
    if (this.wanting === 0) return false;
    this.wanting--;
    this.holding.add(worker);
    return true;
  }
}

function setUp(size: number, options: PoolOptions = {}, claims?: WorkerClaims) {
  const fleet = new FakeFleet(size);
  const ledger = new PoolLedger();
  const resolved = resolveOptions({ interruptGrace: 20, ...options });
  const scheduler = new Scheduler({ options: () => resolved, ended: () => false, wantOne: () => false, ready: () => {}, broken: () => {}, claims }, ledger, (events) => {
    fleet.events = events;
    return fleet;
  });
  scheduler.ensure();
  let nextId = 1;
  const submit = (code: string, extra: { priority?: number; timeout?: number; to?: SchedulableWorker } = {}): Record => {
    const record: Record = new TaskRecord(nextId++, code, { priority: extra.priority ?? 0, timeout: extra.timeout }, (reason) => scheduler.cancel(record, reason));
    ledger.added(record);
    if (extra.to) scheduler.handTo(extra.to, record);
    else scheduler.add(record);
    return record;
  };
  /** The worker answers its task `seq` with `value` (or a Python error). */
  const answer = (worker: FakeWorker, seq: number, outcome: { value: unknown } | { pythonType: string }) => {
    const list =
      'value' in outcome ? [{ seq, value: outcome.value }] : [{ seq, error: { kind: 'python' as const, pythonType: outcome.pythonType, message: 'boom', traceback: '' } }];
    fleet.events.message(worker, { t: 'results', list, heap: 0, busyMs: 1 } as WorkerMessage);
  };
  return { fleet, ledger, scheduler, submit, answer };
}

/** Let the line post what it queued this turn (it posts in a microtask). */
const posted = () => Promise.resolve();

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
