// The batch-of-files job: CSV files picked, dropped or generated, each parsed and
// summarised by Python in parallel (rows, columns, per-column min/mean/max with `csv` and
// `statistics`), a progress bar per file, a results table, cancel, and per-file errors.
// Used by examples/csv-batch.html and by the catalogue's story.
import type { PyodidePool } from '../workers/index.js';

/** The Python each file runs: `item` is the File, as a read-only binary file object. */
export const SUMMARY_CODE = `import csv, io, statistics
from worker_pool import progress

reader = csv.reader(io.TextIOWrapper(item, encoding="utf-8", newline=""))
header = next(reader, None)
if not header:
    raise ValueError("the file is empty")
numbers = {name: [] for name in header}
rows = 0
for line, row in enumerate(reader, start=2):
    if len(row) != len(header):
        raise ValueError(f"line {line} has {len(row)} fields, the header has {len(header)}")
    for name, value in zip(header, row):
        try:
            numbers[name].append(float(value))
        except ValueError:
            pass
    rows += 1
    if rows % 2000 == 0:
        progress(min(0.99, item.tell() / max(1, item.size)))
progress(1.0)
{
    "rows": rows,
    "columns": len(header),
    "stats": {n: [min(v), statistics.fmean(v), max(v)] for n, v in numbers.items() if v},
}`;

/** What Python gives back for one file. */
export interface Summary {
  rows: number;
  columns: number;
  stats: Record<string, [number, number, number]>;
}

/** A few sample files (one of them malformed), so the demo works offline. */
export function sampleFiles(): File[] {
  const rows = (n: number, seed: number) => Array.from({ length: n }, (_, i) => `${i},${((i * 7919 + seed) % 1000) / 10},${(i * seed) % 17},city${i % 5}`).join('\n');
  return [
    new File([`id,temperature,count,place\n${rows(20_000, 3)}\n`], 'sensors-a.csv', { type: 'text/csv' }),
    new File([`id,temperature,count,place\n${rows(5_000, 11)}\n`], 'sensors-b.csv', { type: 'text/csv' }),
    new File([`id,price\n1,9.5\n2,12\n3,7.25\n`], 'prices.csv', { type: 'text/csv' }),
    new File(['id,price\n1,9.5\n2\n'], 'broken.csv', { type: 'text/csv' }),
  ];
}

const format = (x: number) => (Number.isInteger(x) ? String(x) : x.toFixed(2));

function element<K extends keyof HTMLElementTagNameMap>(tag: K, props: Partial<HTMLElementTagNameMap[K]> = {}, ...children: (Node | string)[]): HTMLElementTagNameMap[K] {
  const el = Object.assign(document.createElement(tag), props);
  el.append(...children);
  return el;
}

/**
 * Build the demo inside `root` on `pool`. Each file's row shows its progress, then its
 * summary or its error; a malformed file fails alone.
 */
export function mountCsvBatch(root: HTMLElement, pool: PyodidePool): void {
  let files: File[] = [];
  let controller: AbortController | undefined;
  const picker = element('input', { type: 'file', multiple: true, accept: '.csv,text/csv' });
  picker.setAttribute('aria-label', 'CSV files');
  const samples = element('button', { type: 'button', textContent: 'Generate sample files', className: 'samples' });
  const run = element('button', { type: 'button', textContent: 'Summarise', className: 'run', disabled: true });
  const cancel = element('button', { type: 'button', textContent: 'Cancel', className: 'cancel', disabled: true });
  const status = element('span', { className: 'status' });
  status.setAttribute('role', 'status');
  const drop = element('div', { className: 'drop', textContent: 'Drop CSV files here' });
  const table = element('tbody');
  // Which worker summarised which file, and how long each waited and ran (click a bar for its details).
  const monitor = Object.assign(document.createElement('pool-monitor'), { pool });
  monitor.setAttribute('inspect', '');
  monitor.setAttribute('window', '20s');
  root.append(
    element('p', { className: 'controls' }, picker, samples, run, cancel, status),
    drop,
    monitor,
    element(
      'table',
      { className: 'results' },
      element('thead', {}, element('tr', {}, ...['file', 'progress', 'rows', 'columns', 'column: min / mean / max'].map((h) => element('th', { textContent: h })))),
      table,
    ),
  );

  const choose = (chosen: File[]) => {
    files = chosen.filter((f) => f.name.endsWith('.csv') || f.type === 'text/csv');
    table.replaceChildren(
      ...files.map((f) => {
        // Each cell names its column, for the narrow layout where rows become cards (demo.css).
        const cell = (label: string, ...children: (Node | string)[]) => {
          const td = element('td', {}, ...children);
          td.dataset.label = label;
          return td;
        };
        const row = element('tr', {}, cell('file', f.name), cell('progress', element('progress', { max: 1, value: 0 })), cell('rows'), cell('columns'), cell('min / mean / max'));
        row.dataset.file = f.name;
        return row;
      }),
    );
    run.disabled = files.length === 0;
    status.textContent = `${files.length} file(s) chosen`;
  };
  picker.addEventListener('change', () => choose([...(picker.files ?? [])]));
  samples.addEventListener('click', () => choose(sampleFiles()));
  drop.addEventListener('dragover', (e) => e.preventDefault());
  drop.addEventListener('drop', (e) => {
    e.preventDefault();
    choose([...(e.dataTransfer?.files ?? [])]);
  });
  cancel.addEventListener('click', () => controller?.abort('cancelled by the user'));

  // Never rejects: every file's outcome is settled, and shown in its row.
  const summarise = async () => {
    controller = new AbortController();
    run.disabled = true;
    cancel.disabled = false;
    status.textContent = 'Summarising…';
    const rows = [...table.rows];
    const outcomes = await Promise.allSettled(
      files.map((file, i) => {
        const [, progressCell, rowsCell, columnsCell, statsCell] = rows[i]!.cells;
        const bar = progressCell!.querySelector('progress')!;
        rows[i]!.dataset.status = 'running';
        return pool
          .run<Summary>(SUMMARY_CODE, {
            inputs: { item: file },
            signal: controller!.signal,
            onOutput: (event) => {
              if (event.type === 'progress') bar.value = event.fraction;
            },
          })
          .then(
            (summary) => {
              rows[i]!.dataset.status = 'done';
              bar.value = 1;
              rowsCell!.textContent = String(summary.rows);
              columnsCell!.textContent = String(summary.columns);
              const lines = Object.entries(summary.stats).map(([name, [lo, mean, hi]]) =>
                element('div', {}, element('b', { textContent: `${name}:` }), ` ${format(lo)} / ${format(mean)} / ${format(hi)}`),
              );
              // One child, so the narrow layout's label and value stay side by side.
              statsCell!.replaceChildren(element('div', {}, ...lines));
            },
            (error: Error) => {
              rows[i]!.dataset.status = 'failed';
              statsCell!.textContent = error.message;
              statsCell!.className = 'error';
              throw error;
            },
          );
      }),
    );
    const failed = outcomes.filter((o) => o.status === 'rejected').length;
    status.textContent = `Done: ${files.length - failed} summarised, ${failed} failed.`;
    run.disabled = false;
    cancel.disabled = true;
  };
  run.addEventListener('click', () => void summarise());
}
