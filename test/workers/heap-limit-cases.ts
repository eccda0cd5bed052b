// `recycle.heapBytes` holds against task code that hides its heap: the figure is read
// from the interpreter's memory object, not from anything on Pyodide's module. Shared by
// the isolated and the plain page's files.
import { expect } from 'chai';
import { PyodidePool } from '../../workers/index.js';
import { indexURL, until } from '../helpers.js';

export function heapLimitCases(): void {
  it('are read from the memory itself: redefining HEAP8 does not hide a grown heap', async () => {
    const limit = 150 * 2 ** 20;
    const pool = new PyodidePool({ indexURL, min: 1, max: 1, recycle: { heapBytes: limit } });
    try {
      await pool.ready();
      const [first] = pool.state.workers.value;
      // Grow the heap past the limit, then make Pyodide's module report a 16-byte heap.
      const hide = [
        'import builtins, pyodide_js, js',
        'from pyodide.ffi import to_js',
        'builtins.kept = bytearray(200 * 2 ** 20)',
        'small = {"value": js.Int8Array.new(16), "writable": True, "configurable": True}',
        'js.Object.defineProperty(pyodide_js._module, "HEAP8", to_js(small, dict_converter=js.Object.fromEntries))',
        'len(builtins.kept)',
      ].join('\n');
      expect(await pool.run(hide)).to.equal(200 * 2 ** 20);
      // Its heap passed the limit (the only limit set): it is retired and replaced,
      // whatever HEAP8 says.
      await until(pool.state.workers, (ws) => ws.length === 1 && ws[0]!.id !== first!.id && ws[0]!.status === 'idle');
      expect(await pool.run('"fresh"')).to.equal('fresh');
    } finally {
      await pool.terminate();
    }
  });
}
