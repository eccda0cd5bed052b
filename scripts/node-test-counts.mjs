// A `node --test` reporter that writes the real pass/fail counts of a run as JSON (the
// shape scripts/count-reporter.mjs writes for the browser runs), so scripts/test.mjs can
// add them to its closing `N passed, N failed` line. Suites are not counted, their tests
// are; a file that fails outside any test counts as a failure of its own.
export default async function* nodeTestCounts(source) {
  const counts = { passed: 0, failed: 0, skipped: 0, files: 0, fileErrors: 0 };
  const files = new Set();
  for await (const { type, data } of source) {
    if (type !== 'test:pass' && type !== 'test:fail') continue;
    if (data.file) files.add(data.file);
    if (data.details?.type === 'suite') continue;
    if (data.skip || data.todo) counts.skipped++;
    else if (type === 'test:pass') counts.passed++;
    else counts.failed++;
  }
  counts.files = files.size;
  yield JSON.stringify(counts);
}
