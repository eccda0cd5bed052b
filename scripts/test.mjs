// `npm test`: finds (or installs) the browsers, then runs
//   - the runtime's Python on the real interpreter in Node (test/python/, `node --test`);
//   - the browser suites in each engine: the cross-origin-isolated page in Chromium,
//     Firefox and WebKit, and the plain page in all three too;
//   - the Storybook catalogue test (Chromium);
//   - the package test: `npm pack`, install the tarball into a scratch app, bundle it, run
//     a task (Chromium);
// and ends with one line per engine and one plain `N passed, N failed` line from the real
// counts. Narrow it with PYPOOL_ENGINES=chromium,firefox and PYPOOL_GROUP=python|isolated|
// non-isolated|stories|package; extra arguments go to @web/test-runner.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { ensureBrowsers } from './browsers.mjs';
import { startWebKitDriver } from './webkit-driver.mjs';

const ALL_ENGINES = ['chromium', 'firefox', 'webkit'];
const engines = (process.env.PYPOOL_ENGINES ?? ALL_ENGINES.join(','))
  .split(',')
  .map((e) => e.trim())
  .filter(Boolean);
const unknown = engines.filter((e) => !ALL_ENGINES.includes(e));
if (unknown.length) {
  console.error(`Unknown engine ${unknown.join(', ')}: PYPOOL_ENGINES takes ${ALL_ENGINES.join(', ')}`);
  process.exit(1);
}
const groups = process.env.PYPOOL_GROUP ? [process.env.PYPOOL_GROUP] : ['python', 'isolated', 'non-isolated', 'stories', 'package'];
const extra = process.argv.slice(2);

// The catalogue and package tests run in Chromium, whatever else is asked for.
// The Python run needs none.
const needed = groups.every((g) => g === 'python') ? [] : [...new Set([...engines, ...(groups.some((g) => g === 'stories' || g === 'package') ? ['chromium'] : [])])];
const found = ensureBrowsers(needed);

/** One run of the plan: which group, in which engine, and how to start it. */
const plan = [];
for (const group of groups) {
  if (group === 'python') plan.push({ group, engine: 'node' });
  else if (group === 'stories' || group === 'package') plan.push({ group, engine: 'chromium' });
  else for (const engine of engines) plan.push({ group, engine });
}

const byEngine = new Map();
let exitCode = 0;
let webkit;

function record(engine, label, counts, status) {
  const totals = byEngine.get(engine) ?? { passed: 0, failed: 0, skipped: 0, runs: [] };
  totals.passed += counts.passed;
  totals.failed += counts.failed + (counts.fileErrors ?? 0);
  totals.skipped += counts.skipped ?? 0;
  totals.runs.push(`${label} ${counts.passed}/${counts.passed + counts.failed + (counts.fileErrors ?? 0)}`);
  byEngine.set(engine, totals);
  if (status !== 0) exitCode = 1;
}

try {
  for (const { group, engine } of plan) {
    const label = group === 'stories' ? 'catalogue' : group;
    const countsFile = group === 'stories' || group === 'package' || group === 'python' ? `.cache/test-counts-${group}.json` : `.cache/test-counts-${group}-${engine}.json`;
    rmSync(countsFile, { force: true });
    const env = { ...process.env, CHROME_PATH: found.chromium ?? process.env.CHROME_PATH ?? '', PYPOOL_GROUP: group, PYPOOL_ENGINE: engine };
    const started = Date.now();
    let run;
    if (group === 'python') {
      console.log("\n── the runtime's Python, in Node ──");
      const files = readdirSync('test/python')
        .filter((f) => f.endsWith('.test.mjs'))
        .map((f) => `test/python/${f}`);
      // The spec reporter for reading; the counts one for the closing line.
      const reporters = [
        '--test-reporter=spec',
        '--test-reporter-destination=stdout',
        '--test-reporter=./scripts/node-test-counts.mjs',
        `--test-reporter-destination=${countsFile}`,
      ];
      mkdirSync('.cache', { recursive: true });
      run = spawnSync(process.execPath, ['--test', ...reporters, ...files], { stdio: 'inherit', env });
    } else if (group === 'stories') {
      run = spawnSync(process.execPath, ['scripts/test-stories.mjs'], { stdio: 'inherit', env });
    } else if (group === 'package') {
      run = spawnSync(process.execPath, ['scripts/test-package.mjs'], { stdio: 'inherit', env });
    } else {
      console.log(`\n── ${engine}, ${group} page ──`);
      const runOnce = async () => {
        if (engine === 'webkit') {
          webkit ??= await startWebKitDriver(found.webkit);
          env.PYPOOL_WEBDRIVER_PORT = String(webkit.port);
        }
        return spawnSync(
          process.execPath,
          ['node_modules/@web/test-runner/dist/bin.js', '--config', 'web-test-runner.config.mjs', ...(process.env.CI ? ['--static-logging'] : []), ...extra],
          { stdio: 'inherit', env },
        );
      };
      run = await runOnce();
      if (engine === 'webkit' && !existsSync(countsFile)) {
        // MiniBrowser itself went away mid-run (seen once in about ten full runs), and its
        // driver keeps the dead session, refusing the next. Not a test failure: start a
        // fresh driver and run the group once more; its counts are the ones reported.
        console.error(`The webkit ${label} run ended without results (exit ${run.status}); restarting WebKit's driver and running it once more.`);
        webkit.stop();
        webkit = undefined;
        run = await runOnce();
      }
    }
    const seconds = Math.round((Date.now() - started) / 1000);
    if (!existsSync(countsFile)) {
      console.error(`The ${engine} ${label} run ended without results (exit ${run.status}).`);
      record(engine, `${label} (no results, ${seconds} s)`, { passed: 0, failed: 1 }, 1);
      continue;
    }
    const counts = JSON.parse(readFileSync(countsFile, 'utf8'));
    record(engine, `${label} (${seconds} s)`, counts, run.status);
  }
} finally {
  webkit?.stop();
}

const total = { passed: 0, failed: 0, skipped: 0 };
console.log('');
for (const [engine, t] of byEngine) {
  total.passed += t.passed;
  total.failed += t.failed;
  total.skipped += t.skipped;
  console.log(`${engine}: ${t.passed} passed, ${t.failed} failed (${t.runs.join(', ')})`);
}
if (total.failed > 0) exitCode = 1;
console.log(`${total.passed} passed, ${total.failed} failed${total.skipped ? `, ${total.skipped} skipped` : ''}`);
process.exit(exitCode);
