/**
 * The built-ins the pool's own code uses on shared memory and on the wasm heap, taken
 * when this module is evaluated: before Pyodide starts, so before any task code runs.
 *
 * Task code shares the worker's globals with the pool's code. If the pool looked up
 * `Atomics.store` or `Uint8Array.prototype.set` when it needed them, task code could put
 * its own function there first and be handed the control block's memory (then hold its
 * lock, or clear its "running" word so that a timeout thinks the task has ended), or make
 * the heap look small. Calls through these captured functions never touch a global or a
 * prototype again.
 *
 * @internal
 */

const apply = Reflect.apply;
const getOwn = Object.getOwnPropertyDescriptor;
const freeze = Object.freeze;

/** `Atomics`, as it was. */
export const atomics = freeze({
  load: Atomics.load,
  store: Atomics.store,
  compareExchange: Atomics.compareExchange,
  wait: Atomics.wait,
  notify: Atomics.notify,
});

const typedArrayProto = Object.getPrototypeOf(Uint8Array.prototype) as Uint8Array;
const typedSlice = typedArrayProto.slice;
const typedSubarray = typedArrayProto.subarray;
const typedSet = typedArrayProto.set;
const decode = TextDecoder.prototype.decode;
const decoder = new TextDecoder();
const NativeUint8Array = Uint8Array;
const NativeInt32Array = Int32Array;

/** `view.slice(start, end)`: a copy in a fresh (never shared) buffer. */
export function sliceOf(view: Uint8Array, start: number, end: number): Uint8Array {
  return apply(typedSlice, view, [start, end]) as Uint8Array;
}

/** `view.subarray(start, end)`. */
export function subarrayOf(view: Uint8Array, start: number, end: number): Uint8Array {
  return apply(typedSubarray, view, [start, end]) as Uint8Array;
}

/** `target.set(source, offset)`. */
export function copyInto(target: Uint8Array, source: Uint8Array, offset: number): void {
  apply(typedSet, target, [source, offset]);
}

/** UTF-8 text of `bytes` (a copy that is not shared memory). */
export function utf8(bytes: Uint8Array): string {
  return apply(decode, decoder, [bytes]) as string;
}

/** `new Int32Array(buffer, offset, length)` with the constructor as it was. */
export function int32View(buffer: ArrayBufferLike, offset: number, length: number): Int32Array {
  return new NativeInt32Array(buffer, offset, length);
}

/** `new Uint8Array(length)` with the constructor as it was. */
export function newBytes(length: number): Uint8Array {
  return new NativeUint8Array(length);
}

/** `new Uint8Array(buffer, offset, length)` with the constructor as it was. */
export function uint8View(buffer: ArrayBufferLike, offset: number, length: number): Uint8Array {
  return new NativeUint8Array(buffer, offset, length);
}

const memoryBuffer = getOwn(WebAssembly.Memory.prototype, 'buffer')!.get!;
const arrayBufferLength = getOwn(ArrayBuffer.prototype, 'byteLength')!.get!;

/**
 * The size of a wasm memory in bytes, read from the memory object itself: redefining
 * `HEAP8` on Pyodide's module, or the getters on the prototypes, changes nothing here.
 */
export function memoryBytes(memory: WebAssembly.Memory): number {
  return apply(arrayBufferLength, apply(memoryBuffer, memory, []), []) as number;
}

/** `value instanceof WebAssembly.Memory`, without asking the value (a proxy could lie). */
export function isMemory(value: unknown): value is WebAssembly.Memory {
  if (typeof value !== 'object' || value === null) return false;
  try {
    apply(memoryBuffer, value, []);
    return true;
  } catch {
    return false;
  }
}

/** `performance.now`, as it was. */
const perfNow = performance.now;
export const now = (): number => apply(perfNow, performance, []) as number;

/** `setTimeout(fn, ms)`, as it was. */
const nativeSetTimeout = setTimeout;
export const later = (fn: () => void, ms: number): void => {
  apply(nativeSetTimeout, globalThis, [fn, ms]);
};
