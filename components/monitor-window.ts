/**
 * The time span `<pool-monitor>` shows (its `window` attribute) and the labels of its time
 * axis. Pure functions: no DOM, so they are tested and reused as they are.
 *
 * @internal
 */

/** The window a monitor shows when `window` is unset or invalid: the last 30 seconds. */
export const DEFAULT_WINDOW_MS = 30_000;

/** Shorter than a frame or two, nothing can be seen; longer than the log keeps, nothing more is known. */
const MIN_WINDOW_MS = 100;
const MAX_WINDOW_MS = 60 * 60_000;

const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000 };

/**
 * Reads a window: `"500ms"`, `"30s"`, `"2m"`, or a bare number of seconds (`"45"`,
 * `"1.5"`). Undefined for anything else (and for spans under 100 ms or over an hour), so
 * that the caller decides how to say so.
 *
 * @example
 * parseWindow('2m'); // 120000
 * parseWindow('500ms'); // 500
 * parseWindow('10'); // 10000
 * parseWindow('soon'); // undefined
 */
export function parseWindow(text: string): number | undefined {
  const match = /^\s*(\d+(?:\.\d+)?|\.\d+)\s*(ms|s|m)?\s*$/i.exec(text);
  if (!match) return undefined;
  const ms = Number(match[1]) * UNIT_MS[(match[2] ?? 's').toLowerCase()]!;
  return ms >= MIN_WINDOW_MS && ms <= MAX_WINDOW_MS ? ms : undefined;
}

/** One label of the time axis: where it sits (0 = the window's start, 1 = now) and what it says. */
export interface AxisTick {
  readonly at: number;
  readonly text: string;
}

/** Steps a tick may take, in ms: round numbers a reader counts in. */
const STEPS = [50, 100, 250, 500, 1_000, 2_000, 5_000, 10_000, 15_000, 30_000, 60_000, 120_000, 300_000, 600_000, 900_000, 1_800_000];

/**
 * The axis labels for a window of `windowMs`, counted back from now ("−20 s"), about
 * `count` of them (at most). The window's right edge is always now, so the labels never move: they
 * are computed when the window changes, not per frame.
 *
 * @example
 * axisTicks(30_000).map((t) => t.text); // ['−25 s', '−20 s', '−15 s', '−10 s', '−5 s', 'now']
 */
export function axisTicks(windowMs: number, count = 6): AxisTick[] {
  const step = STEPS.find((s) => windowMs / s <= count) ?? STEPS[STEPS.length - 1]!;
  const ticks: AxisTick[] = [];
  // Not at the very left edge: a label there would be cut.
  for (let back = Math.floor(windowMs / step) * step; back >= 0; back -= step) {
    if (back > windowMs * 0.95) continue;
    ticks.push({ at: 1 - back / windowMs, text: back === 0 ? 'now' : `−${durationText(back)}` });
  }
  return ticks;
}

/**
 * A duration to read at a glance: `12 ms`, `1.5 s`, `2 min`.
 *
 * @example
 * durationText(1500); // '1.5 s'
 */
export function durationText(ms: number): string {
  if (ms < 1) return `${ms.toFixed(2)} ms`;
  if (ms < 1_000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${Number((ms / 1_000).toFixed(ms < 10_000 ? 2 : 1))} s`;
  return `${Number((ms / 60_000).toFixed(1))} min`;
}
