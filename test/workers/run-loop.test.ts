// The worker's run loop on a fake runtime: no Pyodide, no Worker, a clock the test moves.
// Batching of outcomes, preemption at a generator's yield, stops and closing.
import { expect } from 'chai';
import { FLUSH_COUNT, RunLoop } from '../../workers/worker/run-loop.js';
import { Running } from '../../workers/worker/running.js';
import type { Ran, Runtime, Yielded } from '../../workers/worker/runtime.js';
import { ControlBlock } from '../../workers/shared/control-block.js';
import type { TaskMessage, TaskOrder, TaskOutcome, WorkerMessage } from '../../workers/shared/protocol.js';

type Results = Extract<WorkerMessage, { t: 'results' }>;
type Behaviour = (order: TaskOrder, atYield: Yielded) => Ran | Promise<Ran>;

/** A runtime whose tasks answer their code as value, taking `ms[code]` on the test's clock. */
class FakeRuntime implements Runtime {
  /** Each run: its seq, and what the Running said then (the task on top, how deep). */
  readonly runs: { seq: number; current: number; depth: number }[] = [];
  readonly delivered: TaskMessage[] = [];
  readonly behaviours = new Map<string, Behaviour>();
  constructor(
    readonly clock: { t: number },
    readonly running: Running,
    readonly ms: Record<string, number> = {},
  ) {}
  run(order: TaskOrder, atYield: Yielded): Ran | Promise<Ran> {
    this.runs.push({ seq: order.seq, current: this.running.seq, depth: this.running.depth });
    this.clock.t += this.ms[order.code] ?? 0;
    const behaviour = this.behaviours.get(order.code);
    return behaviour ? behaviour(order, atYield) : { outcome: { seq: order.seq, value: order.code } };
  }
  deliver(message: TaskMessage): void {
    this.delivered.push(message);
  }
  heapBytes(): number {
    return 1234;
  }
  // The page's control calls: the loop never makes them.
  prepare(): void {}
  pyodideVersion(): Promise<string | undefined> {
    return Promise.resolve(undefined);
  }
  giveModule(): void {}
  preloadSnapshot(): void {}
  boot(): never {
    throw new Error('not booted in this test');
  }
  writeFile(): Promise<string | undefined> {
    return Promise.resolve(undefined);
  }
  takeSnapshot(): undefined {
    return undefined;
  }
}

function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

/** A loop on a fake runtime, with everything it posts kept in order. */
function setup(ms: Record<string, number> = {}) {
  const clock = { t: 0 };
  const running = new Running();
  const runtime = new FakeRuntime(clock, running, ms);
  const posted: { message: WorkerMessage; transfer: Transferable[] | undefined }[] = [];
  const watchers: { test: (m: WorkerMessage) => boolean; done: () => void }[] = [];
  let refuse: ((message: WorkerMessage) => boolean) | undefined;
  const post = (message: WorkerMessage, transfer?: Transferable[]): void => {
    if (refuse?.(message)) throw new DOMException('could not be cloned', 'DataCloneError');
    posted.push({ message, transfer });
    for (const w of [...watchers]) if (w.test(message)) w.done();
  };
  const loop = new RunLoop(runtime, running, { post, now: () => clock.t });
  const results = (): Results[] => posted.map((p) => p.message).filter((m): m is Results => m.t === 'results');
  const outcomes = (): TaskOutcome[] => results().flatMap((m) => m.list);
  const seqs = (): number[] => outcomes().map((o) => o.seq);
  /** Resolves once a results message carries task `seq`. */
  const outcomeOf = (seq: number): Promise<void> => {
    if (seqs().includes(seq)) return Promise.resolve();
    return new Promise((done) => watchers.push({ test: (m) => m.t === 'results' && m.list.some((o) => o.seq === seq), done }));
  };
  return { clock, running, runtime, loop, posted, results, outcomes, seqs, outcomeOf, refuseWhen: (test: typeof refuse) => (refuse = test) };
}

const order = (seq: number, code = 'a', extra: Partial<TaskOrder> = {}): TaskOrder => ({ seq, code, inputs: undefined, notify: false, ...extra });

