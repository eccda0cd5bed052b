/**
 * The scheduler: waiting tasks go to workers (pipelined when tiny, stolen back when a
 * line turns out long, as `pool/dispatcher.ts` decides; leased workers only to their
 * caller), what workers report settles them (`pool/worker-reports.ts`), and cancel and
 * timeout stop them (`pool/stopper.ts`) — every task settling exactly once. It owns the
 * queue and the fleet; `pool-core.ts` holds it for every pool.
 *
 * @internal
 */
import { batch } from '@preact/signals-core';
import { distribute, preemptTarget, roomFor, stealPlan } from './dispatcher.js';
import { TaskCancelledError, type WorkerBootError } from './errors.js';
import type { PoolLedger } from './ledger.js';
import type { WorkerMessage } from '../shared/protocol.js';
import { TaskQueue } from './task-queue.js';
import type { TaskRecord as AnyTaskRecord } from './task.js';
import { nextPhase, type PhaseEvent } from './task-phase.js';
import type { Ending, Fleet, FleetEvents, SchedulableWorker, SchedulerHost } from './scheduler-ports.js';
import { TaskTimers } from './task-timers.js';
import { Stopper } from './stopper.js';
import { WorkerReports } from './worker-reports.js';

/** A task as the scheduler holds it: handed over, it is with one of the fleet's workers. */
type TaskRecord = AnyTaskRecord<SchedulableWorker>;
type WorkerHandle = SchedulableWorker;

export class Scheduler {
  readonly #fleet: Fleet;
  readonly #queue = new TaskQueue<TaskRecord>();
  readonly #host: SchedulerHost;
  readonly #ledger: PoolLedger;
  /** Each task's one timer: its timeout while it runs, then the grace a stop gets. */
  readonly #timers = new TaskTimers<TaskRecord>();
  readonly #stopper: Stopper;
  readonly #reports: WorkerReports;

