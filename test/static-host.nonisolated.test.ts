// The static-host recipe: examples/static-host/ is served without isolation headers (see
// STATIC_HOST_DEMO in scripts/dev-middleware.mjs) and made cross-origin isolated by
// isolation-sw.js, a service worker. This runs on the plain page, where the recipe is needed.
//
// The demo must be a top-level page (a frame of a page that is not isolated can never be),
// so it is opened with window.open. Once isolated it is cut off from this page (COOP), so
// it reports on a BroadcastChannel and closes itself when asked (see static-host.ts).
import { expect } from 'chai';
import { sendMouse } from '@web/test-runner-commands';

const DEMO = '/examples/static-host/index.html';
/** isolation-sw.js's once-per-tab reload guard, which a popup copies from this page. */
const RELOADED = 'pyodide-pool-isolation-reloaded';

interface Report {
  type: string;
  href: string;
  [key: string]: unknown;
}

/** The demo's messages for one URL, kept in order, and a wait for the next of a type. */
class Reports {
  readonly all: Report[] = [];
  readonly #channel = new BroadcastChannel('pyodide-pool-static-host');
  readonly #waiting = new Set<() => void>();
  readonly url: string;
  #closed = false;

  constructor(query: string) {
    // A tag of its own, so a message from an earlier window is never taken for this one's.
    this.url = new URL(`${DEMO}?${query}&tag=${Math.random().toString(36).slice(2)}`, location.href).href;
    this.#channel.onmessage = (event: MessageEvent<Report>) => {
      if (event.data.href !== this.url) return;
      this.all.push(event.data);
      for (const wake of this.#waiting) wake();
    };
  }

  of(type: string): Report[] {
    return this.all.filter((r) => r.type === type);
  }

  /** Resolves with the first message of `type` that `matches`; rejects after `ms` with what came. */
  next(type: string, ms: number, matches: (report: Report) => boolean = () => true): Promise<Report> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const found = this.of(type).find(matches);
        if (!found) return;
        this.#waiting.delete(check);
        clearTimeout(timer);
        resolve(found);
      };
      const timer = setTimeout(() => {
        this.#waiting.delete(check);
        reject(new Error(`no ${type} message from ${this.url} in ${ms} ms; got ${JSON.stringify(this.all)}`));
      }, ms);
      this.#waiting.add(check);
      check();
    });
  }

  /** Asks the demo to close its window (a page isolation cut off cannot be closed from here). */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const asked = this.all.length;
    const closing = this.next('closing', 5_000, (r) => this.all.indexOf(r) >= asked);
    this.#channel.postMessage({ type: 'close' });
    await closing.finally(() => this.#channel.close());
  }
}

async function unregisterDemoWorkers(): Promise<void> {
  const registrations = await navigator.serviceWorker.getRegistrations();
  await Promise.all(registrations.filter((r) => r.scope.includes('/examples/static-host/')).map((r) => r.unregister()));
}

describe('a static host made cross-origin isolated by isolation-sw.js', function () {
  this.timeout(60_000);
  const opened: Reports[] = [];

  /**
   * Opens the demo from a real click: WebKit blocks window.open without a user gesture,
   * even under automation.
   */
  async function open(query: string): Promise<Reports> {
    sessionStorage.removeItem(RELOADED);
    const reports = new Reports(query);
    opened.push(reports);
    const button = document.createElement('button');
    button.textContent = 'open the demo';
    button.style.cssText = 'position: fixed; left: 0; top: 0; width: 200px; height: 40px; z-index: 1';
    const popup = new Promise<Window | null>((resolve) => button.addEventListener('click', () => resolve(window.open(reports.url, '_blank')), { once: true }));
    document.body.append(button);
    try {
      await sendMouse({ type: 'click', position: [100, 20] });
      expect(await popup, 'the popup was blocked').to.not.equal(null);
    } finally {
      button.remove();
    }
    return reports;
  }

  before(async () => {
    // This page itself is never served by the worker: its scope is the demo's folder.
    expect(navigator.serviceWorker.controller).to.equal(null);
    await unregisterDemoWorkers();
  });

  after(async () => {
    // Whatever a failed test left open; the worker goes either way.
    await Promise.allSettled(opened.map((r) => r.close()));
    await unregisterDemoWorkers();
    sessionStorage.removeItem(RELOADED);
  });

  it('reloads the page once, after which it is isolated: cancel keeps the worker, input() is answered, tiny tasks pipeline', async () => {
    const demo = await open('run=all');
    await demo.next('done', 50_000);
    const loads = demo.of('load').map((r) => [r.isolated, r.controlled]);
    expect(loads, 'the loads: [isolated, served by the worker]').to.deep.equal([
      [false, false],
      [true, true],
    ]);
    // (The first load may reload before its module reports 'reloading': only the last state counts.)
    expect(demo.of('state').at(-1)).to.include({ state: 'isolated' });
    expect(demo.of('ready')[0]).to.include({ interrupt: true });

    const cancel = demo.of('cancel')[0]!;
    expect(cancel.error).to.equal('TaskCancelledError');
    expect(cancel.after, 'the worker that runs the next task').to.deep.equal(cancel.before);
    expect(demo.of('input')[0]).to.deep.include({ value: 'Hello, Ada!' });
    expect(demo.of('tiny')[0]).to.include({ count: 2_000, correct: true, interrupt: true });
    // Isolation never touches this page, nor any page outside the demo's folder.
    expect(navigator.serviceWorker.controller).to.equal(null);
    expect(crossOriginIsolated).to.equal(false);
    await demo.close();
  });

  it('?isolation=off unregisters the worker and reloads once into a plain page', async () => {
    const registered = await navigator.serviceWorker.getRegistrations();
    expect(registered.map((r) => r.scope)).to.include(new URL('/examples/static-host/', location.href).href);
    const demo = await open('isolation=off');
    await demo.next('state', 30_000, (r) => r.state !== 'reloading');
    // Served by the still-registered worker first (isolated: only the worker adds the
    // headers), then plain. (Not checking `controller` on that first load: Firefox's
    // inline script there sees null though the worker served the page.)
    expect(demo.of('load').map((r) => r.isolated)).to.deep.equal([true, false]);
    expect(demo.of('load')[1]).to.include({ controlled: false });
    expect(demo.of('state')[0]).to.include({ state: 'off' });
    const left = await navigator.serviceWorker.getRegistrations();
    expect(left.filter((r) => r.scope.includes('/examples/static-host/'))).to.deep.equal([]);
    await demo.close();
  });

  it('gives up after one reload when the page still is not isolated (a frame of a plain page), saying why', async () => {
    sessionStorage.removeItem(RELOADED);
    const demo = new Reports('run=none');
    const frame = document.createElement('iframe');
    frame.src = demo.url;
    document.body.append(frame);
    try {
      const state = await demo.next('state', 30_000, (r) => r.state !== 'reloading');
      expect(state.state).to.equal('gave-up');
      expect(state.reason).to.match(/still not cross-origin isolated/);
      // The verdict is final: the script reloads only in the branch that said 'reloading'.
      expect(demo.of('load').map((r) => [r.isolated, r.controlled])).to.deep.equal([
        [false, false],
        [false, true],
      ]);
    } finally {
      frame.remove();
    }
  });
});
