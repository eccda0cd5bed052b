/**
 * The pool side of what a running task asks for: lines for `input()` from `onInput`,
 * and the messages `task.send()` queued for `receive()` / `receive_async()`. Pull-based:
 * the worker asks, and the answer goes back through the worker's `Exchange` (a blocked
 * worker) or as a `msg` (an awaiting one). Messages wait here until asked for, so ones
 * sent before the task starts wait for it, order is kept, and ones left when the task
 * settles are dropped with it.
 *
 * Messages are numbered. One sent as a `msg` stays here until the worker says (`taken`,
 * in its next ask) that it has it: a `msg` still in flight when the task blocks in
 * `receive()` cannot be read there, so the exchange carries that message again.
 *
 * @internal
 */
import { readable } from '../shared/thrown.js';
import { signal } from '@preact/signals-core';
import type { AskMessage, TaskMessage } from '../shared/protocol.js';
import type { Exchange } from '../shared/exchange.js';

/** What the channel needs of the worker running its task. */
export interface ChannelWorker {
  readonly exchange: Exchange | undefined;
  post(message: TaskMessage): void;
}

const encoder = new TextEncoder();

/**
 * Messages for a blocked `receive()` travel as JSON (the exchange carries bytes, not
 * structured clones): typed arrays become lists of numbers, Maps and Sets lists of entries.
 */
function toJSON(data: unknown): Uint8Array {
  const text = JSON.stringify(data, (_key, value: unknown) => {
    if (ArrayBuffer.isView(value)) return Array.from(value as unknown as ArrayLike<number>);
    if (value instanceof ArrayBuffer) return Array.from(new Uint8Array(value));
    if (value instanceof Map || value instanceof Set) return [...value];
    return value;
  });
  return encoder.encode(text ?? 'null');
}

export class TaskChannel {
  /** The prompt of the `input()` the task waits on, or undefined. */
  readonly awaitingInput = signal<string | undefined>(undefined);
  /** Messages not known to be taken; `#first` is the number of `#messages[0]`. */
  readonly #messages: unknown[] = [];
  #first = 0;
  /** Number of the next message to send as a `msg`. */
  #sent = 0;
  /** `receive_async()` calls waiting for a `msg`. */
  #asyncAsks = 0;
  #blocking: { id: number; taken: number; worker: ChannelWorker } | undefined;
  #worker: ChannelWorker | undefined;
  #seq = 0;
  #closed = false;

  constructor(readonly onInput: ((prompt: string) => string | null | Promise<string | null>) | undefined) {}

  /** Queue a message for the task (a structured clone, taken now: throws if it cannot be). */
  send(data: unknown): void {
    if (this.#closed) return;
    this.#messages.push(structuredClone(data));
    this.#deliver();
  }

  /** The running task, on `worker`, asks for something. */
  ask(message: AskMessage, worker: ChannelWorker): void {
    if (this.#closed) return;
    if (message.kind === 'more') {
      worker.exchange?.more(message.id);
      return;
    }
    if (message.kind === 'input') {
      this.#answerInput(message.id, message.prompt, worker);
      return;
    }
    this.#worker = worker;
    this.#seq = message.seq;
    this.#forget(message.taken);
    this.#sent = Math.max(this.#sent, message.taken);
    if (message.blocking) this.#blocking = { id: message.id, taken: message.taken, worker };
    else this.#asyncAsks++;
    this.#deliver();
  }

  /** The task settled: what is left is dropped, and nothing waits for input any more. */
  close(): void {
    this.#closed = true;
    this.#messages.length = 0;
    this.#blocking = undefined;
    this.awaitingInput.value = undefined;
  }

  /** The worker has the first `taken` messages. */
  #forget(taken: number): void {
    const drop = Math.min(this.#messages.length, taken - this.#first);
    if (drop <= 0) return;
    this.#messages.splice(0, drop);
    this.#first += drop;
  }

  #deliver(): void {
    const end = this.#first + this.#messages.length;
    const blocking = this.#blocking;
    if (blocking && blocking.taken < end) {
      this.#blocking = undefined;
      // False: the worker gave up waiting (timeout, interrupt); the message stays.
      if (blocking.worker.exchange?.answer(blocking.id, toJSON(this.#messages[blocking.taken - this.#first]))) {
        this.#forget(blocking.taken + 1);
        this.#sent = Math.max(this.#sent, blocking.taken + 1);
      }
    }
    while (this.#asyncAsks > 0 && this.#sent < this.#first + this.#messages.length && this.#worker) {
      this.#asyncAsks--;
      const n = this.#sent++;
      this.#worker.post({ t: 'msg', seq: this.#seq, n, data: this.#messages[n - this.#first] });
    }
  }

  #answerInput(id: number, prompt: string, worker: ChannelWorker): void {
    const exchange = worker.exchange;
    if (!exchange) return;
    if (!this.onInput) {
      exchange.answer(id, { end: '' });
      return;
    }
    this.awaitingInput.value = prompt;
    const answered = (reply: Uint8Array | { end: string }) => {
      if (this.#closed) return;
      this.awaitingInput.value = undefined;
      exchange.answer(id, reply);
    };
    const refused = (err: unknown) => answered({ end: `onInput failed: ${readable(err)}` });
    // A listener that throws or rejects ends the input (EOFError in Python), never the pool.
    try {
      Promise.resolve(this.onInput(prompt)).then(
        (text) => answered(text === null || text === undefined ? { end: 'onInput gave no answer' } : encoder.encode(String(text))),
        refused,
      );
    } catch (err) {
      refused(err);
    }
  }
}
