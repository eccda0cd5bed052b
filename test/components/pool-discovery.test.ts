// How a <py-task> finds its pool: by id, a pool added later, none at all.
import { expect, fixture, html, oneEvent } from '@open-wc/testing';
import '../../components/index.js';
import type { PyTaskElement, TaskErrorEvent, WorkerPoolElement } from '../../components/index.js';
import { indexURL, waitFor } from '../helpers.js';

describe('<py-task> finding its pool', () => {
  let host: WorkerPoolElement;

  // Made by hand, not with fixture(): @open-wc/testing removes fixtures after every test.
  before(async () => {
    host = document.createElement('worker-pool');
    host.id = 'shared-pool';
    host.setAttribute('index-url', indexURL);
    document.body.append(host);
    await host.updateComplete;
  });

  after(() => host.remove());

  it('uses pool="id" from outside the pool element', async () => {
    const el = await fixture<PyTaskElement>(html`<py-task pool="shared-pool" auto><script type="text/python">"by id"</script></py-task>`);
    const event = await oneEvent(el, 'task-result');
    expect(event.detail.result).to.equal('by id');
    expect(host.pool).not.to.equal(undefined);
  });

  it('waits for a pool that is added to the document later', async () => {
    const el = await fixture<PyTaskElement>(html`<py-task pool="late-pool" auto><script type="text/python">"late"</script></py-task>`);
    const result = oneEvent(el, 'task-result');
    // Added once the run already waits for it.
    await waitFor(() => el.status === 'queued', 10_000, 'the run waiting');
    const late = document.createElement('worker-pool');
    late.id = 'late-pool';
    late.setAttribute('index-url', indexURL);
    document.body.append(late);
    try {
      expect((await result).detail.result).to.equal('late');
    } finally {
      late.remove();
    }
  });

  it('reports a missing pool with task-error and a clear message', async () => {
    const el = await fixture<PyTaskElement>(html`<py-task auto><script type="text/python">1</script></py-task>`);
    const event = (await oneEvent(el, 'task-error')) as TaskErrorEvent;
    expect(event.detail.error.message).to.match(/No pool/);
    expect(event.detail.error.message).to.match(/worker-pool/);
    expect(el.status).to.equal('failed');
  });

  it('looks again on the next run after reporting a missing pool', async () => {
    const el = await fixture<PyTaskElement>(html`<py-task pool="rescue-pool"><script type="text/python">"found it"</script></py-task>`);
    const missing = await el.run().catch((e: Error) => e);
    expect((missing as Error).message).to.match(/No pool/);
    const rescue = document.createElement('worker-pool');
    rescue.id = 'rescue-pool';
    rescue.setAttribute('index-url', indexURL);
    document.body.append(rescue);
    try {
      expect(await el.run()).to.equal('found it');
    } finally {
      rescue.remove();
    }
  });
});
