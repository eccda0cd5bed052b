// The dispatcher's rules on fake workers: no Pyodide, milliseconds per test.
import { expect } from 'chai';
import { distribute, preemptTarget, roomFor, stealPlan, workersToStart, type Dispatchable } from '../../workers/pool/dispatcher.js';

/** A worker that holds `live` tasks and whose pace allows `pace` more. */
function fake(name: string, live: number, pace: number): Dispatchable & { name: string } {
  return { name, live, capacity: () => pace };
}

const free = { leaving: false, untilRecycle: Infinity };
const names = (workers: { name: string }[]) => workers.map((w) => w.name);

describe('dispatcher: roomFor', () => {
  it('gives what the pace allows, cut to the recycle limit', () => {
    expect(roomFor(fake('a', 0, 8), free)).to.equal(8);
    expect(roomFor(fake('a', 0, 8), { leaving: false, untilRecycle: 3 })).to.equal(3);
  });

  it('always lets a worker with nothing in hand take one, and a leaving one only that', () => {
    expect(roomFor(fake('a', 0, 8), { leaving: false, untilRecycle: 0 })).to.equal(1);
    expect(roomFor(fake('a', 0, 8), { leaving: true, untilRecycle: Infinity })).to.equal(1);
    expect(roomFor(fake('a', 2, 8), { leaving: true, untilRecycle: Infinity })).to.equal(0);
  });

  it('gives nothing to a worker that cannot take any (starting, or its line full)', () => {
    expect(roomFor(fake('a', 0, 0), free)).to.equal(0);
  });
});

describe('dispatcher: distribute', () => {
  const room = (w: Dispatchable) => roomFor(w, free);

  it('hands each task to the worker with the fewest in hand that has room', () => {
    const a = fake('a', 0, 2);
    const b = fake('b', 0, 3);
    expect(names(distribute(4, [a, b], room))).to.deep.equal(['a', 'b', 'a', 'b']);
    // More tasks than room: the rest wait in the pool's queue.
    expect(names(distribute(9, [a, b], room))).to.deep.equal(['a', 'b', 'a', 'b', 'b']);
  });

  it('plans nothing while every worker is busy, so a late high-priority task still waits in the queue', () => {
    expect(distribute(5, [fake('a', 1, 4), fake('b', 3, 4)], room)).to.deep.equal([]);
  });

  it('tops up the worker that just reported, and only among busy workers that one', () => {
    const reporting = fake('r', 2, 3);
    const other = fake('o', 1, 8);
    expect(names(distribute(5, [other, reporting], room, reporting))).to.deep.equal(['r', 'r', 'r']);
  });

  it('gives nothing when nothing waits', () => {
    expect(distribute(0, [fake('a', 0, 4)], room)).to.deep.equal([]);
  });
});

describe('dispatcher: stealPlan', () => {
  it('relieves the busiest worker of half the tasks it has not begun', () => {
    const thief = fake('t', 0, 4);
    const light = fake('l', 3, 0);
    const heavy = fake('h', 9, 0);
    const plan = stealPlan(thief, [thief, light, heavy])!;
    expect(plan.victim).to.equal(heavy);
    // 9 in hand: 1 running, 8 not begun; half of those.
    expect(plan.count).to.equal(4);
  });

  it('takes nothing from a worker holding only the task it runs', () => {
    const thief = fake('t', 0, 4);
    expect(stealPlan(thief, [thief, fake('a', 1, 0), fake('b', 0, 4)])).to.equal(undefined);
  });
});

describe('dispatcher: workersToStart', () => {
  it('starts up to min, then one per waiting task no booting worker will take, up to max', () => {
    expect(workersToStart({ active: 0, starting: 0, waiting: 0, min: 2, max: 4 })).to.equal(2);
    expect(workersToStart({ active: 2, starting: 1, waiting: 3, min: 1, max: 4 })).to.equal(2);
    expect(workersToStart({ active: 4, starting: 0, waiting: 10, min: 1, max: 4 })).to.equal(0);
    expect(workersToStart({ active: 1, starting: 1, waiting: 1, min: 1, max: 4 })).to.equal(0);
  });
});

describe('dispatcher: preemptTarget', () => {
  const running = (priority: number, extra: { preemptible?: boolean; stop?: unknown } = {}) => ({ preemptible: true, stop: undefined, priority, ...extra });
  const worker = (name: string, live: number, head: ReturnType<typeof running> | undefined, status = 'busy') => ({ name, live, status, capacity: () => 0, head: () => head });

  it('picks a worker whose only task is a generator of lower priority', () => {
    const plain = worker('plain', 1, running(0, { preemptible: false }));
    const gen = worker('gen', 1, running(0));
    expect(preemptTarget(5, [plain, gen])?.name).to.equal('gen');
  });

  it('passes over equal priorities, generators being stopped, and lines holding more', () => {
    expect(preemptTarget(0, [worker('same', 1, running(0))])).to.equal(undefined);
    expect(preemptTarget(5, [worker('stopping', 1, running(0, { stop: { kind: 'cancel' } }))])).to.equal(undefined);
    expect(preemptTarget(5, [worker('taken', 2, running(0))])).to.equal(undefined);
    expect(preemptTarget(5, [worker('idle', 0, undefined, 'idle')])).to.equal(undefined);
  });
});
