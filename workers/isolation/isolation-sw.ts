/**
 * Makes a static site cross-origin isolated where its host cannot send headers (GitHub
 * Pages and the like), so a pool there can interrupt tasks, pipeline tiny ones and answer
 * `input()`. Built to `dist/isolation-sw.js`: one classic script with two jobs.
 *
 * - In a page, `<script src="isolation-sw.js"></script>` registers this same file as the
 *   service worker of the folder it is served from, and reloads the page once so that the
 *   worker serves it. `data-off` (or `?isolation=off` in the page's URL) unregisters it.
 * - As the service worker, it re-issues every request of the pages it controls and adds
 *   `Cross-Origin-Opener-Policy` and `Cross-Origin-Embedder-Policy` to the responses.
 *
 * The page side reports how it ended in `script.dataset.state` (and `.reason`) and in a
 * `pyodide-pool-isolation` event on `window` (`detail: { state, reason }`):
 * `isolated`, `reloading`, `gave-up`, `unsupported` or `off`.
 *
 * Nothing here is imported by the rest of the package, and it imports nothing: a service
 * worker script must be a single file.
 */

/** What a service worker's global scope offers that this file uses (the DOM lib has no such type). */
interface WorkerScope {
  skipWaiting(): Promise<void>;
  clients: { claim(): Promise<void> };
  addEventListener(type: 'install' | 'activate', listener: (event: Event & { waitUntil(promise: Promise<unknown>): void }) => void): void;
  addEventListener(type: 'fetch', listener: (event: Event & { request: Request; respondWith(response: Promise<Response>): void }) => void): void;
}

/** How the page side ended; see the file's comment. */
type IsolationState = 'isolated' | 'reloading' | 'gave-up' | 'unsupported' | 'off';

/** The sessionStorage key of the once-per-tab reload guard. */
const RELOADED = 'pyodide-pool-isolation-reloaded';

if (typeof window === 'undefined') serve(self as unknown as WorkerScope);
else register(document.currentScript as HTMLScriptElement | null);

function serve(scope: WorkerScope): void {
  // Take over at once, without waiting for every tab of an older version to close: the
  // page that registered it reloads as soon as it is active.
  scope.addEventListener('install', (event) => event.waitUntil(scope.skipWaiting()));
  scope.addEventListener('activate', (event) => event.waitUntil(scope.clients.claim()));
  scope.addEventListener('fetch', (event) => {
    const { request } = event;
    // fetch() refuses to re-issue such a request (devtools make them): let the browser have it.
    if (request.cache === 'only-if-cached' && request.mode !== 'same-origin') return;
    event.respondWith(withIsolationHeaders(request));
  });
}

async function withIsolationHeaders(request: Request): Promise<Response> {
  const response = await fetch(request);
  // An opaque response (a no-cors cross-origin fetch, an opaque redirect) has no headers to
  // read or add; the browser checks it against the page's policy as it is.
  if (response.status === 0) return response;
  const headers = new Headers(response.headers);
  headers.set('Cross-Origin-Opener-Policy', 'same-origin');
  headers.set('Cross-Origin-Embedder-Policy', 'require-corp');
  // Our own files may be embedded by other isolated pages too, unless the host says otherwise.
  if (response.type === 'basic' && !headers.has('Cross-Origin-Resource-Policy')) headers.set('Cross-Origin-Resource-Policy', 'cross-origin');
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
}

function register(script: HTMLScriptElement | null): void {
  const report = (state: IsolationState, reason?: string): void => {
    if (script) Object.assign(script.dataset, { state }, reason ? { reason } : {});
    // One line, and only when the page stays without what isolation gives.
    if (reason) console.warn(`pyodide-pool isolation-sw: ${reason}`);
    window.dispatchEvent(new CustomEvent('pyodide-pool-isolation', { detail: { state, reason } }));
  };
  // Absent outside secure contexts (plain http other than localhost), and in some private windows.
  const container = navigator.serviceWorker as ServiceWorkerContainer | undefined;
  if (!script?.src) return report('unsupported', 'load this file with <script src="…/isolation-sw.js">, not inline or as a module');
  const scriptURL = script.src;

  if (script.hasAttribute('data-off') || new URLSearchParams(location.search).get('isolation') === 'off') {
    if (!container) return report('off');
    void container.getRegistrations().then(async (registrations) => {
      const ours = registrations.filter((r) => [r.active, r.waiting, r.installing].some((w) => w?.scriptURL === scriptURL));
      await Promise.all(ours.map((r) => r.unregister()));
      // Still served by the worker until the next load: reload once to drop its headers.
      if ((crossOriginIsolated || container.controller) && !sessionStorage.getItem(RELOADED)) {
        sessionStorage.setItem(RELOADED, 'off');
        location.reload();
        return;
      }
      sessionStorage.removeItem(RELOADED);
      report('off');
    });
    return;
  }
  if (crossOriginIsolated) {
    sessionStorage.removeItem(RELOADED);
    return report('isolated');
  }
  if (!container) return report('unsupported', 'service workers are not available here (they need https or localhost); the page is not cross-origin isolated');
  // We reloaded this tab once already and it is still not isolated: reloading again would
  // loop. Typical causes: a frame inside a page that is not isolated, a hard reload (which
  // bypasses service workers), or a browser that does not honour the headers.
  if (sessionStorage.getItem(RELOADED)) return giveUp(container, report);

  container.register(scriptURL).then(
    async (registration) => {
      // A worker controls only pages under the folder its script is served from.
      if (!location.href.startsWith(registration.scope)) {
        return report('unsupported', `this page is outside the service worker's scope ${registration.scope}: serve isolation-sw.js from the page's folder or above it`);
      }
      // Once it is active, the next load of this page goes through it. (Not waiting for
      // `controllerchange`: a registration revived after an unregister is already active
      // and does not claim this page again.)
      await container.ready;
      sessionStorage.setItem(RELOADED, 'on');
      report('reloading');
      location.reload();
    },
    (err: unknown) => report('unsupported', `could not register the service worker (${String(err)}); the page is not cross-origin isolated`),
  );
}

function giveUp(container: ServiceWorkerContainer, report: (state: IsolationState, reason: string) => void): void {
  const why = container.controller
    ? 'the service worker serves this page, yet it is still not cross-origin isolated (is it in a frame of a page that is not?)'
    : 'the page was reloaded but the service worker did not take it over (a hard reload bypasses it)';
  report('gave-up', `${why}; not reloading again in this tab. Tasks run without interrupts or input().`);
}

// A module to TypeScript (its names stay out of the global scope); the build emits a
// classic script without this line.
export {};
