/**
 * What a running task waits for, on the worker side: lines for `input()`, the end of a
 * `time.sleep`, messages for `receive()` / `receive_async()`, and the end of an awaiting
 * task's coroutine, which a stop message cancels.
 *
 * Blocking waits (input answered by the caller, sleep, `receive()`) need the shared
 * memory of an isolated page: the worker cannot read messages while Python runs, so it
 * blocks on its `ControlBlock` and the pool answers through the {@link Exchange}. An
 * interrupt wakes it at once, which is what makes `time.sleep` cancellable.
 *
 * @internal
 */
import type { PyodideAPI } from 'pyodide';
import type { PyProxy } from 'pyodide/ffi';
import { INTERRUPT, type ControlBlock } from '../shared/control-block.js';
import { inputsToPython, type PythonMakers } from './convert.js';
import { Exchange } from '../shared/exchange.js';
import { atomics, now } from '../shared/primordials.js';
import type { Running } from './running.js';
import type { TaskMessage, TaskOrder, WorkerMessage } from '../shared/protocol.js';
import { WAIT_ENDS, type NoLine, type RuntimeHooks, type WaitEnd } from '../python/hooks.js';

const { eof: EOF, no_source: NO_SOURCE, interrupted: INTERRUPTED, timed_out: TIMED_OUT, cannot_block: CANNOT_BLOCK } = WAIT_ENDS;

/** What one task waits with. */
interface TaskWaits {
  seq: number;
  /** Lines of `stdin` not read yet; undefined when the task got none. */
  lines: string[] | undefined;
  interactive: boolean;
  /** Messages that arrived with no receive waiting for them, in order. */
  mailbox: unknown[];
  /**
   * How many messages the task has taken, by any path. Every ask says it, so the pool
   * re-sends through the exchange a message still in flight as a `msg` that a blocked
   * `receive()` cannot read; the late `msg` is then recognised by its number and dropped.
   */
  taken: number;
  /** Number of the next `msg` expected (all before it arrived or were taken). */
  arrived: number;
  /** `receive_async()` calls waiting, by token, oldest first. */
  waiters: Map<number, (message: PyProxy) => void>;
  /** The asyncio task of code that awaits, while it runs. */
  future: (PyProxy & { cancel(): void }) | undefined;
  /** Converted messages, destroyed when the task ends (Python holds its own references). */
  held: PyProxy[];
}

interface Env {
  pyodide: PyodideAPI;
  control: ControlBlock | undefined;
  make: PythonMakers;
  post(message: WorkerMessage): void;
  /** Sends what the running task printed and the worker still holds. */
  sendHeld(): void;
}

const decoder = new TextDecoder();

/** Split stdin text into the lines `input()` returns (no line ends). */
function splitLines(text: string): string[] {
  const lines = text.split(/\r?\n/);
  if (lines.at(-1) === '') lines.pop();
  return lines;
}

/**
 * The waits of the tasks in this worker: one record per task begun (several while a
 * generator is preempted), kept by seq; the one the hooks act on is the task that
 * `running` says runs now.
 */
export class Waits {
  readonly #env: Env;
  readonly #running: Running;
  readonly #exchange: Exchange | undefined;
  readonly #tasks = new Map<number, TaskWaits>();
  #nextToken = 1;

  /** Once per worker, after the interpreter is up. */
  constructor(env: Env, running: Running) {
    this.#env = env;
    this.#running = running;
    this.#exchange = env.control ? new Exchange(env.control.words) : undefined;
  }

