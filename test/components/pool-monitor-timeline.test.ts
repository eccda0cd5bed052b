// <pool-monitor>'s timeline, throughput, inspector and drawing schedule, against one warm
// PyodidePool of two workers shared by the whole file (booting Pyodide is the slow part).
// Each test makes and removes its own monitor; waits are on the monitor's frames
// (`nextDraw()`, animation frames), never on sleeps.
import { expect } from '@open-wc/testing';
import '../../components/index.js';
import type { PoolMonitorElement, TimelineView } from '../../components/index.js';
import { parseWindow, axisTicks } from '../../components/monitor-window.js';
import { PyodidePool, type Task } from '../../workers/index.js';
import { allSettled, indexURL, rejection } from '../helpers.js';

const SPIN = 'while True: pass';

function frames(n: number): Promise<void> {
  return new Promise((resolve) => {
    const step = () => (--n <= 0 ? resolve() : requestAnimationFrame(step));
    requestAnimationFrame(step);
  });
}

/** Draws until `check(view)` holds (a frame at a time; at most `max` frames). */
async function drawUntil(monitor: PoolMonitorElement, check: (view: TimelineView) => boolean, what: string, max = 600): Promise<TimelineView> {
  for (let i = 0; i < max; i++) {
    const view = await monitor.nextDraw();
    if (check(view)) return view;
  }
  throw new Error(`${what}: not drawn in ${max} frames`);
}

function part(monitor: PoolMonitorElement, name: string): HTMLElement {
  return monitor.shadowRoot!.querySelector<HTMLElement>(`[part="${name}"]`)!;
}

function key(monitor: PoolMonitorElement, name: string): void {
  part(monitor, 'timeline').dispatchEvent(new KeyboardEvent('keydown', { key: name, bubbles: true, composed: true }));
}

/** Clicks the middle of task `id`'s bar, as the last frame drew it. */
function clickBar(monitor: PoolMonitorElement, view: TimelineView, id: number): void {
  const bar = view.bars.find((b) => b.id === id)!;
  const lane = view.lanes.findIndex((l) => l.worker === bar.worker);
  const plot = monitor.shadowRoot!.querySelector<HTMLElement>('.plot')!;
  const box = plot.getBoundingClientRect();
  const mid = (bar.start + (bar.end ?? view.to)) / 2;
  const x = box.left + ((mid - view.from) / (view.to - view.from)) * box.width;
  const laneHeight = part(monitor, 'lane').getBoundingClientRect().height;
  plot.dispatchEvent(new MouseEvent('click', { clientX: x, clientY: box.top + (lane + 0.5) * laneHeight, bubbles: true }));
}

