/**
 * Whether a message from a sandboxed worker has the shape of the protocol (`WorkerMessage`).
 * Task code there has no `postMessage`, but it shares the worker with the pool's code: the
 * page acts only on messages that code could have sent. A well-formed message about a task of that worker can still lie about
 * that task (its own result, output or end): it cannot reach another worker's tasks, since
 * the pool looks every `seq` up among the tasks it handed to the worker that sent it.
 *
 * @internal
 */
import type { WorkerMessage } from '../shared/protocol.js';

type Loose = Record<string, unknown>;

const isObject = (value: unknown): value is Loose => typeof value === 'object' && value !== null;
const isSeq = (value: unknown): value is number => Number.isInteger(value) && (value as number) >= 0;

function isOutput(ev: unknown): boolean {
  if (!isObject(ev)) return false;
  if (ev.type === 'stdout' || ev.type === 'stderr') return typeof ev.text === 'string';
  if (ev.type === 'progress') return typeof ev.fraction === 'number' && (ev.message === undefined || typeof ev.message === 'string');
  return ev.type === 'data';
}

function isOutcome(outcome: unknown): boolean {
  if (!isObject(outcome) || !isSeq(outcome.seq)) return false;
  if ('skipped' in outcome) return outcome.skipped === true;
  if ('error' in outcome) {
    const error = outcome.error;
    return (
      isObject(error) &&
      (error.kind === 'python' || error.kind === 'conversion' || error.kind === 'script') &&
      typeof error.pythonType === 'string' &&
      typeof error.message === 'string' &&
      typeof error.traceback === 'string'
    );
  }
  return 'value' in outcome;
}

export function isWorkerMessage(message: unknown): message is WorkerMessage {
  if (!isObject(message)) return false;
  switch (message.t) {
    case 'locked':
      return true;
    case 'closing':
      return message.reason === undefined || (typeof message.reason === 'string' && message.reason.length <= 2_000);
    case 'start':
    case 'awaiting':
    case 'yielding':
      return isSeq(message.seq);
    case 'out':
      return isSeq(message.seq) && isOutput(message.ev);
    case 'ask':
      if (!isSeq(message.seq) || !isSeq(message.id)) return false;
      if (message.kind === 'more') return true;
      return (message.kind === 'input' || message.kind === 'message') && typeof message.prompt === 'string' && typeof message.blocking === 'boolean' && isSeq(message.taken);
    case 'results':
      return Array.isArray(message.list) && message.list.every(isOutcome) && typeof message.heap === 'number' && typeof message.busyMs === 'number';
    default:
      return false;
  }
}
