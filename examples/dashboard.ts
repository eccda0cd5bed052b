// Declarative Monte Carlo: the page only creates <py-task> elements and listens to events.
import '../components/index.js';
import type { PyTaskElement } from '../components/index.js';

const TASKS = 48;
const SAMPLES = 100_000;
const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

$('task-count').textContent = String(TASKS);
const grid = $('tasks');
const results = new Map<PyTaskElement, number>();

function showEstimate(): void {
  const hits = [...results.values()].reduce((a, b) => a + b, 0);
  $('done').textContent = String(results.size);
  $('estimate').textContent = results.size ? ((4 * hits) / (results.size * SAMPLES)).toFixed(5) : '–';
}

for (let i = 0; i < TASKS; i++) {
  const task = document.createElement('py-task');
  task.code = 'darts(samples)';
  // Each <py-task> reruns when its inputs change; `run` makes every rerun a new input.
  task.inputs = { samples: SAMPLES, run: 0 };
  task.auto = true;
  task.addEventListener('task-result', (e) => {
    results.set(task, e.detail.result as number);
    showEstimate();
  });
  grid.append(task);
}

$('rerun').addEventListener('click', () => {
  results.clear();
  showEstimate();
  for (const task of grid.querySelectorAll('py-task')) {
    task.inputs = { samples: SAMPLES, run: Number(task.inputs?.run ?? 0) + 1 };
  }
});

const edited = $<PyTaskElement>('edited');
$('run').addEventListener('click', () => {
  edited.code = $<HTMLTextAreaElement>('editor').value;
  void edited.run();
});
$('cancel').addEventListener('click', () => edited.cancel('cancelled from the page'));
