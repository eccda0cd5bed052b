// Packages from where they live: a lock file of one's own (lockFileURL) and wheels from a
// folder other than Pyodide's (packageBaseUrl), in a normal and a sandboxed pool, and what
// the error for a package that cannot be loaded says to do about it. Real Pyodide, and a
// real wheel the test server builds (Pyodide's npm package ships no wheels).
import { expect } from 'chai';
import { PyodidePool, WorkerBootError } from '../../workers/index.js';
import { FileRelay } from '../../workers/pool/sandbox-relay.js';
import { FILE, HELLO, HELLO_RESULT, INDEX, lockFile, served, WHEELS } from '../fixtures/hellopkg-lock.js';
import { indexURL, rejection } from '../helpers.js';

/** Pyodide's version, as its npm package says (what the pool runs). */
async function pyodideVersion(): Promise<string> {
  return ((await (await fetch(`${INDEX}package.json`)).json()) as { version: string }).version;
}

describe('packages from where they live', function () {
  this.timeout(120_000);
  let lock: string;
  let version: string;
  const pools: PyodidePool[] = [];
  const pool = (options: ConstructorParameters<typeof PyodidePool>[0]) => {
    const made = new PyodidePool({ indexURL, max: 1, persistSnapshot: false, ...options });
    pools.push(made);
    return made;
  };

  before(async () => {
    [lock, version] = await Promise.all([lockFile(), pyodideVersion()]);
  });

  afterEach(() => Promise.all(pools.splice(0).map((p) => p.terminate())));

  it('loads a named package listed by lockFileURL (a blob: URL) from packageBaseUrl', async () => {
    const url = URL.createObjectURL(new Blob([lock], { type: 'application/json' }));
    try {
      const p = pool({ lockFileURL: url, packageBaseUrl: WHEELS, packages: ['hellopkg'] });
      expect(p.options.packageBaseUrl).to.equal(WHEELS);
      expect(p.options.lockFileURL).to.equal(url);
      expect(await p.run(HELLO)).to.equal(HELLO_RESULT);
    } finally {
      URL.revokeObjectURL(url);
    }
  });

  it('without packageBaseUrl, takes wheels from the lock file’s folder, as Pyodide does', async () => {
    const p = pool({ lockFileURL: served(WHEELS, 'lock.json', lock), packages: ['hellopkg'] });
    expect(await p.run(HELLO)).to.equal(HELLO_RESULT);
  });

  it('a sandboxed pool gets the lock file and the wheel through the page’s relay', async () => {
    // A sandboxed worker reaches no blob: URL of the page: the lock file is served, from a
    // folder without the wheel, so that packageBaseUrl decides where the wheel is.
    const p = pool({ sandbox: true, lockFileURL: served(new URL('/__fixtures__/locks/', location.href).href, 'lock.json', lock), packageBaseUrl: WHEELS, packages: ['hellopkg'] });
    expect(await p.run(HELLO)).to.equal(HELLO_RESULT);
  });

  it('a package the lock file lists but nobody serves: the error names packageBaseUrl and the full distribution for this version', async () => {
    // Pyodide's npm package lists every package of its build, but holds no wheels.
    const p = pool({ packages: ['numpy'] });
    const err = (await rejection(p.ready())) as WorkerBootError;
    expect(err).to.be.instanceOf(WorkerBootError);
    expect(err.packageName).to.equal('numpy');
    const cdn = `https://cdn.jsdelivr.net/pyodide/v${version}/full/`;
    expect(err.message).to.include("package 'numpy' could not be loaded").and.include('packageBaseUrl').and.include(`'${cdn}'`);
    // Where it was looked for: indexURL's lock file, and its folder.
    expect(err.message).to.include(`indexURL's lock file ${INDEX}pyodide-lock.json`).and.include(`packageBaseUrl ${INDEX} (the lock file's folder)`);
    expect(err.message).to.include('self-host the full Pyodide');
  });

  it('a package its lock file does not list: the error names lockFileURL', async () => {
    const url = served(WHEELS, 'lock.json', lock);
    const p = pool({ lockFileURL: url, packageBaseUrl: WHEELS, packages: ['numpy'] });
    const err = (await rejection(p.ready())) as WorkerBootError;
    expect(err).to.be.instanceOf(WorkerBootError);
    expect(err.packageName).to.equal('numpy');
    expect(err.message).to.include(`'numpy' is not in lockFileURL ${url}`);
  });

  it('a package whose wheel is missing under packageBaseUrl: the error names the packageBaseUrl in use', async () => {
    const elsewhere = new URL('/__fixtures__/no-wheels-here/', location.href).href;
    const p = pool({ lockFileURL: served(WHEELS, 'lock.json', lock), packageBaseUrl: elsewhere, packages: ['hellopkg'] });
    const err = (await rejection(p.ready())) as WorkerBootError;
    expect(err.packageName).to.equal('hellopkg');
    expect(err.message).to.include(`its wheel ${FILE}`).and.include(`packageBaseUrl ${elsewhere}`).and.include(`https://cdn.jsdelivr.net/pyodide/v${version}/full/`);
  });
});

describe('the sandbox relay, with lockFileURL and packageBaseUrl', function () {
  this.timeout(60_000);

  /** A relay for `config` and `ask(url)`: whether it refused. */
  function relay(config: { packages: string[]; packageBaseUrl?: string; lockFileURL?: string }): (url: string) => Promise<string | undefined> {
    const channel = new MessageChannel();
    new FileRelay(channel.port1, { indexURL: INDEX, ...config }, () => {});
    let id = 0;
    return (url) =>
      new Promise((resolve) => {
        const n = ++id;
        channel.port2.addEventListener('message', function answer(event: MessageEvent<{ id: number; refused?: string }>) {
          if (event.data.id !== n) return;
          channel.port2.removeEventListener('message', answer);
          resolve(event.data.refused);
        });
        channel.port2.start();
        channel.port2.postMessage({ id: n, url });
      });
  }

  it('serves the lock file, and the named packages’ wheels under packageBaseUrl, else under the lock file’s folder', async () => {
    const lock = await lockFile();
    const locks = new URL('/__fixtures__/locks/', location.href).href;
    const lockFileURL = served(locks, 'lock.json', lock);
    const based = relay({ packages: ['hellopkg'], lockFileURL, packageBaseUrl: WHEELS });
    expect(await based(lockFileURL)).to.equal(undefined);
    expect(await based(WHEELS + FILE)).to.equal(undefined);
    expect(await based(locks + FILE)).to.match(/no network access/);
    // Pyodide's own lock file no longer names the packages: its wheels are not served.
    const numpy = ((await (await fetch(`${INDEX}pyodide-lock.json`)).json()) as { packages: Record<string, { file_name: string }> }).packages.numpy!.file_name;
    expect(await relay({ packages: ['numpy'], lockFileURL, packageBaseUrl: WHEELS })(INDEX + numpy)).to.match(/no network access/);
    // No packageBaseUrl: the lock file's folder.
    const beside = relay({ packages: ['hellopkg'], lockFileURL });
    expect(await beside(locks + FILE)).to.equal(undefined);
    expect(await beside(WHEELS + FILE)).to.match(/no network access/);
    // Another lock file, or a package not named, is refused.
    expect(await beside(served(locks, 'other.json', lock))).to.match(/no network access/);
    expect(await relay({ packages: ['micropip'], lockFileURL })(locks + FILE)).to.match(/no network access/);
  });
});
