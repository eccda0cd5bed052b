/**
 * Worker side: what the running task prints and reports reaches the page, in order.
 *
 * Each write goes at once, in its own message, as long as writes come at a human pace.
 * A flood (a loop printing thousands of lines) would otherwise send one message per
 * line: 200,000 messages kept the page's main thread busy for hundreds of ms at a time,
 * however little each cost. So once writes come in a burst, they are gathered and sent
 * at most every {@link HOLD_MS}; what is gathered goes before anything else the task
 * sends (progress, data, its result), before it blocks (sleep, `input()`, `receive()`),
 * when another task takes over, whenever the worker's event loop is free, and, on isolated
 * pages, at Pyodide's interrupt checks while Python computes. The burst ends at the first
 * pause in the writes. (On a plain page, the last lines of a burst followed by a long
 * computation with no output wait for the next write, or the end of the task.)
 *
 * @internal
 */
import type { OutputEvent, WorkerMessage } from '../shared/protocol.js';
import { later, now } from '../shared/primordials.js';
import type { Running } from './running.js';

/** Writes in a row, each within {@link QUIET_MS} of the last, that make a burst. */
const BURST_WRITES = 64;
/** A pause this long between writes ends a burst. */
const QUIET_MS = 8;
/** In a burst, gathered output goes at least this often (one frame). */
const HOLD_MS = 16;
/** Gathered output goes once it is this long, whatever the time. */
const HOLD_CHARS = 1 << 20;

export class Output {
  readonly #running: Running;
  readonly #post: (message: WorkerMessage) => void;
  #burst = 0;
  #lastWrite = -Infinity;
  #lastSent = -Infinity;
  /** Output gathered in a burst, not sent yet: one stream of one task. */
  #held: { seq: number; type: 'stdout' | 'stderr'; text: string } | undefined;

  /** Output goes to the task `running` says runs now; outside a task, to the console. */
  constructor(running: Running, post: (message: WorkerMessage) => void) {
    this.#running = running;
    this.#post = post;
    // What a task left goes before anything of the next (or of the task it preempted).
    running.onSwitch(() => this.sendHeld());
  }

  /** Send what a burst gathered, now. */
  sendHeld(): void {
    const held = this.#held;
    if (!held) return;
    this.#held = undefined;
    this.#lastSent = now();
    this.#post({ t: 'out', seq: held.seq, ev: { type: held.type, text: held.text } });
  }

  /** At a moment Python can spare (an interrupt check): send what has waited a frame. */
  readonly sendHeldIfDue = (): void => {
    if (this.#held && now() - this.#lastSent >= HOLD_MS) this.sendHeld();
  };

  /** A progress report or data from the running task: after what it printed. */
  emit(ev: OutputEvent): void {
    const seq = this.#running.seq;
    if (seq < 0) return;
    this.sendHeld();
    this.#post({ t: 'out', seq, ev });
  }

  /** Text written to stdout or stderr: the running task's (true), or none's (false). */
  emitText(type: 'stdout' | 'stderr', text: string): boolean {
    const seq = this.#running.seq;
    if (seq < 0) return false;
    const t = now();
    this.#burst = t - this.#lastWrite < QUIET_MS ? this.#burst + 1 : 0;
    this.#lastWrite = t;
    let held = this.#held;
    if (held && held.type !== type) {
      this.sendHeld();
      held = undefined;
    }
    if (!held && this.#burst < BURST_WRITES) {
      this.#lastSent = t;
      this.#post({ t: 'out', seq, ev: { type, text } });
      return true;
    }
    if (held) held.text += text;
    else {
      held = this.#held = { seq, type, text };
      // Runs as soon as the worker's event loop is free (the task awaits, a generator
      // takes its turn, the task ends): nothing gathered waits for the next write.
      later(this.sendHeldIfDue, HOLD_MS);
    }
    if (t - this.#lastSent >= HOLD_MS || held.text.length >= HOLD_CHARS) this.sendHeld();
    return true;
  }
}
