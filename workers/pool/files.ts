/**
 * Files every worker sees (the `files` option and `pool.writeFile`): the pool's one copy
 * of them as bytes, handed to each worker as it boots (normal, snapshot restore,
 * replacement, recycle) and written to the live ones on change.
 *
 * @internal
 */

/** What a file may be given as: text, bytes, a Blob, or a URL the page fetches once. */
export type FileSource = string | Uint8Array | ArrayBuffer | Blob | URL;

/** Checks a path: absolute, without `.` or `..` parts, not a directory. Returns it. */
export function checkPath(where: string, path: unknown): string {
  if (typeof path !== 'string' || !path.startsWith('/') || path.endsWith('/') || path.split('/').some((part, i) => i > 0 && (part === '' || part === '.' || part === '..'))) {
    throw new TypeError(`${where}: '${String(path)}' is not an absolute file path (like '/data/lookup.csv')`);
  }
  if (/^\/(dev|proc|sys)(\/|$)/.test(path)) throw new TypeError(`${where}: '${path}' is outside the files a task may write`);
  return path;
}

function checkSource(where: string, path: string, data: unknown): FileSource {
  if (typeof data === 'string' || data instanceof Uint8Array || data instanceof ArrayBuffer || data instanceof Blob || data instanceof URL) return data;
  throw new TypeError(`${where}: the file '${path}' must be a string, Uint8Array, ArrayBuffer, Blob or URL`);
}

/** Checks the `files` option; throws TypeError naming the bad path. */
export function checkFiles(files: unknown): Record<string, FileSource> {
  if (files === undefined) return {};
  if (typeof files !== 'object' || files === null) throw new TypeError("PyodidePool: 'files' must be an object of path → contents");
  const checked: Record<string, FileSource> = {};
  for (const [path, data] of Object.entries(files)) checked[checkPath("PyodidePool: 'files'", path)] = checkSource("PyodidePool: 'files'", path, data);
  return checked;
}

/** The bytes of a file source; a URL is fetched by the page (an error names the path). */
export async function fileBytes(path: string, data: FileSource): Promise<Uint8Array> {
  if (typeof data === 'string') return new TextEncoder().encode(data);
  if (data instanceof Uint8Array) return data.slice();
  if (data instanceof ArrayBuffer) return new Uint8Array(data.slice(0));
  if (data instanceof Blob) return new Uint8Array(await data.arrayBuffer());
  let response: Response;
  try {
    response = await fetch(data);
  } catch (err) {
    throw new Error(`the file '${path}' could not be fetched from ${data.href}: ${(err as Error).message}`, { cause: err });
  }
  if (!response.ok) throw new Error(`the file '${path}' could not be fetched from ${data.href}: HTTP ${response.status}`);
  return new Uint8Array(await response.arrayBuffer());
}

export class PoolFiles {
  readonly #given: Record<string, FileSource>;
  #loaded: Promise<Map<string, Uint8Array>> | undefined;
  /** Written since the pool started (by `writeFile`), applied over the given ones. */
  readonly #written = new Map<string, Uint8Array>();
  #digest = '';

  constructor(given: Record<string, FileSource>) {
    this.#given = given;
  }

  /** Every file as bytes, the given ones loaded once. Rejects naming a file that cannot load. */
  async all(): Promise<{ path: string; data: Uint8Array }[]> {
    this.#loaded ??= this.#load();
    const files = new Map(await this.#loaded);
    for (const [path, data] of this.#written) files.set(path, data);
    return [...files].map(([path, data]) => ({ path, data }));
  }

  /** A digest of the given files, for the snapshot key ('' before they load, or with none). */
  get digest(): string {
    return this.#digest;
  }

  /** Record a change for workers that boot from now on. */
  write(path: string, data: Uint8Array): void {
    this.#written.set(path, data);
  }

  async #load(): Promise<Map<string, Uint8Array>> {
    const files = new Map<string, Uint8Array>();
    for (const [path, data] of Object.entries(this.#given)) files.set(path, await fileBytes(path, data));
    if (files.size > 0) {
      const parts: Uint8Array[] = [];
      for (const [path, data] of [...files].sort(([a], [b]) => (a < b ? -1 : 1))) parts.push(new TextEncoder().encode(`${path}\0${data.length}\0`), data);
      const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
      let at = 0;
      for (const part of parts) {
        all.set(part, at);
        at += part.length;
      }
      const hash = new Uint8Array(await crypto.subtle.digest('SHA-256', all));
      this.#digest = [...hash].map((b) => b.toString(16).padStart(2, '0')).join('');
    }
    return files;
  }
}
