// A task's phase and its one transition function: pure, no pool.
import { expect } from 'chai';
import { nextPhase, QUEUED, type PhaseEvent, type TaskPhase } from '../../workers/pool/task-phase.js';

const run = (events: PhaseEvent<string>[], from: TaskPhase<string> = QUEUED): TaskPhase<string> => events.reduce(nextPhase, from);
const send: PhaseEvent<string> = { type: 'send', worker: 'w1', seq: 3, urgent: false };

describe('task phase', () => {
  it('goes from queued to handed (with its worker and seq) to settled', () => {
    expect(run([send])).to.deep.equal({ name: 'handed', worker: 'w1', seq: 3, urgent: false, runs: 'code', stop: undefined });
    expect(run([send, { type: 'settle' }])).to.deep.equal({ name: 'settled' });
    // A task settled while waiting (cancelled, or the pool ended) never reaches a worker.
    expect(run([{ type: 'settle' }])).to.deep.equal({ name: 'settled' });
  });

  it('records how a handed task runs: awaiting, then a generator at its yields', () => {
    expect(run([send, { type: 'awaits' }])).to.include({ runs: 'awaiting' });
    expect(run([send, { type: 'yields' }])).to.include({ runs: 'yielding' });
    // A generator that awaits between yields is still one that yields.
    expect(run([send, { type: 'yields' }, { type: 'awaits' }])).to.include({ runs: 'yielding' });
  });

  it('keeps the first stop request: a timeout after a cancel does not replace it', () => {
    const cancelled = run([send, { type: 'stop', request: { kind: 'cancel', reason: 'r' } }, { type: 'stop', request: { kind: 'timeout', timeout: 5 } }]);
    expect(cancelled).to.include({ name: 'handed' });
    expect((cancelled as { stop: unknown }).stop).to.deep.equal({ kind: 'cancel', reason: 'r' });
  });

  it('forgets the worker, the stop and how it ran when a task goes back to the queue', () => {
    expect(run([send, { type: 'awaits' }, { type: 'requeue' }])).to.deep.equal({ name: 'queued' });
    expect(run([send, { type: 'requeue' }, { ...send, worker: 'w2', seq: 1, urgent: true }])).to.deep.equal({
      name: 'handed',
      worker: 'w2',
      seq: 1,
      urgent: true,
      runs: 'code',
      stop: undefined,
    });
  });

  it('ignores what does not apply: events for a settled task, stops and messages for a waiting one', () => {
    const settled = run([send, { type: 'settle' }]);
    for (const event of [send, { type: 'awaits' }, { type: 'requeue' }, { type: 'stop', request: { kind: 'cancel', reason: 1 } }] as PhaseEvent<string>[]) {
      expect(nextPhase(settled, event)).to.equal(settled);
    }
    for (const event of [{ type: 'awaits' }, { type: 'yields' }, { type: 'requeue' }, { type: 'stop', request: { kind: 'timeout', timeout: 1 } }] as PhaseEvent<string>[]) {
      expect(nextPhase(QUEUED, event)).to.equal(QUEUED);
    }
    // Sent twice: it stays with the first worker.
    const handed = run([send]);
    expect(nextPhase(handed, { ...send, worker: 'w2' })).to.equal(handed);
  });
});
