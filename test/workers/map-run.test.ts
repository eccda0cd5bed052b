// The map driver on fake chunks (no workers): chunk sizing, input order, the lowest failing
// index, cancelling later chunks, settle: 'all', progress and abort.
import { expect } from 'chai';
import { MapError, PythonError, TaskCancelledError, WorkerCrashedError } from '../../workers/pool/errors.js';
import { MapRun, nextChunkSize, type MapRunOptions } from '../../workers/pool/map-run.js';
import type { ChunkResult } from '../../workers/shared/protocol.js';
import { TaskRecord, type ChunkSpec } from '../../workers/pool/task.js';

/** A host whose chunks wait until the test settles them. */
function fakeHost(workers = 2) {
  const chunks: { spec: ChunkSpec; record: TaskRecord; cancelled: unknown }[] = [];
  let id = 1;
  const host = {
    workers: () => workers,
    submit(spec: ChunkSpec): TaskRecord {
      const entry = { spec, record: undefined as unknown as TaskRecord, cancelled: undefined as unknown };
      entry.record = new TaskRecord(id++, 'code', { priority: 0, timeout: undefined, chunk: spec }, (reason) => {
        entry.cancelled = reason ?? 'cancelled';
        entry.record.reject(new TaskCancelledError(reason), 'cancelled');
      });
      chunks.push(entry);
      return entry.record;
    },
  };
  return { host, chunks };
}

const options = (extra: Partial<MapRunOptions> = {}): MapRunOptions => ({
  chunkSize: undefined,
  keepGoing: false,
  itemTimeout: undefined,
  onProgress: undefined,
  movable: undefined,
  signal: undefined,
  ...extra,
});
const done = (items: unknown[], ms = 1): ChunkResult => ({ values: items.map((i) => (i as number) * 2), errors: [], ms });
const turn = () => new Promise((r) => setTimeout(r, 0));

describe('nextChunkSize', () => {
  it('starts at one item, then paces chunks to about 10 ms of work', () => {
    expect(nextChunkSize({ remaining: 1000, workers: 2, measuredMs: 0, measuredItems: 0, largest: 0 })).to.equal(1);
    // 1 µs items: 10,000 a chunk, once the ramp allows it.
    expect(nextChunkSize({ remaining: 1e6, workers: 2, measuredMs: 4, measuredItems: 4000, largest: 4000 })).to.equal(10_000);
    // Slow items go one at a time.
    expect(nextChunkSize({ remaining: 100, workers: 2, measuredMs: 500, measuredItems: 5, largest: 5 })).to.equal(1);
  });

  it('grows at most 4× the largest chunk measured, and never past a fair share of what is left', () => {
    expect(nextChunkSize({ remaining: 1e6, workers: 2, measuredMs: 0.01, measuredItems: 10, largest: 10 })).to.equal(40);
    expect(nextChunkSize({ remaining: 40, workers: 2, measuredMs: 1, measuredItems: 10_000, largest: 10_000 })).to.equal(10);
    expect(nextChunkSize({ remaining: 0, workers: 2, measuredMs: 1, measuredItems: 1, largest: 1 })).to.equal(0);
  });
});

describe('MapRun', () => {
  it('keeps two chunks a worker in flight and puts values in input order', async () => {
    const { host, chunks } = fakeHost(2);
    const items = Array.from({ length: 10 }, (_, i) => i);
    const run = new MapRun(host, items, options({ chunkSize: 2 }));
    expect(chunks.length).to.equal(4);
    // Settle out of order.
    for (const i of [3, 1, 0, 2]) chunks[i]!.record.resolve(done(chunks[i]!.spec.items));
    await turn();
    expect(chunks.length).to.equal(5);
    chunks[4]!.record.resolve(done(chunks[4]!.spec.items));
    expect(await run.promise).to.deep.equal(items.map((i) => i * 2));
  });

  it('rejects with the lowest failing index once no earlier chunk runs, cancelling later ones', async () => {
    const { host, chunks } = fakeHost(2);
    const run = new MapRun(
      host,
      Array.from({ length: 8 }, (_, i) => i),
      options({ chunkSize: 2 }),
    );
    let settled = false;
    void run.promise.catch(() => (settled = true));
    // Chunk 2 (items 4–5) fails at item 5 while chunk 0 still runs; chunk 3 is cancelled.
    chunks[2]!.record.resolve({ values: [8], errors: [{ index: 1, kind: 'python', pythonType: 'ValueError', message: 'bad', traceback: '', line: 1 }] });
    await turn();
    expect(chunks[3]!.cancelled).to.not.equal(undefined);
    expect(settled).to.equal(false);
    // An earlier failure wins.
    chunks[0]!.record.resolve({ values: [], errors: [{ index: 0, kind: 'python', pythonType: 'KeyError', message: 'k', traceback: '', line: 1 }] });
    chunks[1]!.record.resolve(done(chunks[1]!.spec.items));
    const err = (await run.promise.catch((e) => e)) as MapError;
    expect(err).to.be.instanceOf(MapError);
    expect(err.index).to.equal(0);
    expect((err.cause as PythonError).pythonType).to.equal('KeyError');
  });

  it("with settle: 'all' gives every item its value or error, a failed chunk's items included", async () => {
    const { host, chunks } = fakeHost(1);
    const progress: number[] = [];
    const run = new MapRun(host, [1, 2, 3, 4], options({ chunkSize: 2, keepGoing: true, onProgress: (p) => progress.push(p.done) }));
    chunks[0]!.record.resolve({ values: [2, null], errors: [{ index: 1, kind: 'python', pythonType: 'ValueError', message: 'bad', traceback: '', line: 1 }] });
    chunks[1]!.record.reject(new WorkerCrashedError('gone'));
    const out = (await run.promise) as { value?: unknown; error?: Error }[];
    expect(out[0]).to.deep.equal({ value: 2 });
    expect(out[1]!.error).to.be.instanceOf(PythonError);
    expect(out[2]!.error).to.be.instanceOf(WorkerCrashedError);
    expect(out[3]!.error).to.be.instanceOf(WorkerCrashedError);
    expect(progress).to.deep.equal([2, 4]);
  });

  it('rejects with TaskCancelledError on abort and cancels the chunks in flight', async () => {
    const { host, chunks } = fakeHost(1);
    const controller = new AbortController();
    const run = new MapRun(host, [1, 2, 3], options({ chunkSize: 1, signal: controller.signal }));
    controller.abort('stop');
    const err = (await run.promise.catch((e) => e)) as TaskCancelledError;
    expect(err).to.be.instanceOf(TaskCancelledError);
    expect(err.reason).to.equal('stop');
    expect(chunks.every((c) => c.cancelled !== undefined)).to.equal(true);
  });
});
