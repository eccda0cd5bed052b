// Code you did not write, in the elements: a sandboxed <worker-pool>, and the code policy
// (configureElements: a nonce for inline Python, allowSrc for src) refusing what it must,
// at every door to code: src, index-url, packages URLs and pool="…" references.
import { expect, oneEvent } from '@open-wc/testing';
import '../../components/index.js';
import { CodePolicyError, configureElements, type PoolErrorEvent, type PyTaskElement, type TaskErrorEvent, type WorkerPoolElement } from '../../components/index.js';
import { isPageOrigin } from '../../components/code-policy.js';
import { indexURL, rejection } from '../helpers.js';

/** The same test server under another origin (the page is served from localhost). */
const FOREIGN = `http://127.0.0.1:${location.port}`;
const WHEEL = '/__fixtures__/tinypkg-1.0.0-py3-none-any.whl';

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

/**
 * Watches what the page starts: every Worker constructed and every fetch, from now until
 * `restore()`. Installed before the element under test is made, so anything it would load
 * (a worker, the sandbox's file relay, a src) shows here.
 */
function watchRequests() {
  const workers: string[] = [];
  const fetches: string[] = [];
  const RealWorker = globalThis.Worker;
  const realFetch = globalThis.fetch;
  globalThis.Worker = class extends RealWorker {
    constructor(url: string | URL, options?: WorkerOptions) {
      workers.push(String(url));
      super(url, options);
    }
  };
  globalThis.fetch = (input: RequestInfo | URL, init?: RequestInit) => {
    fetches.push(input instanceof Request ? input.url : String(input));
    return realFetch(input, init);
  };
  return {
    workers,
    fetches,
    /** Resource-timing entries (any request the browser made for the page) for `prefix`. */
    resources: (prefix: string) => performance.getEntriesByType('resource').filter((entry) => entry.name.startsWith(prefix)),
    restore() {
      globalThis.Worker = RealWorker;
      globalThis.fetch = realFetch;
    },
  };
}

/** A `<worker-pool>` from markup, added to the page as an injection would add it. */
function injectPool(markup: string): WorkerPoolElement {
  const template = document.createElement('template');
  template.innerHTML = markup.trim();
  const el = template.content.firstElementChild as WorkerPoolElement;
  document.body.append(el);
  return el;
}

/** The `pool-error` of a `<worker-pool>` added by `add()` (listened for before it is added). */
async function poolRefusal(add: () => WorkerPoolElement, id: string): Promise<{ el: WorkerPoolElement; error: CodePolicyError }> {
  const caught = new Promise<PoolErrorEvent>((resolve) => document.body.addEventListener('pool-error', (e) => (e.target as Element).id === id && resolve(e as PoolErrorEvent)));
  const el = add();
  const { error } = (await caught).detail;
  expect(error).to.be.instanceOf(CodePolicyError);
  expect(el.poolError).to.equal(error);
  expect(el.pool).to.equal(undefined);
  return { el, error: error as CodePolicyError };
}

