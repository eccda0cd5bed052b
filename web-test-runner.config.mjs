// Tests run in real browsers against real Pyodide. Two page groups:
//   isolated      — the page is cross-origin isolated (COOP/COEP), so interrupts work;
//   non-isolated  — no such headers: the terminate-and-replace path.
// and three engines (PYPOOL_ENGINE):
//   chromium      — headless Chromium through puppeteer-core (CDP);
//   firefox       — headless Firefox ESR through puppeteer-core (WebDriver BiDi);
//   webkit        — MiniBrowser (WebKitGTK) through WebKitWebDriver, started by
//                   scripts/test.mjs under a virtual display (PYPOOL_WEBDRIVER_PORT).
// Middleware is server-wide in wtr, so each group × engine is its own run: `npm test`
// runs them all (scripts/test.mjs).
import { defaultReporter } from '@web/test-runner';
import { chromeLauncher } from '@web/test-runner-chrome';
import { webdriverLauncher } from '@web/test-runner-webdriver';
import { esbuildPlugin } from '@web/dev-server-esbuild';
import { CHROMIUM_ARGS, ENGINES } from './scripts/browsers.mjs';
import { countReporter } from './scripts/count-reporter.mjs';
import { pythonTextModules } from './scripts/python-text.mjs';
import { reactAsEsm, svelteCompiler, vueBrowserBuild } from './scripts/framework-plugins.mjs';
import { baseSnapshotFiles, crossOriginIsolation, staticHostDemo, sandboxWorkerBundle, selfHostedPyodide, testFixtures, typescriptSources } from './scripts/dev-middleware.mjs';

const group = process.env.PYPOOL_GROUP ?? 'isolated';
const engine = process.env.PYPOOL_ENGINE ?? 'chromium';
const isolated = group === 'isolated';

// Files whose subject does not depend on the engine run in fewer engines, so that the
// three-engine run stays inside CI's time: the scheduler's pure logic on fakes, and the
// demos' and framework examples' smoke tests, in Chromium only; the hooks' adapters
// (framework code over the same core), in Chromium and Firefox.
const CHROMIUM_ONLY = ['test/workers/{scheduler,recent-log,task-phase,run-loop,running,task-queue,dispatcher}.test.ts', 'test/examples.test.ts', 'test/csv-batch.test.ts'];
const NOT_WEBKIT = ['test/hooks/*.test.ts'];

/** The files `engine` leaves out (as negated globs). */
function notIn(engine) {
  const left = [...(engine === 'chromium' ? [] : CHROMIUM_ONLY), ...(engine === 'webkit' ? NOT_WEBKIT : [])];
  return left.map((glob) => `!${glob}`);
}

function launcher() {
  if (engine === 'firefox') {
    return chromeLauncher({ launchOptions: { browser: 'firefox', executablePath: ENGINES.firefox.find(), headless: true } });
  }
  if (engine === 'webkit') {
    // No browserName capability (WebKitWebDriver fails to match it) and no --headless
    // (MiniBrowser rejects it: the display is virtual instead).
    return webdriverLauncher({
      automationProtocol: 'webdriver',
      hostname: '127.0.0.1',
      port: Number(process.env.PYPOOL_WEBDRIVER_PORT ?? 4444),
      path: '/',
      logLevel: 'error',
      capabilities: { 'webkitgtk:browserOptions': { binary: ENGINES.webkit.find()?.browser, args: ['--automation'] } },
    });
  }
  return chromeLauncher({ launchOptions: { executablePath: ENGINES.chromium.find(), headless: true, args: CHROMIUM_ARGS } });
}

export default {
  nodeResolve: { exportConditions: ['browser', 'development'] },
  files: [...(isolated ? ['test/**/*.test.ts', '!test/**/*.nonisolated.test.ts'] : ['test/**/*.nonisolated.test.ts']), ...notIn(engine)],
  plugins: [reactAsEsm(), vueBrowserBuild(), svelteCompiler(), esbuildPlugin({ ts: true, tsx: true, target: 'esnext' }), pythonTextModules()],
  middleware: [
    selfHostedPyodide(),
    baseSnapshotFiles(),
    sandboxWorkerBundle(),
    staticHostDemo(),
    typescriptSources(),
    testFixtures(),
    ...(isolated ? [crossOriginIsolation()] : []),
  ],
  browsers: [launcher()],
  // Tells the page which engine the runner meant to start (test/workers/engine.test.ts).
  testRunnerHtml: (testFramework) =>
    `<!doctype html><html><head><script>globalThis.__PYPOOL_ENGINE__ = ${JSON.stringify(engine)};</script></head><body><script type="module" src="${testFramework}"></script></body></html>`,
  // Each file boots its own Pyodide workers; on 2 cores, one file at a time is fastest.
  // (Above 1 the webdriver launcher also runs files in iframes, which breaks isolation.)
  concurrency: 1,
  browserStartTimeout: 60_000,
  testsStartTimeout: 60_000,
  testsFinishTimeout: Number(process.env.WTR_FINISH_MS ?? 300_000),
  testFramework: { config: { timeout: 60_000 } },
  reporters: [defaultReporter(), countReporter(`.cache/test-counts-${group}-${engine}.json`)],
};
