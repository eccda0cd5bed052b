/**
 * The hooks the runtime's Python calls into the worker (`install_hooks` in waits.py), as
 * one typed record: what a wait ends with is named here once and handed to Python with
 * the hooks (`ends`), which reads it by name.
 *
 * @internal
 */
import type { PyProxy } from 'pyodide/ffi';

/** How a wait ends without an answer (compared by value in Python: keep them distinct). */
export const WAIT_ENDS = { eof: 0, no_source: 1, interrupted: 2, timed_out: 3, cannot_block: 4 } as const;
export type WaitEnd = (typeof WAIT_ENDS)[keyof typeof WAIT_ENDS];

/** What `read_line` gives when there is no line: how the input ended, and the caller's note why. */
export interface NoLine {
  end: WaitEnd;
  note: string;
}

export interface RuntimeHooks {
  ends: typeof WAIT_ENDS;
  /** Blocking waits work (the page is cross-origin isolated): `time.sleep` is replaced. */
  can_block: boolean;
  /** A line for `input()`, or how the input ended: `eof`, `no_source` or `interrupted`. */
  read_line(prompt: string): string | NoLine;
  /** 0 once slept, or `interrupted`. */
  sleep(ms: number): 0 | WaitEnd;
  /** The message (as `{"v": data}`), or why none came: `interrupted`, `timed_out` or `cannot_block`. */
  receive(timeoutMs: number): PyProxy | WaitEnd;
  /** A promise of the next message (as `{"v": data}`), and the token that abandons it. */
  receive_async(): { token: number; promise: Promise<PyProxy> };
  receive_abandoned(token: number): void;
  progress(fraction: number, message: string | undefined): void;
  /** Sends data to the caller; says why not when it cannot be sent. */
  emit(data: unknown): string | undefined;
}
