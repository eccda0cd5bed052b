// The batch-of-files demo (examples/csv-batch.html): sample files are summarised in
// parallel, each row shows its numbers, and the malformed file fails alone.
import { expect } from 'chai';
import { mountCsvBatch, sampleFiles } from '../examples/csv-batch-app.js';
import { PyodidePool } from '../workers/index.js';
import { indexURL, waitFor } from './helpers.js';

describe('CSV batch demo', () => {
  let pool: PyodidePool;
  let root: HTMLElement;

  before(async () => {
    pool = new PyodidePool({ indexURL, min: 2, max: 2 });
    await pool.ready();
  });

  after(() => pool.terminate());

  beforeEach(() => {
    root = document.createElement('div');
    document.body.append(root);
    mountCsvBatch(root, pool);
  });

  afterEach(() => root.remove());

  const rowOf = (name: string) => root.querySelector<HTMLTableRowElement>(`tr[data-file="${name}"]`)!;

  it('summarises every sample file, and shows the malformed one failing alone', async () => {
    root.querySelector<HTMLButtonElement>('.samples')!.click();
    root.querySelector<HTMLButtonElement>('.run')!.click();
    const names = sampleFiles().map((f) => f.name);
    await waitFor(() => names.every((n) => ['done', 'failed'].includes(rowOf(n)?.dataset.status ?? '')), 60_000, 'every file settled');
    expect(rowOf('sensors-a.csv').dataset.status).to.equal('done');
    expect(rowOf('sensors-a.csv').cells[2]!.textContent).to.equal('20000');
    expect(rowOf('sensors-a.csv').cells[3]!.textContent).to.equal('4');
    expect(rowOf('prices.csv').cells[4]!.textContent).to.contain('price: 7.25 / 9.58 / 12');
    expect(rowOf('broken.csv').dataset.status).to.equal('failed');
    expect(rowOf('broken.csv').cells[4]!.textContent).to.contain('line 3 has 1 fields');
    expect(root.querySelector('[role="status"]')!.textContent).to.equal('Done: 3 summarised, 1 failed.');
  });

  it('cancels the batch', async () => {
    root.querySelector<HTMLButtonElement>('.samples')!.click();
    root.querySelector<HTMLButtonElement>('.run')!.click();
    root.querySelector<HTMLButtonElement>('.cancel')!.click();
    await waitFor(() => root.querySelector('[role="status"]')!.textContent!.startsWith('Done'), 60_000, 'the batch settled');
    expect(root.querySelectorAll('tr[data-status="failed"]').length).to.be.at.least(1);
    expect(root.querySelector<HTMLButtonElement>('.run')!.disabled).to.equal(false);
  });

  it('works as the page npm start serves', async () => {
    const frame = document.createElement('iframe');
    frame.src = '/examples/csv-batch.html';
    document.body.append(frame);
    try {
      await new Promise((resolve) => frame.addEventListener('load', resolve, { once: true }));
      const doc = frame.contentDocument!;
      const samples = await waitFor(() => doc.querySelector<HTMLButtonElement>('.samples'), 30_000, 'the demo');
      samples.click();
      doc.querySelector<HTMLButtonElement>('.run')!.click();
      await waitFor(() => doc.querySelector('[role="status"]')?.textContent === 'Done: 3 summarised, 1 failed.', 60_000, 'the batch done');
    } finally {
      frame.remove();
    }
  });
});
