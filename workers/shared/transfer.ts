/**
 * Zero-copy transfer: which buffers a value holds, and moving a task's inputs out of the
 * caller's hands (their buffers become detached, as with `postMessage`).
 *
 * @internal
 */

/** The ArrayBuffers `value` holds (directly or through typed arrays), each once. */
export function buffersIn(value: unknown, found = new Set<ArrayBuffer>(), seen = new Set<object>()): Set<ArrayBuffer> {
  if (typeof value !== 'object' || value === null || seen.has(value)) return found;
  seen.add(value);
  if (value instanceof ArrayBuffer) found.add(value);
  else if (ArrayBuffer.isView(value)) {
    if (value.buffer instanceof ArrayBuffer) found.add(value.buffer);
  } else if (value instanceof Map) {
    for (const [k, v] of value) {
      buffersIn(k, found, seen);
      buffersIn(v, found, seen);
    }
  } else if (Array.isArray(value) || value instanceof Set) {
    for (const v of value) buffersIn(v, found, seen);
  } else if (Object.getPrototypeOf(value) === Object.prototype || Object.getPrototypeOf(value) === null) {
    for (const v of Object.values(value)) buffersIn(v, found, seen);
  }
  return found;
}

/** Checks a `transfer` option: ArrayBuffers, none detached, none twice. */
export function checkTransfer(where: string, transfer: unknown): ArrayBuffer[] {
  if (!Array.isArray(transfer)) throw new TypeError(`${where}: transfer must be an array of ArrayBuffers`);
  const seen = new Set<ArrayBuffer>();
  for (const buffer of transfer) {
    if (!(buffer instanceof ArrayBuffer)) throw new TypeError(`${where}: transfer lists ArrayBuffers (pass view.buffer for a typed array)`);
    if ((buffer as { detached?: boolean }).detached) throw new TypeError(`${where}: a buffer in transfer is detached (already transferred)`);
    if (seen.has(buffer)) throw new TypeError(`${where}: a buffer is listed twice in transfer`);
    seen.add(buffer);
  }
  return transfer;
}

/**
 * Take `inputs` over, moving the `transfer` buffers: the caller's are detached now, and
 * the pool holds the only copies until it posts them to a worker.
 */
export function moveInputs(inputs: Record<string, unknown> | undefined, transfer: ArrayBuffer[]): { inputs: Record<string, unknown> | undefined; transfer: ArrayBuffer[] } {
  return structuredClone({ inputs, transfer }, { transfer });
}
