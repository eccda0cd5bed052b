/**
 * A module pool's worker routes the console to the call that runs: `console.log`,
 * `info` and `debug` become its stdout, `warn`, `error` and `trace` its stderr (what the
 * caller's `onOutput` gets). Outside a call, the console is the worker's own.
 *
 * @internal
 */

/** One console argument as text: strings as they are, errors with their name, data as JSON where it can be. */
function show(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value instanceof Error) return `${value.name}: ${value.message}`;
  if (typeof value === 'object' && value !== null) {
    try {
      return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v)) ?? String(value);
    } catch {
      return String(value);
    }
  }
  return typeof value === 'bigint' ? `${value}n` : String(value);
}

const STREAMS = { log: 'stdout', info: 'stdout', debug: 'stdout', warn: 'stderr', error: 'stderr', trace: 'stderr' } as const;

/**
 * Send what the console is given to `write` (one line per call); where `write` says no
 * call runs (false), the native console gets it.
 */
export function captureConsole(write: (type: 'stdout' | 'stderr', text: string) => boolean): void {
  for (const [method, type] of Object.entries(STREAMS) as [keyof typeof STREAMS, 'stdout' | 'stderr'][]) {
    const native = console[method].bind(console);
    console[method] = (...args: unknown[]) => {
      if (!write(type, `${args.map(show).join(' ')}\n`)) native(...args);
    };
  }
}
