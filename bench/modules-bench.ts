// WasmPool in the shape of wazero-pool's benchmark: the same exports called raw, through a
// held instance, through the pool one call at a time, and from several callers at once.
// A browser pool's instances live in workers, so every call but the raw one crosses a
// thread: each pool figure stands beside its floor, bare workers holding the same
// instance and answering plain `postMessage`s, measured in the same page load.
//
// Two exports of test/fixtures/wasm/math.wat (compiled into bench/dist/math.wasm by
// bench/run.mjs): `add`, where nothing but the crossing costs, and `busy`, ~40 µs of CPU.
// Each figure is a time box: callers loop call after call, and µs/op is the wall time over
// the calls made, as Go's ns/op is; for several callers that is the pool's throughput, not
// one caller's latency. Figures compared with each other are measured in alternating
// slices, so that a stall of this shared 2-core machine (a thread descheduled for
// milliseconds) lands on both sides rather than on whichever ran at that moment.
import { WasmPool, type WasmLease } from '../workers/index.js';
import { summarize } from './stats.js';

const now = () => performance.now();
/** `busy(n)`'s rounds: about 40 µs on this machine (about 1.2 ns a round; the raw figure says what it took). */
export const BUSY_ROUNDS = 35_000;
/** Callers at once, as the seed's parallel-2/4/8. */
export const CALLERS = [2, 4, 8] as const;
/** The parallel pool's `max`: this machine has 2 cores (the page's thread, which dispatches, shares them). */
export const PARALLEL_MAX = 2;
const WARM_MS = 100;
/** Each figure gets SLICES × SLICE_MS of measuring, alternating with the figures beside it. */
const SLICES = 6;
const SLICE_MS = 50;

/** One figure: calls made in a time box. */
export interface Cell {
  calls: number;
  ms: number;
  /** Wall time over calls, in µs (for several callers: the pool's, not one caller's). */
  usPerOp: number;
  callsPerSecond: number;
  /** One caller: the median call's latency in µs, which a stall of the machine barely moves. */
  p50Us?: number;
}

type Export = 'add' | 'busy';
type Call = (caller: number) => Promise<unknown>;
const ARGS: Record<Export, [number, number]> = { add: [2, 3], busy: [BUSY_ROUNDS, 0] };
/** What each export must answer (busy's hash depends only on n): a wrong answer fails the bench. */
let expected: Record<Export, number>;
/** Where the raw loop's answers go, so that no engine can drop the calls as unused. */
export let rawSink = 0;

function cell(calls: number, ms: number, latencies?: number[]): Cell {
  const out: Cell = { calls, ms, usPerOp: (ms * 1000) / calls, callsPerSecond: (calls * 1000) / ms };
  if (latencies) out.p50Us = summarize(latencies).median * 1000;
  return out;
}

/** The export on the page's own thread: no worker, no promise. Checks the clock every `batch` calls. */
function raw(fn: (a: number, b: number) => number, [a, b]: [number, number], batch: number): Cell {
  const loop = (ms: number) => {
    const start = now();
    let calls = 0;
    do {
      for (let i = 0; i < batch; i++) rawSink ^= fn(a, b);
      calls += batch;
    } while (now() - start < ms);
    return cell(calls, now() - start);
  };
  loop(WARM_MS);
  return loop(SLICES * SLICE_MS);
}

/** `callers` loops of call after call for `ms`; with one caller, each call's latency goes to `latencies`. */
async function loop(callers: number, call: Call, ms: number, latencies?: number[]): Promise<{ calls: number; ms: number }> {
  const start = now();
  const end = start + ms;
  let calls = 0;
  await Promise.all(
    Array.from({ length: callers }, async (_, caller) => {
      while (now() < end) {
        const t = now();
        await call(caller);
        latencies?.push(now() - t);
        calls++;
      }
    }),
  );
  return { calls, ms: now() - start };
}

/** Each figure warmed up, then measured in SLICES slices taken in turn (the order rotated every slice). */
async function alternate(callers: number, figures: Record<string, Call>): Promise<Record<string, Cell>> {
  const names = Object.keys(figures);
  for (const name of names) await loop(callers, figures[name]!, WARM_MS);
  const sums = Object.fromEntries(names.map((name) => [name, { calls: 0, ms: 0, latencies: [] as number[] }]));
  for (let slice = 0; slice < SLICES; slice++) {
    for (let i = 0; i < names.length; i++) {
      const name = names[(slice + i) % names.length]!;
      const sum = sums[name]!;
      const done = await loop(callers, figures[name]!, SLICE_MS, callers === 1 ? sum.latencies : undefined);
      sum.calls += done.calls;
      sum.ms += done.ms;
    }
  }
  return Object.fromEntries(names.map((name) => [name, cell(sums[name]!.calls, sums[name]!.ms, callers === 1 ? sums[name]!.latencies : undefined)]));
}

