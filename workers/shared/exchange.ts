/**
 * Answers a blocked worker waits for: the line `input()` asked for, the message
 * `receive()` asked for. The worker cannot read its message queue while Python runs, so
 * the pool writes the answer into the shared memory of the worker's `ControlBlock` and
 * wakes it.
 *
 * One question at a time, each with an id. The state word says where it is:
 * `id` (> 0) asked and waiting · {@link WRITING} the pool is writing the answer ·
 * {@link ANSWERED} ready to read · 0 nothing asked. The worker may give up (timeout,
 * interrupt) only while the state is still its id, and the pool may answer only then,
 * so an answer is either read or never written: none is lost or read twice.
 *
 * An answer longer than the shared bytes travels in rounds: the worker reads one part and
 * asks for the next with a fresh id.
 *
 * @internal
 */
import { EXCHANGE_BYTES, EXCHANGE_START, INTERRUPT } from './control-block.js';
import { atomics, copyInto, newBytes, now, sliceOf, subarrayOf, uint8View, utf8 } from './primordials.js';

// Captured built-ins (see `shared/primordials.ts`): task code shares the worker's globals.
const { load, store, compareExchange, wait, notify } = atomics;

const STATE = EXCHANGE_START;
/** Length of the whole answer in bytes; -1: no answer (end of input). */
const TOTAL = EXCHANGE_START + 1;
/** Bytes of the answer in this round. */
const PART = EXCHANGE_START + 2;
const WRITING = -1;
const ANSWERED = -2;
const WAKE_SLICE_MS = 50;

/** How a wait ended when no answer came. */
export type NoAnswer = 'timeout' | 'interrupted';

export class Exchange {
  readonly #words: Int32Array;
  readonly #bytes: Uint8Array;
  #lastId = 0;
  /** Pool side: the rest of an answer that did not fit, for the worker's next round. */
  #rest: Uint8Array | undefined;

  constructor(words: Int32Array) {
    this.#words = words;
    this.#bytes = uint8View(words.buffer, words.byteOffset + words.byteLength, EXCHANGE_BYTES);
  }

  // ---- worker side ---------------------------------------------------------------

  /**
   * Ask, then block until the pool answers, `timeoutMs` passes or the task is
   * interrupted. `ask(id)` tells the pool (a posted message). Returns the answer's bytes,
   * `{ end }` when the pool says there is none (`end`: why, maybe empty), or why it gave up.
   */
  request(ask: (id: number, more: boolean) => void, timeoutMs = Infinity): Uint8Array | { end: string } | NoAnswer {
    const words = this.#words;
    const deadline = now() + timeoutMs;
    let id = this.#open();
    ask(id, false);
    let answer: Uint8Array | undefined;
    let filled = 0;
    for (;;) {
      const state = load(words, STATE);
      if (state === ANSWERED) {
        const total = words[TOTAL]!;
        if (total < 0) return this.#close({ end: utf8(sliceOf(this.#bytes, 0, words[PART]!)) });
        answer ??= newBytes(total);
        const part = words[PART]!;
        copyInto(answer, subarrayOf(this.#bytes, 0, part), filled);
        filled += part;
        if (filled >= total) return this.#close(answer);
        id = this.#open();
        ask(id, true);
        continue;
      }
      if (state === id) {
        if (load(words, INTERRUPT) !== 0 && this.#cancel(id)) return 'interrupted';
        const left = deadline - now();
        // A timeout ends the wait only before the answer's first part.
        if (answer === undefined && left <= 0 && this.#cancel(id)) return 'timeout';
        // Woken by the answer or by an interrupt (ControlBlock.stop notifies this word).
        // The slice bounds the cost of an interrupt that lands between check and wait.
        wait(words, STATE, id, Math.max(0, Math.min(answer === undefined ? left : Infinity, WAKE_SLICE_MS)));
      } else {
        // WRITING: the pool is copying the answer in, a matter of microseconds.
        wait(words, STATE, state, 1);
      }
    }
  }

  #open(): number {
    this.#lastId = this.#lastId >= 0x3fffffff ? 1 : this.#lastId + 1;
    store(this.#words, STATE, this.#lastId);
    return this.#lastId;
  }

  #cancel(id: number): boolean {
    return compareExchange(this.#words, STATE, id, 0) === id;
  }

  #close<T>(value: T): T {
    store(this.#words, STATE, 0);
    return value;
  }

  // ---- pool side -----------------------------------------------------------------

  /**
   * Answer question `id` with `bytes`, or with `{ end }`: there is none (end of input),
   * `end` saying why in a few words. False when the worker no longer waits for it (it
   * timed out, was interrupted, or moved on).
   */
  answer(id: number, bytes: Uint8Array | { end: string }): boolean {
    if (compareExchange(this.#words, STATE, id, WRITING) !== id) return false;
    if (bytes instanceof Uint8Array) {
      this.#rest = bytes;
      this.#write(bytes.length);
    } else {
      this.#rest = new TextEncoder().encode(bytes.end.slice(0, 1000));
      this.#write(-1);
    }
    return true;
  }

  /** The worker asks for the next part of the answer it is reading. */
  more(id: number): void {
    if (compareExchange(this.#words, STATE, id, WRITING) !== id) return;
    this.#write(this.#words[TOTAL]!);
  }

  #write(total: number): void {
    const words = this.#words;
    const rest = this.#rest ?? new Uint8Array(0);
    const part = Math.min(rest.length, EXCHANGE_BYTES);
    this.#bytes.set(rest.subarray(0, part));
    this.#rest = part < rest.length ? rest.subarray(part) : undefined;
    words[TOTAL] = total;
    words[PART] = part;
    store(words, STATE, ANSWERED);
    notify(words, STATE);
  }
}
