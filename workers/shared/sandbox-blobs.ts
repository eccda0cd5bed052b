/**
 * Files and Blobs for sandboxed workers, in every engine. WebKit lets an opaque-origin
 * worker (a sandboxed pool's) read no Blob at all, neither the page's nor one it made
 * itself ("The I/O read operation failed."); Chromium and Firefox read them there as in
 * any worker. So each sandboxed worker's start stub tries to read a one-byte Blob of the
 * page's and says whether it could (once per page: the answer is the engine's). Where it
 * could not, the page reads every Blob it sends the worker and sends its bytes instead:
 *
 * - in a task's data (inputs, map items, messages) as a {@link BlobBytes} record, which
 *   the worker turns into the same file object a Blob gives (see `worker/convert.ts`);
 * - in a control call (the stored snapshot handed to `preloadSnapshot`) as a plain
 *   `Uint8Array`.
 *
 * Elsewhere messages go as they are, and no Blob is copied.
 *
 * @internal
 */

/** The key of a {@link BlobBytes} record (reserved in task data). */
export const BLOB_BYTES = '__pyodidePoolBlobBytes';

/** A Blob of the page's as bytes, for a worker that cannot read Blobs. */
export interface BlobBytes {
  [BLOB_BYTES]: Uint8Array;
  /** A File's name (undefined: a Blob). */
  name: string | undefined;
  type: string;
}

/** Whether this page's sandboxed workers can read its Blobs, once a worker has said. */
let readable: boolean | undefined;

/** What a new worker's stub is to try reading: undefined once the page knows the answer. */
export function blobProbe(): Blob | undefined {
  return readable === undefined ? new Blob([new Uint8Array([1])]) : undefined;
}

/** A worker's stub answered the probe. */
export function blobProbeAnswered(canRead: boolean): void {
  readable ??= canRead;
}

/** Whether the page knows that sandboxed workers read its Blobs (undefined: not yet). */
export function blobsReadable(): boolean | undefined {
  return readable;
}

type Post = (message: unknown, transfer: Transferable[]) => void;

/**
 * Have `worker.postMessage` send Blobs as bytes when `canRead` resolves false. Messages keep
 * their order: while one waits for its Blobs to be read (or for `canRead`), the ones after
 * it wait behind it. What postMessage does at once is still done at once: an uncloneable
 * value throws, and moved buffers are detached.
 */
export function sendBlobsAsBytes(worker: Worker, canRead: Promise<boolean>): void {
  const post = worker.postMessage.bind(worker) as Post;
  let known: boolean | undefined;
  void canRead.then((value) => (known = value));
  let waiting = 0;
  let last: Promise<unknown> = Promise.resolve();
  worker.postMessage = ((message: unknown, options?: Transferable[] | StructuredSerializeOptions) => {
    const transfer = Array.isArray(options) ? options : (options?.transfer ?? []);
    if (waiting === 0 && (known === true || !holdsBlob(message))) {
      post(message, transfer);
      return;
    }
    const taken = structuredClone({ message, transfer }, { transfer });
    waiting++;
    last = last
      .then(async () => {
        const bytes: ArrayBuffer[] = [];
        const sent = (await canRead) ? taken.message : await withBytes(taken.message, isTaskMessage(taken.message), bytes);
        post(sent, [...taken.transfer, ...bytes]);
      })
      .catch(() => {})
      .finally(() => waiting--);
  }) as Worker['postMessage'];
}

/** A message of the task protocol (tagged `t`), not one of Comlink's. */
function isTaskMessage(message: unknown): boolean {
  return typeof message === 'object' && message !== null && typeof (message as { t?: unknown }).t === 'string';
}

/** Values whose insides hold no Blob. */
function isLeaf(value: unknown): boolean {
  return typeof value !== 'object' || value === null || ArrayBuffer.isView(value) || value instanceof ArrayBuffer || value instanceof Date || value instanceof RegExp;
}

/** Add the Blobs in `value` to `found`; with `first`, stop at the first one. */
function findBlobs(value: unknown, found: Set<Blob>, seen: Set<object>, first = false): void {
  if (value instanceof Blob) {
    found.add(value);
    return;
  }
  if (isLeaf(value) || seen.has(value as object)) return;
  seen.add(value as object);
  const items = value instanceof Map ? [...value.keys(), ...value.values()] : value instanceof Set || Array.isArray(value) ? value : Object.values(value as object);
  for (const item of items) {
    findBlobs(item, found, seen, first);
    if (first && found.size > 0) return;
  }
}

function holdsBlob(message: unknown): boolean {
  const found = new Set<Blob>();
  findBlobs(message, found, new Set(), true);
  return found.size > 0;
}

/** `blob` as bytes: a {@link BlobBytes} record in task data, a Uint8Array in a control call. Unreadable: left as it is. */
async function blobAsBytes(blob: Blob, asFile: boolean, moved: ArrayBuffer[]): Promise<unknown> {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await blob.arrayBuffer());
  } catch {
    return blob; // the worker reports it as it would any Blob it cannot read
  }
  moved.push(bytes.buffer as ArrayBuffer);
  if (!asFile) return bytes;
  const record: BlobBytes = { [BLOB_BYTES]: bytes, name: blob instanceof File ? blob.name : undefined, type: blob.type };
  return record;
}

/** `value` (a clone of our own) with every Blob in it replaced by its bytes, read all at once. */
async function withBytes(value: unknown, asFile: boolean, moved: ArrayBuffer[]): Promise<unknown> {
  const found = new Set<Blob>();
  findBlobs(value, found, new Set());
  if (found.size === 0) return value;
  const blobs = [...found];
  const read = await Promise.all(blobs.map((blob) => blobAsBytes(blob, asFile, moved)));
  const bytes = new Map<unknown, unknown>(blobs.map((blob, i) => [blob, read[i]]));
  return replace(value, bytes, new Set());
}

function replace(value: unknown, bytes: Map<unknown, unknown>, seen: Set<object>): unknown {
  if (value instanceof Blob) return bytes.get(value) ?? value;
  if (isLeaf(value) || seen.has(value as object)) return value;
  seen.add(value as object);
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = replace(value[i], bytes, seen);
  } else if (value instanceof Map) {
    const entries = [...value];
    value.clear();
    for (const [k, v] of entries) value.set(replace(k, bytes, seen), replace(v, bytes, seen));
  } else if (value instanceof Set) {
    const items = [...value];
    value.clear();
    for (const item of items) value.add(replace(item, bytes, seen));
  } else {
    const record = value as Record<string, unknown>;
    for (const key of Object.keys(record)) record[key] = replace(record[key], bytes, seen);
  }
  return value;
}
