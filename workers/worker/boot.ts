/**
 * How a pool worker boots Pyodide: normally, from the page's memory snapshot, or from the
 * base snapshot shipped with the package; then packages, files, the runtime's Python
 * module and the pool's `setup`, and a snapshot for the next workers when asked. Every
 * failure becomes a {@link BootFailed} whose kind says whether trying again can help.
 *
 * @internal
 */
import { holdLock } from './life-lock.js';
import type { PyodideAPI } from 'pyodide';
import type { PyProxy } from 'pyodide/ffi';
import type { BootConfig, BootFailure, BootResult, WorkerMessage } from '../shared/protocol.js';
import { BootFailed } from '../shared/boot-failed.js';
import { readable } from '../shared/thrown.js';
import { stamp } from '../shared/boot-timeline.js';
import { interceptPyodideWasm, pyodideWasmURL } from '../shared/wasm-module.js';
import { RUNTIME_BOOTSTRAP } from '../python/runtime.js';
import { asAsyncRun, readErrorInfo, switches, type Callable } from './python-module.js';
import { binaryPackages, loadPackages, packageOptions } from './packages.js';
import type { Files } from './files.js';
import type { Loader } from './loader.js';

/** What the boot works with, and tells, as it goes. */
export interface BootHost {
  readonly loader: Loader;
  readonly files: Files;
  post(message: WorkerMessage): void;
  /** The interpreter is up, with its wasm memory when the boot could keep it. */
  started(pyodide: PyodideAPI, memory: WebAssembly.Memory | undefined): void;
  /** The runtime's Python module is in place: bind it (its hooks hold JavaScript references, so after any snapshot). */
  install(): void;
  heapBytes(): number;
}

export async function bootInterpreter(config: BootConfig, host: BootHost): Promise<BootResult | { failure: BootFailure }> {
  const started = performance.now();
  const { loader } = host;
  const { stages } = loader;
  await holdLock(config.lockName);
  host.post({ t: 'locked' });
  const fromSnapshot = config.restore === true;
  const fromBase = !fromSnapshot && config.base === true;
  const failedKind = fromSnapshot ? 'snapshot' : fromBase ? 'base' : 'runtime';
  try {
    let loadPyodide: (typeof import('pyodide'))['loadPyodide'];
    try {
      ({ loadPyodide } = await loader.importLoader(config.indexURL));
    } catch (err) {
      throw new BootFailed({ kind: 'config', message: `could not load Pyodide from ${config.indexURL}pyodide.mjs (${(err as Error).message}); check indexURL` });
    }
    // A promise: Pyodide waits for it only once its own start is done.
    const snapshotOptions = {
      ...((fromSnapshot || fromBase) && { _loadSnapshot: loader.preloaded ?? Promise.reject(new Error('no snapshot was given')) }),
      ...(!fromSnapshot && config.makeSnapshot && { _makeSnapshot: true }),
    };
    const wasm = interceptPyodideWasm(pyodideWasmURL(config.indexURL), loader.pageModule, (start) => stages.add('wasm', start));
    let pyodide: PyodideAPI;
    try {
      const createPyodideModule = await loader.timedModuleFactory(config.indexURL).catch(() => undefined);
      pyodide = await stages.time(
        'interpreter',
        loadPyodide({
          indexURL: config.indexURL,
          ...packageOptions(config),
          ...snapshotOptions,
          ...(createPyodideModule && { createPyodideModule: createPyodideModule as never }),
        }),
      );
    } catch (err) {
      throw new BootFailed({ kind: failedKind, message: `Pyodide failed to start: ${(err as Error).message}` });
    } finally {
      wasm.undo();
    }
    host.started(pyodide, wasm.memory());
    if (config.packages.length > 0) await stages.time('packages', loadPackages(pyodide, config.packages));
    // Before setup, and after a restore too: the filesystem lives outside the snapshot.
    const writing = stamp();
    const problem = host.files.open(pyodide, config.files ?? []);
    if (problem) throw new BootFailed({ kind: 'config', message: problem });
    if (config.files?.length) stages.add('write-files', writing);
    let snapshotError: string | undefined;
    let snapshotErrorKind: BootResult['snapshotErrorKind'];
    // Pyodide cannot snapshot packages with binary extensions yet: a restore would lack
    // their loaded libraries. Say so, and boot the others normally.
    const binary = config.makeSnapshot && !fromSnapshot ? binaryPackages(pyodide) : [];
    if (binary.length > 0) {
      snapshotError = `packages with binary extensions cannot be snapshotted yet (${binary.join(', ')})`;
      snapshotErrorKind = 'packages';
    }
    const runtimeStart = stamp();
    if (fromSnapshot) {
      (pyodide.pyimport('_pyodide_pool') as PyProxy & { reseed(): void; destroy(): void }).reseed();
    } else {
      await stages.time('bootstrap', async () => pyodide.runPython(RUNTIME_BOOTSTRAP));
      if (config.setup.trim()) await stages.time('setup', () => runSetup(pyodide, config.setup));
      if (config.makeSnapshot && !snapshotError) {
        const making = stamp();
        try {
          loader.keepSnapshot(pyodide.makeMemorySnapshot());
        } catch (err) {
          snapshotError = (err as Error).message;
          snapshotErrorKind = err instanceof RangeError || /memory|allocat/i.test(snapshotError) ? 'too-large' : 'failed';
        }
        stages.add('snapshot-make', making);
      }
    }
    const hooks = stamp();
    host.install();
    stages.add('runtime', fromSnapshot ? runtimeStart : hooks);
    const result: BootResult = {
      mode: fromSnapshot ? 'snapshot' : 'normal',
      bootMs: performance.now() - started,
      heapBytes: host.heapBytes(),
      pyodideVersion: pyodide.version,
      snapshotMade: loader.madeSnapshot,
      snapshotError,
      snapshotErrorKind,
      fromBase,
      wasmModule: wasm.compiled(),
      stages: stages.stages,
      answeredAt: stamp(),
    };
    return result;
  } catch (err) {
    if (err instanceof BootFailed) return { failure: err.failure };
    return { failure: { kind: failedKind, message: readable(err) } };
  }
}

/** Run `setup` (awaiting it if it awaits); a BootFailed says what it raised. */
async function runSetup(pyodide: PyodideAPI, setup: string): Promise<void> {
  const mod = pyodide.pyimport('_pyodide_pool') as PyProxy & { run_setup: Callable<[src: string], unknown>; error_info: PyProxy };
  try {
    if (!setup.trim()) return;
    const value = switches(setup) ? await mod.run_setup.callPromising(setup) : mod.run_setup(setup);
    const run = asAsyncRun(pyodide, value);
    if (run) {
      await run.future; // awaiting a proxy consumes it
    }
  } catch (err) {
    if (!(err instanceof pyodide.ffi.PythonError) || !mod.error_info) throw err;
    const info = readErrorInfo(mod.error_info);
    const where = info.line ? ` (setup line ${info.line})` : '';
    throw new BootFailed({ kind: 'config', message: `setup raised ${info.pythonType}: ${info.message}${where}\n${info.traceback}` });
  } finally {
    mod.destroy();
  }
}