  /** The waits of the task running now. */
  get #current(): TaskWaits | undefined {
    return this.#tasks.get(this.#running.seq);
  }

  /** The Python value of a message, converted as task inputs are. */
  #toPython(data: unknown): PyProxy {
    const proxy = inputsToPython(this.#env.pyodide, { v: data }, this.#env.make);
    this.#current?.held.push(proxy);
    return proxy;
  }

  #consumeInterrupt(): WaitEnd {
    // The interrupt is raised by the Python side as KeyboardInterrupt; clear it here so
    // Pyodide does not raise a second one at the next poll.
    if (this.#env.control) atomics.store(this.#env.control.words, INTERRUPT, 0);
    return INTERRUPTED;
  }

  /** Block for the pool's answer to a question about the running task. */
  #ask(task: TaskWaits, kind: 'input' | 'message', prompt: string, timeoutMs: number): Uint8Array | { end: string } | WaitEnd {
    // What it printed before asking (a prompt's context) is shown while it waits.
    this.#env.sendHeld();
    const got = this.#exchange!.request(
      (id, more) => this.#env.post(more ? { t: 'ask', seq: task.seq, id, kind: 'more' } : { t: 'ask', seq: task.seq, id, kind, prompt, blocking: true, taken: task.taken }),
      timeoutMs,
    );
    if (got === 'interrupted') return this.#consumeInterrupt();
    if (got === 'timeout') return TIMED_OUT;
    return got;
  }

  /** Take the oldest message of the mailbox. */
  #fromMailbox(task: TaskWaits): PyProxy {
    task.taken++;
    return this.#toPython(task.mailbox.shift());
  }

  /** Whether tasks can block (an isolated page): `time.sleep` is replaced only then. */
  get canBlock(): boolean {
    return this.#exchange !== undefined;
  }

  /** The hooks `python/waits.py` calls (with `can_block`); installed once per interpreter. */
  readonly hooks = {
    ends: WAIT_ENDS,
    /** A line, or how the input ended: EOF (note: why, from the caller), NO_SOURCE or INTERRUPTED. */
    read_line: (prompt: string): string | NoLine => {
      const task = this.#current;
      if (!task) return { end: NO_SOURCE, note: '' };
      if (task.lines) return task.lines.length > 0 ? task.lines.shift()! : { end: EOF, note: '' };
      if (!task.interactive || !this.#exchange) return { end: NO_SOURCE, note: '' };
      const got = this.#ask(task, 'input', prompt, Infinity);
      if (typeof got === 'number') return { end: got, note: '' };
      return got instanceof Uint8Array ? decoder.decode(got) : { end: EOF, note: got.end };
    },
    /** 0 once slept, or INTERRUPTED. */
    sleep: (ms: number): 0 | WaitEnd => {
      this.#env.sendHeld();
      const words = this.#env.control!.words;
      const deadline = now() + ms;
      for (let left = ms; left > 0; left = deadline - now()) {
        // Returns early when an interrupt is stored (ControlBlock.stop notifies this word).
        if (atomics.wait(words, INTERRUPT, 0, left) === 'not-equal') return this.#consumeInterrupt();
      }
      return atomics.load(words, INTERRUPT) !== 0 ? this.#consumeInterrupt() : 0;
    },
    /** The message (as `{"v": data}`), or why none: INTERRUPTED, TIMED_OUT or CANNOT_BLOCK. */
    receive: (timeoutMs: number): PyProxy | WaitEnd => {
      const task = this.#current;
      if (!task) return CANNOT_BLOCK;
      if (task.mailbox.length > 0) return this.#fromMailbox(task);
      if (!this.#exchange) return CANNOT_BLOCK;
      const got = this.#ask(task, 'message', '', timeoutMs < 0 ? Infinity : timeoutMs);
      if (typeof got === 'number') return got;
      if (!(got instanceof Uint8Array)) return CANNOT_BLOCK;
      task.taken++;
      return this.#toPython(JSON.parse(decoder.decode(got)));
    },
    receive_async: (): { token: number; promise: Promise<PyProxy> } => {
      const task = this.#current!;
      const token = this.#nextToken++;
      const promise = new Promise<PyProxy>((resolve) => {
        if (task.mailbox.length > 0) return resolve(this.#fromMailbox(task));
        task.waiters.set(token, resolve);
        this.#env.post({ t: 'ask', seq: task.seq, id: 0, kind: 'message', prompt: '', blocking: false, taken: task.taken });
      });
      return { token, promise };
    },
    receive_abandoned: (token: number): void => {
      this.#current?.waiters.delete(token);
    },
  } satisfies Omit<RuntimeHooks, 'progress' | 'emit' | 'can_block'>;

  /**
   * `sys.stdin` reads (Pyodide's stdin handler): the same lines `input()` gets, with their
   * line ends; undefined is end of input.
   */
  readonly readStdin = (): string | undefined => {
    const line = this.hooks.read_line('');
    if (typeof line === 'string') return line + '\n';
    // Interrupted: raise it again, for Pyodide to deliver once the read has ended.
    if (line.end === INTERRUPTED && this.#env.control) atomics.store(this.#env.control.words, INTERRUPT, 2);
    return undefined;
  };

  /** Task `order` begins: its stdin and whether the caller answers prompts. */
  begin(order: TaskOrder): void {
    this.#tasks.set(order.seq, {
      seq: order.seq,
      lines: order.stdin === undefined ? undefined : splitLines(order.stdin),
      interactive: order.interactive === true,
      mailbox: [],
      taken: 0,
      arrived: 0,
      waiters: new Map(),
      future: undefined,
      held: [],
    });
  }

  /** The running task awaits `future` (its asyncio task); a stop message cancels it. */
  awaitingFuture(future: PyProxy & { cancel(): void }): void {
    const task = this.#current;
    if (!task) return;
    this.#env.sendHeld();
    task.future = future;
    // The pool may now stop it with a message rather than by ending the worker.
    this.#env.post({ t: 'awaiting', seq: task.seq });
  }

  /** Task `seq` ended: drop what it left (messages not received, waiters, proxies). */
  end(seq: number): void {
    const task = this.#tasks.get(seq);
    if (!task) return;
    this.#tasks.delete(seq);
    if (task.future) task.held.push(task.future);
    for (const proxy of task.held) {
      try {
        proxy.destroy();
      } catch {
        // already gone with its task
      }
    }
  }

  /** A message for the running task (`task.send`), or a stop for the one that awaits. */
  deliver(message: TaskMessage): void {
    const task = this.#current;
    if (!task || task.seq !== message.seq) return; // not running (ended, or preempted): dropped
    if (message.t === 'stop') {
      // Throws CancelledError into the coroutine at its await. The interrupt the pool also
      // raised must go first: landing in the event loop's own code between steps, it
      // would swallow the very step that delivers the cancellation. (A task computing
      // when the stop came is stopped by that interrupt, before this message is read.)
      if (!task.future) return;
      this.#consumeInterrupt();
      try {
        task.future.cancel();
      } catch {
        // finished meanwhile
      }
      return;
    }
    // Already taken through the exchange (see `taken`), or a repeat: drop it.
    if (message.n < Math.max(task.arrived, task.taken + task.mailbox.length)) return;
    task.arrived = message.n + 1;
    const [token, resolve] = task.waiters.entries().next().value ?? [];
    if (token === undefined) {
      task.mailbox.push(message.data);
      return;
    }
    task.waiters.delete(token);
    task.taken++;
    resolve!(this.#toPython(message.data));
  }
}
