// The drop-in bundle (dist/components.js, built by `npm run build`) in a plain HTML page
// without a bundler: examples/drop-in.html shows a result.
import { expect } from '@open-wc/testing';

describe('drop-in page', () => {
  it('runs a <py-task> from the self-contained bundle and shows its result', async () => {
    const frame = document.createElement('iframe');
    frame.src = '/examples/drop-in.html';
    document.body.append(frame);
    try {
      await new Promise((resolve) => frame.addEventListener('load', resolve, { once: true }));
      const doc = frame.contentDocument!;
      const task = doc.getElementById('stats') as HTMLElement & { status: string; result: unknown; error: Error };
      const result = await new Promise<unknown>((resolve, reject) => {
        if (task.status === 'done') resolve(task.result);
        if (task.status === 'failed') reject(task.error);
        task.addEventListener('task-result', (e) => resolve((e as CustomEvent).detail.result));
        task.addEventListener('task-error', (e) => reject((e as CustomEvent).detail.error));
      });
      expect(result).to.deep.equal({ mean: 5, stdev: 2.138 });
      const shown = task.shadowRoot!.querySelector('[part="result"]')!.textContent!;
      expect(JSON.parse(shown)).to.deep.equal({ mean: 5, stdev: 2.138 });
      // It came from the bundle, not from the sources.
      expect([...doc.scripts].map((s) => s.getAttribute('src'))).to.include('../dist/components.js');
    } finally {
      frame.remove();
    }
  });
});
