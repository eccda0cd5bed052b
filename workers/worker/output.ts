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
import type { OutputEvent } from '../shared/protocol.js';
import { later, now } from '../shared/primordials.js';
import { postToPool } from './endpoint.js';

/** Writes in a row, each within {@link QUIET_MS} of the last, that make a burst. */
const BURST_WRITES = 64;
/** A pause this long between writes ends a burst. */
const QUIET_MS = 8;
/** In a burst, gathered output goes at least this often (one frame). */
const HOLD_MS = 16;
/** Gathered output goes once it is this long, whatever the time. */
const HOLD_CHARS = 1 << 20;

/** The task now running, or -1: output outside a task goes to the console. */
let currentSeq = -1;
let burst = 0;
let lastWrite = -Infinity;
let lastSent = -Infinity;
/** Output gathered in a burst, not sent yet: one stream of one task. */
let held: { seq: number; type: 'stdout' | 'stderr'; text: string } | undefined;

/** Which task's output this is from now on (-1: none). What the last one left goes first. */
export function outputOf(seq: number): void {
  if (seq !== currentSeq) sendHeld();
  currentSeq = seq;
}

/** Send what a burst gathered, now. */
export function sendHeld(): void {
  if (!held) return;
  const { seq, type, text } = held;
  held = undefined;
  lastSent = now();
  postToPool({ t: 'out', seq, ev: { type, text } });
}

/** At a moment Python can spare (an interrupt check): send what has waited a frame. */
export function sendHeldIfDue(): void {
  if (held && now() - lastSent >= HOLD_MS) sendHeld();
}

/** A progress report or data from the running task: after what it printed. */
export function emitOutput(ev: OutputEvent): void {
  if (currentSeq < 0) return;
  sendHeld();
  postToPool({ t: 'out', seq: currentSeq, ev });
}

/** Text written to stdout or stderr: the running task's (true), or none's (false). */
export function emitText(type: 'stdout' | 'stderr', text: string): boolean {
  if (currentSeq < 0) return false;
  const t = now();
  burst = t - lastWrite < QUIET_MS ? burst + 1 : 0;
  lastWrite = t;
  if (held && held.type !== type) sendHeld();
  if (!held && burst < BURST_WRITES) {
    lastSent = t;
    postToPool({ t: 'out', seq: currentSeq, ev: { type, text } });
    return true;
  }
  if (held) held.text += text;
  else {
    held = { seq: currentSeq, type, text };
    // Runs as soon as the worker's event loop is free (the task awaits, a generator
    // takes its turn, the task ends): nothing gathered waits for the next write.
    later(sendHeldIfDue, HOLD_MS);
  }
  if (t - lastSent >= HOLD_MS || held.text.length >= HOLD_CHARS) sendHeld();
  return true;
}
