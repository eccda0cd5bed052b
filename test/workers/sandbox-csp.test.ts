// A sandboxed pool on a page with a Content-Security-Policy. Its workers are data: URL
// workers, which take the page's policy: their script comes in as a blob: module (a data:
// one in WebKit), so the page's policy must allow those as scripts and data: workers. The
// pool runs in a frame served with the policy in its header (scripts/fixtures.mjs).
import { expect } from 'chai';

/** What a sandboxed pool needs of a page's policy (the README gives the same). */
const POLICY = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval' blob: data:; worker-src 'self' data:";

/** Run sandbox-csp-frame.ts in a frame served with `csp`; resolves with what it reports. */
function framed(csp: string): Promise<Record<string, unknown>> {
  const frame = document.createElement('iframe');
  frame.src = `/__fixtures__/csp-page.html?module=${encodeURIComponent('/test/workers/sandbox-csp-frame.ts')}&csp=${encodeURIComponent(csp)}`;
  return new Promise((resolve) => {
    addEventListener('message', function heard(event) {
      if (event.source !== frame.contentWindow) return;
      removeEventListener('message', heard);
      frame.remove();
      resolve(event.data as Record<string, unknown>);
    });
    document.body.append(frame);
  });
}

describe('sandboxed pool under a page Content-Security-Policy', function () {
  // A cold boot in a fresh frame (WebKit: up to a minute on a busy machine).
  this.timeout(180_000);

  it(`runs tasks, Files included, under "${POLICY}"`, async () => {
    const report = await framed(POLICY);
    expect(report).to.deep.equal({ sum: 45, file: 'abc', sandboxed: true, evalRefused: true, violations: [] });
  });

  it('fails to start with an error that names script-src when the policy leaves out blob: and data: scripts', async () => {
    const report = await framed("default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self' data:");
    expect(report.evalRefused).to.equal(true);
    expect(report.error).to.match(/^WorkerBootError: .*script-src/);
  });

  it('fails to start with a WorkerBootError when the policy refuses data: workers', async () => {
    const report = await framed("default-src 'self'; script-src 'self' 'wasm-unsafe-eval' blob: data:; worker-src 'self'");
    expect(report.evalRefused).to.equal(true);
    expect(report.error).to.match(/^WorkerBootError: /);
    if (report.violations !== undefined && (report.violations as string[]).length > 0) expect(report.violations).to.include('worker-src');
  });
});
