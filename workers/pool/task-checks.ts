/**
 * The checks every way of submitting work shares (`submit`, `run`, `map`): one place that
 * turns what a caller passed into what a task record is made from, or throws the
 * `TypeError` / `RangeError` that names the method and the option.
 *
 * @internal
 */
import type { OutputEvent } from '../shared/protocol.js';
import { checkTransfer } from '../shared/transfer.js';
import { duration } from './options.js';
import type { TaskOptions } from './task.js';

/** A task's options once checked, defaults applied (`transfer` checked, not yet moved). */
export interface CheckedTaskOptions {
  inputs: Record<string, unknown> | undefined;
  priority: number;
  /** Ms it may run; the pool's `timeout` unless given. */
  timeout: number | undefined;
  onOutput: ((event: OutputEvent) => void) | undefined;
  stdin: string | undefined;
  onInput: TaskOptions['onInput'];
  signal: AbortSignal | undefined;
  /** The buffers to move, checked (undefined: nothing to move). */
  transfer: ArrayBuffer[] | undefined;
}

/** Checks a `signal` option: an `AbortSignal` (or left out). */
export function checkSignal(where: string, signal: unknown): AbortSignal | undefined {
  if (signal === undefined) return undefined;
  const like = signal as AbortSignal | null;
  if (typeof like !== 'object' || like === null || typeof like.aborted !== 'boolean' || typeof like.addEventListener !== 'function') {
    throw new TypeError(`${where}: signal must be an AbortSignal (from an AbortController)`);
  }
  return like;
}

/**
 * Check `options` for the method `where` (e.g. `'PyodidePool.submit'`), with the pool's
 * `defaultTimeout`. `inputsAre` says what inputs become, for the error message.
 *
 * @example
 * checkTaskOptions('PyodidePool.submit', { priority: 'high' }, undefined); // throws TypeError: PyodidePool.submit: priority must be a number
 */
export function checkTaskOptions(where: string, options: TaskOptions, defaultTimeout: number | undefined, inputsAre = 'Python globals'): CheckedTaskOptions {
  if (options === null || typeof options !== 'object') throw new TypeError(`${where}: options must be an object`);
  const { priority = 0, onOutput, stdin, onInput, inputs } = options;
  const signal = checkSignal(where, options.signal);
  if (inputs !== undefined && inputs !== null && (typeof inputs !== 'object' || Array.isArray(inputs))) {
    throw new TypeError(`${where}: inputs must be an object whose keys become ${inputsAre}`);
  }
  if (typeof priority !== 'number' || Number.isNaN(priority)) throw new TypeError(`${where}: priority must be a number`);
  if (onOutput !== undefined && typeof onOutput !== 'function') throw new TypeError(`${where}: onOutput must be a function`);
  if (onInput !== undefined && typeof onInput !== 'function') throw new TypeError(`${where}: onInput must be a function`);
  if (stdin !== undefined && typeof stdin !== 'string') throw new TypeError(`${where}: stdin must be a string (lines for input())`);
  return {
    inputs: inputs ?? undefined,
    priority,
    timeout: options.timeout === undefined ? defaultTimeout : duration('timeout', options.timeout),
    onOutput,
    stdin,
    onInput,
    signal,
    transfer: options.transfer === undefined ? undefined : checkTransfer(where, options.transfer),
  };
}
