// The benchmark's printed report: the table of figures (each beside its baseline, with
// the spread of its trials) and the boot timelines of a first visit and a revisit.

import { ms, ratio, spread } from './report-format.mjs';
import { isolateRows, modulesRows, monitorRows, outputRows } from './report-parts.mjs';

/** The start-up rows: every trial's spread beside the median. */
function startupRows(r) {
  const rows = [];
  for (const size of [2, 4]) {
    const naive = r[`naiveBoot${size}`];
    if (!naive) continue;
    rows.push([`naive pool of ${size}, all warm`, ms(naive.allWarmMs), `baseline${spread(naive.trials, 0, ' ms')}`]);
    for (const [kind, what] of [
      ['Normal', 'normal boots'],
      ['SnapshotNoBase', 'snapshot boots, baseSnapshot: false'],
      ['Snapshot', 'snapshot boots, base snapshot'],
    ]) {
      const b = r[`boot${size}${kind}`];
      if (!b) continue;
      const target = kind === 'Normal' ? '' : size === 4 ? ' (target ≥ 3×)' : ' (target ≥ 2×)';
      rows.push([`pool of ${size} all warm, ${what}`, ms(b.allWarmMs), `${ratio(b.ratio)} sooner than naive${spread(b.ratios)}${target}`]);
    }
  }
  if (!r.visitRatios) return rows;
  const v = r.visitRatios;
  const rounds = r.visitRatioRounds;
  const row = (name, visit, key, ratioKey, what, target) =>
    rows.push([name, ms(visit[key]), `${ratio(v[ratioKey])} ${what}${spread(rounds[ratioKey])}${target ? ` (target ${target})` : ''}`]);
  rows.push([
    'bare loadPyodide + first task, 1 worker',
    ms(r.bare.firstResultMs),
    `baseline${spread(
      r.bare.rounds.map((x) => x.firstResultMs),
      0,
      ' ms',
    )}`,
  ]);
  rows.push(['naive first visit: pool of 2 warm', ms(r.naiveFirst.allWarmMs), 'baseline']);
  if (r.firstVisitNoBase) {
    row('first visit, baseSnapshot: false: first result', r.firstVisitNoBase, 'firstResultMs', 'noBaseFirstVisitFirstResultVsBare', 'bare', '≤ 0.5×');
    row('first visit, baseSnapshot: false: pool of 2 warm', r.firstVisitNoBase, 'allWarmMs', 'noBaseFirstVisitWarmVsNaive', 'sooner than naive', '≥ 2×');
  }
  row('first visit: first result', r.firstVisit, 'firstResultMs', 'firstVisitFirstResultVsBare', 'bare', '≤ 0.5×');
  row('first visit: pool of 2 warm', r.firstVisit, 'allWarmMs', 'firstVisitWarmVsNaive', 'sooner than naive', '≥ 2×');
  rows.push(['naive, second page load: pool of 2 warm', ms(r.naiveRevisit.allWarmMs), 'baseline']);
  if (r.revisitNoBase) {
    row('second page load, baseSnapshot: false: first result', r.revisitNoBase, 'firstResultMs', 'noBaseRevisitFirstResultVsBare', 'bare', '≤ 0.2×');
    row('second page load, baseSnapshot: false: pool of 2 warm', r.revisitNoBase, 'allWarmMs', 'noBaseRevisitWarmVsNaive', 'sooner than naive');
  }
  row('second page load: first result', r.revisit, 'firstResultMs', 'revisitFirstResultVsBare', 'bare', '≤ 0.2×');
  row('second page load: pool of 2 warm', r.revisit, 'allWarmMs', 'revisitWarmVsNaive', 'sooner than naive');
  return rows;
}

