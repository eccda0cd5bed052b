// A pool on a page whose host sends no isolation headers, made isolated by isolation-sw.js.
// It shows whether that worked and what it buys: a cancel that keeps the worker, input()
// answered by onInput, pipelined tiny tasks.
//
// It also reports on the BroadcastChannel `pyodide-pool-static-host`, because a page that
// opened this one loses its handle to it once it is isolated (COOP severs the link), while
// a same-origin channel still reaches it: `load` on every load (from index.html), `state` once isolation-sw
// has settled, one message per demo. `?run=all` runs every demo at
// start; a `close` message closes the window (answered by `closing`). test/static-host.nonisolated.test.ts uses both.
import { effect } from '@preact/signals-core';
import { PyodidePool } from '../../workers/index.js';

/** What isolation-sw.js reports (see workers/isolation/isolation-sw.ts). */
interface Isolation {
  state: 'isolated' | 'reloading' | 'gave-up' | 'unsupported' | 'off';
  reason?: string;
}

const channel = new BroadcastChannel('pyodide-pool-static-host');
const post = (type: string, data: Record<string, unknown> = {}) => channel.postMessage({ type, href: location.href, ...data });
const $ = (id: string) => document.getElementById(id)!;
const button = (id: string) => $(id) as HTMLButtonElement;
const yesNo = (value: boolean) => (value ? 'yes' : 'no');

const controlled = Boolean(navigator.serviceWorker?.controller);
$('isolated').textContent = yesNo(crossOriginIsolated);
$('controlled').textContent = yesNo(controlled);
channel.addEventListener('message', (event: MessageEvent<{ type?: string }>) => {
  if (event.data?.type !== 'close') return;
  post('closing');
  window.close();
});

/** Resolves with isolation-sw's verdict: at once if it is already in, else on its event. */
function settled(): Promise<Isolation> {
  const script = document.querySelector<HTMLScriptElement>('script[src$="isolation-sw.js"]');
  const state = script?.dataset.state as Isolation['state'] | undefined;
  if (state) return Promise.resolve({ state, reason: script!.dataset.reason });
  return new Promise((resolve) => addEventListener('pyodide-pool-isolation', (e) => resolve((e as CustomEvent<Isolation>).detail), { once: true }));
}

const isolation = await settled();
$('state').textContent = isolation.state;
$('reason').textContent = isolation.reason ?? '';
post('state', { ...isolation });
// About to reload under the service worker: a pool started now would be thrown away.
if (isolation.state === 'reloading') await new Promise(() => {});

// The worker script comes from this folder, as a site puts dist/pool-worker.js where its
// service worker reaches: served from elsewhere, it would lack the isolation headers and
// the isolated page would refuse to start it.
const pool = new PyodidePool({ indexURL: '/pyodide/', min: 1, max: 1, workerURL: new URL('./pool-worker.js', import.meta.url) });
$('interrupt').textContent = yesNo(pool.capabilities.interrupt);
const workerIds = () => pool.state.workers.value.map((w) => w.id);

effect(() => {
  $('worker-list').replaceChildren(
    ...pool.state.workers.value.map((w) => {
      const chip = document.createElement('span');
      chip.className = 'worker';
      chip.dataset.status = w.status;
      chip.textContent = `#${w.id} ${w.status} · ${w.tasksRun} tasks`;
      return chip;
    }),
  );
});

/** Starts an endless loop, cancels it once it runs, and says which worker runs the next task. */
async function cancelDemo(): Promise<void> {
  const before = workerIds();
  const task = pool.submit('while True:\n    pass');
  await new Promise<void>((resolve) => {
    const stop = task.status.subscribe((status) => {
      if (status !== 'running') return;
      resolve();
      queueMicrotask(() => stop());
    });
  });
  const started = performance.now();
  task.cancel('demo');
  const error = await task.result.then(
    () => 'none',
    (err: Error) => err.name,
  );
  const ms = Math.round(performance.now() - started);
  await pool.run('1 + 1');
  const after = workerIds();
  const kept = before.length === 1 && after.length === 1 && before[0] === after[0];
  $('cancel-out').textContent = `${error} after ${ms} ms; worker #${before.join(',')} → next task on #${after.join(',')}: ${kept ? 'kept' : 'replaced'}`;
  post('cancel', { before, after, error, ms });
}

let answer: ((text: string) => void) | undefined;
/** Runs a task that calls input(); the form (or `auto`) answers it. */
async function inputDemo(auto: boolean): Promise<void> {
  $('input-out').textContent = '';
  const onInput = (prompt: string) => {
    $('prompt').textContent = prompt;
    if (auto) return ($('answer') as HTMLInputElement).value;
    button('send').disabled = false;
    return new Promise<string>((resolve) => (answer = resolve));
  };
  const outcome = await pool.run<string>('name = input("Your name? ")\nf"Hello, {name}!"', { onInput }).then(
    (value) => ({ value }),
    (err: Error) => ({ error: `${err.name}: ${err.message}` }),
  );
  button('send').disabled = true;
  $('input-out').textContent = 'value' in outcome ? outcome.value : outcome.error;
  post('input', outcome);
}

/** Submits 2,000 tiny tasks at once and times them. */
async function tinyDemo(): Promise<void> {
  const started = performance.now();
  const tasks = Array.from({ length: 2_000 }, (_, i) => pool.run<number>('x + 1', { inputs: { x: i } }));
  const results = await Promise.all(tasks);
  const ms = Math.round(performance.now() - started);
  const correct = results.every((r, i) => r === i + 1);
  $('tiny-out').textContent = `${results.length} tasks in ${ms} ms${correct ? '' : ' (wrong results!)'}`;
  post('tiny', { count: results.length, correct, ms, interrupt: pool.capabilities.interrupt });
}

$('input-form').addEventListener('submit', (event) => {
  event.preventDefault();
  answer?.(($('answer') as HTMLInputElement).value);
  answer = undefined;
});
const demos: [string, () => Promise<void>][] = [
  ['cancel', cancelDemo],
  ['input', () => inputDemo(false)],
  ['tiny', tinyDemo],
];
for (const [id, run] of demos) {
  button(id).addEventListener('click', () => {
    button(id).disabled = true;
    void run().finally(() => (button(id).disabled = false));
  });
}

await pool.ready();
post('ready', { workers: workerIds(), interrupt: pool.capabilities.interrupt });
if (new URLSearchParams(location.search).get('run') === 'all') {
  await cancelDemo();
  await inputDemo(true);
  await tinyDemo();
  post('done');
}
for (const [id] of demos) button(id).disabled = false;
