// Which engine this run is in, and what the pool detects there. The runner says which
// engine it meant to start; a mismatch means a run is mislabelled (every engine's
// progress bar says "Chrome"). The per-engine values are README's "Engines" table.
import { expect } from 'chai';
import { PyodidePool } from '../../workers/index.js';
import { indexURL } from '../helpers.js';

const engine = (globalThis as { __PYPOOL_ENGINE__?: string }).__PYPOOL_ENGINE__;

function detectedEngine(): string {
  const ua = navigator.userAgent;
  if (/Firefox\//.test(ua)) return 'firefox';
  if (/Chrome\//.test(ua)) return 'chromium';
  if (/AppleWebKit\//.test(ua)) return 'webkit';
  return `unknown (${ua})`;
}

/** What README's table says each engine offers on a cross-origin-isolated page. */
const DOCUMENTED: Record<string, { interrupt: boolean; jspi: boolean; locks: boolean }> = {
  chromium: { interrupt: true, jspi: true, locks: true },
  firefox: { interrupt: true, jspi: true, locks: true },
  webkit: { interrupt: true, jspi: false, locks: true },
};

describe('engine', () => {
  it('is the engine the runner started', () => {
    expect(detectedEngine()).to.equal(engine);
  });

  it('offers what the README says it does', async () => {
    // min 0: nothing boots; capabilities are known before any worker starts.
    const pool = new PyodidePool({ indexURL, min: 0 });
    try {
      const { interrupt, jspi, locks } = pool.capabilities;
      console.log(`${engine} (${navigator.userAgent}): ${JSON.stringify({ interrupt, jspi, locks })}`);
      expect({ interrupt, jspi, locks }).to.deep.equal(DOCUMENTED[engine!]);
    } finally {
      await pool.terminate();
    }
  });
});
