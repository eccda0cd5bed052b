// The report's rows for the later issues' parts (output, isolate, monitor, modules): one
// function per part, each turning its results into [measure, value, ratio] rows.
import { ms, ratio, spread } from './report-format.mjs';

/**
 * Issue 23's rows: the longest main-thread gap while a task prints 20 M characters, bare
 * (the floor) and into a <py-task>.
 */
export function outputRows(r) {
  if (!r.output) return [];
  const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
  const each = (list, key) => list.map((x) => x[key]);
  const row = (name, list, base) => {
    const frame = median(each(list, 'maxFrameGapMs'));
    const task = list[0].longestTaskMs === null ? '' : `; longest task ${ms(median(each(list, 'longestTaskMs')))}${spread(each(list, 'longestTaskMs'), 0, ' ms')}`;
    const turn = `; setTimeout(0) turns ${ms(median(each(list, 'maxTurnGapMs')))}`;
    const vs = base ? `${ratio(frame / median(each(base, 'maxFrameGapMs')))} bare` : 'baseline';
    return [name, ms(frame), `${vs}${spread(each(list, 'maxFrameGapMs'), 0, ' ms')}${task}${turn}`];
  };
  const rows = [];
  for (const [shape, what] of [
    ['lines', '200,000 prints'],
    ['big', '20 prints of 1 M'],
  ]) {
    const o = r.output[shape];
    if (!o?.bare?.length || !o.element?.length) continue;
    rows.push(row(`20 M chars, ${what} (${o.bare[0].chunks.toLocaleString('en')} chunks), bare run: longest frame gap`, o.bare));
    rows.push(row(`20 M chars, ${what}, into a <py-task>: longest frame gap`, o.element, o.bare));
    rows.push([`  the same: all it keeps drawn`, ms(median(each(o.element, 'ms'))), `${o.element[0].kept.toLocaleString('en')} chars; bare run ${ms(median(each(o.bare, 'ms')))}`]);
  }
  return rows;
}

/**
 * Issue 23's rows: per-task isolation (`isolate: 'task'`, a fresh worker from the snapshot
 * for every task) beside a pool that reuses its workers, normal and sandboxed.
 */
export function isolateRows(r) {
  const rows = [];
  for (const [key, page] of [
    ['isolate', 'isolated'],
    ['isolatePlain', 'plain'],
  ]) {
    const s = r[key];
    if (!s) continue;
    for (const [reused, isolated, kind] of [
      [s.reused, s.isolated, 'pool of 2'],
      [s.sandboxedReused, s.sandboxedIsolated, 'sandboxed pool of 2'],
    ]) {
      rows.push([`${page}: ${kind}, run('1+1') latency, median`, ms(reused.latency.median), 'baseline (workers reused)']);
      rows.push([
        `${page}: ${kind}, isolate: 'task', latency, median`,
        ms(isolated.latency.median),
        `${ratio(isolated.latency.median / reused.latency.median)} reused; p99 ${ms(isolated.latency.p99)}`,
      ]);
      rows.push([`${page}: ${kind}, 24 tiny tasks at once`, `${reused.tasksPerSecond.toFixed(0)} /s`, 'baseline (workers reused)']);
      rows.push([`${page}: ${kind}, isolate: 'task', 24 at once`, `${isolated.tasksPerSecond.toFixed(1)} /s`, `${ratio(isolated.tasksPerSecond / reused.tasksPerSecond)} reused`]);
    }
  }
  return rows;
}

/**
 * The modules part's rows (WasmPool in wazero-pool's shape): µs per call, each pool figure
 * beside its floor (bare workers answering postMessage), the spread of the rounds' ratios.
 */
/** Issue 28's rows: the timeline's drawing cost per frame under 10,000 tasks a minute, beside the same load with no monitor. */
export function monitorRows(r) {
  const m = r.monitor;
  if (!m?.monitor?.length) return [];
  const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
  const of = (list, key) => median(list.map((x) => x[key]));
  const load = `${m.perMinute.toLocaleString('en')} tasks/min for ${m.seconds} s`;
  return [
    [
      `<pool-monitor> timeline, ${load}: drawing per frame (window full, ${of(m.monitor, 'bars').toLocaleString('en')} bars)`,
      ms(of(m.monitor, 'drawMeanMs')),
      `mean over ${of(m.monitor, 'drawFrames')} frames; longest ${ms(of(m.monitor, 'drawMaxMs'))}; target ≤ 2 ms`,
    ],
    [
      `  page frame gaps with the monitor: p50 / p95 / max`,
      ms(of(m.monitor, 'frameP95Ms')),
      `${ms(of(m.monitor, 'frameP50Ms'))} / ${ms(of(m.monitor, 'frameP95Ms'))} / ${ms(of(m.monitor, 'frameMaxMs'))}`,
    ],
    [
      `  the same load, no monitor (baseline): p50 / p95 / max`,
      ms(of(m.none, 'frameP95Ms')),
      `${ms(of(m.none, 'frameP50Ms'))} / ${ms(of(m.none, 'frameP95Ms'))} / ${ms(of(m.none, 'frameMaxMs'))}`,
    ],
  ];
}

export function modulesRows(r) {
  const m = r.modules;
  if (!m) return [];
  const us = (x) => `${x < 1 ? x.toFixed(4) : x.toFixed(2)} µs/op`;
  const rate = (x) => `${Math.round(x).toLocaleString('en')} calls/s`;
  const rows = [];
  for (const name of ['add', 'busy']) {
    const f = m.medians[name];
    const q = m.ratioRounds[name];
    const v = m.ratios[name];
    const what = name === 'busy' ? `busy(${m.busyRounds})` : 'add';
    const row = (figure, label, note) => rows.push([`${what}: ${label}`, us(f[figure].usPerOp), `${rate(f[figure].callsPerSecond)}${note ? `; ${note}` : ''}`]);
    // One caller: the median call too, which a stall of the machine barely moves.
    const p50 = (figure, key) => `; median call ${us(f[figure].p50Us)}${key ? `, ${ratio(v[key])} floor's${spread(q[key])}` : ''}`;
    row('raw', 'raw, on the page');
    row('floor', 'floor, 1 bare worker, 1 caller', `${ratio(v.floorVsRaw)} raw${spread(q.floorVsRaw)}${p50('floor')}`);
    row('pool', `WasmPool (max ${m.sequentialMax}), 1 caller`, `${ratio(v.poolVsFloor)} floor${spread(q.poolVsFloor)}${p50('pool', 'poolVsFloorP50')}`);
    row('lease', 'WasmLease (one held instance), 1 caller', `${ratio(v.leaseVsFloor)} floor${spread(q.leaseVsFloor)}${p50('lease', 'leaseVsFloorP50')}`);
    for (const callers of [2, 4, 8]) {
      row(`floor-${callers}`, `floor, ${m.parallelMax} bare workers, ${callers} callers`);
      row(
        `pool-${callers}`,
        `WasmPool (max ${m.parallelMax}), ${callers} callers`,
        `${ratio(v[`pool-${callers}VsFloor-${callers}`])} floor${spread(q[`pool-${callers}VsFloor-${callers}`])}; ${ratio(v[`poolVsPool-${callers}`])} the calls/s of 1 caller`,
      );
    }
  }
  return rows;
}
