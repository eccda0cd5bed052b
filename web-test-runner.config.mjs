// Tests run in real headless Chromium against real Pyodide, in two groups:
//   isolated      — the page is cross-origin isolated (COOP/COEP), so interrupts work;
//   non-isolated  — no such headers: the terminate-and-replace path.
// Middleware is server-wide in wtr, so each group is its own run: `npm test` runs both
// (scripts/test.mjs); PYPOOL_GROUP picks one.
import { defaultReporter } from '@web/test-runner';
import { chromeLauncher } from '@web/test-runner-chrome';
import { esbuildPlugin } from '@web/dev-server-esbuild';
import { CHROMIUM_ARGS, findChromium } from './scripts/chromium.mjs';
import { countReporter } from './scripts/count-reporter.mjs';
import { reactAsEsm, svelteCompiler, vueBrowserBuild } from './scripts/framework-plugins.mjs';
import { crossOriginIsolation, selfHostedPyodide, testFixtures, typescriptSources } from './scripts/dev-middleware.mjs';

const group = process.env.PYPOOL_GROUP ?? 'isolated';
const isolated = group === 'isolated';

export default {
  nodeResolve: { exportConditions: ['browser', 'development'] },
  files: isolated ? ['test/**/*.test.ts', '!test/**/*.nonisolated.test.ts'] : ['test/**/*.nonisolated.test.ts'],
  plugins: [reactAsEsm(), vueBrowserBuild(), svelteCompiler(), esbuildPlugin({ ts: true, tsx: true, target: 'esnext' })],
  middleware: [selfHostedPyodide(), typescriptSources(), testFixtures(), ...(isolated ? [crossOriginIsolation()] : [])],
  browsers: [
    chromeLauncher({
      launchOptions: { executablePath: process.env.CHROME_PATH ?? findChromium(), headless: true, args: CHROMIUM_ARGS },
    }),
  ],
  // Each file boots its own Pyodide workers; on 2 cores, one file at a time is fastest.
  concurrency: 1,
  browserStartTimeout: 60_000,
  testsStartTimeout: 60_000,
  testsFinishTimeout: Number(process.env.WTR_FINISH_MS ?? 300_000),
  testFramework: { config: { timeout: 60_000 } },
  reporters: [defaultReporter(), countReporter(`.cache/test-counts-${group}.json`)],
};
