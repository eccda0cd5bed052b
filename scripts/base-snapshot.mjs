// Makes the base snapshot shipped with the package: a memory snapshot of the pinned
// Pyodide's bare interpreter, made in headless Chromium (or in Node where none is at hand) so that a first
// visit restores the interpreter instead of starting Python cold. Stored packed (zero
// pages left out, see workers/worker/sparse-snapshot.ts) and gzipped: 6 MB instead of 31 MB,
// and the worker unzips it with DecompressionStream in under 0.1 s.
//
//   dist/base-snapshot.bin   "PYPB", u32 (LE) header length, the header (JSON:
//                            { pyodideVersion, snapshotBytes, jspi }: which Pyodide it fits,
//                            whether it was made with stack switching,
//                            checked by the page as the file arrives; Pyodide also
//                            checks its build id), then gzip(packed snapshot).
//
// Kept in .cache/ by Pyodide version and wasm size: making it takes about 4 s.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

const pyodideDir = 'node_modules/pyodide';

/**
 * The snapshot made in Node, where no Chromium is at hand: without stack switching (Node
 * 20's JSPI is an older one, whose record in the snapshot breaks today's), so its header
 * says so and the pool uses it only in engines without JSPI.
 */
function makeSnapshot() {
  const out = join(tmpdir(), `pyodide-pool-base-${process.pid}.bin`);
  const run = spawnSync(process.execPath, ['scripts/base-snapshot-child.mjs', out], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`could not make the base snapshot: ${run.stderr.trim().split('\n').pop()}`);
  const made = JSON.parse(run.stdout.trim().split('\n').pop());
  const raw = readFileSync(out);
  rmSync(out, { force: true });
  return { ...made, raw: new Uint8Array(raw.buffer, raw.byteOffset, raw.length) };
}

/** Make (or reuse) the base snapshot and write it into `outDir`. */
export async function writeBaseSnapshot(outDir = 'dist') {
  const { version } = JSON.parse(readFileSync(`${pyodideDir}/package.json`, 'utf8'));
  const wasmBytes = statSync(`${pyodideDir}/pyodide.asm.wasm`).size;
  const cached = `.cache/base-snapshot-v4-${version}-${wasmBytes}.bin`;
  let manifest;
  if (!existsSync(cached) || !existsSync(`${cached}.json`)) {
    const { packSnapshot } = await import('../dist/workers/worker/sparse-snapshot.js');
    // Made where WebAssembly switches stacks as browsers do today (see base-snapshot-browser.mjs);
    // in Node where no Chromium is at hand (then used only in engines without JSPI).
    const { makeInChromium } = await import('./base-snapshot-browser.mjs');
    const { pyodideVersion, jspi, raw } = (await makeInChromium(pyodideDir)) ?? makeSnapshot();
    if (!jspi)
      console.warn(
        'base snapshot: made without WebAssembly stack switching (no Chromium found): first visits in Chromium and Firefox will start Python cold. Install Chromium and build again.',
      );
    if (pyodideVersion !== version) throw new Error(`node_modules/pyodide says ${version}, the interpreter ${pyodideVersion}`);
    const header = Buffer.from(JSON.stringify({ pyodideVersion: version, snapshotBytes: raw.length, jspi }));
    const start = Buffer.alloc(8);
    start.write('PYPB', 0, 'latin1');
    start.writeUInt32LE(header.length, 4);
    const file = Buffer.concat([start, header, gzipSync(packSnapshot(raw), { level: 9 })]);
    manifest = { pyodideVersion: version, snapshotBytes: raw.length, fileBytes: file.length, jspi };
    mkdirSync('.cache', { recursive: true });
    writeFileSync(cached, file);
    writeFileSync(`${cached}.json`, JSON.stringify(manifest));
  } else {
    manifest = JSON.parse(readFileSync(`${cached}.json`, 'utf8'));
  }
  mkdirSync(outDir, { recursive: true });
  writeFileSync(`${outDir}/base-snapshot.bin`, readFileSync(cached));
  return manifest;
}