/** An iframe of `srcdoc`; resolves with the first message its page posts to this one. */
async function frameMessage<T>(srcdoc: string, sandbox?: string): Promise<{ data: T; frame: HTMLIFrameElement }> {
  const frame = document.createElement('iframe');
  if (sandbox !== undefined) frame.setAttribute('sandbox', sandbox);
  frame.srcdoc = srcdoc;
  const message = new Promise<T>((resolve) =>
    window.addEventListener('message', function listen(event) {
      if (event.source !== frame.contentWindow) return;
      window.removeEventListener('message', listen);
      resolve(event.data as T);
    }),
  );
  document.body.append(frame);
  return { data: await message, frame };
}

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
    // Once set, allowSrc judges the pool's index-url too: it must accept the runtime.
    const runtime = (url: URL) => url.pathname.startsWith(indexURL);
    configureElements({ allowSrc: (url, parsed) => runtime(parsed) || (seen.push(url), url.includes('/fixtures/') && !url.includes('answer')) });
    expect(await rejection(task(`<py-task src="${same}"></py-task>`).run())).to.be.instanceOf(CodePolicyError);
    expect(seen).to.deep.equal([new URL(same, location.href).href]);
    expect(tasksRun()).to.equal(before);
    configureElements({ allowSrc: (_url, parsed) => runtime(parsed) || parsed.pathname === same });
    expect(await task(`<py-task src="${same}"></py-task>`).run()).to.equal(42);
  });

  it('checks what configureElements is given', () => {
    expect(() => configureElements({ nonce: 5 as never })).to.throw(TypeError, /nonce/);
    expect(() => configureElements({ nonce: '' })).to.throw(TypeError, /nonce/);
    expect(() => configureElements({ allowSrc: 'yes' as never })).to.throw(TypeError, /allowSrc/);
  });

  describe('every door to code goes through the policy', () => {
    let watch: ReturnType<typeof watchRequests> | undefined;

    afterEach(() => {
      watch?.restore();
      watch = undefined;
      configureElements({ nonce: undefined, allowSrc: undefined });
      for (const el of document.body.querySelectorAll(':scope > worker-pool, :scope > py-task, :scope > iframe')) if (el !== host) el.remove();
    });

    it('the default accepts the page’s own http(s) origin only: never data:, blob: or an opaque origin', () => {
      const page = 'http://localhost:8000';
      expect(isPageOrigin(new URL('http://localhost:8000/pyodide/'), page)).to.equal(true);
      expect(isPageOrigin(new URL('http://127.0.0.1:8000/pyodide/'), page)).to.equal(false);
      expect(isPageOrigin(new URL('https://localhost:8000/pyodide/'), page)).to.equal(false);
      expect(isPageOrigin(new URL('data:text/plain,1'), page)).to.equal(false);
      // A blob: URL carries its creator's origin: the page's own, and still refused.
      const blob = URL.createObjectURL(new Blob(['1']));
      expect(new URL(blob).origin).to.equal(location.origin);
      expect(isPageOrigin(new URL(blob), location.origin)).to.equal(false);
      URL.revokeObjectURL(blob);
      // An opaque-origin page (a sandboxed iframe: its origin is 'null') has no origin of its
      // own: 'null' === 'null' must not admit data: code, nor anything else.
      expect(isPageOrigin(new URL('data:text/plain,1'), 'null')).to.equal(false);
      expect(isPageOrigin(new URL('http://localhost:8000/x.py'), 'null')).to.equal(false);
      expect(isPageOrigin(new URL('http://localhost:8000/x.py'), undefined)).to.equal(false);
    });

    it('index-url: with a nonce, a runtime from another origin, data: or blob: is refused before anything is requested', async () => {
      configureElements({ nonce: 'n0nce-door' });
      const blob = URL.createObjectURL(new Blob(['export const loadPyodide = () => 1;'], { type: 'text/javascript' }));
      const refused = [`${FOREIGN}/node_modules/pyodide/`, 'data:text/javascript,export%20const%20x%3D1/', `${blob}/`];
      watch = watchRequests();
      for (const [i, url] of refused.entries()) {
        const id = `evil-runtime-${i}`;
        const { error } = await poolRefusal(() => injectPool(`<worker-pool id="${id}" min="1" index-url="${url}"></worker-pool>`), id);
        expect(error.attribute).to.equal('index-url');
        expect(error.element.id).to.equal(id);
        expect(error.message).to.include(`<worker-pool id="${id}">`).and.include('index-url');
      }
      expect(watch.workers).to.deep.equal([]);
      expect(watch.fetches).to.deep.equal([]);
      expect(watch.resources(FOREIGN)).to.deep.equal([]);
      URL.revokeObjectURL(blob);
      // The page's own runtime is accepted, and the watch sees the worker it starts.
      const own = injectPool(`<worker-pool id="own-runtime" min="1" index-url="${indexURL}"></worker-pool>`);
      expect(own.poolError).to.equal(undefined);
      expect(own.pool).to.not.equal(undefined);
      expect(watch.workers.length).to.be.greaterThan(0);
      own.remove();
    });

    it('packages: with a nonce, a wheel URL from another origin, data: or blob: is refused; names and the page’s wheels pass', async () => {
      configureElements({ nonce: 'n0nce-door' });
      watch = watchRequests();
      const refused = [`${FOREIGN}${WHEEL}`, 'data:application/zip;base64,UEsFBgAAAAAAAAAAAAAAAAAAAAAAAA==', 'blob:x-evil.whl'];
      for (const [i, spec] of refused.entries()) {
        const id = `evil-wheel-${i}`;
        const { error } = await poolRefusal(() => injectPool(`<worker-pool id="${id}" min="1" index-url="${indexURL}" packages="micropip ${spec}"></worker-pool>`), id);
        expect(error.attribute).to.equal('packages');
        expect(error.message).to.include(`<worker-pool id="${id}">`).and.include('packages');
      }
      expect(watch.workers).to.deep.equal([]);
      expect(watch.fetches).to.deep.equal([]);
      expect(watch.resources(FOREIGN)).to.deep.equal([]);
      const own = injectPool(`<worker-pool id="own-wheel" min="0" index-url="${indexURL}" packages="micropip ${WHEEL}"></worker-pool>`);
      expect(own.poolError).to.equal(undefined);
      expect(own.pool!.options.packages).to.deep.equal(['micropip', new URL(WHEEL, location.href).href]);
      own.remove(); // made, not needed: its worker ends before it boots
    });

    it('allowSrc, once set, decides index-url and packages URLs too', async () => {
      const seen: string[] = [];
      // (It accepts the shared pool's runtime too, or that pool would end.)
      const shared = new URL(indexURL, location.href).href;
      configureElements({ allowSrc: (url) => (seen.push(url), url.startsWith(`${FOREIGN}/`) || url === shared) });
      const foreign = injectPool(`<worker-pool id="allowed" min="0" index-url="${FOREIGN}/node_modules/pyodide/" packages="${FOREIGN}${WHEEL}"></worker-pool>`);
      expect(foreign.poolError).to.equal(undefined);
      expect(foreign.pool!.options.indexURL).to.equal(`${FOREIGN}/node_modules/pyodide/`);
      expect(seen.filter((url) => url !== shared)).to.deep.equal([`${FOREIGN}/node_modules/pyodide/`, `${FOREIGN}${WHEEL}`]);
      foreign.remove();
      // allowSrc refuses another runtime of the page's own origin: it is the only judge once set.
      const { error } = await poolRefusal(() => injectPool(`<worker-pool id="own-refused" min="0" index-url="/elsewhere/pyodide/"></worker-pool>`), 'own-refused');
      expect(error.attribute).to.equal('index-url');
      expect(error.message).to.include('allowSrc refused it');
    });

    it('without a configured policy, index-url and packages load from anywhere, as before', () => {
      const el = injectPool(`<worker-pool id="unpoliced" min="0" index-url="${FOREIGN}/node_modules/pyodide/" packages="${FOREIGN}${WHEEL}"></worker-pool>`);
      expect(el.poolError).to.equal(undefined);
      expect(el.pool!.options.packages).to.deep.equal([`${FOREIGN}${WHEEL}`]);
      el.remove();
    });

    it('a policy set later ends a pool it refuses; cleared, the pool is made again', async () => {
      const el = injectPool(`<worker-pool id="earlier" min="0" index-url="${FOREIGN}/node_modules/pyodide/"></worker-pool>`);
      const before = el.pool!;
      expect(before).to.not.equal(undefined);
      const refused = oneEvent(el, 'pool-error') as Promise<PoolErrorEvent>;
      configureElements({ nonce: 'n0nce-later' });
      const { error } = (await refused).detail;
      expect(error).to.be.instanceOf(CodePolicyError);
      expect((error as CodePolicyError).attribute).to.equal('index-url');
      expect(el.pool).to.equal(undefined);
      expect(await rejection(before.run('1'))).to.have.property('name', 'PoolTerminatedError');
      configureElements({ nonce: undefined });
      expect(el.poolError).to.equal(undefined);
      expect(el.pool).to.not.equal(undefined);
      el.remove();
    });

    it('src: data: and blob: code is refused, configured policy or not, before anything is fetched', async () => {
      watch = watchRequests();
      const blob = URL.createObjectURL(new Blob(['"from a blob"']));
      for (const [i, src] of ['data:text/plain,%22injected%22', blob].entries()) {
        const el = document.createElement('py-task') as PyTaskElement;
        el.id = `src-${i}`;
        el.setAttribute('src', src);
        host.append(el);
        const err = (await rejection(el.run())) as CodePolicyError;
        expect(err).to.be.instanceOf(CodePolicyError);
        expect(err.attribute).to.equal('src');
        expect(err.message).to.include(`<py-task id="src-${i}">`).and.include(src);
        el.remove();
      }
      URL.revokeObjectURL(blob);
      expect(watch.fetches).to.deep.equal([]);
      expect(watch.workers).to.deep.equal([]);
    });

    it('pool="…": a <py-task> refuses a pool the policy refused, or an id that more than one element has', async () => {
      configureElements({ nonce: 'n0nce-ref' });
      watch = watchRequests();
      await poolRefusal(() => injectPool(`<worker-pool id="evil-ref" min="1" index-url="${FOREIGN}/node_modules/pyodide/"></worker-pool>`), 'evil-ref');
      const onRefused = document.createElement('py-task') as PyTaskElement;
      onRefused.id = 'on-refused';
      onRefused.setAttribute('pool', 'evil-ref');
      onRefused.innerHTML = '<script type="text/python" nonce="n0nce-ref">"ran"</script>';
      document.body.append(onRefused);
      const refused = (await rejection(onRefused.run())) as CodePolicyError;
      expect(refused).to.be.instanceOf(CodePolicyError);
      expect(refused.attribute).to.equal('pool');
      expect(refused.element).to.equal(onRefused);
      expect(refused.message).to.include('<py-task id="on-refused">').and.include('pool="evil-ref"').and.include('index-url');
      expect(watch.workers).to.deep.equal([]);
      expect(watch.resources(FOREIGN)).to.deep.equal([]);
      // An id taken twice (an injected <worker-pool> before the page's own): refused.
      for (const which of ['injected', 'own']) injectPool(`<worker-pool id="twice" data-which="${which}" min="0" index-url="${indexURL}"></worker-pool>`);
      const onTwice = document.createElement('py-task') as PyTaskElement;
      onTwice.id = 'on-twice';
      onTwice.setAttribute('pool', 'twice');
      onTwice.innerHTML = '<script type="text/python" nonce="n0nce-ref">"ran"</script>';
      document.body.append(onTwice);
      const ambiguous = (await rejection(onTwice.run())) as CodePolicyError;
      expect(ambiguous).to.be.instanceOf(CodePolicyError);
      expect(ambiguous.attribute).to.equal('pool');
      expect(ambiguous.message).to.include('<py-task id="on-twice">').and.include('2 elements');
      for (const el of document.querySelectorAll('worker-pool#twice')) el.remove();
      // A unique id of an accepted pool runs.
      host.id = 'the-shared-pool';
      const onAccepted = document.createElement('py-task') as PyTaskElement;
      onAccepted.setAttribute('pool', 'the-shared-pool');
      onAccepted.innerHTML = '<script type="text/python" nonce="n0nce-ref">"ran"</script>';
      document.body.append(onAccepted);
      expect(await onAccepted.run()).to.equal('ran');
      host.removeAttribute('id');
    });

    it('injected markup already in the page when the elements are defined loads nothing before the importing module sets the policy', async () => {
      // A fresh document (its own module map, so the elements are defined anew), whose
      // markup holds an injected pool; a classic script watches Workers and the pool's
      // error; then the module that imports the elements sets a nonce, as the README says.
      const srcdoc = `<!doctype html>
        <worker-pool id="static-evil" min="1" index-url="${FOREIGN}/node_modules/pyodide/"></worker-pool>
        <script>
          const started = [];
          const RealWorker = Worker;
          window.Worker = class extends RealWorker { constructor(url, options) { started.push(String(url)); super(url, options); } };
          document.getElementById('static-evil').addEventListener('pool-error', (event) => {
            const { name, attribute, message } = event.detail.error;
            parent.postMessage({ name, attribute, message, started, pool: String(event.target.pool) }, '*');
          });
        </script>
        <script type="module">
          import { configureElements } from '${new URL('/components/index.js', location.href).href}';
          configureElements({ nonce: 'n0nce-static' });
        </script>`;
      const { data } = await frameMessage<{ name: string; attribute: string; message: string; started: string[]; pool: string }>(srcdoc);
      expect(data.name).to.equal('CodePolicyError');
      expect(data.attribute).to.equal('index-url');
      expect(data.message).to.include('<worker-pool id="static-evil">');
      expect(data.started).to.deep.equal([]);
      expect(data.pool).to.equal('undefined');
    });

    it('on an opaque-origin page (a sandboxed iframe), the default refuses data: code and fetches nothing', async () => {
      // The drop-in bundle inline (an opaque-origin page can import nothing of this origin).
      const bundle = await (await fetch('/dist/components.js')).text();
      const srcdoc = `<!doctype html>
        <py-task id="opaque" src="data:text/plain,%22injected%22"></py-task>
        <script>
          window.fetched = [];
          const realFetch = fetch;
          window.fetch = (input, init) => (window.fetched.push(String(input)), realFetch(input, init));
        </script>
        <script type="module">${bundle.replace(/<\/script/gi, '<\\/script')}
          document.getElementById('opaque').run().then(
            (value) => parent.postMessage({ ran: value, origin: self.origin }, '*'),
            (error) => parent.postMessage({ name: error.name, attribute: error.attribute, message: error.message, origin: self.origin, fetched: window.fetched }, '*'),
          );
        </script>`;
      const { data } = await frameMessage<{ name?: string; attribute?: string; message?: string; origin: string; fetched?: string[]; ran?: unknown }>(srcdoc, 'allow-scripts');
      expect(data.origin).to.equal('null');
      expect(data.ran).to.equal(undefined);
      expect(data.name).to.equal('CodePolicyError');
      expect(data.attribute).to.equal('src');
      expect(data.message).to.include('<py-task id="opaque">');
      expect(data.fetched).to.deep.equal([]);
    });
  });
});
