// `npm run lint:python`: pyflakes over the runtime's Python (workers/python/*.py): names
// used but never defined, imports unused, and the like. The CI machine gets pyflakes from
// Debian (python3-pyflakes, in .ci/run); where it is missing, this says how to get it.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';

const files = readdirSync('workers/python')
  .filter((f) => f.endsWith('.py'))
  .map((f) => `workers/python/${f}`);
const found = spawnSync('python3', ['-m', 'pyflakes', '--version'], { encoding: 'utf8' });
if (found.error || found.status !== 0) {
  console.error('lint:python needs pyflakes: apt-get install python3-pyflakes (Debian, Ubuntu), or pip install pyflakes');
  process.exit(1);
}
const run = spawnSync('python3', ['-m', 'pyflakes', ...files], { stdio: 'inherit' });
if (run.status === 0) console.log(`pyflakes: ${files.length} files clean (${files.join(', ')})`);
process.exit(run.status ?? 1);
