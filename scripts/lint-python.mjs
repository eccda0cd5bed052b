// `npm run lint:python`: pyflakes over the runtime's Python (workers/python/*.py): names
// used but never defined, imports unused, and the like. The CI machine gets pyflakes from
// Debian (python3-pyflakes, in .ci/run); where it is missing, this says how to get it.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';

const files = readdirSync('workers/python')
  .filter((f) => f.endsWith('.py'))
  .map((f) => `workers/python/${f}`);
// The first Python that has pyflakes: the one on PATH (pyenv, a venv), else Debian's own,
// where python3-pyflakes installs it.
const withPyflakes = () => ['python3', '/usr/bin/python3'].find((exe) => spawnSync(exe, ['-m', 'pyflakes', '--version'], { encoding: 'utf8' }).status === 0);
let python = withPyflakes();
// As scripts/browsers.mjs does for the browsers: installed from Debian when we may.
if (!python && process.getuid?.() === 0 && spawnSync('apt-get', ['--version']).status === 0) {
  console.log('lint:python: installing python3-pyflakes with apt-get');
  spawnSync('apt-get', ['install', '-y', '-qq', 'python3-pyflakes'], { stdio: 'inherit' });
  python = withPyflakes();
}
if (!python) {
  console.error('lint:python needs pyflakes: apt-get install python3-pyflakes (Debian, Ubuntu), or pip install pyflakes');
  process.exit(1);
}
const run = spawnSync(python, ['-m', 'pyflakes', ...files], { stdio: 'inherit' });
if (run.status === 0) console.log(`pyflakes: ${files.length} files clean (${files.join(', ')})`);
process.exit(run.status ?? 1);
