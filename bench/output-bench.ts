// Issue 23's figure: how long the page's main thread is held while a task prints 20 MB.
// The same print two ways, alternating, each
// watched the same way: the longest gap between animation frames, the longest long task
// where the engine reports them (Chromium), and the longest gap between setTimeout(0)
// turns (which also counts timers the engine put behind other tasks):
//   bare    — pool.run with an onOutput that only counts: the pool's own cost, the floor;
//   element — into a <py-task> (TaskRun keeps STDOUT_LIMIT characters; the element draws
//             them a frame at a time), until all it keeps is drawn;
// for two shapes of 20 M characters: 200,000 print() calls of 100 characters (`lines`),
// and 20 prints of 1 M characters in 100-character lines (`big`: the pool's part is small
// there, so the element's drawing shows).
import '../components/index.js';
import type { PyTaskElement, WorkerPoolElement } from '../components/index.js';
import { PyodidePool, STDOUT_LIMIT } from '../workers/index.js';

import { baseSnapshot, indexURL } from './shared.js';
const now = () => performance.now();
const params = new URLSearchParams(location.search);
/** `&trials=1&skip=bare` for a quick look (or a trace) while working. */
const TRIALS = Number(params.get('trials') ?? 3);
const skip = params.get('skip')?.split(',') ?? [];
/** 200,000 lines of 100 characters (the newline included): 20 M characters. */
/** Two shapes of 20 M characters: many lines, and a few big prints (the element's drawing alone). */
const SHAPES = {
  lines: 'line = "x" * 99\nfor _ in range(200_000):\n    print(line)\nNone',
  big: 'block = ("x" * 99 + "\\n") * 10_000\nfor _ in range(20):\n    print(block, end="")\nNone',
};
const PRINTED = 20_000_000;

interface Watch {
  /** Longest gap between setTimeout(0) turns, in ms. */
  maxTurnGapMs: number;
  /** Longest gap between animation frames, in ms. */
  maxFrameGapMs: number;
  /** Longest long task (Chromium's PerformanceObserver 'longtask'), in ms; null where not reported. */
  longestTaskMs: number | null;
  ms: number;
}

/** Watch the main thread until `stop()`. */
function watchMainThread(): { stop: () => Watch } {
  const started = now();
  let stopped = false;
  let lastTurn = started;
  let maxTurnGapMs = 0;
  const turn = () => {
    const t = now();
    maxTurnGapMs = Math.max(maxTurnGapMs, t - lastTurn);
    lastTurn = t;
    if (!stopped) setTimeout(turn, 0);
  };
  setTimeout(turn, 0);
  let lastFrame = started;
  let maxFrameGapMs = 0;
  const frame = () => {
    const t = now();
    maxFrameGapMs = Math.max(maxFrameGapMs, t - lastFrame);
    lastFrame = t;
    if (!stopped) requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
  const supported = PerformanceObserver.supportedEntryTypes?.includes('longtask') ?? false;
  let longestTaskMs = 0;
  const observer = supported ? new PerformanceObserver((list) => list.getEntries().forEach((e) => (longestTaskMs = Math.max(longestTaskMs, e.duration)))) : undefined;
  observer?.observe({ type: 'longtask' });
  return {
    stop() {
      stopped = true;
      // The gaps up to now count too (a stall that the stop ends).
      const t = now();
      maxTurnGapMs = Math.max(maxTurnGapMs, t - lastTurn);
      maxFrameGapMs = Math.max(maxFrameGapMs, t - lastFrame);
      if (observer) {
        for (const e of observer.takeRecords()) longestTaskMs = Math.max(longestTaskMs, e.duration);
        observer.disconnect();
      }
      return { maxTurnGapMs, maxFrameGapMs, longestTaskMs: supported ? longestTaskMs : null, ms: t - started };
    },
  };
}

const nextFrame = () => new Promise((resolve) => requestAnimationFrame(resolve));

async function bare(pool: PyodidePool, code: string): Promise<Watch & { chunks: number }> {
  let chars = 0;
  let chunks = 0;
  const watch = watchMainThread();
  await pool.run(code, {
    onOutput: (event) => {
      if (event.type !== 'stdout') return;
      chars += event.text.length;
      chunks++;
    },
  });
  const result = watch.stop();
  if (chars !== PRINTED) throw new Error(`bare: ${chars} characters printed, ${PRINTED} expected`);
  return { ...result, chunks };
}

/** Characters the element's stdout part shows (summed over its blocks, without building the text). */
function drawnChars(el: PyTaskElement): number {
  const pre = el.shadowRoot!.querySelector('[part="stdout"]');
  let n = 0;
  for (const block of pre?.children ?? []) n += (block.firstChild as Text | null)?.length ?? 0;
  return n;
}

async function element(el: PyTaskElement): Promise<Watch & { resultMs: number; kept: number; truncated: boolean }> {
  const watch = watchMainThread();
  const started = now();
  await el.run();
  const resultMs = now() - started;
  while (drawnChars(el) < el.stdout.length) await nextFrame();
  const result = watch.stop();
  if (!el.stdoutTruncated || el.stdout.length <= STDOUT_LIMIT) throw new Error('element: the output was not truncated');
  return { ...result, resultMs, kept: el.stdout.length, truncated: el.stdoutTruncated };
}

export async function outputScenario(): Promise<Record<string, unknown>> {
  const pool = new PyodidePool({ indexURL, baseSnapshot, min: 1, max: 1, persistSnapshot: false });
  await pool.run('1');
  const host = document.createElement('worker-pool') as WorkerPoolElement;
  host.setAttribute('index-url', indexURL);
  host.setAttribute('max', '1');
  host.setAttribute('min', '1');
  const el = document.createElement('py-task') as PyTaskElement;
  host.append(el);
  document.body.append(host);
  await host.updateComplete;
  await host.pool!.run('1');
  const out: Record<string, unknown> = { printedChars: PRINTED };
  for (const [shape, code] of Object.entries(SHAPES)) {
    el.code = code;
    const runs: { bare: Awaited<ReturnType<typeof bare>>[]; element: Awaited<ReturnType<typeof element>>[] } = { bare: [], element: [] };
    for (let trial = 0; trial < TRIALS; trial++) {
      if (!skip.includes('bare')) runs.bare.push(await bare(pool, code));
      if (!skip.includes('element')) runs.element.push(await element(el));
    }
    out[shape] = runs;
  }
  host.remove();
  await pool.terminate();
  return out;
}
