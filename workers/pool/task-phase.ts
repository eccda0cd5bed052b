/**
 * Where a task is in the pool, as one value: waiting in the queue, in a worker's hands (and
 * how it runs there: plain code, awaiting, or a generator at its yields; whether it was
 * sent to run ahead of one; whether it was asked to stop), or settled. The scheduler is
 * the only writer: every change goes through {@link nextPhase}, from its `move`. The
 * public `task.status` (queued, running, done, …) follows from these moves.
 *
 * Pure (no timers, no messages), so every rule is unit-tested.
 *
 * @internal
 */

/** Why a running task is being stopped. */
export type StopRequest = { kind: 'cancel'; reason: unknown } | { kind: 'timeout'; timeout: number };

/** How a task in a worker's hands runs, as its worker last said. */
export type RunMode =
  /** Python code (or not begun yet): only an interrupt stops it while it runs. */
  | 'code'
  /** It awaits (a coroutine, or a stack switch): a stop message can end it without ending the worker. */
  | 'awaiting'
  /** A generator task at its yields (awaiting too): a more urgent task may run in its worker meanwhile. */
  | 'yielding';

/** A task's phase. `W` is what holds a handed task (`WorkerHandle` in the pool; anything in tests). */
export type TaskPhase<W = unknown> =
  | { readonly name: 'queued' }
  | {
      readonly name: 'handed';
      readonly worker: W;
      /** Its number on `worker` (see `ControlBlock`). */
      readonly seq: number;
      /** Sent to run at a generator's yield, ahead of it. */
      readonly urgent: boolean;
      readonly runs: RunMode;
      /** Set once cancel or timeout asked it to stop. */
      readonly stop: StopRequest | undefined;
    }
  | { readonly name: 'settled' };

/** What moves a task from one phase to the next. */
export type PhaseEvent<W = unknown> =
  /** Handed to `worker` as its task `seq`. */
  | { readonly type: 'send'; readonly worker: W; readonly seq: number; readonly urgent: boolean }
  /** Taken back before it began (stolen, set aside behind a generator, or its worker died): waiting again. */
  | { readonly type: 'requeue' }
  /** Its worker said it awaits. */
  | { readonly type: 'awaits' }
  /** Its worker said it is a generator at its yields. */
  | { readonly type: 'yields' }
  /** Cancel or timeout asked it to stop (the first request wins). */
  | { readonly type: 'stop'; readonly request: StopRequest }
  /** Its outcome is known: done, failed or cancelled. */
  | { readonly type: 'settle' };

/** The phase every task starts in. */
export const QUEUED: TaskPhase<never> = { name: 'queued' };
const SETTLED: TaskPhase<never> = { name: 'settled' };

/**
 * The phase after `event`. An event that does not apply (a stop for a task already being
 * stopped, a message about one already settled) leaves the phase as it is: the pool's
 * messages and timers race, and the first to arrive decides.
 *
 * @example
 * let phase: TaskPhase<string> = QUEUED;
 * phase = nextPhase(phase, { type: 'send', worker: 'w1', seq: 1, urgent: false });
 * phase = nextPhase(phase, { type: 'awaits' }); // { name: 'handed', runs: 'awaiting', … }
 */
export function nextPhase<W>(phase: TaskPhase<W>, event: PhaseEvent<W>): TaskPhase<W> {
  if (phase.name === 'settled') return phase;
  if (event.type === 'settle') return SETTLED;
  if (phase.name === 'queued') {
    return event.type === 'send' ? { name: 'handed', worker: event.worker, seq: event.seq, urgent: event.urgent, runs: 'code', stop: undefined } : phase;
  }
  switch (event.type) {
    case 'requeue':
      return QUEUED;
    case 'awaits':
      return phase.runs === 'code' ? { ...phase, runs: 'awaiting' } : phase;
    case 'yields':
      return { ...phase, runs: 'yielding' };
    case 'stop':
      return phase.stop ? phase : { ...phase, stop: event.request };
    default:
      // 'send' of a task already in a worker's hands: it stays where it is.
      return phase;
  }
}
