// The boot timeline: every worker's stages on the page's clock, page and worker side, and
// the debug option that prints them. One pool of two (a normal boot and a restore).
import { expect } from 'chai';
import { formatTimeline, PyodidePool, type BootStage, type BootStageName } from '../../workers/index.js';
import { indexURL } from '../helpers.js';

const names = (stages: readonly BootStage[] | undefined) => (stages ?? []).map((s) => s.name);
const stage = (stages: readonly BootStage[] | undefined, name: BootStageName) => stages?.find((s) => s.name === name);

describe('boot timeline', () => {
  let pool: PyodidePool;
  let made: number;
  const printed: string[] = [];
  const debug = console.debug;

  before(async () => {
    console.debug = (...args: unknown[]) => {
      printed.push(args.map(String).join(' '));
    };
    made = performance.now();
    // A setup of its own, so the snapshot is made here (and kept: no stored one is read).
    // Python starts cold (no base snapshot): the timeline of a whole normal boot.
    pool = new PyodidePool({ indexURL, min: 2, max: 2, persistSnapshot: false, baseSnapshot: false, debug: true, setup: `STAMP = ${Date.now()}` });
    await pool.ready();
  });

  after(async () => {
    console.debug = debug;
    await pool.terminate();
  });

  const worker = (mode: 'normal' | 'snapshot') => pool.state.workers.value.find((w) => w.bootMode === mode)!;

  it('shows the stages of a normal boot, in order, on the page clock, each within the one it is part of', () => {
    const stages = worker('normal').bootTimeline!;
    for (const name of [
      'script',
      'pyodide-scripts',
      'wasm-compile',
      'interpreter',
      'emscripten',
      'wasm',
      'python-init',
      'bootstrap',
      'setup',
      'snapshot-make',
      'runtime',
      'handover',
    ] as const) {
      expect(names(stages), name).to.include(name);
    }
    expect(names(stages)).not.to.include('memory-restore');
    const now = performance.now();
    for (const s of stages) {
      expect(s.end, s.name).to.be.at.least(s.start);
      // The worker's clock is turned into the page's: nothing before the pool, or after now.
      expect(s.start, s.name).to.be.within(made - 5, now);
      expect(s.end, s.name).to.be.at.most(now);
    }
    expect(stages.map((s) => s.start)).to.deep.equal([...stages.map((s) => s.start)].sort((a, b) => a - b));
    // 2 ms of slack: Firefox coarsens each clock to 1 ms, and a worker's times are moved
    // onto the page's clock by the difference of their origins (coarsened as well).
    const within = (inner: BootStageName, outer: BootStageName) => {
      expect(stage(stages, inner)!.start, `${inner} starts within ${outer}`).to.be.at.least(stage(stages, outer)!.start - 2);
      expect(stage(stages, inner)!.end, `${inner} ends within ${outer}`).to.be.at.most(stage(stages, outer)!.end + 2);
    };
    within('wasm', 'emscripten');
    within('emscripten', 'interpreter');
    within('python-init', 'interpreter');
    expect(stage(stages, 'setup')!.start).to.be.at.least(stage(stages, 'interpreter')!.end - 2);
    expect(stage(stages, 'handover')!.where).to.equal('page');
    expect(stage(stages, 'python-init')!.where).to.equal('worker');
  });

  it('shows a restore: the wait for the snapshot, its bytes unpacked, memory restored, and no setup', () => {
    const stages = worker('snapshot').bootTimeline!;
    for (const name of ['snapshot-wait', 'snapshot-unpack', 'interpreter', 'memory-restore', 'python-init', 'runtime'] as const) {
      expect(names(stages), name).to.include(name);
    }
    for (const name of ['setup', 'bootstrap', 'snapshot-make'] as const) expect(names(stages), name).not.to.include(name);
    // It waited for the other worker's snapshot: its restore began after that was made.
    const made = stage(worker('normal').bootTimeline, 'snapshot-make')!;
    expect(stage(stages, 'memory-restore')!.start).to.be.at.least(made.end - 1);
  });

  it('adds the first task once a worker has answered one', async () => {
    const before = pool.state.workers.value.map((w) => names(w.bootTimeline).includes('first-task'));
    expect(before).to.deep.equal([false, false]);
    await Promise.all([1, 2].map(() => pool.run('import time\ntime.sleep(0.2)\n1')));
    for (const w of pool.state.workers.value) {
      const first = stage(w.bootTimeline, 'first-task');
      expect(first, `worker ${w.id}`).to.not.equal(undefined);
      expect(first!.start).to.be.at.least(stage(w.bootTimeline, 'handover')!.end - 1);
    }
  });

  it('prints each timeline with debug: true, and adds it to the performance timeline', () => {
    for (const w of pool.state.workers.value) {
      const text = printed.find((line) => line.startsWith(`pyodide-pool: worker ${w.id} warm (${w.bootMode} boot)`));
      expect(text, `worker ${w.id}`).to.be.a('string');
      expect(text).to.include('interpreter (worker,');
      const measures = performance.getEntriesByType('measure').filter((m) => m.name.startsWith(`pyodide-pool worker ${w.id}: `));
      expect(measures.map((m) => m.name)).to.include(`pyodide-pool worker ${w.id}: interpreter`);
      const interpreter = stage(w.bootTimeline, 'interpreter')!;
      const measured = measures.find((m) => m.name.endsWith(': interpreter'))!;
      expect(measured.startTime).to.be.closeTo(interpreter.start, 1);
      expect(measured.duration).to.be.closeTo(interpreter.end - interpreter.start, 1);
    }
  });

  it('formats a timeline as one line a stage, in ms from its first start', () => {
    const stages = worker('normal').bootTimeline!;
    const lines = formatTimeline(stages).split('\n');
    expect(lines).to.have.length(stages.length);
    expect(lines[0]).to.match(/^\s+0–\s*\d+ ms {2}/);
    expect(formatTimeline(undefined)).to.equal('');
    for (const [i, line] of lines.entries()) expect(line).to.match(new RegExp(`^\\s*\\d+–\\s*\\d+ ms {2}${stages[i]!.name} \\((page|worker), \\d+ ms\\)$`));
  });

  it('prints nothing without debug', async () => {
    const quiet = new PyodidePool({ indexURL, min: 1, max: 1, persistSnapshot: false });
    const before = printed.length;
    try {
      await quiet.ready();
      expect(quiet.state.workers.value[0]!.bootTimeline!.length).to.be.greaterThan(5);
      expect(printed.slice(before).filter((line) => line.startsWith('pyodide-pool: worker'))).to.deep.equal([]);
    } finally {
      await quiet.terminate();
    }
  });
});
