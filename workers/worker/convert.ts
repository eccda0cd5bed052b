/**
 * Plain-data conversion between structured-cloned JavaScript values and Python, inside a
 * worker. Pyodide's own converters get us most of the way; these helpers fix the parts
 * the contract defines differently (`null` ⇄ `None`, `Date` → `datetime`).
 *
 * @internal
 */
import type { PyodideAPI } from 'pyodide';
import type { PyProxy } from 'pyodide/ffi';
import { BLOB_BYTES, type BlobBytes } from '../shared/sandbox-blobs.js';

/** Options for `toJs` that give plain data only: dicts become objects, no proxies. */
const TO_JS = { dict_converter: Object.fromEntries, create_pyproxies: false } as const;

/** True when `value` is a Python object seen from JavaScript. */
export function isPyProxy(pyodide: PyodideAPI, value: unknown): value is PyProxy {
  return value instanceof pyodide.ffi.PyProxy;
}

/**
 * A File or Blob of the page's that came as bytes: a sandboxed worker in an engine that
 * lets it read no Blob (see `shared/sandbox-blobs.ts`) gets a {@link BlobBytes} record instead.
 */
class PageBlob {
  constructor(
    readonly bytes: Uint8Array,
    readonly name: string,
    readonly type: string,
  ) {}
}

/** The {@link PageBlob} a {@link BlobBytes} record stands for, or undefined if `record` is none. */
function pageBlob(record: Record<string, unknown>): PageBlob | undefined {
  const bytes = record[BLOB_BYTES];
  if (!(bytes instanceof Uint8Array)) return undefined;
  const { name, type } = record as unknown as BlobBytes;
  return new PageBlob(bytes, typeof name === 'string' ? name : '', typeof type === 'string' ? type : '');
}

/**
 * Pyodide turns `null` into `jsnull`, not `None`. Inputs are our own structured clone,
 * so they can be rewritten in place: `null` becomes `undefined`, which turns into `None`.
 * A Blob sent as bytes (a {@link BlobBytes} record) becomes a {@link PageBlob} on the way.
 */
export function nullsToUndefined(value: unknown): unknown {
  if (value === null) return undefined;
  if (typeof value !== 'object' || ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return value;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = nullsToUndefined(value[i]);
  } else if (value instanceof Map) {
    for (const [k, v] of value) value.set(k, nullsToUndefined(v));
  } else if (value instanceof Set) {
    if (value.has(null)) {
      value.delete(null);
      value.add(undefined);
    }
    for (const item of [...value]) {
      const blob = typeof item === 'object' && item !== null && !(item instanceof Blob) ? pageBlob(item as Record<string, unknown>) : undefined;
      if (blob) {
        value.delete(item);
        value.add(blob);
      }
    }
  } else if (!(value instanceof Date) && !(value instanceof RegExp) && !(value instanceof Blob)) {
    const record = value as Record<string, unknown>;
    const blob = BLOB_BYTES in record ? pageBlob(record) : undefined;
    if (blob) return blob;
    for (const key of Object.keys(record)) record[key] = nullsToUndefined(record[key]);
  }
  return value;
}

/**
 * Python's `None` reaches JavaScript as `undefined` from `toJs`; the contract says `null`.
 * The value is freshly made by `toJs`, so it is rewritten in place.
 */
export function undefinedToNull(value: unknown): unknown {
  if (value === undefined) return null;
  if (typeof value !== 'object' || value === null || ArrayBuffer.isView(value)) return value;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = undefinedToNull(value[i]);
  } else if (value instanceof Map) {
    for (const [k, v] of value) value.set(k, undefinedToNull(v));
  } else if (value instanceof Set) {
    if (value.has(undefined)) {
      value.delete(undefined);
      value.add(null);
    }
  } else {
    const record = value as Record<string, unknown>;
    for (const key of Object.keys(record)) record[key] = undefinedToNull(record[key]);
  }
  return value;
}

/** Python objects the input conversion makes with the runtime's help. */
export interface PythonMakers {
  /** A timezone-aware `datetime` from ms since the epoch. */
  datetime(ms: number): PyProxy;
  /** A read-only file object (an `io.BytesIO` subclass) with `name`, `type` and `size`. */
  file(bytes: Uint8Array, name: string, type: string): PyProxy;
}

/** The bytes of a Blob, read synchronously: workers have `FileReaderSync`. */
function readBlob(blob: Blob): Uint8Array {
  const Reader = (globalThis as { FileReaderSync?: new () => { readAsArrayBuffer(blob: Blob): ArrayBuffer } }).FileReaderSync;
  if (!Reader) throw new TypeError('a File or Blob can only be read in a worker (FileReaderSync)');
  return new Uint8Array(new Reader().readAsArrayBuffer(blob));
}

/**
 * Converts a task's `inputs` object to a Python dict. Dates become timezone-aware
 * `datetime`s, Files and Blobs (at any depth) read-only binary file objects; everything
 * else follows Pyodide's `toPy` (objects → dict, arrays → list, Map → dict, Set → set,
 * typed arrays → memoryview).
 */
export function inputsToPython(pyodide: PyodideAPI, inputs: Record<string, unknown>, make: PythonMakers): PyProxy {
  const made: PyProxy[] = [];
  try {
    return pyodide.toPy(nullsToUndefined(inputs), {
      depth: -1,
      defaultConverter: (value: unknown) => {
        let proxy: PyProxy | undefined;
        if (value instanceof Date) proxy = make.datetime(value.getTime());
        else if (value instanceof Blob) proxy = make.file(readBlob(value), value instanceof File ? value.name : '', value.type);
        else if (value instanceof PageBlob) proxy = make.file(value.bytes, value.name, value.type);
        if (!proxy) return value;
        made.push(proxy);
        return proxy;
      },
    }) as PyProxy;
  } finally {
    for (const proxy of made) proxy.destroy();
  }
}

/**
 * Converts a Python value to plain data, or says which Python type stood in the way.
 * Never leaves a proxy behind: `value` itself is not destroyed (the caller owns it).
 */
export function pythonToPlain(
  pyodide: PyodideAPI,
  value: unknown,
  unconvertibleType: (value: PyProxy) => string | undefined,
): { value: unknown } | { problem: string; pythonType: string } {
  if (!isPyProxy(pyodide, value)) return { value: value === undefined ? null : value };
  try {
    return { value: undefinedToNull(value.toJs(TO_JS)) };
  } catch {
    const pythonType = unconvertibleType(value) ?? value.type;
    return { problem: `cannot convert a Python '${pythonType}' to plain data`, pythonType };
  }
}
