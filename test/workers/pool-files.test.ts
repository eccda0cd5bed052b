// Files every worker sees: the `files` option (text, bytes, Blob, URL) is written before
// setup on every worker, snapshot-restored ones included; pool.writeFile adds files
// later; bad paths and files that cannot load fail clearly.
import { expect } from 'chai';
import '../../components/index.js';
import { PyodidePool, WorkerBootError, type FileSource } from '../../workers/index.js';
import { indexURL, onePoolElement, rejection, until } from '../helpers.js';

describe('files every worker sees', () => {
  let pool: PyodidePool;
  const files: Record<string, FileSource> = {
    '/data/lookup.csv': 'code,name\n1,one\n2,two\n',
    '/data/raw.bin': new Uint8Array([1, 2, 3]),
    '/data/blob.txt': new Blob(['from a blob']),
    '/data/fetched.json': new URL('/package.json', location.href),
    '/home/pyodide/helpers.py': 'def hi():\n    return "hi from a module"\n',
  };

  before(async () => {
    // Setup reads a file: they are written before it runs.
    const setup = 'import csv\nLOOKUP = {row["code"]: row["name"] for row in csv.DictReader(open("/data/lookup.csv"))}';
    pool = new PyodidePool({ indexURL, min: 2, max: 2, files, setup, persistSnapshot: false });
    await pool.ready();
  });

  after(() => pool.terminate());

  const READ =
    'import json, helpers\n[LOOKUP["2"], list(open("/data/raw.bin", "rb").read()), open("/data/blob.txt").read(), json.load(open("/data/fetched.json"))["name"], helpers.hi()]';
  const EXPECTED = ['two', [1, 2, 3], 'from a blob', 'pyodide-pool', 'hi from a module'];

  it('writes them before setup on every worker, the snapshot-restored one included', async () => {
    await until(pool.state.workers, (ws) => ws.length === 2 && ws.every((w) => w.status === 'idle'));
    expect(pool.state.workers.value.map((w) => w.bootMode).sort()).to.deep.equal(['normal', 'snapshot']);
    // Two tasks that each hold a worker for a while run on both workers.
    const hold = 'import time\nend = time.monotonic() + 0.3\nwhile time.monotonic() < end:\n    pass\n';
    const both = await Promise.all([pool.run(hold + READ), pool.run(hold + READ)]);
    expect(both).to.deep.equal([EXPECTED, EXPECTED]);
    expect(pool.state.workers.value.every((w) => w.tasksRun > 0)).to.equal(true);
  });

  it('adds and replaces files on every worker with writeFile, importable at once', async () => {
    await pool.writeFile('/home/pyodide/later.py', 'VALUE = 1\n');
    expect(await pool.run('import later\nlater.VALUE')).to.equal(1);
    await pool.writeFile('/data/lookup.csv', 'replaced');
    expect(await pool.run('open("/data/lookup.csv").read()')).to.equal('replaced');
  });

  it('refuses paths that are not absolute file paths', async () => {
    expect(() => new PyodidePool({ indexURL, min: 0, files: { 'relative.txt': 'x' } })).to.throw(TypeError, /absolute/);
    expect(() => new PyodidePool({ indexURL, min: 0, files: { '/data/../x': 'x' } })).to.throw(TypeError);
    expect(await rejection(pool.writeFile('/dev/null', 'x'))).to.be.instanceOf(TypeError);
    expect(await rejection(pool.writeFile('/data/x', 42 as unknown as string))).to.be.instanceOf(TypeError);
  });

  it('rejects ready() with a WorkerBootError naming a file that cannot be fetched', async () => {
    const broken = new PyodidePool({ indexURL, min: 1, files: { '/data/missing.csv': new URL('/no-such-file.csv', location.href) } });
    const err = await rejection(broken.ready());
    await broken.terminate();
    expect(err).to.be.instanceOf(WorkerBootError);
    expect(err.message).to.contain('/data/missing.csv');
  });

  it('takes <script type="text/python-file" path> children of <worker-pool>', async () => {
    const el = onePoolElement('<script type="text/python-file" path="/home/pyodide/shapes.py">\n  SIDES = {"square": 4}\n</script>');
    document.body.append(el);
    try {
      await el.pool!.ready();
      expect(await el.pool!.run('import shapes\nshapes.SIDES["square"]')).to.equal(4);
    } finally {
      el.remove();
    }
  });
});
