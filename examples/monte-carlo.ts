// Monte Carlo π with the core API: 1,000 tasks over a pool, live state from its signals.
import { effect } from '@preact/signals-core';
import { PyodidePool, TaskCancelledError } from '../workers/index.js';
import '../components/pool-monitor.js';

const TASKS = 1_000;
const SAMPLES = 20_000;
const CODE = `import random

hits = 0
for _ in range(samples):
    x, y = random.random(), random.random()
    if x * x + y * y <= 1.0:
        hits += 1
hits`;

const $ = (id: string) => document.getElementById(id)!;
$('code').textContent = CODE;
$('samples').textContent = SAMPLES.toLocaleString('en');

// One worker per core (at least two) so the chips show work running in parallel.
const pool = new PyodidePool({ indexURL: '/pyodide/', max: Math.max(2, navigator.hardwareConcurrency) });
document.querySelector('pool-monitor')!.pool = pool;
let hits = 0;
let darts = 0;
let controller: AbortController | undefined;

effect(() => {
  const workers = pool.state.workers.value;
  $('workers').textContent = String(workers.length);
  $('queued').textContent = String(pool.state.queued.value);
  $('running').textContent = String(pool.state.running.value);
  $('completed').textContent = String(pool.state.completed.value);
});

function showEstimate(): void {
  if (darts === 0) return;
  const estimate = (4 * hits) / darts;
  $('estimate').textContent = estimate.toFixed(5);
  $('error').textContent = Math.abs(estimate - Math.PI).toExponential(2);
}

async function runAll(): Promise<void> {
  controller = new AbortController();
  hits = 0;
  darts = 0;
  ($('start') as HTMLButtonElement).disabled = true;
  ($('cancel') as HTMLButtonElement).disabled = false;
  $('message').textContent = 'Running…';
  const started = performance.now();
  const tasks = Array.from({ length: TASKS }, () =>
    pool.submit<number>(CODE, { inputs: { samples: SAMPLES }, signal: controller!.signal }).result.then((h) => {
      hits += h;
      darts += SAMPLES;
      showEstimate();
    }),
  );
  const outcomes = await Promise.allSettled(tasks);
  const cancelled = outcomes.filter((o) => o.status === 'rejected' && o.reason instanceof TaskCancelledError).length;
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  $('message').textContent = cancelled
    ? `Cancelled: ${TASKS - cancelled} tasks finished in ${seconds} s.`
    : `Done: ${TASKS} tasks (${(TASKS * SAMPLES).toLocaleString('en')} darts) in ${seconds} s.`;
  ($('start') as HTMLButtonElement).disabled = false;
  ($('cancel') as HTMLButtonElement).disabled = true;
}

$('start').addEventListener('click', () => void runAll());
$('cancel').addEventListener('click', () => controller?.abort('cancelled by the user'));

pool.ready().then(
  () => {
    $('message').textContent = 'Workers are warm.';
    ($('start') as HTMLButtonElement).disabled = false;
  },
  (err: Error) => {
    $('message').textContent = `The pool could not start: ${err.message}`;
  },
);
