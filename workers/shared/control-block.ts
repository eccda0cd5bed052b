/**
 * Shared memory between the pool and one worker, on cross-origin-isolated pages. It lets
 * the pool hand a worker several tasks at once (a pipeline) and still stop any one of
 * them exactly:
 *
 * - a task the worker has not started is marked skipped, and the worker will not run it;
 * - the task running now gets a KeyboardInterrupt;
 * - a task already over is left alone (its result is on the way).
 *
 * Deciding which of the three applies, and acting on it, happens under a tiny spin lock
 * that the worker also takes when it starts a task. Without it an interrupt meant for a
 * task that has just finished could land on the next one.
 *
 * Tasks are numbered per worker (`seq`, from 1) in the order they are sent.
 *
 * The page never trusts this memory for its own liveness: a worker can write any word
 * (a bug, or task code that got hold of the buffer), so the page tries the lock for a
 * bounded time only ({@link LOCK_TRY_MS}) and reports `locked` rather than spin on; the
 * scheduler then retries and, past the task's grace, ends the worker. The worker side
 * uses only the built-ins captured in `shared/primordials.ts`, which task code cannot replace.
 *
 * The same memory also carries the worker's blocking waits (`shared/exchange.ts`): an
 * interrupt wakes a task blocked in `time.sleep`, `input()` or `receive()`.
 *
 * @internal
 */

import { atomics, int32View, now } from './primordials.js';

const { load, store, compareExchange, notify } = atomics;

/** Word 0 is Pyodide's interrupt buffer: 2 (SIGINT) raises KeyboardInterrupt. */
export const INTERRUPT = 0;
const LOCK = 1;
/** Highest seq the worker has reached (started or skipped). */
const REACHED = 2;
/** Seq of the task running now, 0 between tasks. */
const RUNNING = 3;
const RING_START = 4;
/** Skip marks are kept in a ring; the pool never has more tasks in flight than this. */
export const RING_SIZE = 1024;
/** Words after the ring belong to the {@link Exchange}. */
export const EXCHANGE_START = RING_START + RING_SIZE;
/** Bytes an exchange answer carries per round; longer ones take several. */
export const EXCHANGE_BYTES = 64 * 1024;
const EXCHANGE_WORDS = 4;
const SIGINT = 2;
/**
 * Longest the page spins for the lock in one try. The worker holds it for a few
 * instructions, unless the OS has paused its thread right then: a try that fails is
 * retried later (see `Scheduler`), never prolonged.
 */
export const LOCK_TRY_MS = 1;
/** Spins between two looks at the clock. */
const SPINS_PER_CHECK = 256;

/** One writable number at index 0, as Pyodide uses its interrupt buffer. */
export interface InterruptView {
  readonly length: 1;
  0: number;
}

/** What `stop()` found; `locked`: the worker held the lock past {@link LOCK_TRY_MS}, nothing was done. */
export type StopOutcome = 'skipped' | 'interrupted' | 'finished' | 'locked';

export class ControlBlock {
  readonly buffer: SharedArrayBuffer;
  readonly #words: Int32Array;

  constructor(buffer?: SharedArrayBuffer) {
    this.buffer = buffer ?? new SharedArrayBuffer((EXCHANGE_START + EXCHANGE_WORDS) * 4 + EXCHANGE_BYTES);
    this.#words = int32View(this.buffer, 0, EXCHANGE_START + EXCHANGE_WORDS);
  }

  /** The words a blocked worker waits on: the interrupt word and the exchange's state. */
  get words(): Int32Array {
    return this.#words;
  }

