// A fake fleet for the scheduler's unit tests: real queue, task lines, ledger and phases;
// fake workers that record what they are sent and answer when told. No Pyodide.
import { resolveOptions } from '../../workers/pool/options.js';
import { PoolLedger } from '../../workers/pool/ledger.js';
import { Scheduler } from '../../workers/pool/scheduler.js';
import { TaskLine, type WorkerStatus } from '../../workers/pool/task-line.js';
import { TaskRecord } from '../../workers/pool/task.js';
import type { Fleet, FleetEvents, RanBatch, SchedulableWorker, WorkerClaims } from '../../workers/pool/scheduler-ports.js';
import type { PoolOptions } from '../../workers/pool/options.js';
import type { RunMessage, TaskMessage, TaskOrder, WorkerMessage } from '../../workers/shared/protocol.js';

export type Record = TaskRecord<SchedulableWorker>;

/** A booted worker without shared memory (one task at a time) that records what it is sent. */
export class FakeWorker implements SchedulableWorker {
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
export class FakeFleet implements Fleet {
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
export class FakeClaims implements WorkerClaims {
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

export function setUp(size: number, options: PoolOptions = {}, claims?: WorkerClaims) {
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
export const posted = () => Promise.resolve();
