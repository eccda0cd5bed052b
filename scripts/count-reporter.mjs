// A wtr reporter that writes the real pass/fail counts of a run to a JSON file,
// so scripts/test.mjs can end with one plain `N passed, N failed` line.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

function countGroup(group, counts) {
  for (const test of group.tests ?? []) {
    if (test.skipped) counts.skipped++;
    else if (test.passed) counts.passed++;
    else counts.failed++;
  }
  for (const suite of group.suites ?? []) countGroup(suite, counts);
}

export function countReporter(file) {
  // Files run one at a time (concurrency 1), so the time between two files' results is the
  // later file's: boots in `before` hooks included. Written beside the counts, slowest first.
  const took = [];
  let last = Date.now();
  return {
    onTestRunStarted() {
      last = Date.now();
    },
    reportTestFileResults({ testFile }) {
      const now = Date.now();
      took.push([testFile.replace(process.cwd() + '/', ''), Math.round((now - last) / 1000)]);
      last = now;
    },
    onTestRunFinished({ sessions }) {
      const counts = { passed: 0, failed: 0, skipped: 0, files: sessions.length, fileErrors: 0 };
      for (const session of sessions) {
        if (session.testResults) countGroup(session.testResults, counts);
        // A file that failed to load or threw outside a test counts as a failure of its own.
        if (!session.passed && (session.errors?.length ?? 0) > 0) counts.fileErrors++;
      }
      counts.slowestSeconds = took.sort((a, b) => b[1] - a[1]).slice(0, 12);
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, JSON.stringify(counts));
    },
  };
}
