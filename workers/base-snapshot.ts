/**
 * The base snapshot, page side: a memory snapshot of the bare interpreter of the Pyodide
 * this package pins, made by the package's build in Node and shipped beside the modules
 * (`base-snapshot.bin`, gzipped and packed; `base-snapshot.json` says which Pyodide it
 * fits). On a first visit the first worker restores its interpreter from it instead of
 * starting Python cold (about 1.2 s of a 1.5 s boot), then loads packages and files, runs
 * `setup` and makes the pool's own snapshot as a normal boot does.
 *
 * Fetched once per page (every pool shares it) and only when a pool has no snapshot of
 * its own yet. The page hands the worker the file as a Blob: the worker unzips and
 * unpacks it, off the page's thread.
 *
 * @internal
 */

/** What the build wrote beside the snapshot. */
export interface BaseSnapshotManifest {
  /** The Pyodide version the snapshot was made with (it restores only into that build). */
  pyodideVersion: string;
  /** Bytes of the heap it restores. */
  snapshotBytes: number;
  /** Bytes of the shipped file. */
  fileBytes: number;
}

// Literal `new URL(…, import.meta.url)` forms, so that bundlers see the files and ship them.
const manifestURL = (): string => new URL('../base-snapshot.json', import.meta.url).href;
const fileURL = (): string => new URL('../base-snapshot.bin', import.meta.url).href;

let manifest: Promise<BaseSnapshotManifest | undefined> | undefined;
let file: Promise<Blob | undefined> | undefined;

/** The shipped manifest, or undefined when the package holds no base snapshot (or it cannot be fetched). */
export function baseSnapshotManifest(): Promise<BaseSnapshotManifest | undefined> {
  manifest ??= fetchOk(manifestURL()).then(async (response) => {
    const json = (await response?.json()) as Partial<BaseSnapshotManifest> | undefined;
    return typeof json?.pyodideVersion === 'string' ? (json as BaseSnapshotManifest) : undefined;
  });
  return manifest;
}

/** The shipped snapshot file as a Blob (the page never reads its bytes), or undefined. */
export function baseSnapshotFile(): Promise<Blob | undefined> {
  file ??= fetchOk(fileURL()).then((response) => response?.blob());
  // A failed fetch is tried again by the next pool that wants it.
  void file.then((blob) => blob ?? (file = undefined));
  return file;
}

async function fetchOk(url: string): Promise<Response | undefined> {
  try {
    const response = await fetch(url, { credentials: 'same-origin' });
    return response.ok ? response : undefined;
  } catch {
    return undefined;
  }
}
