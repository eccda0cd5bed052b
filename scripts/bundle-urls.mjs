// The page-side modules (dist/workers/pool/) find the worker scripts one folder up and the
// base snapshot two (at dist/). A bundle that sits beside the worker scripts (the drop-in
// dist/components.js, the bench's page) needs them as `./`: rewritten here.
import { readFileSync, writeFileSync } from 'node:fs';

const FROM_MODULES_TO_BUNDLE = [
  ['../pool-worker.js', './pool-worker.js'],
  ['../sandbox-worker.js', './sandbox-worker.js'],
  ['../../base-snapshot.bin', './base-snapshot.bin'],
  // Only in bundles that hold a module pool.
  ['../module-worker.js', './module-worker.js', 'optional'],
];

/** Rewrite the URLs in the bundle `file`; throws if one is missing (the sources moved). */
export function rewriteBundleURLs(file) {
  let bundle = readFileSync(file, 'utf8');
  for (const [fromModules, fromBundle, optional] of FROM_MODULES_TO_BUNDLE) {
    if (!bundle.includes(fromModules) && optional) continue;
    if (!bundle.includes(fromModules)) throw new Error(`${file}: the URL ${fromModules} was not found`);
    bundle = bundle.replaceAll(fromModules, fromBundle);
  }
  writeFileSync(file, bundle);
}
