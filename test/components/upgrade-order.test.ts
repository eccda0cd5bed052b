// Markup first, definitions later, <py-task> defined before <worker-pool>: the task
// still finds its pool once the pool element upgrades.
import { expect, oneEvent } from '@open-wc/testing';
import { indexURL } from '../helpers.js';

describe('upgrade order', () => {
  it('runs a <py-task> whose <worker-pool> is defined after it', async () => {
    const container = document.createElement('div');
    container.innerHTML = `<worker-pool index-url="${indexURL}"><py-task auto><script type="text/python">"upgraded"</script></py-task></worker-pool>`;
    document.body.append(container);
    const el = container.querySelector('py-task')!;
    expect(customElements.get('py-task')).to.equal(undefined);
    await import('../../components/py-task.js');
    const result = oneEvent(el, 'task-result');
    await new Promise((r) => setTimeout(r, 200));
    expect(customElements.get('worker-pool')).to.equal(undefined);
    await import('../../components/worker-pool.js');
    expect((await result).detail.result).to.equal('upgraded');
    container.remove();
  });
});
