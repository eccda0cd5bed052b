// Makes the base snapshot shipped with the package: a memory snapshot of the pinned
// Pyodide's bare interpreter, made in Node (where Pyodide also runs) so that a first
// visit restores the interpreter instead of starting Python cold. Stored packed (zero
// pages left out, see workers/sparse-snapshot.ts) and gzipped: 6 MB instead of 31 MB,
// and the worker unzips it with DecompressionStream in under 0.1 s.
//
//   dist/base-snapshot.bin   "PYPB", u32 (LE) header length, the header (JSON:
//                            { pyodideVersion, snapshotBytes }: which Pyodide it fits,
//                            checked by the page as the file arrives; Pyodide also
//                            checks its build id), then gzip(packed snapshot).
//
// Kept in .cache/ by Pyodide version and wasm size: making it takes about 4 s.
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';

const pyodideDir = 'node_modules/pyodide';

/** Make (or reuse) the base snapshot and write it into `outDir`. */
export async function writeBaseSnapshot(outDir = 'dist') {
  const { version } = JSON.parse(readFileSync(`${pyodideDir}/package.json`, 'utf8'));
  const wasmBytes = statSync(`${pyodideDir}/pyodide.asm.wasm`).size;
  const cached = `.cache/base-snapshot-v2-${version}-${wasmBytes}.bin`;
  let manifest;
  if (!existsSync(cached) || !existsSync(`${cached}.json`)) {
    const { loadPyodide } = await import('pyodide');
    const { packSnapshot } = await import('../dist/workers/sparse-snapshot.js');
    const pyodide = await loadPyodide({ _makeSnapshot: true, stdout: () => {}, stderr: () => {} });
    if (pyodide.version !== version) throw new Error(`node_modules/pyodide says ${version}, the interpreter ${pyodide.version}`);
    const snapshot = pyodide.makeMemorySnapshot();
    const header = Buffer.from(JSON.stringify({ pyodideVersion: version, snapshotBytes: snapshot.length }));
    const start = Buffer.alloc(8);
    start.write('PYPB', 0, 'latin1');
    start.writeUInt32LE(header.length, 4);
    const file = Buffer.concat([start, header, gzipSync(packSnapshot(snapshot), { level: 9 })]);
    manifest = { pyodideVersion: version, snapshotBytes: snapshot.length, fileBytes: file.length };
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