describe('run loop: batching outcomes', () => {
  it('sends the outcomes of short tasks of a known source together, once nothing is left', () => {
    const { loop, results, seqs } = setup();
    loop.receive({ t: 'run', tasks: [order(1), order(2), order(3)] });
    expect(results()).to.have.length(1);
    expect(seqs()).to.deep.equal([1, 2, 3]);
    expect(results()[0]).to.include({ heap: 1234 });
  });

  it('sends what it has before a task of a source it has not timed yet', () => {
    const { loop, results } = setup();
    loop.receive({ t: 'run', tasks: [order(1, 'a'), order(2, 'b')] });
    expect(results().map((m) => m.list.map((o) => o.seq))).to.deep.equal([[1], [2]]);
  });

  it('sends each outcome of a task that ran long at once, with the time it took', () => {
    const { loop, results } = setup({ slow: 5 });
    loop.receive({ t: 'run', tasks: [order(1, 'slow'), order(2, 'slow')] });
    expect(results().map((m) => [m.list.map((o) => o.seq), m.busyMs])).to.deep.equal([
      [[1], 5],
      [[2], 5],
    ]);
  });

  it(`sends every ${FLUSH_COUNT} outcomes even while tasks stay short`, () => {
    const { loop, results } = setup();
    loop.receive({ t: 'run', tasks: Array.from({ length: FLUSH_COUNT + 3 }, (_, i) => order(i + 1)) });
    expect(results().map((m) => m.list.length)).to.deep.equal([FLUSH_COUNT, 3]);
  });

  it('says a task with a timeout starts, after the outcomes before it', () => {
    const { loop, posted } = setup();
    loop.receive({ t: 'run', tasks: [order(1), order(2, 'a', { notify: true })] });
    expect(
      posted.map((p) => (p.message.t === 'results' ? `results ${p.message.list.map((o) => o.seq)}` : `${p.message.t} ${'seq' in p.message ? p.message.seq : ''}`)),
    ).to.deep.equal(['results 1', 'start 2', 'results 2']);
  });

  it('gives a map chunk the time it took, and moves the buffers the runtime names', () => {
    const { loop, runtime, posted, outcomes } = setup({ chunk: 3 });
    const buffer = new ArrayBuffer(8);
    runtime.behaviours.set('chunk', (o) => ({ outcome: { seq: o.seq, value: { values: [], errors: [] } }, transfer: [buffer] }));
    loop.receive({ t: 'run', tasks: [order(1, 'chunk', { items: [1, 2] })] });
    expect(outcomes()[0]).to.deep.equal({ seq: 1, value: { values: [], errors: [], ms: 3 } });
    expect(posted.find((p) => p.message.t === 'results')!.transfer).to.deep.equal([buffer]);
  });

  it('fails only the task whose value cannot be sent', () => {
    const { loop, outcomes, refuseWhen } = setup();
    refuseWhen((m) => m.t === 'results' && m.list.some((o) => 'value' in o && o.value === 'bad'));
    loop.receive({ t: 'run', tasks: [order(1, 'a'), order(2, 'a'), order(3, 'a')] });
    loop.receive({ t: 'run', tasks: [order(4, 'a'), order(5, 'bad'), order(6, 'a')] });
    const failed = outcomes().filter((o) => 'error' in o);
    expect(outcomes().map((o) => o.seq)).to.deep.equal([1, 2, 3, 4, 5, 6]);
    expect(failed.map((o) => o.seq)).to.deep.equal([5]);
    expect((failed[0] as { error: { message: string } }).error.message).to.match(/^the result could not be sent/);
  });
});

describe('run loop: tasks that await', () => {
  it('sends what it has when a task awaits, and runs tasks sent meanwhile after it, in order', async () => {
    const { loop, runtime, seqs, outcomeOf } = setup();
    const gate = deferred();
    runtime.behaviours.set('await', (o) => gate.promise.then(() => ({ outcome: { seq: o.seq, value: 'awaited' } })));
    loop.receive({ t: 'run', tasks: [order(1), order(2, 'await')] });
    expect(seqs()).to.deep.equal([1]);
    loop.receive({ t: 'run', tasks: [order(3)] });
    expect(runtime.runs.map((r) => r.seq)).to.deep.equal([1, 2]);
    gate.resolve();
    await outcomeOf(3);
    expect(seqs()).to.deep.equal([1, 2, 3]);
  });

  it('hands messages for a running task to the runtime', () => {
    const { loop, runtime } = setup();
    runtime.behaviours.set('await', () => new Promise<Ran>(() => {}));
    loop.receive({ t: 'run', tasks: [order(1, 'await')] });
    loop.receive({ t: 'msg', seq: 1, n: 0, data: 'hi' });
    loop.receive({ t: 'stop', seq: 1 });
    expect(runtime.delivered).to.deep.equal([
      { t: 'msg', seq: 1, n: 0, data: 'hi' },
      { t: 'stop', seq: 1 },
    ]);
  });
});

