// `npm test`: finds (or installs) Chromium, runs both test groups and the Storybook
// catalogue test, and ends with one plain `N passed, N failed` line from the real counts.
// PYPOOL_GROUP=isolated|non-isolated|stories runs one part only.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { ensureChromium } from './chromium.mjs';

const chrome = ensureChromium();
const groups = process.env.PYPOOL_GROUP ? [process.env.PYPOOL_GROUP] : ['isolated', 'non-isolated', 'stories'];
const extra = process.argv.slice(2);
const total = { passed: 0, failed: 0, skipped: 0 };
let exitCode = 0;

for (const group of groups) {
  const countsFile = `.cache/test-counts-${group}.json`;
  rmSync(countsFile, { force: true });
  const env = { ...process.env, CHROME_PATH: chrome, PYPOOL_GROUP: group };
  let run;
  if (group === 'stories') {
    run = spawnSync(process.execPath, ['scripts/test-stories.mjs'], { stdio: 'inherit', env });
  } else {
    console.log(`\n── ${group} page ──`);
    run = spawnSync(
      process.execPath,
      ['node_modules/@web/test-runner/dist/bin.js', '--config', 'web-test-runner.config.mjs', ...(process.env.CI ? ['--static-logging'] : []), ...extra],
      { stdio: 'inherit', env },
    );
  }
  if (!existsSync(countsFile)) {
    console.error(`The ${group} run ended without results (exit ${run.status}).`);
    total.failed++;
    exitCode = 1;
    continue;
  }
  const counts = JSON.parse(readFileSync(countsFile, 'utf8'));
  total.passed += counts.passed;
  total.failed += counts.failed + counts.fileErrors;
  total.skipped += counts.skipped;
  if (run.status !== 0) exitCode = 1;
}

if (total.failed > 0) exitCode = 1;
console.log(`\n${total.passed} passed, ${total.failed} failed${total.skipped ? `, ${total.skipped} skipped` : ''}`);
process.exit(exitCode);
