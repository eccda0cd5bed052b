/**
 * The base snapshot, page side: a memory snapshot of the bare interpreter of the Pyodide
 * this package pins, made by the package's build (in headless Chromium) and shipped beside the modules
 * (`base-snapshot.bin`: a header saying which Pyodide it fits, then the snapshot packed
 * and gzipped). On a first visit the first worker restores its interpreter from it instead of
 * starting Python cold (about 1.2 s of a 1.5 s boot), then loads packages and files, runs
 * `setup` and makes the pool's own snapshot as a normal boot does.
 *
 * Fetched once per page (every pool shares it) and only when a pool has no snapshot of
 * its own yet. The page hands the worker the file as a Blob: the worker unzips and
 * unpacks it, off the page's thread. One file, so that a bundler that ships the
 * `new URL(…)` asset below ships all of it.
 *
 * @internal
 */

import { readHeader, concat, type BaseSnapshotHeader } from '../shared/snapshot-file.js';

/**
 * Where the build put the snapshot: `dist/base-snapshot.bin`, seen from `dist/workers/`
 * (the drop-in bundle in `dist/` says `./`). A literal `new URL(…, import.meta.url)`, so
 * that bundlers which ship such assets see it.
 */
export const BASE_SNAPSHOT_URL = (): string => new URL('../../base-snapshot.bin', import.meta.url).href;

/** Why the file at a URL is not used: it is not there, was made from another Pyodide, or without the stack switching this engine has. */
type Unusable = 'unavailable' | 'version' | 'engine';

/** The file at each URL for each Pyodide version, fetched once: every pool of the page shares it. */
const files = new Map<string, Promise<Blob | Unusable>>();
const warned = new Set<string>();

/**
 * The base snapshot at `url` as a Blob, if it was made from Pyodide `version` (that of
 * the pool's `indexURL`); else why not. The header is read as the file arrives: a file
 * made from another version is not downloaded further. A missing file is reported once,
 * with what to do; it is looked for again by the next pool that wants it.
 */
export function baseSnapshotFor(url: string, version: string | undefined): Promise<Blob | Unusable> {
  const key = `${version}\n${url}`;
  let file = files.get(key);
  if (!file) {
    file = download(url, version);
    files.set(key, file);
    void file.then((found) => found === 'unavailable' && files.delete(key));
  }
  return file;
}

async function download(url: string, version: string | undefined): Promise<Blob | Unusable> {
  let reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  try {
    const response = await fetch(url, { credentials: 'same-origin' });
    if (!response.ok || !response.body) return unavailable(url, `it answered ${response.status}`);
    reader = response.body.getReader();
    const chunks: Uint8Array[] = [];
    let have = 0;
    let header: BaseSnapshotHeader | undefined;
    for (;;) {
      const { done, value } = await reader.read();
      if (value) {
        chunks.push(value);
        have += value.length;
      }
      if (!header) {
        const read = readHeader(concat(chunks, Math.min(have, 4096)));
        if (read === null) {
          void reader.cancel();
          return unavailable(url, 'it is not a base snapshot');
        }
        header = read;
        // No version (the loader did not load): the boot itself reports what is wrong.
        if (header && header.pyodideVersion !== version) {
          void reader.cancel();
          return 'version';
        }
        if (header && !fitsEngine(header)) {
          void reader.cancel();
          return 'engine';
        }
      }
      if (done) break;
    }
    if (!header) return unavailable(url, 'it is not a base snapshot');
    return new Blob(chunks as Uint8Array<ArrayBuffer>[]);
  } catch (err) {
    void reader?.cancel().catch(() => {});
    return unavailable(url, (err as Error).message);
  }
}

function unavailable(url: string, why: string): 'unavailable' {
  if (!warned.has(url)) {
    warned.add(url);
    console.warn(
      `pyodide-pool: no base snapshot at ${url} (${why}): first visits start Python cold. Serve the package's dist/base-snapshot.bin there, or pass its URL as 'baseSnapshot' (false: do without)`,
    );
  }
  return 'unavailable';
}

/**
 * Whether this engine can use a snapshot made with (or without) stack switching: the
 * interpreter keeps its own record of it, and one from an engine that could not leaves
 * `asyncio.run` broken where it can, while one from an engine that could does not
 * restore where it cannot (WebKit).
 */
export function fitsEngine(header: BaseSnapshotHeader): boolean {
  return (header.jspi === true) === (typeof (WebAssembly as { Suspending?: unknown }).Suspending === 'function');
}
