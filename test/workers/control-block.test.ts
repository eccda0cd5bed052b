// The shared block that decides, for a task handed to a worker, whether stopping it means
// skipping it, interrupting it, or nothing (it is over). Both sides are driven here in
// turn, in the orders that the two threads can produce.
import { expect } from 'chai';
import { ControlBlock } from '../../workers/shared/control-block.js';

describe('control block', () => {
  it('skips a task stopped before the worker reaches it', () => {
    const block = new ControlBlock();
    expect(block.stop(1)).to.equal('skipped');
    expect(block.begin(1)).to.equal(false);
    expect(block.begin(2)).to.equal(true);
  });

  it('interrupts the running task, and leaves a finished one alone', () => {
    const block = new ControlBlock();
    const view = block.interruptView();
    expect(block.begin(1)).to.equal(true);
    expect(block.stop(1)).to.equal('interrupted');
    expect(view[0]).to.equal(2);
    block.end();
    expect(block.stop(1)).to.equal('finished');
  });

  it('clears a stale interrupt when the next task begins', () => {
    const block = new ControlBlock();
    const view = block.interruptView();
    block.begin(1);
    block.stop(1); // raised just as task 1 ended on its own
    block.end();
    block.begin(2);
    expect(view[0]).to.equal(0);
  });

  it('makes a generator set aside for an urgent task interruptible again when it resumes', () => {
    const block = new ControlBlock();
    const view = block.interruptView();
    block.begin(1); // the generator task
    block.begin(2); // an urgent task at its yield
    expect(block.stop(1)).to.equal('finished'); // not running now: its stop goes by message
    expect(block.stop(2)).to.equal('interrupted');
    block.end();
    block.resume(1);
    // The urgent task's interrupt is not the generator's.
    expect(view[0]).to.equal(0);
    expect(block.running).to.equal(1);
    expect(block.stop(1)).to.equal('interrupted');
  });

  it('keeps an interrupt that lands between Pyodide reading the signal and clearing it', () => {
    const block = new ControlBlock();
    const view = block.interruptView();
    block.begin(1);
    // Pyodide's poll: read the signal, then write 0. The pool's stop comes in between.
    const read = view[0];
    expect(block.stop(1)).to.equal('interrupted');
    view[0] = 0;
    expect(read).to.equal(0);
    expect(view[0]).to.equal(2);
    // A signal that was read is cleared as usual.
    view[0] = 0;
    expect(view[0]).to.equal(0);
  });

  it('gives back only tasks the worker has not begun', () => {
    const block = new ControlBlock();
    block.begin(1);
    expect(block.claim(1)).to.equal(false);
    expect(block.claim(3)).to.equal(true);
    block.end();
    expect(block.begin(2)).to.equal(true);
    block.end();
    expect(block.begin(3)).to.equal(false);
  });

  it('never waits on a lock the worker does not let go of: the page reports it and changes nothing', () => {
    const block = new ControlBlock();
    block.begin(1);
    block.begin(2);
    // The worker side (a bug, or task code that reached this memory) holds the lock (word 1) for good.
    const words = new Int32Array(block.buffer);
    Atomics.store(words, 1, 1);
    expect(block.stop(1)).to.equal('locked');
    expect(block.stop(3)).to.equal('locked');
    expect(block.claim(3)).to.equal(false);
    expect(block.interruptView()[0]).to.equal(0);
    // Let go: the same stops now act.
    Atomics.store(words, 1, 0);
    expect(block.stop(3)).to.equal('skipped');
    expect(block.stop(2)).to.equal('interrupted');
  });
});