describe('run loop: preemption at a yield', () => {
  /** Task code 'gen': waits for `yielded`, then yields once, recording what runs when it resumes. */
  function generator(ctx: ReturnType<typeof setup>) {
    const yielded = deferred();
    const resumed: { current: number; depth: number; ran: boolean }[] = [];
    ctx.runtime.behaviours.set('gen', async (o, atYield) => {
      await yielded.promise;
      const ran = await atYield();
      resumed.push({ current: ctx.running.seq, depth: ctx.running.depth, ran });
      return { outcome: { seq: o.seq, value: 'gen' } };
    });
    return { yielded, resumed };
  }

  it('runs the urgent tasks at the yield, in order, then resumes the generator, then the rest', async () => {
    const ctx = setup();
    const { yielded, resumed } = generator(ctx);
    ctx.loop.receive({ t: 'run', tasks: [order(1, 'gen')] });
    ctx.loop.receive({ t: 'run', tasks: [order(2), order(3, 'a', { preempt: true }), order(4, 'b', { preempt: true })] });
    yielded.resolve();
    await ctx.outcomeOf(2);
    expect(ctx.runtime.runs).to.deep.equal([
      { seq: 1, current: 1, depth: 1 },
      { seq: 3, current: 3, depth: 2 },
      { seq: 4, current: 4, depth: 2 },
      { seq: 2, current: 2, depth: 1 },
    ]);
    expect(resumed).to.deep.equal([{ current: 1, depth: 1, ran: true }]);
    expect(ctx.seqs()).to.deep.equal([3, 4, 1, 2]);
    // Each urgent task says it starts: the pool starts its timeout then.
    expect(ctx.posted.filter((p) => p.message.t === 'start').map((p) => (p.message as { seq: number }).seq)).to.deep.equal([3, 4]);
    expect(ctx.running.depth).to.equal(0);
  });

  it('skips at once an urgent task stopped before the yield came', async () => {
    const ctx = setup();
    const { yielded, resumed } = generator(ctx);
    ctx.loop.receive({ t: 'run', tasks: [order(1, 'gen')] });
    ctx.loop.receive({ t: 'run', tasks: [order(2, 'a', { preempt: true })] });
    ctx.loop.receive({ t: 'stop', seq: 2 });
    expect(ctx.outcomes()).to.deep.equal([{ seq: 2, skipped: true }]);
    expect(ctx.runtime.delivered).to.deep.equal([]);
    yielded.resolve();
    await ctx.outcomeOf(1);
    expect(resumed).to.deep.equal([{ current: 1, depth: 1, ran: false }]);
    expect(ctx.runtime.runs.map((r) => r.seq)).to.deep.equal([1]);
  });

  it('gives the pool its view of the running task back only when the generator steps again', async () => {
    const ctx = setup();
    const control = ctx.running.attach(new ControlBlock().buffer)!;
    const seen: number[] = [];
    ctx.runtime.behaviours.set('look', (o) => {
      seen.push(control.running);
      return { outcome: { seq: o.seq, value: null } };
    });
    const yielded = deferred();
    ctx.runtime.behaviours.set('gen', async (o, atYield) => {
      await yielded.promise;
      await atYield();
      seen.push(control.running);
      return { outcome: { seq: o.seq, value: null } };
    });
    ctx.loop.receive({ t: 'run', tasks: [order(1, 'gen')] });
    ctx.loop.receive({ t: 'run', tasks: [order(2, 'look', { preempt: true })] });
    yielded.resolve();
    await ctx.outcomeOf(1);
    expect(seen).to.deep.equal([2, 1]);
    expect(control.running).to.equal(0);
  });
});

describe('run loop: skipping and closing', () => {
  it('skips a task the pool took back before it began, without running it', () => {
    const ctx = setup();
    const buffer = new ControlBlock().buffer;
    ctx.running.attach(buffer);
    expect(new ControlBlock(buffer).claim(2)).to.equal(true);
    ctx.loop.receive({ t: 'run', tasks: [order(1), order(2), order(3)] });
    expect(ctx.outcomes()).to.deep.equal([
      { seq: 1, value: 'a' },
      { seq: 2, skipped: true },
      { seq: 3, value: 'a' },
    ]);
    expect(ctx.runtime.runs.map((r) => r.seq)).to.deep.equal([1, 3]);
  });

  it('on close, sends the outcomes it has, says why, and runs nothing more', () => {
    const ctx = setup();
    ctx.runtime.behaviours.set('close', (o) => {
      ctx.loop.close('x'.repeat(3_000));
      return { outcome: { seq: o.seq, skipped: true } };
    });
    ctx.loop.receive({ t: 'run', tasks: [order(1), order(2, 'close'), order(3)] });
    const kinds = ctx.posted.map((p) => p.message.t);
    expect(kinds).to.deep.equal(['results', 'closing']);
    expect(ctx.seqs()).to.deep.equal([1]);
    expect((ctx.posted[1]!.message as { reason: string }).reason).to.have.length(2_000);
    expect(ctx.runtime.runs.map((r) => r.seq)).to.deep.equal([1, 2]);
    ctx.loop.receive({ t: 'run', tasks: [order(4)] });
    expect(ctx.runtime.runs.map((r) => r.seq)).to.deep.equal([1, 2]);
  });
});
