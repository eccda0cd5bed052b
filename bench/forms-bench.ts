// Issue 24: the shipped base snapshot's forms. The time from fetching the file (served
// from the HTTP cache, as on a page load after the package's files are cached) to the raw
// snapshot Pyodide restores from, for the form that ships (gzip of the packed snapshot:
// DecompressionStream, then unpack), the packed form alone (unpack) and the raw one.
// bench/run.mjs writes the packed and raw files beside the shipped one.
import { gunzip, headerBytes, readHeader } from '../workers/shared/snapshot-file.js';
import { unpackSnapshot } from '../workers/worker/sparse-snapshot.js';
import { summarize, type Summary } from './stats.js';

const TRIALS = 5;
const now = () => performance.now();

type Form = 'gzip' | 'packed' | 'raw';
const FILES: Record<Form, string> = { gzip: 'base-snapshot.bin', packed: 'base-snapshot.packed', raw: 'base-snapshot.raw' };

interface Trial {
  fetchMs: number;
  gunzipMs: number;
  unpackMs: number;
  totalMs: number;
  bytes: number;
  raw: Uint8Array;
}

async function once(form: Form): Promise<Trial> {
  const t0 = now();
  const file = new Uint8Array(await (await fetch(new URL(FILES[form], import.meta.url))).arrayBuffer());
  const t1 = now();
  let packed: Uint8Array = file;
  if (form === 'gzip') {
    if (!readHeader(file.subarray(0, 4096))) throw new Error('base-snapshot.bin has no header');
    packed = await gunzip(file.subarray(headerBytes(file)));
  }
  const t2 = now();
  const raw = form === 'raw' ? file : unpackSnapshot(packed);
  const t3 = now();
  if (!raw) throw new Error(`${form}: not a packed snapshot`);
  return { fetchMs: t1 - t0, gunzipMs: t2 - t1, unpackMs: t3 - t2, totalMs: t3 - t0, bytes: file.length, raw };
}

function same(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export async function formsScenario(): Promise<Record<string, unknown>> {
  const forms: Form[] = ['gzip', 'packed', 'raw'];
  // Fill the HTTP cache, and check that every form gives the same snapshot.
  const first = await Promise.all(forms.map(once));
  if (!first.every((t) => same(t.raw, first[2]!.raw))) throw new Error('the forms do not hold the same snapshot');
  const trials: Record<Form, Omit<Trial, 'raw'>[]> = { gzip: [], packed: [], raw: [] };
  for (let i = 0; i < TRIALS; i++) {
    // Each form goes first in turn.
    for (const form of [...forms.slice(i % 3), ...forms.slice(0, i % 3)]) {
      const { raw: _, ...trial } = await once(form);
      trials[form].push(trial);
    }
  }
  const out: Record<string, { bytes: number; rawBytes: number; fetch: Summary; gunzip: Summary; unpack: Summary; total: Summary }> = {};
  for (const form of forms) {
    const t = trials[form];
    out[form] = {
      bytes: t[0]!.bytes,
      rawBytes: first[2]!.raw.length,
      fetch: summarize(t.map((x) => x.fetchMs)),
      gunzip: summarize(t.map((x) => x.gunzipMs)),
      unpack: summarize(t.map((x) => x.unpackMs)),
      total: summarize(t.map((x) => x.totalMs)),
    };
  }
  return { forms: out, trials };
}
