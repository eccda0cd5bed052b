/**
 * A module pool's worker routes the console to the call that runs: `console.log`,
 * `info`, `debug`, `dir`, `table` and `count` become its stdout, `warn`, `error`, `trace` and a
 * failed `assert` its stderr (what the caller's `onOutput` gets). Outside a call, the
 * console is the worker's own. Output is the running call's when it is written: what a
 * timer left behind by an earlier call writes while another call runs is that call's.
 *
 * @internal
 */

/** One console argument as text: strings as they are, errors with their name, data as JSON where it can be; never throws. */
function show(value: unknown): string {
  try {
    return describe(value);
  } catch {
    return '[an object that cannot be shown]';
  }
}

function describe(value: unknown): string {
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

const STREAMS = { log: 'stdout', info: 'stdout', debug: 'stdout', dir: 'stdout', table: 'stdout', warn: 'stderr', error: 'stderr', trace: 'stderr' } as const;

/**
 * Send what the console is given to `write` (one line per call); where `write` says no
 * call runs (false), the native console gets it.
 */
export function captureConsole(write: (type: 'stdout' | 'stderr', text: string) => boolean): void {
  for (const [method, type] of Object.entries(STREAMS) as [keyof typeof STREAMS, 'stdout' | 'stderr'][]) {
    const native = console[method].bind(console) as (...args: unknown[]) => void;
    console[method] = (...args: unknown[]) => {
      if (!write(type, `${args.map(show).join(' ')}\n`)) native(...args);
    };
  }
  const counts = new Map<string, number>();
  const count = console.count.bind(console);
  console.count = (label = 'default') => {
    const n = (counts.get(String(label)) ?? 0) + 1;
    counts.set(String(label), n);
    if (!write('stdout', `${String(label)}: ${n}\n`)) count(label);
  };
  const assert = console.assert.bind(console);
  console.assert = (condition?: unknown, ...args: unknown[]) => {
    if (condition) return;
    if (!write('stderr', `Assertion failed${args.length > 0 ? `: ${args.map(show).join(' ')}` : ''}\n`)) assert(false, ...args);
  };
}
