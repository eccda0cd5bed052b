/**
 * The base snapshot file's format, read on both sides of the worker boundary: the page
 * reads its header as it arrives (is it for this Pyodide and this engine?), the worker
 * reads the header again and gunzips what follows. Written by `scripts/base-snapshot.mjs`.
 *
 * @internal
 */

/** What the file's header says (see `scripts/base-snapshot.mjs` for the layout). */
export interface BaseSnapshotHeader {
  /** The Pyodide version the snapshot was made with (it restores only into that build). */
  pyodideVersion: string;
  /** Bytes of the heap it restores. */
  snapshotBytes: number;
  /** Made where WebAssembly could switch stacks (JSPI): used only in engines alike (see {@link fitsEngine}). */
  jspi?: boolean;
}

/** The file starts with these 4 bytes ("PYPB"), then a u32 (LE) header length, the header (JSON), the gzip. */
export const BASE_MAGIC = 0x42505950;

/** The first `n` bytes of `chunks` (all of them by default), joined into one array. */
export function concat(chunks: Uint8Array[], n = chunks.reduce((sum, chunk) => sum + chunk.length, 0)): Uint8Array {
  const out = new Uint8Array(n);
  let at = 0;
  for (const chunk of chunks) {
    if (at >= n) break;
    const part = chunk.subarray(0, n - at);
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/**
 * The header at the start of a base snapshot file: undefined while too few bytes are in,
 * null when the bytes are not a base snapshot.
 */
export function readHeader(start: Uint8Array): BaseSnapshotHeader | undefined | null {
  if (start.length < 8) return undefined;
  const view = new DataView(start.buffer, start.byteOffset, start.byteLength);
  if (view.getUint32(0, true) !== BASE_MAGIC) return null;
  const length = view.getUint32(4, true);
  if (length > 4000) return null;
  if (start.length < 8 + length) return undefined;
  try {
    const header = JSON.parse(new TextDecoder().decode(start.subarray(8, 8 + length))) as Partial<BaseSnapshotHeader>;
    return typeof header.pyodideVersion === 'string' && typeof header.snapshotBytes === 'number' ? (header as BaseSnapshotHeader) : null;
  } catch {
    return null;
  }
}

/** Where the gzipped snapshot starts in a base snapshot file (after its header). */
export function headerBytes(file: Uint8Array): number {
  return 8 + new DataView(file.buffer, file.byteOffset, file.byteLength).getUint32(4, true);
}

/**
 * Gunzip with the engine's DecompressionStream, fed and drained by hand: a sandboxed
 * worker in WebKit can read no Blob, not even one it made, nor so a Response's body.
 */
export async function gunzip(gzipped: Uint8Array): Promise<Uint8Array> {
  const input = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(gzipped);
      controller.close();
    },
  });
  const reader = input.pipeThrough(new DecompressionStream('gzip') as unknown as ReadableWritablePair<Uint8Array, Uint8Array>).getReader();
  const chunks: Uint8Array[] = [];
  let length = 0;
  for (let next = await reader.read(); !next.done; next = await reader.read()) {
    chunks.push(next.value);
    length += next.value.length;
  }
  return concat(chunks, length);
}
