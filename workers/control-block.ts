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
 * The same memory also carries the worker's blocking waits (`exchange.ts`): an
 * interrupt wakes a task blocked in `time.sleep`, `input()` or `receive()`.
 *
 * @internal
 */

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

/** One writable number at index 0, as Pyodide uses its interrupt buffer. */
export interface InterruptView {
  readonly length: 1;
  0: number;
}

/** What `stop()` found. */
export type StopOutcome = 'skipped' | 'interrupted' | 'finished';

export class ControlBlock {
  readonly buffer: SharedArrayBuffer;
  readonly #words: Int32Array;

  constructor(buffer?: SharedArrayBuffer) {
    this.buffer = buffer ?? new SharedArrayBuffer((EXCHANGE_START + EXCHANGE_WORDS) * 4 + EXCHANGE_BYTES);
    this.#words = new Int32Array(this.buffer, 0, EXCHANGE_START + EXCHANGE_WORDS);
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
   */
  interruptView(): InterruptView {
    const words = this.#words;
    let seen = 0;
    return {
      length: 1 as const,
      get 0(): number {
        seen = Atomics.load(words, INTERRUPT);
        return seen;
      },
      set 0(value: number) {
        Atomics.compareExchange(words, INTERRUPT, seen, value);
      },
    };
  }

  /** Highest seq the worker has started or skipped. */
  get reached(): number {
    return Atomics.load(this.#words, REACHED);
  }

  /** Seq of the task running now, or 0. */
  get running(): number {
    return Atomics.load(this.#words, RUNNING);
  }

  /** Pool side: stop task `seq`, whatever point it has reached. */
  stop(seq: number): StopOutcome {
    return this.#locked(() => {
      const words = this.#words;
      if (seq > words[REACHED]!) {
        Atomics.store(words, RING_START + (seq % RING_SIZE), seq);
        return 'skipped';
      }
      if (words[RUNNING] === seq) {
        Atomics.store(words, INTERRUPT, SIGINT);
        // A task blocked in sleep, input() or receive() waits on one of these: wake it.
        Atomics.notify(words, INTERRUPT);
        Atomics.notify(words, EXCHANGE_START);
        return 'interrupted';
      }
      return 'finished';
    });
  }

  /** Pool side: take back task `seq` if the worker has not begun it (it will skip it). */
  claim(seq: number): boolean {
    return this.#locked(() => {
      if (seq <= this.#words[REACHED]!) return false;
      Atomics.store(this.#words, RING_START + (seq % RING_SIZE), seq);
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
      Atomics.store(words, REACHED, seq);
      if (Atomics.load(words, RING_START + (seq % RING_SIZE)) === seq) return false;
      Atomics.store(words, INTERRUPT, 0);
      Atomics.store(words, RUNNING, seq);
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
      Atomics.store(this.#words, INTERRUPT, 0);
      Atomics.store(this.#words, RUNNING, seq);
    });
  }

  /** Worker side, after the task: no task runs now. */
  end(): void {
    Atomics.store(this.#words, RUNNING, 0);
  }

  /**
   * Both sides hold it for a few instructions only, so spinning is cheaper than any
   * wait. Atomics.wait is not allowed on the main thread anyway.
   */
  #locked<T>(body: () => T): T {
    while (Atomics.compareExchange(this.#words, LOCK, 0, 1) !== 0) {
      // spin
    }
    try {
      return body();
    } finally {
      Atomics.store(this.#words, LOCK, 0);
    }
  }
}