/** Bare workers, one instance each (bench/wasm-floor-worker.ts): the least a call through a worker costs. */
class Floor {
  readonly #workers: Worker[];
  readonly #waiting = new Map<number, (value: number) => void>();
  #next = 0;

  constructor(count: number) {
    this.#workers = Array.from({ length: count }, () => new Worker(new URL('./wasm-floor-worker.js', import.meta.url), { type: 'module' }));
  }

  async start(module: WebAssembly.Module): Promise<void> {
    await Promise.all(
      this.#workers.map(
        (worker) =>
          new Promise<void>((resolve) => {
            worker.onmessage = () => {
              worker.onmessage = (event: MessageEvent<[number, number]>) => {
                const [id, value] = event.data;
                this.#waiting.get(id)!(value);
                this.#waiting.delete(id);
              };
              resolve();
            };
            worker.postMessage(module);
          }),
      ),
    );
  }

  /** Call `name` on worker `index` mod the count (several callers on one worker each keep one call in flight). */
  call(index: number, name: Export): Promise<number> {
    const id = this.#next++;
    const [a, b] = ARGS[name];
    return new Promise((resolve) => {
      this.#waiting.set(id, resolve);
      this.#workers[index % this.#workers.length]!.postMessage([id, name, a, b]);
    });
  }

  terminate(): void {
    for (const worker of this.#workers) worker.terminate();
  }
}

interface Rig {
  exports: Record<Export, (a: number, b: number) => number>;
  /** One bare worker, and PARALLEL_MAX of them. */
  floor: Floor;
  floors: Floor;
  /** The default pool (one caller), and the parallel one (whose instance a lease holds while one caller measures). */
  pool: WasmPool;
  parallel: WasmPool;
}

/** Every figure of one export, each floor beside the pool figure it bounds. */
async function measureExport(name: Export, rig: Rig): Promise<Record<string, Cell>> {
  const [a, b] = ARGS[name];
  const ok = (value: unknown) => {
    if (value !== expected[name]) throw new Error(`${name} answered ${String(value)}, not ${expected[name]}`);
  };
  const out: Record<string, Cell> = { raw: raw(rig.exports[name], ARGS[name], name === 'add' ? 10_000 : 1) };
  // The seed's "wrapped": one instance held, called directly, no choice of instance. It is
  // the parallel pool's (the default pool's only instance serves `pool`), given back before
  // the parallel figures.
  const lease: WasmLease = await rig.parallel.acquire();
  try {
    Object.assign(
      out,
      await alternate(1, {
        floor: () => rig.floor.call(0, name).then(ok),
        pool: () => rig.pool.call(name, a, b).then(ok),
        lease: () => lease.call(name, a, b).then(ok),
      }),
    );
  } finally {
    lease.release();
  }
  for (const callers of CALLERS) {
    const pair = await alternate(callers, {
      floor: (caller) => rig.floors.call(caller, name).then(ok),
      pool: () => rig.parallel.call(name, a, b).then(ok),
    });
    out[`floor-${callers}`] = pair.floor!;
    out[`pool-${callers}`] = pair.pool!;
  }
  return out;
}

export async function modulesScenario(): Promise<Record<string, unknown>> {
  const url = new URL('./math.wasm', import.meta.url);
  const module = await WebAssembly.compile(await (await fetch(url)).arrayBuffer());
  const exports = (await WebAssembly.instantiate(module)).exports as Rig['exports'];
  expected = { add: exports.add(...ARGS.add), busy: exports.busy(...ARGS.busy) };
  const floor = new Floor(1);
  const floors = new Floor(PARALLEL_MAX);
  // The default pool (`max`: cores − 1, at least 1: 1 here) for one caller; PARALLEL_MAX warm workers for several.
  const pool = new WasmPool({ wasm: url });
  const parallel = new WasmPool({ wasm: url, min: PARALLEL_MAX, max: PARALLEL_MAX });
  try {
    await Promise.all([floor.start(module), floors.start(module), pool.ready(), parallel.ready()]);
    const rig = { exports, floor, floors, pool, parallel };
    const figures = { add: await measureExport('add', rig), busy: await measureExport('busy', rig) };
    return { ...figures, busyRounds: BUSY_ROUNDS, sequentialMax: pool.options.max, parallelMax: parallel.options.max, cores: navigator.hardwareConcurrency };
  } finally {
    floor.terminate();
    floors.terminate();
    await Promise.all([pool.terminate(), parallel.terminate()]);
  }
}
