// The exchange that answers a blocked worker (input(), receive()) through shared memory:
// answers are read exactly once, an answer to a question the worker gave up on is
// refused (so the pool keeps the message), long answers travel in parts, and an
// interrupt ends the wait. The worker side runs in a real worker (Atomics.wait).
import { expect } from 'chai';
import { ControlBlock, EXCHANGE_BYTES } from '../../workers/shared/control-block.js';
import { Exchange } from '../../workers/shared/exchange.js';

type Reply = { t: 'ask'; id: number; more: boolean } | { t: 'done'; answer: { bytes?: string; gaveUp?: string; end?: string }; asks: { id: number; more: boolean }[] };

describe('exchange (shared-memory answers for a blocked worker)', () => {
  let worker: Worker;
  let block: ControlBlock;
  let exchange: Exchange;
  const replies: Reply[] = [];
  let wake: () => void = () => {};

  before(() => {
    block = new ControlBlock();
    exchange = new Exchange(block.words);
    worker = new Worker(new URL('../fixtures/exchange-worker.ts', import.meta.url), { type: 'module' });
    worker.addEventListener('message', (event: MessageEvent<Reply>) => {
      replies.push(event.data);
      wake();
    });
    worker.postMessage({ buffer: block.buffer });
  });

  after(() => worker.terminate());

  /** The next reply of kind `t` (an ask, or the end of a request). */
  async function next<T extends Reply['t']>(t: T): Promise<Extract<Reply, { t: T }>> {
    for (;;) {
      const i = replies.findIndex((r) => r.t === t);
      if (i >= 0) return replies.splice(i, 1)[0] as Extract<Reply, { t: T }>;
      await new Promise<void>((resolve) => (wake = resolve));
    }
  }

  const bytes = (text: string) => new TextEncoder().encode(text);

  it('hands an answer to the question that asked, once', async () => {
    worker.postMessage({});
    const ask = await next('ask');
    expect(exchange.answer(ask.id, bytes('hello'))).to.equal(true);
    expect(exchange.answer(ask.id, bytes('again'))).to.equal(false);
    expect((await next('done')).answer).to.deep.equal({ bytes: 'hello' });
  });

  it('refuses an answer to a question the worker gave up on', async () => {
    worker.postMessage({ timeoutMs: 30 });
    const ask = await next('ask');
    const done = await next('done');
    expect(done.answer).to.deep.equal({ gaveUp: 'timeout' });
    expect(exchange.answer(ask.id, bytes('too late'))).to.equal(false);
  });

  it('says there is no answer, and why', async () => {
    worker.postMessage({});
    const ask = await next('ask');
    exchange.answer(ask.id, { end: 'nobody typed' });
    expect((await next('done')).answer).to.deep.equal({ end: 'nobody typed' });
  });

  it('carries an answer longer than its buffer in parts', async () => {
    const long = 'ab'.repeat(EXCHANGE_BYTES) + '…';
    worker.postMessage({});
    exchange.answer((await next('ask')).id, bytes(long));
    for (let parts = 1; parts < 3; parts++) exchange.more((await next('ask')).id);
    const done = await next('done');
    expect(done.answer.bytes).to.equal(long);
    expect(done.asks.map((a) => a.more)).to.deep.equal([false, true, true]);
  });

  it('ends the wait when the task is interrupted', async () => {
    block.begin(1);
    worker.postMessage({});
    const ask = await next('ask');
    expect(block.stop(1)).to.equal('interrupted');
    expect((await next('done')).answer).to.deep.equal({ gaveUp: 'interrupted' });
    expect(exchange.answer(ask.id, bytes('late'))).to.equal(false);
    block.end();
  });
});