  /**
   * What Pyodide polls for interrupts (`pyodide.setInterruptBuffer`). Pyodide clears the
   * signal by reading element 0 and then writing 0: an interrupt stored in between is
   * lost (seen under load: a cancelled task ran on until the grace period ended it). Here
   * the write clears only the value that was read; anything newer stays for the next poll.
   * `onCheck` runs at each of Pyodide's checks (worker side: a moment Python can spare).
   */
  interruptView(onCheck?: () => void): InterruptView {
    const words = this.#words;
    let seen = 0;
    return {
      length: 1 as const,
      get 0(): number {
        onCheck?.();
        seen = load(words, INTERRUPT);
        return seen;
      },
      set 0(value: number) {
        compareExchange(words, INTERRUPT, seen, value);
      },
    };
  }

  /** Highest seq the worker has started or skipped. */
  get reached(): number {
    return load(this.#words, REACHED);
  }

  /** Seq of the task running now, or 0. */
  get running(): number {
    return load(this.#words, RUNNING);
  }

  /** Pool side: stop task `seq`, whatever point it has reached (or `locked`: try again later). */
  stop(seq: number): StopOutcome {
    return this.#tryLocked('locked', () => {
      const words = this.#words;
      if (seq > words[REACHED]!) {
        store(words, RING_START + (seq % RING_SIZE), seq);
        return 'skipped';
      }
      if (words[RUNNING] === seq) {
        store(words, INTERRUPT, SIGINT);
        // A task blocked in sleep, input() or receive() waits on one of these: wake it.
        notify(words, INTERRUPT);
        notify(words, EXCHANGE_START);
        return 'interrupted';
      }
      return 'finished';
    });
  }

  /**
   * Pool side: take back task `seq` if the worker has not begun it (it will skip it).
   * False if it has begun, or if the worker held the lock too long to tell.
   */
  claim(seq: number): boolean {
    return this.#tryLocked(false, () => {
      if (seq <= this.#words[REACHED]!) return false;
      store(this.#words, RING_START + (seq % RING_SIZE), seq);
      return true;
    });
  }

  /**
   * Worker side, before task `seq`: false when the pool has skipped it. Otherwise it is
   * the running task from now on, and a stale interrupt (meant for an earlier task) is
   * cleared.
   */
  begin(seq: number): boolean {
    return this.#locked(() => {
      const words = this.#words;
      store(words, REACHED, seq);
      if (load(words, RING_START + (seq % RING_SIZE)) === seq) return false;
      store(words, INTERRUPT, 0);
      store(words, RUNNING, seq);
      return true;
    });
  }

  /**
   * Worker side: task `seq`, begun earlier and set aside while a more urgent one ran (a
   * generator at a yield), runs again. An interrupt still stored was meant for that other
   * task: it is cleared.
   */
  resume(seq: number): void {
    this.#locked(() => {
      store(this.#words, INTERRUPT, 0);
      store(this.#words, RUNNING, seq);
    });
  }

  /** Worker side, after the task: no task runs now. */
  end(): void {
    store(this.#words, RUNNING, 0);
  }

  /**
   * Worker side. Both sides hold the lock for a few instructions only, so spinning is
   * cheaper than any wait; the page never holds it longer than its body.
   */
  #locked<T>(body: () => T): T {
    while (compareExchange(this.#words, LOCK, 0, 1) !== 0) {
      // spin
    }
    try {
      return body();
    } finally {
      store(this.#words, LOCK, 0);
    }
  }

  /**
   * Pool side: the lock for at most {@link LOCK_TRY_MS}, then `busy` without running
   * `body`. (Atomics.wait is not allowed on the main thread, and a worker that never lets
   * go must not freeze the page.)
   */
  #tryLocked<T, B>(busy: B, body: () => T): T | B {
    const words = this.#words;
    let deadline = 0;
    for (let spins = 0; compareExchange(words, LOCK, 0, 1) !== 0; spins++) {
      if (spins % SPINS_PER_CHECK !== 0) continue;
      const t = now();
      if (deadline === 0) deadline = t + LOCK_TRY_MS;
      else if (t >= deadline) return busy;
    }
    try {
      return body();
    } finally {
      store(words, LOCK, 0);
    }
  }
}
