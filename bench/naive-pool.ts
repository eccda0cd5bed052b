// A naive pool as users write it from the seed pattern: fixed workers, a queue, Comlink.
import * as Comlink from 'comlink';

interface NaiveWorker {
  run(code: string): Promise<unknown>;
  init(indexURL: string): Promise<void>;
}

export class NaivePool {
  readonly #workers: { proxy: Comlink.Remote<NaiveWorker>; worker: Worker; busy: boolean }[] = [];
  readonly #queue: { code: string; resolve: (v: unknown) => void; reject: (e: unknown) => void }[] = [];

  constructor(size: number) {
    for (let i = 0; i < size; i++) {
      const worker = new Worker(new URL('./naive-worker.js', import.meta.url), { type: 'module' });
      this.#workers.push({ proxy: Comlink.wrap<NaiveWorker>(worker), worker, busy: false });
    }
  }

  init(indexURL: string): Promise<void[]> {
    return Promise.all(this.#workers.map((w) => w.proxy.init(indexURL)));
  }

  run(code: string): Promise<unknown> {
    return new Promise((resolve, reject) => {
      this.#queue.push({ code, resolve, reject });
      this.#next();
    });
  }

  #next(): void {
    for (const w of this.#workers) {
      if (w.busy || this.#queue.length === 0) continue;
      const job = this.#queue.shift()!;
      w.busy = true;
      w.proxy
        .run(job.code)
        .then(job.resolve, job.reject)
        .finally(() => {
          w.busy = false;
          this.#next();
        });
    }
  }

  terminate(): void {
    for (const w of this.#workers) w.worker.terminate();
  }
}
