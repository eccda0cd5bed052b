// TaskQueue on plain items: priority order, FIFO within a priority, O(1) removal.
import { expect } from 'chai';
import { TaskQueue } from '../../workers/pool/task-queue.js';

interface Item {
  name: string;
  priority: number;
}
const item = (name: string, priority = 0): Item => ({ name, priority });
const takeAll = (queue: TaskQueue<Item>) => {
  const out: string[] = [];
  for (let next = queue.shift(); next; next = queue.shift()) out.push(next.name);
  return out;
};

describe('TaskQueue', () => {
  it('gives higher priorities first, and first in first out within one', () => {
    const queue = new TaskQueue<Item>();
    for (const it of [item('low-1'), item('high-1', 5), item('low-2'), item('mid', 1), item('high-2', 5), item('neg', -1)]) queue.push(it);
    expect(queue.size).to.equal(6);
    expect(takeAll(queue)).to.deep.equal(['high-1', 'high-2', 'mid', 'low-1', 'low-2', 'neg']);
    expect(queue.size).to.equal(0);
    expect(queue.shift()).to.equal(undefined);
  });

  it('puts a task back at the front of its priority', () => {
    const queue = new TaskQueue<Item>();
    const first = item('first');
    queue.push(first);
    queue.push(item('second'));
    queue.push(item('urgent', 9));
    expect(queue.shift()!.name).to.equal('urgent');
    expect(queue.shift()).to.equal(first);
    queue.unshift(first);
    expect(takeAll(queue)).to.deep.equal(['first', 'second']);
  });

  it('forgets a deleted task, and says whether it was waiting', () => {
    const queue = new TaskQueue<Item>();
    const gone = item('gone');
    queue.push(item('a'));
    queue.push(gone);
    queue.push(item('b'));
    expect(queue.delete(gone)).to.equal(true);
    expect(queue.delete(gone)).to.equal(false);
    expect(queue.size).to.equal(2);
    expect(takeAll(queue)).to.deep.equal(['a', 'b']);
  });

  it('drains every waiting task in run order', () => {
    const queue = new TaskQueue<Item>();
    queue.push(item('a'));
    queue.push(item('b', 2));
    const c = item('c');
    queue.push(c);
    queue.delete(c);
    expect(queue.drain().map((i) => i.name)).to.deep.equal(['b', 'a']);
    expect(queue.size).to.equal(0);
  });

  it('stays in order over many pushes and shifts', () => {
    const queue = new TaskQueue<Item>();
    const expected: string[] = [];
    for (let i = 0; i < 5_000; i++) {
      queue.push(item(`t${i}`, i % 3));
    }
    for (const p of [2, 1, 0]) for (let i = 0; i < 5_000; i++) if (i % 3 === p) expected.push(`t${i}`);
    expect(takeAll(queue)).to.deep.equal(expected);
  });

  it('peeks at the next task without taking it, past removed ones', () => {
    const queue = new TaskQueue<Item>();
    expect(queue.peek()).to.equal(undefined);
    const gone = item('gone', 5);
    queue.push(item('low'));
    queue.push(gone);
    queue.push(item('high', 5));
    queue.delete(gone);
    expect(queue.peek()?.name).to.equal('high');
    expect(queue.size).to.equal(2);
    expect(takeAll(queue)).to.deep.equal(['high', 'low']);
  });
});
