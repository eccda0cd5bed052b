// Smoke test of the framework examples, built by `npm run build:examples` with Vite:
// each page loads, its task bound to the input produces a result, and its pool panel is live.
import { expect } from 'chai';
import { waitFor } from './helpers.js';

for (const framework of ['react', 'vue', 'svelte']) {
  describe(`${framework} example`, () => {
    it('loads, shows a result for its input, and a live pool-state panel', async () => {
      const frame = document.createElement('iframe');
      frame.src = `/examples/${framework}/dist/index.html`;
      document.body.append(frame);
      try {
        await new Promise((resolve) => frame.addEventListener('load', resolve, { once: true }));
        const result = await waitFor(
          () => {
            const el = frame.contentDocument?.getElementById('result');
            return el?.dataset.status === 'done' ? el : undefined;
          },
          60_000,
          `${framework} result`,
        );
        const estimate = Number(result.textContent!.replace('π ≈', '').trim());
        expect(estimate).to.be.within(3.1, 3.2);
        const panel = frame.contentDocument!.getElementById('pool-state')!.textContent!;
        expect(panel).to.match(/workers [12]/);
        expect(panel).to.match(/completed [1-9]/);
      } finally {
        frame.remove();
      }
    });
  });
}
