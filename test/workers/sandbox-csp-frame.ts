// Runs inside a page served with a Content-Security-Policy header (the fixture
// /__fixtures__/csp-page.html, see sandbox-csp.test.ts): starts a sandboxed pool, runs
// tasks (a File among the inputs), and tells the test page what happened.
import { PyodidePool } from '../../workers/index.js';
import { indexURL } from '../helpers.js';

const violations: string[] = [];
document.addEventListener('securitypolicyviolation', (event) => violations.push(event.effectiveDirective));

/** Whether the page's policy is in force: without 'unsafe-eval', eval is refused. */
function evalRefused(): boolean {
  try {
    (0, eval)('1');
    return false;
  } catch {
    return true;
  }
}

async function main(): Promise<Record<string, unknown>> {
  const pool = new PyodidePool({ indexURL, min: 1, max: 1, sandbox: true });
  try {
    await pool.ready();
    return {
      sum: await pool.run('sum(range(10))'),
      file: await pool.run('item.read().decode()', { inputs: { item: new File(['abc'], 'a.txt') } }),
      sandboxed: pool.capabilities.sandboxed,
    };
  } finally {
    await pool.terminate();
  }
}

main().then(
  (result) => parent.postMessage({ ...result, evalRefused: evalRefused(), violations }, '*'),
  (err: Error) => parent.postMessage({ error: `${err.name}: ${err.message}`, evalRefused: evalRefused(), violations }, '*'),
);
