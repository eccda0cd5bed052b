/**
 * A task's details as bounded text, for an inspector: its code, its inputs summarised, what
 * it printed, its progress, and its result or error. Text only, so a view can never render a
 * result as markup, and short, so keeping the last few hundred costs little whatever the
 * tasks returned.
 *
 * @internal
 */
import { PythonError } from './errors.js';
import type { TaskRecord } from './task.js';
import type { TaskTiming } from './recent-log.js';

const CODE_LIMIT = 4_000;
const STDOUT_LIMIT = 4_000;
const VALUE_LIMIT = 1_000;
const TRACEBACK_LIMIT = 6_000;

/** A task's details, as text (see `pool.state.recent.value.details(id)`). */
export interface TaskDetails {
  readonly timing: TaskTiming;
  /** Its code (a module pool's call: the export's name), up to 4,000 characters. */
  readonly code: string;
  /** Its inputs (or a call's arguments, or a map chunk's items) summarised: names, types, sizes. */
  readonly inputs: string;
  /** The end of what it printed, up to 4,000 characters. */
  readonly stdout: string;
  readonly progress: { fraction: number; message: string | undefined } | undefined;
  /** Its result, summarised (done tasks only). */
  readonly result?: string;
  /** Its error (ended tasks other than done): class, message and, for Python, the traceback. */
  readonly error?: { name: string; message: string; traceback?: string };
}

/** The details of `record`, with its `value` or `error` once settled. */
export function taskDetails(record: TaskRecord, timing: TaskTiming, outcome: { value?: unknown; error?: unknown }): TaskDetails {
  const progress = record.progress.peek();
  const stdout = record.stdout.peek();
  const details: TaskDetails = {
    timing: { ...timing },
    code: clip(record.code, CODE_LIMIT),
    inputs: record.chunk
      ? `${record.chunk.items.length} items: ${summarise(record.chunk.items, VALUE_LIMIT)}`
      : record.args
        ? summarise(record.args, VALUE_LIMIT)
        : record.inputs
          ? summarise(record.inputs, VALUE_LIMIT)
          : '',
    stdout: stdout.length > STDOUT_LIMIT ? `…${stdout.slice(-STDOUT_LIMIT)}` : stdout,
    progress: progress && { fraction: progress.fraction, message: progress.message },
  };
  if (timing.outcome === 'done') return { ...details, result: summarise(outcome.value, VALUE_LIMIT) };
  if (timing.outcome === undefined) return details;
  const error = outcome.error;
  if (error instanceof PythonError) return { ...details, error: { name: error.pythonType, message: error.message, traceback: clip(error.traceback, TRACEBACK_LIMIT) } };
  if (error instanceof Error) return { ...details, error: { name: error.name, message: clip(error.message, VALUE_LIMIT) } };
  return { ...details, error: { name: 'Error', message: summarise(error, VALUE_LIMIT) } };
}

function clip(text: string, limit: number): string {
  return text.length > limit ? `${text.slice(0, limit - 1)}…` : text;
}

/**
 * A short, one-line account of any value: numbers and short strings as they are; big
 * arrays, buffers, maps and objects by their type and size, with their first entries.
 *
 * @example
 * summarise({ data: new Uint8Array(1 << 20), n: 3 }, 200); // '{ data: Uint8Array(1048576), n: 3 }'
 */
export function summarise(value: unknown, limit: number): string {
  return clip(describe(value, 2), limit);
}

function describe(value: unknown, depth: number): string {
  if (value === null || value === undefined || typeof value === 'boolean' || typeof value === 'number') return String(value);
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'string') return JSON.stringify(value.length > 200 ? `${value.slice(0, 199)}…` : value);
  if (typeof value === 'function') return `function ${value.name || '(anonymous)'}`;
  if (typeof value !== 'object') return typeof value;
  try {
    if (ArrayBuffer.isView(value)) return `${value.constructor.name}(${'length' in value ? String(value.length) : `${value.byteLength} bytes`})`;
    if (value instanceof ArrayBuffer) return `ArrayBuffer(${value.byteLength} bytes)`;
    if (value instanceof Blob) return `${value instanceof File ? `File ${JSON.stringify(value.name)}` : 'Blob'} (${value.size} bytes)`;
    if (value instanceof Error) return `${value.name}: ${value.message}`;
    if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString();
    if (Array.isArray(value))
      return depth === 0
        ? `Array(${value.length})`
        : list(
            '[',
            value.slice(0, 8).map((v) => describe(v, depth - 1)),
            value.length - 8,
            ']',
          );
    if (value instanceof Map)
      return depth === 0
        ? `Map(${value.size})`
        : list(
            `Map(${value.size}) {`,
            [...value].slice(0, 8).map(([k, v]) => `${describe(k, 0)} => ${describe(v, depth - 1)}`),
            value.size - 8,
            '}',
          );
    if (value instanceof Set)
      return depth === 0
        ? `Set(${value.size})`
        : list(
            `Set(${value.size}) {`,
            [...value].slice(0, 8).map((v) => describe(v, depth - 1)),
            value.size - 8,
            '}',
          );
    const keys = Object.keys(value);
    if (depth === 0) return `{…${keys.length} keys}`;
    return list(
      '{',
      keys.slice(0, 8).map((k) => `${k}: ${describe((value as Record<string, unknown>)[k], depth - 1)}`),
      keys.length - 8,
      '}',
    );
  } catch {
    // A hostile getter or proxy: say what it is rather than fail the inspector.
    return 'object';
  }
}

function list(open: string, items: string[], more: number, close: string): string {
  const tail = more > 0 ? `, …${more} more` : '';
  return `${open} ${items.join(', ')}${tail} ${close}`.replace('  ', ' ');
}