describe('<pool-monitor> timeline', function () {
  let pool: PyodidePool;
  let monitor: PoolMonitorElement;

  before(async () => {
    pool = new PyodidePool({ indexURL, min: 2, max: 2 });
    await pool.ready();
  });
  after(() => pool.terminate());

  function mount(attrs: Record<string, string> = {}): PoolMonitorElement {
    monitor = document.createElement('pool-monitor');
    for (const [name, value] of Object.entries(attrs)) monitor.setAttribute(name, value);
    monitor.pool = pool;
    document.body.prepend(monitor);
    return monitor;
  }
  afterEach(() => monitor?.remove());

  it('draws a lane per worker and a bar per task, coloured by outcome', async () => {
    mount();
    const done = pool.submit('1 + 1');
    const failed = pool.submit('1/0');
    const timeout = pool.submit(SPIN, { timeout: 50 });
    await done.result;
    await rejection(failed.result);
    await rejection(timeout.result);
    const cancelled: Task = pool.submit(`import time\nfor _ in range(200):\n    time.sleep(0.01)`);
    await drawUntil(monitor, (v) => v.bars.some((b) => b.id === cancelled.id && b.outcome === undefined), 'the running task');
    cancelled.cancel('enough');
    await rejection(cancelled.result);
    const view = await drawUntil(monitor, (v) => v.bars.some((b) => b.id === cancelled.id && b.outcome === 'cancelled'), 'the cancelled task');
    const ids = pool.state.workers.value.map((w) => w.id).sort((a, b) => a - b);
    expect(view.lanes.map((l) => l.worker)).to.deep.equal(ids);
    expect(view.lanes.every((l) => l.state === 'ready' && l.mode !== undefined)).to.equal(true);
    const outcome = (t: Task) => view.bars.find((b) => b.id === t.id)?.outcome;
    expect([outcome(done), outcome(failed), outcome(timeout), outcome(cancelled)]).to.deep.equal(['done', 'failed', 'timeout', 'cancelled']);
    expect(view.bars.every((b) => ids.includes(b.worker) && b.kind === 'task' && b.end! >= b.start)).to.equal(true);
    expect(view.to - view.from).to.equal(30_000);
    await monitor.updateComplete;
    const lanes = [...monitor.shadowRoot!.querySelectorAll<HTMLElement>('[part="lane"]')];
    expect(lanes.map((l) => Number(l.dataset.worker))).to.deep.equal(ids);
    expect(lanes.map((l) => l.dataset.state)).to.deep.equal(['ready', 'ready']);
    expect(lanes[0]!.textContent).to.contain(`#${ids[0]}`);
    expect(monitor.drawStats.frames).to.be.greaterThan(0);
    expect(monitor.drawStats.maxMs).to.be.at.least(monitor.drawStats.meanMs);
  });

  it('shows the queue backing up when more tasks than workers come, and the throughput after', async () => {
    mount({ window: '5s' });
    const tasks = Array.from({ length: 6 }, (_, i) => pool.run(`import time\ntime.sleep(0.12)\n${i}`));
    expect(await Promise.all(tasks)).to.deep.equal([0, 1, 2, 3, 4, 5]);
    const view = await drawUntil(monitor, (v) => v.throughput.some((r) => r > 0), 'a throughput');
    expect(Math.max(...view.queueDepth)).to.be.at.least(1);
    expect(view.queueDepth.length).to.be.greaterThan(10);
    await monitor.updateComplete;
    expect(part(monitor, 'queue').textContent).to.match(/queue\s+≤ \d/);
    expect(part(monitor, 'throughput').querySelector('canvas')).to.not.equal(null);
    // The counter above the lanes still reads the pool's own counts.
    expect(monitor.shadowRoot!.querySelector('[part="counts"]')!.textContent).to.contain('tasks/s');
  });

  it('draws a bar for each of many tiny tasks, though they are handed over and answered in batches', async () => {
    mount({ window: '10s' });
    const tasks = Array.from({ length: 300 }, (_, i) => pool.submit(`${i} * 2`));
    await Promise.all(tasks.map((t) => t.result));
    const ids = new Set(tasks.map((t) => t.id));
    const view = await drawUntil(monitor, (v) => v.bars.filter((b) => ids.has(b.id)).length === ids.size, 'a bar per task');
    const bars = view.bars.filter((b) => ids.has(b.id));
    expect(bars.every((b) => b.outcome === 'done' && b.end! >= b.start)).to.equal(true);
    // Each lies inside its worker's batch, not at one instant: the bars of a worker do not overlap.
    for (const worker of new Set(bars.map((b) => b.worker))) {
      const mine = bars.filter((b) => b.worker === worker).sort((a, b) => a.start - b.start);
      for (let i = 1; i < mine.length; i++) expect(mine[i]!.start).to.be.at.least(mine[i - 1]!.end! - 0.01);
    }
  });

  it('reads `window` as ms, s, m or seconds, and warns once about anything else', async () => {
    expect([parseWindow('500ms'), parseWindow('30s'), parseWindow('2m'), parseWindow('45'), parseWindow('1.5')]).to.deep.equal([500, 30_000, 120_000, 45_000, 1_500]);
    expect([parseWindow('soon'), parseWindow('-3s'), parseWindow('10h'), parseWindow('0')]).to.deep.equal([undefined, undefined, undefined, undefined]);
    expect(axisTicks(30_000).map((t) => t.text)).to.deep.equal(['−25 s', '−20 s', '−15 s', '−10 s', '−5 s', 'now']);
    mount({ window: '2m' });
    let view = await monitor.nextDraw();
    expect(view.to - view.from).to.equal(120_000);
    monitor.window = '500ms';
    await monitor.updateComplete;
    view = await monitor.nextDraw();
    expect(view.to - view.from).to.equal(500);
    const warnings: string[] = [];
    const warn = console.warn;
    console.warn = (...args: unknown[]) => void warnings.push(args.map(String).join(' '));
    try {
      monitor.setAttribute('window', 'soon');
      await monitor.updateComplete;
      view = await monitor.nextDraw();
    } finally {
      console.warn = warn;
    }
    expect(view.to - view.from).to.equal(30_000);
    expect(warnings).to.have.length(1);
    expect(warnings[0]).to.contain('soon');
  });

  it('moves between bars with the keyboard and names the focused task in the tooltip', async () => {
    mount();
    await monitor.updateComplete;
    const timeline = part(monitor, 'timeline');
    await pool.run('first = 1\nfirst');
    await Promise.all([pool.run('second = 2\nsecond'), pool.run('third = 3\nthird')]);
    await pool.run('fourth = 4\nfourth');
    await monitor.nextDraw();
    expect(timeline.tabIndex).to.equal(0);
    expect(timeline.getAttribute('role')).to.equal('group');
    expect(timeline.getAttribute('aria-label')).to.contain('Arrow keys');
    const tooltip = part(monitor, 'tooltip');
    expect(tooltip.getAttribute('aria-live')).to.equal('polite');
    timeline.focus();
    // The first key starts from the newest bar; Home goes to the first bar of its lane.
    const drawn = monitor.timelineView.bars;
    const latest = drawn.reduce((a, b) => (b.start >= a.start ? b : a));
    const firstOfLane = Math.min(...drawn.filter((b) => b.worker === latest.worker).map((b) => b.id));
    key(monitor, 'Home');
    await monitor.updateComplete;
    expect(tooltip.textContent).to.contain(`Task #${firstOfLane} `);
    key(monitor, 'End');
    await monitor.updateComplete;
    expect(tooltip.textContent).to.match(/Task #\d+ · fourth = 4/);
    const newest = Number(/#(\d+)/.exec(tooltip.textContent!)![1]);
    key(monitor, 'Home');
    await monitor.updateComplete;
    const first = Number(/#(\d+)/.exec(tooltip.textContent!)![1]);
    expect(first).to.be.lessThan(newest);
    key(monitor, 'ArrowRight');
    await monitor.updateComplete;
    expect(Number(/#(\d+)/.exec(tooltip.textContent!)![1])).to.be.greaterThan(first);
    key(monitor, 'ArrowDown');
    key(monitor, 'ArrowUp');
    await monitor.updateComplete;
    expect(tooltip.textContent).to.match(/Task #\d+ · \S/);
    expect(tooltip.textContent).to.match(/wait \S+ ms · run \S+ ms/);
    expect(tooltip.textContent).to.match(/done on worker #\d+/);
  });

  it('opens a task in the inspector as text only: a hostile result and a Python traceback', async () => {
    mount({ inspect: '', window: '10s' });
    const opened: number[] = [];
    monitor.addEventListener('pool-monitor-inspect', (e) => opened.push(e.detail.id));
    const hostile = pool.submit(`'<img src=x onerror=alert(1)>'`);
    const raising = pool.submit('def f():\n    return 1/0\nf()');
    await hostile.result;
    await rejection(raising.result);
    const view = await drawUntil(monitor, (v) => v.bars.filter((b) => b.id === hostile.id || b.id === raising.id).length === 2, 'both bars');
    clickBar(monitor, view, hostile.id);
    await monitor.updateComplete;
    const inspector = part(monitor, 'inspector');
    expect(opened).to.deep.equal([hostile.id]);
    expect(inspector.textContent).to.contain('<img src=x onerror=alert(1)>');
    expect(inspector.textContent).to.contain(`Task #${hostile.id}`);
    expect(monitor.shadowRoot!.querySelector('img')).to.equal(null);
    // Escape closes it; Enter on the focused bar opens it again.
    key(monitor, 'Escape');
    await monitor.updateComplete;
    expect(part(monitor, 'inspector')).to.equal(null);
    const again = await monitor.nextDraw();
    clickBar(monitor, again, raising.id);
    await monitor.updateComplete;
    const text = part(monitor, 'inspector').textContent!;
    expect(text).to.contain('ZeroDivisionError');
    expect(text).to.contain('Traceback');
    expect(text).to.contain('return 1/0');
    expect(text).to.match(/outcome\s*failed/);
    part(monitor, 'inspector').querySelector<HTMLButtonElement>('button.close')!.click();
    await monitor.updateComplete;
    expect(part(monitor, 'inspector')).to.equal(null);
    key(monitor, 'Enter');
    await monitor.updateComplete;
    expect(part(monitor, 'inspector')).to.not.equal(null);
    expect(opened).to.have.length(3);
  });

  it('keeps settled tasks’ details while `inspect` is set and connected, and only then', async () => {
    mount();
    const before = pool.submit('1');
    await before.result;
    expect(pool.state.recent.value.details(before.id)).to.equal(undefined);
    monitor.inspect = true;
    await monitor.updateComplete;
    const kept = pool.submit('"kept"');
    await kept.result;
    await allSettled(pool);
    expect(pool.state.recent.value.details(kept.id)?.result).to.equal('"kept"');
    monitor.inspect = false;
    await monitor.updateComplete;
    expect(pool.state.recent.value.details(kept.id)).to.equal(undefined);
    monitor.inspect = true;
    await monitor.updateComplete;
    const again = pool.submit('2');
    await again.result;
    await allSettled(pool);
    expect(pool.state.recent.value.details(again.id)?.result).to.equal('2');
    monitor.remove();
    expect(pool.state.recent.value.details(again.id)).to.equal(undefined);
  });

  it('draws nothing while collapsed to zero width, without an error, and again once it has room', async () => {
    mount();
    await monitor.nextDraw();
    const errors: unknown[] = [];
    const onError = (event: ErrorEvent) => errors.push(event.error);
    window.addEventListener('error', onError);
    try {
      monitor.style.cssText = 'display:block;width:0;height:0;overflow:hidden';
      await frames(2);
      await pool.run('"while collapsed"');
      await frames(4);
      monitor.style.cssText = '';
      const view = await monitor.nextDraw();
      expect(view.bars.length).to.be.greaterThan(0);
      expect(errors).to.deep.equal([]);
    } finally {
      window.removeEventListener('error', onError);
    }
  });

  it('draws nothing while hidden, and again once shown or moved', async () => {
    mount();
    await monitor.nextDraw();
    monitor.hidden = true;
    await frames(3);
    const drawn = monitor.drawStats.frames;
    await Promise.all([pool.run('1'), pool.run('2'), pool.run(`import time\ntime.sleep(0.05)`)]);
    await frames(5);
    expect(monitor.drawStats.frames).to.equal(drawn);
    monitor.hidden = false;
    const view = await monitor.nextDraw();
    expect(monitor.drawStats.frames).to.be.greaterThan(drawn);
    expect(view.bars.length).to.be.greaterThan(0);
    // Moved in the page: its observers start again, and so does drawing.
    monitor.remove();
    document.body.prepend(monitor);
    const moved = await monitor.nextDraw();
    expect(moved.to).to.be.greaterThan(view.to);
  });
});
