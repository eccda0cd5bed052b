// Which task runs in a worker (worker/running.ts), and the output routed by it
// (worker/output.ts): plain objects, no Pyodide, no Worker.
import { expect } from 'chai';
import { Running } from '../../workers/worker/running.js';
import { Output } from '../../workers/worker/output.js';
import { ControlBlock } from '../../workers/shared/control-block.js';
import type { TaskOrder, WorkerMessage } from '../../workers/shared/protocol.js';

const order = (seq: number): TaskOrder => ({ seq, code: '', inputs: undefined, notify: false });

describe('Running', () => {
  it('stacks preempting tasks on the one they preempt, and says each change', () => {
    const running = new Running();
    const seen: string[] = [];
    running.onSwitch(() => seen.push(`${running.seq}/${running.depth}`));
    expect(running.seq).to.equal(-1);
    running.begin(order(1));
    running.begin(order(2));
    running.end();
    running.resume();
    running.end();
    expect(seen).to.deep.equal(['1/1', '2/2', '1/1', '1/1', '-1/0']);
  });

  it("keeps the control block's running word: none between an urgent task and the resumed one", () => {
    const running = new Running();
    const control = running.attach(new ControlBlock().buffer)!;
    const words: number[] = [];
    running.onSwitch(() => words.push(control.running));
    running.begin(order(1));
    running.begin(order(2));
    running.end();
    running.resume();
    running.end();
    expect(words).to.deep.equal([1, 2, 0, 1, 0]);
  });

  it('changes nothing for a task the pool skipped', () => {
    const running = new Running();
    const buffer = new ControlBlock().buffer;
    running.attach(buffer);
    new ControlBlock(buffer).claim(1);
    let switches = 0;
    running.onSwitch(() => switches++);
    expect(running.begin(order(1))).to.equal(false);
    expect([running.seq, running.depth, switches]).to.deep.equal([-1, 0, 0]);
  });
});

describe('Output', () => {
  function setup() {
    const running = new Running();
    const posted: WorkerMessage[] = [];
    const output = new Output(running, (m) => posted.push(m));
    const texts = () => posted.map((m) => (m.t === 'out' && 'text' in m.ev ? `${m.seq}:${m.ev.text.length}` : m.t));
    return { running, output, posted, texts };
  }

  it('routes writes to the running task, and none to the console outside a task', () => {
    const { running, output, texts } = setup();
    expect(output.emitText('stdout', 'before')).to.equal(false);
    running.begin(order(7));
    expect(output.emitText('stdout', 'hello')).to.equal(true);
    running.begin(order(8));
    expect(output.emitText('stdout', 'urgent')).to.equal(true);
    expect(texts()).to.deep.equal(['7:5', '8:6']);
  });

  it("sends what a burst gathered before the next task's output, when the task changes", () => {
    const { running, output, posted } = setup();
    running.begin(order(1));
    // A burst: writes in a tight loop are gathered after the first ones.
    for (let i = 0; i < 200; i++) output.emitText('stdout', 'x');
    const sentBefore = posted.length;
    expect(sentBefore).to.be.below(200);
    running.begin(order(2));
    // The switch sent what task 1 left, under task 1's seq, before anything of task 2.
    const last = posted.at(-1)!;
    expect(last.t === 'out' && last.seq).to.equal(1);
    const chars = posted.reduce((n, m) => n + (m.t === 'out' && 'text' in m.ev ? m.ev.text.length : 0), 0);
    expect(chars).to.equal(200);
    output.emit({ type: 'progress', fraction: 0.5, message: undefined });
    expect(posted.at(-1)).to.deep.equal({ t: 'out', seq: 2, ev: { type: 'progress', fraction: 0.5, message: undefined } });
  });
});
