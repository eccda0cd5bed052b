/**
 * The module pools' runtime, page side (a {@link WorkerRuntime}): each worker imports one
 * ES module, or instantiates one WebAssembly module that the page compiles once and hands
 * to every worker. With a shared memory, every worker instantiates on the same
 * `WebAssembly.Memory`; when the group is rebuilt (`newMemory`), workers still booting on
 * the old one are ended, and that does not count as a failed boot.
 *
 * @internal
 */
import type { WorkerRuntime } from './scheduler-ports.js';
import type { WorkerHandle } from './worker-handle.js';
import { BootFailed } from './worker-info.js';

/** What each worker loads: a module's URL, or a WebAssembly module (a URL to compile, or compiled). */
export type ModuleSource = { kind: 'module'; url: string } | { kind: 'wasm'; url: string; module?: WebAssembly.Module; sharedMemory?: WebAssembly.MemoryDescriptor };

/** Fetch and compile `url` once; a failure says which file and why, and is not retried (the same file fails again). */
async function compileWasm(url: string): Promise<WebAssembly.Module> {
  let response: Response;
  try {
    response = await fetch(url);
  } catch (err) {
    throw new BootFailed({ kind: 'config', message: `could not fetch ${url} (${(err as Error).message})` });
  }
  if (!response.ok) throw new BootFailed({ kind: 'config', message: `could not fetch ${url} (HTTP ${response.status})` });
  try {
    // Streaming compiles while the file arrives, but only for files served as application/wasm.
    if (response.headers.get('content-type')?.includes('application/wasm')) return await WebAssembly.compileStreaming(response);
    return await WebAssembly.compile(await response.arrayBuffer());
  } catch (err) {
    throw new BootFailed({ kind: 'config', message: `${url} is not a valid WebAssembly module (${(err as Error).message})` });
  }
}

export class ModuleRuntime implements WorkerRuntime {
  readonly entry = 'module';
  readonly workerName: string;
  readonly #source: ModuleSource;
  readonly #bootTimeout: () => number;
  #compiled: Promise<WebAssembly.Module> | undefined;
  /** The memory the group's workers share now (undefined: each instance has its own). */
  #memory: WebAssembly.Memory | undefined;
  /** Workers ended because their group was rebuilt while they booted. */
  readonly #abandoned = new WeakSet<WorkerHandle>();
  /** Workers booting, and the memory each boots on. */
  readonly #booting = new Map<WorkerHandle, WebAssembly.Memory | undefined>();

  constructor(source: ModuleSource, bootTimeout: () => number) {
    this.#source = source;
    this.#bootTimeout = bootTimeout;
    this.workerName = source.kind === 'module' ? `a module worker for ${source.url}` : `a WebAssembly worker for ${source.url}`;
    if (source.kind === 'wasm' && source.sharedMemory) this.#memory = new WebAssembly.Memory({ ...source.sharedMemory, shared: true });
  }

  /** The memory the workers share now, if they share one. */
  get memory(): WebAssembly.Memory | undefined {
    return this.#memory;
  }

  /** Nothing to load ahead: a module worker's boot is one import or one instantiation. */
  prepare(): void {}

  async boot(worker: WorkerHandle): Promise<void> {
    const source = this.#source;
    if (source.kind === 'module') {
      await worker.boot({ kind: 'module', url: source.url }, this.#bootTimeout());
      return;
    }
    this.#compiled ??= source.module ? Promise.resolve(source.module) : compileWasm(source.url);
    const module = await this.#compiled;
    if (worker.dead) return;
    const memory = this.#memory;
    this.#booting.set(worker, memory);
    try {
      await worker.boot({ kind: 'wasm', url: source.url, module, memory }, this.#bootTimeout());
    } finally {
      this.#booting.delete(worker);
    }
  }

  /**
   * The group is rebuilt: a fresh shared memory for the workers that boot from now on, and
   * the ones booting on the old memory are ended (their boots fail, uncounted).
   */
  newMemory(): void {
    if (this.#source.kind !== 'wasm' || !this.#source.sharedMemory) return;
    this.#memory = new WebAssembly.Memory({ ...this.#source.sharedMemory, shared: true });
    for (const worker of this.#booting.keys()) {
      this.#abandoned.add(worker);
      worker.terminate();
    }
  }

  bootFailed(_failure: unknown, worker: WorkerHandle): boolean {
    return this.#abandoned.has(worker);
  }

  allBooted(): void {}
}
