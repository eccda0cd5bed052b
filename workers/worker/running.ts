/**
 * Which task runs in this worker now: the one answer to that question, preemption
 * included. Tasks nest only through preemption (a generator task at a yield steps aside
 * for more urgent tasks), so the running tasks form a stack whose top is the one that
 * runs; the run loop pushes and pops it, and everything else asks (output routing, the
 * runtime's waits, the control block the pool reads).
 *
 * It also holds the worker's side of the {@link ControlBlock} (on isolated pages): the
 * block's "running" word is the pool's view of this same answer, so it changes here only.
 *
 * @internal
 */
import { ControlBlock } from '../shared/control-block.js';
import type { TaskOrder } from '../shared/protocol.js';

export class Running {
  /** Tasks begun and not ended, oldest first: the last runs, the others wait at a yield. */
  readonly #stack: TaskOrder[] = [];
  #control: ControlBlock | undefined;
  readonly #switched: (() => void)[] = [];

  /** The worker's control block, once the boot brought its memory (isolated pages only). */
  get control(): ControlBlock | undefined {
    return this.#control;
  }

  /** At boot: the control block's memory, when the page is isolated. */
  attach(buffer: SharedArrayBuffer | undefined): ControlBlock | undefined {
    this.#control = buffer ? new ControlBlock(buffer) : undefined;
    return this.#control;
  }

  /** The task running now, or undefined. */
  get current(): TaskOrder | undefined {
    return this.#stack[this.#stack.length - 1];
  }

  /** The running task's seq, or -1. */
  get seq(): number {
    return this.current?.seq ?? -1;
  }

  /** How many tasks have begun and not ended (more than one: some were preempted). */
  get depth(): number {
    return this.#stack.length;
  }

  /** Call `listener` whenever the running task changes (one begins, ends, or resumes). */
  onSwitch(listener: () => void): void {
    this.#switched.push(listener);
  }

  /**
   * Task `order` begins, on top of any it preempts. False when the pool skipped it
   * (stopped before it began): then nothing changed.
   */
  begin(order: TaskOrder): boolean {
    if (this.#control && !this.#control.begin(order.seq)) return false;
    this.#stack.push(order);
    this.#emit();
    return true;
  }

  /**
   * The running task ended. The pool hears that no task runs until the one it preempted
   * (if any) steps again with {@link resume}: a stop meant for that one goes as a message
   * to its yield meanwhile, never as an interrupt into the urgent tasks run before it.
   */
  end(): void {
    this.#stack.pop();
    this.#control?.end();
    this.#emit();
  }

  /** The preempted task below steps again, after the urgent tasks ran at its yield. */
  resume(): void {
    const order = this.current;
    if (!order) return;
    this.#control?.resume(order.seq);
    this.#emit();
  }

  #emit(): void {
    for (const listener of this.#switched) listener();
  }
}
