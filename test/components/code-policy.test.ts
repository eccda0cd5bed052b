// Code you did not write, in the elements: a sandboxed <worker-pool>, and the code policy
// (configureElements: a nonce for inline Python, allowSrc for src) refusing what it must.
import { expect, oneEvent } from '@open-wc/testing';
import '../../components/index.js';
import { CodePolicyError, configureElements, type PoolErrorEvent, type PyTaskElement, type TaskErrorEvent, type WorkerPoolElement } from '../../components/index.js';
import { indexURL, rejection } from '../helpers.js';

let host: WorkerPoolElement;

/** A <py-task> inside the shared pool, from markup (as an injection would add it). */
function task(markup: string): PyTaskElement {
  const template = document.createElement('template');
  template.innerHTML = markup.trim();
  const el = template.content.firstElementChild as PyTaskElement;
  host.append(el);
  return el;
}

/** Tasks run so far by the shared pool's workers. */
const tasksRun = () => host.pool!.state.workers.value.reduce((sum, w) => sum + w.tasksRun, 0);

describe('code you did not write, in the elements', () => {
  before(async () => {
    host = document.createElement('worker-pool');
    host.setAttribute('index-url', indexURL);
    host.setAttribute('max', '1');
    host.setAttribute('sandbox', '');
    document.body.append(host);
    await host.updateComplete;
    await host.pool!.ready();
  });

  after(() => host.remove());

  afterEach(() => {
    configureElements({ nonce: undefined, allowSrc: undefined });
    for (const el of host.querySelectorAll('py-task')) el.remove();
  });

  it('<worker-pool sandbox> makes a sandboxed pool its tasks run in', async () => {
    expect(host.pool!.capabilities.sandboxed).to.equal(true);
    const el = task(`<py-task><script type="text/python">
        from pyodide.http import pyfetch
        try:
            await pyfetch(${JSON.stringify(new URL('/package.json', location.href).href)})
            r = "reached the page"
        except Exception as e:
            r = "refused"
        r
      </script></py-task>`);
    expect(await el.run()).to.equal('refused');
  });

  it('runs only Python scripts carrying the configured nonce; others fail with CodePolicyError and do not run', async () => {
    configureElements({ nonce: 'n0nce-1' });
    const trusted = task('<py-task><script type="text/python" nonce="n0nce-1">"trusted"</script></py-task>');
    expect(await trusted.run()).to.equal('trusted');
    const before = tasksRun();
    for (const markup of [
      '<py-task id="injected" auto><script type="text/python">"injected"</script></py-task>',
      '<py-task id="guessed" auto><script type="text/python" nonce="wrong">"guessed"</script></py-task>',
    ]) {
      const el = task(markup);
      const event = (await oneEvent(el, 'task-error')) as TaskErrorEvent;
      expect(event.detail.error).to.be.instanceOf(CodePolicyError);
      expect(event.detail.error.name).to.equal('CodePolicyError');
      expect(event.detail.error.message).to.include(`<py-task id="${el.id}">`);
      expect((event.detail.error as CodePolicyError).element).to.equal(el.querySelector('script'));
      expect(el.status).to.equal('failed');
    }
    expect(tasksRun()).to.equal(before);
  });

  it('refuses a <worker-pool> whose setup or files lack the nonce: pool-error, and no pool', async () => {
    configureElements({ nonce: 'n0nce-2' });
    for (const type of ['text/python', 'text/python-file']) {
      const pool = document.createElement('worker-pool') as WorkerPoolElement;
      pool.id = 'injected-pool';
      pool.setAttribute('index-url', indexURL);
      pool.innerHTML = `<script type="${type}" path="/home/pyodide/x.py">import js</script>`;
      const failed = oneEvent(pool, 'pool-error') as Promise<PoolErrorEvent>;
      document.body.append(pool);
      const { detail } = await failed;
      expect(detail.error).to.be.instanceOf(CodePolicyError);
      expect(detail.error.message).to.include('<worker-pool id="injected-pool">');
      expect(pool.pool).to.equal(undefined);
      expect(pool.poolError).to.equal(detail.error);
      pool.remove();
    }
  });

  it('fetches src code from the page’s origin only, unless allowSrc says otherwise', async () => {
    const same = '/test/fixtures/answer.py';
    const other = `http://127.0.0.1:${location.port}/test/fixtures/answer.py`;
    expect(await task(`<py-task src="${same}"></py-task>`).run()).to.equal(42);
    const before = tasksRun();
    const foreign = task(`<py-task id="foreign" src="${other}"></py-task>`);
    const err = await rejection(foreign.run());
    expect(err).to.be.instanceOf(CodePolicyError);
    expect(err.message).to.include('<py-task id="foreign">').and.include(other);
    const seen: string[] = [];
    configureElements({ allowSrc: (url) => (seen.push(url), url.includes('/fixtures/') && !url.includes('answer')) });
    expect(await rejection(task(`<py-task src="${same}"></py-task>`).run())).to.be.instanceOf(CodePolicyError);
    expect(seen).to.deep.equal([new URL(same, location.href).href]);
    expect(tasksRun()).to.equal(before);
    configureElements({ allowSrc: (_url, parsed) => parsed.pathname === same });
    expect(await task(`<py-task src="${same}"></py-task>`).run()).to.equal(42);
  });

  it('checks what configureElements is given', () => {
    expect(() => configureElements({ nonce: 5 as never })).to.throw(TypeError, /nonce/);
    expect(() => configureElements({ nonce: '' })).to.throw(TypeError, /nonce/);
    expect(() => configureElements({ allowSrc: 'yes' as never })).to.throw(TypeError, /allowSrc/);
  });
});
