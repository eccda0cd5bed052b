import type { Meta, StoryObj } from '@storybook/web-components';
import { expect } from 'storybook/test';
import { mountCsvBatch, sampleFiles } from '../examples/csv-batch-app.js';
import { PyodidePool } from '../workers/index.js';
import { INDEX_URL, poll } from './shared.js';

/**
 * The job the pool is for: a batch of CSV files, each parsed and summarised by Python in
 * parallel (rows, columns, per-column min/mean/max), with a progress bar per file, cancel,
 * and per-file errors. The same demo as `examples/csv-batch.html`.
 */
const meta: Meta = {
  title: 'Demos/CSV batch',
};
export default meta;

type Story = StoryObj;

/** One pool for the catalogue page, made on first render. */
let pool: PyodidePool | undefined;

/** Generate the sample files and summarise them: three succeed, the malformed one fails alone. */
export const SummariseSamples: Story = {
  render: () => {
    pool ??= new PyodidePool({ indexURL: INDEX_URL, max: 2 });
    const root = document.createElement('div');
    mountCsvBatch(root, pool);
    return root;
  },
  play: async ({ canvasElement }) => {
    canvasElement.querySelector<HTMLButtonElement>('.samples')!.click();
    canvasElement.querySelector<HTMLButtonElement>('.run')!.click();
    const rows = () => [...canvasElement.querySelectorAll<HTMLTableRowElement>('tbody tr')];
    await poll(
      () => rows().length === sampleFiles().length && rows().every((r) => r.dataset.status === 'done' || r.dataset.status === 'failed'),
      () => 'the files did not all settle',
    );
    await expect(
      rows()
        .filter((r) => r.dataset.status === 'failed')
        .map((r) => r.dataset.file),
    ).toEqual(['broken.csv']);
    await expect(canvasElement.querySelector('[role="status"]')?.textContent).toBe('Done: 3 summarised, 1 failed.');
  },
};