  /** `makeFleet` makes the fleet this scheduler serves, given the events it reports to it. */
  constructor(host: SchedulerHost, ledger: PoolLedger, makeFleet: (events: FleetEvents) => Fleet) {
    this.#host = host;
    this.#ledger = ledger;
    this.#stopper = new Stopper({
      grace: () => host.options().interruptGrace,
      move: (record, event) => this.#move(record, event),
      timers: this.#timers,
      settle: (record, ending) => this.settle(record, ending),
      released: (worker) => this.#released(worker),
      endWorker: (worker) => this.#endToStop(worker),
    });
    this.#reports = new WorkerReports({
      move: (record, event) => this.#move(record, event),
      begin: (record) => this.#begin(record),
      requeue: (record) => this.#requeue(record),
      settle: (record, ending) => this.settle(record, ending),
      endWorker: (worker, why) => this.#endToStop(worker, why),
      idle: (worker) => this.becameIdle(worker),
      refill: (worker) => {
        this.pump(worker);
        this.publishWorkers();
      },
      pump: () => this.pump(),
      lost: (worker, reason) => this.#host.lost?.(worker, reason),
      ranTogether: (worker, records, busyMs) => this.#ledger.recent.ranTogether(records, worker.id, busyMs),
    });
    this.#fleet = makeFleet({
      message: (worker, message) => this.onMessage(worker, message),
      died: (worker, reason) => this.onDied(worker, reason),
      unsendable: (worker, seq, error) => this.unsendable(worker, seq, error),
      warm: (worker) => this.warm(worker),
      retry: () => this.pump(),
      broken: (error) => this.bootsFailed(error),
      changed: () => this.publishWorkers(),
      noted: (worker, event, more) => this.#ledger.recent.worker(worker.id, event, more),
    });
  }

  /** A new task: queue it and hand out what can go. */
  add(record: TaskRecord): void {
    this.#queue.push(record);
    this.pump();
  }

  /**
   * Settle every task, waiting or in a worker's hands, with `error`; end the workers
   * (resolves once they have). `keepSnapshot`: see `WorkerHandle.terminate`.
   */
  endAll(error: unknown, { keepSnapshot }: { keepSnapshot: boolean }): Promise<unknown> {
    let ended: Promise<unknown> = Promise.resolve();
    batch(() => {
      for (const record of this.#queue.drain()) this.settle(record, { error });
      for (const worker of this.#fleet.workers) {
        for (const record of worker.line.inflight.values()) if (record) this.settle(record, { error });
      }
      ended = this.#fleet.end({ keepSnapshot });
    });
    return ended;
  }

  /**
   * The one place a task's phase changes (see `task-phase.ts`). Leaving a worker's hands
   * (requeued or settled) also ends its timer.
   */
  #move(record: TaskRecord, event: PhaseEvent<WorkerHandle>): void {
    record.phase = nextPhase(record.phase, event);
    if (event.type === 'requeue' || event.type === 'settle') this.#timers.clear(record);
    else if (event.type === 'yields') this.#ledger.recent.generator(record);
  }

  /** A worker that is idle now and free to take a queued task, if any. */
  idleWorker(): WorkerHandle | undefined {
    return this.#fleet.workers.find((w) => w.status === 'idle' && !this.#host.claims?.held(w));
  }

  /** Hand `record` to `worker` itself, past the queue: a leased worker's call (it is idle, and held for that caller). */
  handTo(worker: WorkerHandle, record: TaskRecord): void {
    this.#dispatch(worker, record);
    this.publishWorkers();
  }

  /** End `worker` now, settling what it began (`WorkerCrashedError` naming `why`) and running the rest elsewhere. */
  endWorker(worker: WorkerHandle, why: string): void {
    this.#endToStop(worker, why);
  }

  /** Options changed (`pool.configure`): idle workers may now be trimmed or retire, and more may start. */
  reconsider(): void {
    for (const worker of [...this.#fleet.workers]) {
      if (worker.status === 'idle') this.becameIdle(worker);
    }
    this.pump();
  }

  /**
   * Hand waiting tasks to workers, then size the pool. Idle workers take what they can;
   * a busy worker is refilled only when it reports outcomes (`refill`), so a task
   * submitted while every worker is busy waits here, where priorities still apply.
   */
  pump(refill?: WorkerHandle): void {
    if (this.#host.ended()) return;
    batch(() => {
      const handed = this.#distribute(refill);
      const preempted = this.#preempt();
      const spawned = this.ensure();
      if (handed || preempted || spawned) this.publishWorkers();
    });
  }

  /**
   * Waiting tasks more urgent than a generator task some worker runs go to that worker,
   * which runs them at the generator's next yield and then resumes it (`preemptTarget`
   * says which). Seqs skipped behind the generator are passed by the worker after it
   * ends: the urgent seq begins first, out of order, which the control block allows.
   * True if any went.
   */
  #preempt(): boolean {
    let sent = false;
    if (!this.#queue.peek()) return false;
    // A spent worker takes nothing, so no urgent turn either (per-task isolation holds).
    const open = this.#fleet.workers.filter((worker) => !this.#fleet.spent(worker));
    for (let top = this.#queue.peek(); top; top = this.#queue.peek()) {
      const worker = preemptTarget(top.priority, open);
      if (!worker) break;
      this.#queue.shift();
      // It says when it starts (its timeout counts from then): it is not first in line.
      this.#send(worker, top, { notify: true, urgent: true });
      sent = true;
    }
    return sent;
  }

  /** Hand waiting tasks to the workers the dispatcher picks. Returns true if any went. */
  #distribute(refill: WorkerHandle | undefined): boolean {
    const trimming = this.#fleet.active > this.#host.options().max;
    const takers = distribute(this.#queue.size, this.#fleet.workers, (worker) => this.#room(worker, trimming), refill);
    for (const worker of takers) this.#dispatch(worker, this.#queue.shift()!);
    return takers.length > 0;
  }

  /** How many tasks `worker` may be handed now. */
  #room(worker: WorkerHandle, trimming: boolean): number {
    // A generator task may run for long: nothing queues behind it (urgent tasks preempt it).
    if (worker.line.live > 0 && worker.line.head()?.preemptible) return 0;
    // Spent (recycled): it takes no further task, not even one at a time.
    if (this.#fleet.spent(worker)) return 0;
    // Leased: only its caller's calls, handed to it directly.
    if (this.#host.claims?.held(worker)) return 0;
    return roomFor(worker, {
      // Leaving the pool soon (beyond a lowered max): no queue of its own.
      leaving: trimming,
      untilRecycle: this.#host.options().recycle.afterTasks - worker.tasksRun - worker.line.live,
    });
  }

  #dispatch(worker: WorkerHandle, record: TaskRecord): void {
    const first = worker.line.live === 0;
    // A timed task queued behind others has its timeout started by the worker's `start`.
    this.#send(worker, record, { notify: record.timeout !== undefined && !first });
    this.#fleet.busy(worker);
    if (first) this.#begin(record);
  }

  /** Hand `record` to `worker`'s line. */
  #send(worker: WorkerHandle, record: TaskRecord, options: { notify: boolean; urgent?: boolean }): void {
    const seq = worker.line.send(record, options);
    this.#move(record, { type: 'send', worker, seq, urgent: options.urgent ?? false });
  }

  /** The task is running (or about to, first in its worker's line): count it and start its timeout. */
  #begin(record: TaskRecord): void {
    if (!this.#ledger.started(record)) return;
    if (record.timeout !== undefined) {
      const timeout = record.timeout;
      this.#timers.set(record, timeout, () => this.#stopper.stop(record, { kind: 'timeout', timeout }));
    }
  }

  /** A task handed to a worker that never began it goes back to the front of the queue. */
  #requeue(record: TaskRecord): void {
    this.#move(record, { type: 'requeue' });
    this.#ledger.requeued(record);
    this.#queue.unshift(record);
  }

  /** Start the workers the queue calls for. True if any started. */
  ensure(): boolean {
    if (this.#host.ended()) return false;
    return this.#fleet.ensure(this.#queue.size + (this.#host.claims?.waiting ?? 0), this.#host.wantOne());
  }

  /** A worker booted: the pool may be ready, and the worker takes work. */
  warm(worker: WorkerHandle): void {
    if (this.#fleet.warm >= Math.max(1, this.#host.options().min) && !this.#ledger.ready.peek()) {
      this.#ledger.ready.value = true;
      this.#host.ready();
    }
    this.becameIdle(worker);
  }

  /** Boots keep failing: reject `ready()` and everything waiting; refuse new work. */
  bootsFailed(error: WorkerBootError): void {
    this.#host.broken(error);
    batch(() => {
      for (const record of this.#queue.drain()) this.settle(record, { error });
      this.publishWorkers();
    });
  }

  /** `worker` holds nothing: the fleet may recycle or trim it; otherwise it takes work, or relieves another. */
  becameIdle(worker: WorkerHandle): void {
    const claims = this.#host.claims;
    // A leased worker waits for its caller: never offered, trimmed, recycled or retired
    // while leased (its lease's release brings it back here).
    if (claims?.held(worker)) {
      this.#fleet.busy(worker);
      this.publishWorkers();
      return;
    }
    const fate = this.#fleet.settle(worker);
    if (fate === 'trimmed') return;
    // A waiting `acquire()` comes before the queue.
    if (fate === 'serving' && claims?.offer(worker)) {
      this.publishWorkers();
      return;
    }
    this.pump();
    if (fate === 'retired') return;
    this.#steal(worker);
    this.publishWorkers();
    this.#fleet.retireWhenIdle(worker);
  }

  /**
   * An idle worker with nothing left to take relieves the busiest one of half the tasks it
   * holds but has not begun: a line sized for tiny tasks may turn out to hold long ones.
   */
  #steal(thief: WorkerHandle): void {
    if (thief.status !== 'idle' || this.#queue.size > 0 || this.#room(thief, false) === 0) return;
    const plan = stealPlan(thief, this.#fleet.workers);
    if (!plan) return;
    const taken = plan.victim.line.release(plan.count);
    if (taken.length === 0) return;
    for (const record of taken.reverse()) this.#requeue(record);
    this.pump();
  }

  // ---- worker events -----------------------------------------------------------

  /** A worker's message: output, a task begun, awaiting or yielding, an ask, outcomes (see `WorkerReports`). */
  onMessage(worker: WorkerHandle, message: WorkerMessage): void {
    this.#reports.receive(worker, message);
  }

  /** `worker` is gone (the fleet dropped it): settle what it had begun, run the rest elsewhere. */
  onDied(worker: WorkerHandle, reason: string): void {
    this.#reports.died(worker, reason);
  }

  /** Task `seq`'s inputs could not be posted to `worker`. */
  unsendable(worker: WorkerHandle, seq: number, error: Error): void {
    this.#reports.unsendable(worker, seq, error);
  }

  // ---- cancel, settle -----------------------------------------------------------

  /** Cancel a task: a waiting one settles at once; one in a worker's hands is stopped (see `Stopper`). */
  cancel(record: TaskRecord, reason: unknown): void {
    if (record.settled) return;
    if (this.#queue.delete(record)) this.settle(record, { error: new TaskCancelledError(reason), status: 'cancelled' });
    else this.#stopper.cancel(record, reason);
  }

  /** `worker` let go of a task it had not begun: it may be idle now, or its next task begins. */
  #released(worker: WorkerHandle): void {
    if (worker.status === 'idle') this.becameIdle(worker);
    else if (worker.line.head()) this.#begin(worker.line.head()!);
  }

  /** End a worker whose task must stop now (or that misbehaved), settle its tasks, and carry on. */
  #endToStop(worker: WorkerHandle, why = 'terminated to stop its task'): void {
    this.#fleet.remove(worker, 'ended', why);
    this.onDied(worker, why);
  }

  /**
   * Settle a task, once: with its value, or with an error (`failed` unless said
   * otherwise). No-op for a task already settled.
   */
  settle(record: AnyTaskRecord, ending: Ending): void {
    if (record.settled) return;
    this.#move(record as TaskRecord, { type: 'settle' });
    if ('value' in ending) this.#ledger.settle(record, undefined, 'done', ending.value);
    else this.#ledger.settle(record, ending.error, ending.status ?? 'failed');
  }

  publishWorkers(): void {
    this.#ledger.workers.value = this.#fleet.infos();
  }
}
