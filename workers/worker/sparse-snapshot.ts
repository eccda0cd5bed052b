/**
 * A compact form of a memory snapshot for storage. A fresh interpreter's 30 MB heap is
 * mostly zeros (about half of its 64 KiB pages hold nothing else), so only the pages with
 * data are kept, with their indices. Reading half the bytes back from Cache Storage is
 * what a second page load waits for; zipping would shrink it further, but unzipping
 * 30 MB costs more time than it saves.
 *
 * Layout (little-endian u32 words): MAGIC, total length, page count N, N page indices,
 * then the N pages, each PAGE bytes (the last one of the snapshot may be shorter).
 *
 * A snapshot with few zero pages (a `setup` that filled the heap with data) is kept
 * whole instead, after a header of RAW_MAGIC, its length and 0: leaving out a tenth of
 * it would not pay for the copy that unpacking makes on every restore (about 250 ms for
 * 90 MB), and the whole form restores from a view of the bytes read.
 *
 * @internal
 */

const MAGIC = 0x70797370; // "pysp"
const RAW_MAGIC = 0x72797370; // "pysr"
/** Kept whole when packing would keep more than this share of it. */
const DENSE = 0.85;
const PAGE = 65_536;
const HEADER_WORDS = 3;

/** Whether `bytes[from, to)` is all zeros (read 4 bytes at a time where aligned). */
function isZero(bytes: Uint8Array, from: number, to: number): boolean {
  const aligned = (bytes.byteOffset + from) % 4 === 0 && (to - from) % 4 === 0;
  if (aligned) {
    const words = new Uint32Array(bytes.buffer, bytes.byteOffset + from, (to - from) / 4);
    for (let i = 0; i < words.length; i++) if (words[i] !== 0) return false;
    return true;
  }
  for (let i = from; i < to; i++) if (bytes[i] !== 0) return false;
  return true;
}

/** Keep only the pages of `snapshot` that hold data. */
export function packSnapshot(snapshot: Uint8Array): Uint8Array<ArrayBuffer> {
  const pages: number[] = [];
  for (let start = 0, index = 0; start < snapshot.length; start += PAGE, index++) {
    if (!isZero(snapshot, start, Math.min(start + PAGE, snapshot.length))) pages.push(index);
  }
  const headerBytes = (HEADER_WORDS + pages.length) * 4;
  let dataBytes = 0;
  for (const index of pages) dataBytes += Math.min(PAGE, snapshot.length - index * PAGE);
  if (dataBytes > DENSE * snapshot.length) {
    const whole = new Uint8Array(HEADER_WORDS * 4 + snapshot.length);
    const words = new DataView(whole.buffer);
    words.setUint32(0, RAW_MAGIC, true);
    words.setUint32(4, snapshot.length, true);
    whole.set(snapshot, HEADER_WORDS * 4);
    return whole;
  }
  const packed = new Uint8Array(headerBytes + dataBytes);
  const header = new DataView(packed.buffer);
  header.setUint32(0, MAGIC, true);
  header.setUint32(4, snapshot.length, true);
  header.setUint32(8, pages.length, true);
  let at = headerBytes;
  pages.forEach((index, i) => {
    header.setUint32((HEADER_WORDS + i) * 4, index, true);
    const page = snapshot.subarray(index * PAGE, Math.min((index + 1) * PAGE, snapshot.length));
    packed.set(page, at);
    at += page.length;
  });
  return packed;
}

/** The full snapshot back, or undefined when `packed` is not in this form (or damaged). */
export function unpackSnapshot(packed: Uint8Array): Uint8Array | undefined {
  if (packed.length < HEADER_WORDS * 4) return undefined;
  const header = new DataView(packed.buffer, packed.byteOffset, packed.byteLength);
  if (header.getUint32(0, true) === RAW_MAGIC) {
    // A view, not a copy (its offset keeps Pyodide's 4-byte reads aligned).
    const length = header.getUint32(4, true);
    return packed.length === HEADER_WORDS * 4 + length && packed.byteOffset % 4 === 0 ? packed.subarray(HEADER_WORDS * 4) : undefined;
  }
  if (header.getUint32(0, true) !== MAGIC) return undefined;
  const length = header.getUint32(4, true);
  const count = header.getUint32(8, true);
  let at = (HEADER_WORDS + count) * 4;
  if (at > packed.length) return undefined;
  const snapshot = new Uint8Array(length);
  for (let i = 0; i < count; i++) {
    const index = header.getUint32((HEADER_WORDS + i) * 4, true);
    const size = Math.min(PAGE, length - index * PAGE);
    if (size <= 0 || at + size > packed.length) return undefined;
    snapshot.set(packed.subarray(at, at + size), index * PAGE);
    at += size;
  }
  return at === packed.length ? snapshot : undefined;
}
