/**
 * Any thrown value as a readable message. JavaScript lets code throw anything: an Error,
 * a string, a plain object (Emscripten and engines under memory pressure do), so a
 * message built with `String(err)` can read `[object Object]`.
 *
 * @internal
 */

/**
 * An Error's name and message, a string as it is, or a thrown object's own `name` and
 * `message` (else its fields as JSON, else what kind of object it is): never
 * `[object Object]`.
 *
 * @example
 * readable(new RangeError('too deep')); // 'RangeError: too deep'
 * readable({ code: 7 });                // 'Object {"code":7}'
 */
export function readable(err: unknown): string {
  if (err instanceof Error) return err.message ? (err.name && err.name !== 'Error' ? `${err.name}: ${err.message}` : err.message) : err.name || 'Error';
  if (typeof err === 'string') return err || 'an empty string was thrown';
  if (typeof err === 'object' && err !== null) {
    const { message, name } = err as { message?: unknown; name?: unknown };
    if (typeof message === 'string' && message) return typeof name === 'string' && name ? `${name}: ${message}` : message;
    try {
      const json = JSON.stringify(err);
      if (json && json !== '{}') return `${Object.prototype.toString.call(err).slice(8, -1)} ${json.slice(0, 500)}`;
    } catch {
      // cyclic, or a getter that throws: say what kind it is
    }
    return `a thrown ${(err as object).constructor?.name ?? 'object'} with no message`;
  }
  return String(err);
}
