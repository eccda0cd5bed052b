/**
 * What a worker reports about the tasks in its hands, as the scheduler hears it: output,
 * a task that began (its timeout starts), awaits or yields at a generator's step (tasks
 * queued behind it go back to the queue), asks for input or a message, and batches of
 * outcomes, each settling its task exactly once; and its death (what it had begun fails,
 * the rest runs elsewhere) or a task it could not be sent. Owned by the scheduler, which it tells
 * what to settle, requeue and end, as the {@link Stopper} does.
 *
 * @internal
 */
import { batch } from '@preact/signals-core';
import { ConversionError, WorkerCrashedError } from './errors.js';
import { failureError, stopEnding } from './task-endings.js';
import type { WorkerMessage } from '../shared/protocol.js';
import type { TaskRecord as AnyTaskRecord } from './task.js';
import type { PhaseEvent } from './task-phase.js';
import type { Ending, SchedulableWorker } from './scheduler-ports.js';

type TaskRecord = AnyTaskRecord<SchedulableWorker>;
type WorkerHandle = SchedulableWorker;

/** What the reports need of the scheduler. */
export interface ReportHost {
  /** Change a task's phase (the scheduler's one transition function). */
  move(record: TaskRecord, event: PhaseEvent<WorkerHandle>): void;
  /** The task runs now: count it and start its timeout. */
  begin(record: TaskRecord): void;
  /** A task handed over but not begun goes back to the front of the queue. */
  requeue(record: TaskRecord): void;
  settle(record: TaskRecord, ending: Ending): void;
  /** End `worker` now (it misbehaved): its tasks settle or run elsewhere. */
  endWorker(worker: WorkerHandle, why: string): void;
  /** `worker` holds nothing now. */
  idle(worker: WorkerHandle): void;
  /** `worker` answered and still holds tasks: hand it more. */
  refill(worker: WorkerHandle): void;
  /** Hand out what waits (an urgent task may run at a generator's yield). */
  pump(): void;
  /** A warm worker was lost, after its tasks were settled or requeued. */
  lost(worker: WorkerHandle, reason: string): void;
  /** `records` ran back to back on `worker` over its last `busyMs` (for `pool.state.recent`). */
  ranTogether(worker: WorkerHandle, records: readonly TaskRecord[], busyMs: number): void;
}

export class WorkerReports {
  readonly #host: ReportHost;

  constructor(host: ReportHost) {
    this.#host = host;
  }

  receive(worker: WorkerHandle, message: WorkerMessage): void {
    if (message.t === 'out') {
      const record = worker.line.inflight.get(message.seq);
      if (record && !record.settled) record.output(message.ev);
    } else if (message.t === 'start') {
      const record = worker.line.inflight.get(message.seq);
      if (record) this.#host.begin(record);
    } else if (message.t === 'awaiting') {
      const record = worker.line.inflight.get(message.seq);
      if (record) this.#host.move(record, { type: 'awaits' });
    } else if (message.t === 'yielding') {
      const record = worker.line.inflight.get(message.seq);
      if (!record) return;
      this.#host.move(record, { type: 'yields' });
      // Tasks sent behind it would wait for the whole generator: back to the queue, where
      // another worker (or an urgent turn at a yield) may take them.
      const behind = worker.line.release(worker.line.live - 1);
      for (const held of behind.reverse()) this.#host.requeue(held);
      // A more urgent task waiting now can run at its next yield.
      this.#host.pump();
    } else if (message.t === 'ask') {
      const record = worker.line.inflight.get(message.seq);
      if (record) record.channel.ask(message, worker);
      else if (message.kind !== 'more' && message.blocking) worker.exchange?.answer(message.id, { end: 'the task has ended' });
    } else if (message.t === 'results') {
      batch(() => this.#onResults(worker, message));
    }
  }

  #onResults(worker: WorkerHandle, message: Extract<WorkerMessage, { t: 'results' }>): void {
    // Pipelined tasks are never seen to begin: the batch's time is all the page learns of them.
    const together: TaskRecord[] = [];
    for (const outcome of message.list) {
      const record = 'skipped' in outcome ? undefined : worker.line.inflight.get(outcome.seq);
      if (record) together.push(record);
    }
    if (together.length > 0) this.#host.ranTogether(worker, together, message.busyMs);
    let ran = 0;
    let memoryError = false;
    for (const outcome of message.list) {
      const record = worker.line.take(outcome.seq);
      if (!record) continue; // stopped before it began, and already settled
      if ('skipped' in outcome) {
        if (record.stop) {
          this.#host.settle(record, stopEnding(record.stop));
          continue;
        }
        // Skipped though the pool never took it back: the worker's word cannot be trusted
        // (task code rewrote what it sends). It may have run: it fails, and the worker goes.
        this.#host.settle(record, { error: new WorkerCrashedError(`The worker said it skipped task ${record.id}, which the pool had not taken back; the worker was replaced`) });
        this.#host.endWorker(worker, 'it misreported a task');
        return;
      }
      ran++;
      if (record.stop) this.#host.settle(record, stopEnding(record.stop));
      else if ('value' in outcome) this.#host.settle(record, { value: outcome.value });
      else {
        // Out of memory: the heap stays at its largest, and what failed to allocate may be half done.
        if (outcome.error.pythonType === 'MemoryError') memoryError = true;
        this.#host.settle(record, { error: failureError(outcome.error) });
      }
    }
    worker.ran({ tasks: ran, heapBytes: message.heap, memoryError });
    worker.line.measured(ran, message.busyMs);
    const head = worker.line.head();
    if (head) this.#host.begin(head);
    if (worker.line.live === 0) this.#host.idle(worker);
    else this.#host.refill(worker);
  }

  /** `worker` is gone (the fleet dropped it): settle what it had begun, run the rest elsewhere. */
  died(worker: WorkerHandle, reason: string): void {
    batch(() => {
      const { begun, notBegun } = worker.line.unfinished();
      begun.forEach((record, i) => {
        if (record.stop) this.#host.settle(record, stopEnding(record.stop));
        else if (i === begun.length - 1) this.#host.settle(record, { error: new WorkerCrashedError(`The worker (#${worker.id}) running task ${record.id} died: ${reason}`) });
        else this.#host.settle(record, { error: new WorkerCrashedError(`The worker died (${reason}) before sending the result of task ${record.id}`) });
      });
      // Handed over but never begun: they run elsewhere, ahead of what waits.
      for (const record of notBegun.reverse()) {
        if (record.stop) this.#host.settle(record, stopEnding(record.stop));
        else if (record.transfer.length > 0) {
          this.#host.settle(record, {
            error: new WorkerCrashedError(`The worker holding task ${record.id} died (${reason}) before running it; its transferred buffers went with it`),
          });
        } else this.#host.requeue(record);
      }
      this.#host.lost(worker, reason);
      this.#host.pump();
    });
  }

  /** Task `seq`'s inputs could not be posted (not cloneable): it fails, nothing having been sent. */
  unsendable(worker: WorkerHandle, seq: number, error: Error): void {
    const record = worker.line.take(seq);
    if (!record) return;
    this.#host.settle(record, { error: new ConversionError(`inputs could not be sent to the worker: ${error.message}`) });
    if (worker.status === 'idle') this.#host.idle(worker);
  }
}