/** Issue 24's 64 MB setup and the base snapshot's forms, when those parts ran. */
function fastStartRows(r) {
  const rows = [];
  const mb = (bytes) => `${(bytes / 1e6).toFixed(1)} MB`;
  const l = r.large;
  if (l) {
    rows.push([
      '64 MB setup, next visit, snapshot: false: pool of 2 warm',
      ms(l.normal.allWarmMs),
      `baseline${spread(
        l.normal.rounds.map((x) => x.allWarmMs),
        0,
        ' ms',
      )}`,
    ]);
    rows.push([
      '64 MB setup, next visit, stored snapshot: pool of 2 warm',
      ms(l.next.allWarmMs),
      `${ratio(l.ratios.warm)} sooner${spread(l.ratioRounds.warm)} (target ≥ 2×); modes ${l.next.bootModes.join(', ')}`,
    ]);
    rows.push([
      '64 MB setup, next visit, stored snapshot: first result',
      ms(l.next.firstResultMs),
      `${ratio(l.ratios.firstResult)} sooner than snapshot: false${spread(l.ratioRounds.firstResult)}`,
    ]);
    rows.push(['64 MB setup, first visit: pool of 2 warm', ms(l.first.allWarmMs), `modes ${l.first.bootModes.join(', ')}`]);
    const stored = l.storedBytes.map((s) => s[0] ?? 0);
    const heap = l.heapBytes.map((h) => Math.max(...h));
    rows.push(['64 MB setup: snapshot stored in Cache Storage', mb(median(stored)), `${ratio(median(stored.map((s, i) => s / heap[i])))} the heap (${mb(median(heap))})`]);
  }
  const f = r.forms?.forms;
  if (f) {
    for (const [form, what] of [
      ['raw', 'raw'],
      ['packed', 'packed (unpack)'],
      ['gzip', 'packed + gzip, as shipped (DecompressionStream, unpack)'],
    ]) {
      const x = f[form];
      rows.push([
        `base snapshot ${what}: fetch → raw snapshot, median`,
        ms(x.total.median),
        `${mb(x.bytes)}; fetch ${ms(x.fetch.median)}, gunzip ${ms(x.gunzip.median)}, unpack ${ms(x.unpack.median)}`,
      ]);
    }
  }
  return rows;
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/** The steady-state rows (one warm pool), when that part ran. */
function steadyRows(r) {
  if (!r.tinyTaskLatency) return [];
  const rows = [
    ['postMessage round trip (floor), median', ms(r.postMessageFloor.median), 'baseline'],
    ["pool.run('1+1') latency, median", ms(r.tinyTaskLatency.median), `${ratio(r.tinyTaskLatency.median / r.postMessageFloor.median)} floor (target ≤ 2×)`],
    ["pool.run('1+1') latency, p99", ms(r.tinyTaskLatency.p99), `${ratio(r.tinyTaskLatency.p99 / r.postMessageFloor.p99)} floor p99`],
    ["naive run('1+1') latency, median", ms(r.naiveLatency.median), `${ratio(r.naiveLatency.median / r.tinyTaskLatency.median)} the pool's`],
    ['naive throughput, 10,000 tiny tasks', `${r.naiveThroughput.tasksPerSecond.toFixed(0)} /s`, 'baseline'],
    [
      'pool throughput, 10,000 tiny tasks',
      `${r.throughput.tasksPerSecond.toFixed(0)} /s`,
      `${ratio(r.throughput.tasksPerSecond / r.naiveThroughput.tasksPerSecond)} naive (target ≥ 20×)`,
    ],
    ['CPU-bound, 8 tasks on 1 worker', ms(r.cpuSpeedup.oneWorkerMs), 'baseline'],
    ['CPU-bound, 8 tasks on 2 workers', ms(r.cpuSpeedup.twoWorkersMs), `${ratio(r.cpuSpeedup.speedup)} speedup (target ≥ 1.8×)`],
    ['naive pool, same comparison', '', `${ratio(r.cpuSpeedup.naiveSpeedup)} speedup`],
    ['plain JS, same comparison (the machine now)', '', `${ratio(r.cpuSpeedup.plainJsSpeedup)} speedup`],
    ['wasm heap growth over 10,000 tasks', `${(r.heapGrowth.bytes / 2 ** 20).toFixed(2)} MB`, 'target ≤ 1 MB'],
    ['interrupt latency (cancel → rejection), p50', ms(r.interruptLatency.median), `${ratio(r.interruptLatency.median / r.postMessageFloor.median, 0)} floor (target ≤ 20 ms)`],
  ];
  const trip = r.bufferRoundTrip;
  if (trip) {
    rows.push(['16 MB round trip, postMessage copy, p50', ms(trip.postMessageCopy.median), 'baseline']);
    rows.push([
      '16 MB round trip, postMessage transfer, p50',
      ms(trip.postMessageTransfer.median),
      `${ratio(trip.postMessageCopy.median / trip.postMessageTransfer.median)} faster than copy`,
    ]);
    rows.push(['16 MB round trip, pool copy, p50', ms(trip.poolCopy.median), `${ratio(trip.poolCopy.median / trip.postMessageCopy.median)} postMessage copy`]);
    rows.push(['16 MB round trip, pool transfer, p50', ms(trip.poolTransfer.median), `${ratio(trip.poolTransfer.median / trip.postMessageCopy.median)} postMessage copy`]);
  }
  for (const [name, key] of [
    ['cancel a task in time.sleep(30), p50', 'sleepCancelLatency'],
    ['cancel a task in await asyncio.sleep(30), p50', 'awaitCancelLatency'],
  ]) {
    const m = r[key];
    if (!m || m.median === null || Number.isNaN(m.median)) rows.push([name, 'n/a', 'this build cannot run the code']);
    else rows.push([name, ms(m.median), `${ratio(m.median / r.interruptLatency.median)} the busy-loop interrupt; ${m.workersReplaced}/${m.n} workers replaced`]);
  }
  return rows;
}

/** The map and generator rows (issue 14), when that part ran. */
function mapRows(r) {
  const m = r.map;
  if (!m) return [];
  const perSecond = (x) => `${Math.round(x).toLocaleString('en')} /s`;
  const t = m.mapThroughput;
  const u = m.unevenMap;
  const rows = [
    ["one run() per item, 50,000 'item * 2'", perSecond(t.runItemsPerSecond.median), 'baseline'],
    [
      "map('item * 2'), 1,000,000 items, 2 workers",
      perSecond(t.mapItemsPerSecond.median),
      `${ratio(t.ratio, 1)} run() per item${spread(t.ratios, 1)} (target ≥ 1,000,000 /s and ≥ 10×)`,
    ],
    ['uneven map (1 in 40 items 100 ms), ideal', ms(u.idealMs), 'baseline: total work / 2 workers'],
    ['uneven map, wall time', ms(u.wallMs.median), `${ratio(u.ratio)} ideal${spread(u.ratios)} (target ≤ 1.2×)`],
    ['urgent task start, workers in plain long tasks, p50', ms(m.urgentStartPlain.median), 'baseline: waits for a whole task'],
    [
      'urgent task start, workers in generator tasks (50 ms steps), p50',
      ms(m.urgentStartGenerator.median),
      `${ratio(m.urgentStartPlain.median / m.urgentStartGenerator.median, 0)} sooner; p99 ${ms(m.urgentStartGenerator.p99)} (target ≤ 60 ms)`,
    ],
  ];
  const c = r.plainCancel;
  if (c) {
    rows.push(['plain page: cancel a plain long task, p50', ms(c.plain.median), `baseline; ${c.plain.workersReplaced}/${c.plain.n} workers replaced`]);
    rows.push([
      `plain page: cancel a generator task (${c.iterationMs} ms steps), p50`,
      ms(c.generator.median),
      `${ratio(c.generator.median / c.iterationMs)} a step, p99 ${ms(c.generator.p99)}; ${c.generator.workersReplaced}/${c.generator.n} workers replaced (target ≤ 1 step, kept)`,
    ]);
  }
  return rows;
}

/** Print the table: start-up first, then the steady state, then map and generators. */
/** Issue 15's rows: a sandboxed pool beside a normal one, on an isolated and a plain page. */
function sandboxRows(r) {
  const rows = [];
  const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
  for (const [key, page] of [
    ['sandbox', 'isolated'],
    ['sandboxPlain', 'plain'],
  ]) {
    const s = r[key];
    if (!s) continue;
    const { normal: n, sandboxed: x } = s;
    rows.push([`${page}: normal pool of 2, boot → warm`, ms(median(n.bootMs)), `baseline${spread(n.bootMs, 0, ' ms')}`]);
    rows.push([`${page}: sandboxed pool of 2, boot → warm`, ms(median(x.bootMs)), `${ratio(median(x.bootMs) / median(n.bootMs))} normal${spread(x.bootMs, 0, ' ms')}`]);
    rows.push([`${page}: normal run('1+1') latency, median`, ms(n.latency.median), 'baseline']);
    rows.push([`${page}: sandboxed run('1+1') latency, median`, ms(x.latency.median), `${ratio(x.latency.median / n.latency.median)} normal`]);
    rows.push([`${page}: normal throughput, 5,000 tiny tasks`, `${median(n.tasksPerSecond).toFixed(0)} /s`, 'baseline']);
    rows.push([
      `${page}: sandboxed throughput, 5,000 tiny tasks`,
      `${median(x.tasksPerSecond).toFixed(0)} /s`,
      `${ratio(median(x.tasksPerSecond) / median(n.tasksPerSecond))} normal`,
    ]);
    if (n.interrupt && x.interrupt) {
      rows.push([`${page}: normal interrupt latency, p50`, ms(n.interrupt.median), 'baseline']);
      rows.push([`${page}: sandboxed interrupt latency, p50`, ms(x.interrupt.median), `${ratio(x.interrupt.median / n.interrupt.median)} normal`]);
    }
  }
  return rows;
}

export function printTable(r) {
  const rows = [
    ...startupRows(r),
    ...fastStartRows(r),
    ...steadyRows(r),
    ...mapRows(r),
    ...sandboxRows(r),
    ...outputRows(r),
    ...isolateRows(r),
    ...modulesRows(r),
    ...monitorRows(r),
  ];
  const width = Math.max(...rows.map((row) => row[0].length));
  console.log(`\n${'measure'.padEnd(width)}  ${'value'.padStart(14)}  ratio [min–max of the trials]`);
  for (const [name, value, note] of rows) console.log(`${name.padEnd(width)}  ${value.padStart(14)}  ${note}`);
  console.log(`\n${r.browser}, ${r.cores} cores, cross-origin isolated: ${r.crossOriginIsolated}.`);
}

/** One worker's boot timeline as lines (ms since navigation start). */
export function timelineLines(stages) {
  return (stages ?? []).map(
    (s) => `  ${String(Math.round(s.start)).padStart(5)}–${String(Math.round(s.end)).padStart(5)} ms  ${s.name} (${s.where}, ${Math.round(s.end - s.start)} ms)`,
  );
}

/** How a worker started, as `WorkerInfo` says. */
function how(round, i) {
  const w = round.workers?.[i];
  const mode = round.bootModes?.[i] ?? w?.bootMode;
  return `${mode} boot${w?.baseSnapshot ? ', from the base snapshot' : ''}${w?.snapshotSkipped ? `, snapshotSkipped: ${w.snapshotSkipped}` : ''}`;
}

/** Print the timelines of the median round of a first visit and of a revisit. */
export function printTimelines(r) {
  for (const [visit, title] of [
    [r.firstVisitNoBase, 'First visit, baseSnapshot: false'],
    [r.firstVisit, 'First visit'],
    [r.revisit, 'Second page load'],
    [r.large?.first, '64 MB setup, first visit'],
    [r.large?.next, '64 MB setup, next visit'],
    [r.large?.normal, '64 MB setup, next visit with snapshot: false'],
  ]) {
    if (!visit?.medianRound?.timelines) continue;
    const round = visit.medianRound;
    console.log(`\n${title} (the median round: first result at ${Math.round(round.firstResultMs)} ms, all warm at ${Math.round(round.allWarmMs)} ms), ms since navigation start:`);
    round.timelines.forEach((stages, i) => console.log([`worker ${i + 1} (${how(round, i)})`, ...timelineLines(stages)].join('\n')));
  }
  for (const [trial, title] of [
    [r.boot4SnapshotNoBase?.medianTrial, 'First visit, pool of 4 with snapshot boots, baseSnapshot: false'],
    [r.boot4Snapshot?.medianTrial, 'First visit, pool of 4 with snapshot boots'],
  ]) {
    if (!trial?.timelines) continue;
    const origin = Math.min(...trial.timelines.flatMap((t) => (t ?? []).map((s) => s.start)));
    console.log(`\n${title} (the median trial: all warm ${Math.round(trial.allWarmMs)} ms after the pool was made), ms since its first stage:`);
    trial.timelines.forEach((stages, i) =>
      console.log([`worker ${i + 1} (${how(trial, i)})`, ...timelineLines((stages ?? []).map((s) => ({ ...s, start: s.start - origin, end: s.end - origin })))].join('\n')),
    );
  }
}
