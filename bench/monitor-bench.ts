// Issue 28's figure: what `<pool-monitor>`'s timeline costs the page under load. The same
// load twice, alternating per round: 10,000 small tasks a minute (one every 6 ms, in
// batches each 100 ms) on two workers, for `seconds` (30 by default: the timeline's
// window then holds ~5,000 bars);
//   none    — no monitor on the page: the baseline's frame gaps;
//   monitor — a `<pool-monitor window="30s">` on screen: its own drawing cost per frame
//             (`drawStats`, over the second half of the run, when the window is full) and
//             the page's frame gaps.
import '../components/index.js';
import type { PoolMonitorElement } from '../components/index.js';
import { PyodidePool } from '../workers/index.js';
import { baseSnapshot, indexURL } from './shared.js';

const params = new URLSearchParams(location.search);
const SECONDS = Number(params.get('seconds') ?? 30);
const ROUNDS = Number(params.get('rounds') ?? 1);
const PER_MINUTE = 10_000;
const BATCH_MS = 100;

interface Arm {
  tasks: number;
  /** Frame gaps (rAF to rAF) over the run, in ms. */
  frameP50Ms: number;
  frameP95Ms: number;
  frameMaxMs: number;
  /** Monitor only: its drawing cost per frame over the run's second half. */
  drawMeanMs?: number;
  drawMaxMs?: number;
  drawFrames?: number;
  /** Bars in the window at the end. */
  bars?: number;
}

const percentile = (values: number[], p: number) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * p))] ?? 0;

/** Run the load for SECONDS, watching frames; `half()` is called halfway. */
async function load(pool: PyodidePool, half: () => void): Promise<{ tasks: number; gaps: number[] }> {
  const gaps: number[] = [];
  let last = performance.now();
  let watching = true;
  const frame = (t: number) => {
    gaps.push(t - last);
    last = t;
    if (watching) requestAnimationFrame(frame);
  };
  requestAnimationFrame((t) => {
    last = t;
    requestAnimationFrame(frame);
  });
  const runs: Promise<unknown>[] = [];
  const perBatch = Math.round((PER_MINUTE / 60_000) * BATCH_MS);
  const batches = Math.round((SECONDS * 1000) / BATCH_MS);
  for (let b = 0; b < batches; b++) {
    // A few fail, so the bars are not all one colour.
    for (let i = 0; i < perBatch; i++) runs.push(pool.run((b * perBatch + i) % 50 === 7 ? '1 / 0' : 'sum(range(3000))').catch(() => {}));
    if (b === Math.floor(batches / 2)) half();
    await new Promise((r) => setTimeout(r, BATCH_MS));
  }
  await Promise.all(runs);
  watching = false;
  return { tasks: runs.length, gaps: gaps.slice(5) };
}

async function arm(pool: PyodidePool, withMonitor: boolean): Promise<Arm> {
  let monitor: PoolMonitorElement | undefined;
  if (withMonitor) {
    monitor = document.createElement('pool-monitor');
    monitor.setAttribute('window', '30s');
    monitor.pool = pool;
    document.body.append(monitor);
  }
  let atHalf = { frames: 0, total: 0 };
  const { tasks, gaps } = await load(pool, () => {
    const s = monitor?.drawStats;
    if (s) atHalf = { frames: s.frames, total: s.meanMs * s.frames };
  });
  const result: Arm = { tasks, frameP50Ms: percentile(gaps, 0.5), frameP95Ms: percentile(gaps, 0.95), frameMaxMs: Math.max(...gaps) };
  if (monitor) {
    const view = await monitor.nextDraw();
    const s = monitor.drawStats;
    const frames = s.frames - atHalf.frames;
    Object.assign(result, { drawFrames: frames, drawMeanMs: frames > 0 ? (s.meanMs * s.frames - atHalf.total) / frames : 0, drawMaxMs: s.maxMs, bars: view.bars.length });
    monitor.remove();
  }
  return result;
}

export async function monitorScenario(): Promise<Record<string, unknown>> {
  const pool = new PyodidePool({ indexURL, baseSnapshot, min: 2, max: 2 });
  await pool.ready();
  const none: Arm[] = [];
  const monitor: Arm[] = [];
  try {
    for (let round = 0; round < ROUNDS; round++) {
      none.push(await arm(pool, false));
      monitor.push(await arm(pool, true));
    }
  } finally {
    await pool.terminate();
  }
  return { seconds: SECONDS, perMinute: PER_MINUTE, none, monitor };
}
