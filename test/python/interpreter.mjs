// The runtime's Python on the real interpreter, in Node (no browser): Pyodide from
// node_modules, the runtime installed by the very bootstrap a worker runs (bundled from
// workers/python/ as the build bundles it), and fake hooks standing in for the worker's.
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { loadPyodide } from 'pyodide';
import { PYTHON_TEXT_LOADER } from '../../scripts/python-text.mjs';

/** workers/python/'s exports (the bootstrap, the wait ends), bundled with the .py text inside. */
async function pythonSide() {
  const out = await build({
    stdin: {
      contents: "export { RUNTIME_BOOTSTRAP } from './runtime.ts';\nexport { WAIT_ENDS } from './hooks.ts';\n",
      resolveDir: fileURLToPath(new URL('../../workers/python/', import.meta.url)),
      loader: 'ts',
    },
    bundle: true,
    format: 'esm',
    write: false,
    logLevel: 'silent',
    loader: PYTHON_TEXT_LOADER,
  });
  return import(`data:text/javascript;base64,${Buffer.from(out.outputFiles[0].text).toString('base64')}`);
}

/**
 * A booted interpreter with the runtime installed (hooks not yet: see installHooks).
 * `out` collects what Python prints.
 */
export async function bootRuntime() {
  const { RUNTIME_BOOTSTRAP, WAIT_ENDS } = await pythonSide();
  const out = [];
  const pyodide = await loadPyodide({ stdout: (line) => out.push(line), stderr: (line) => out.push(line) });
  pyodide.runPython(RUNTIME_BOOTSTRAP);
  const module = (name) => pyodide.pyimport(name);
  return {
    pyodide,
    out,
    WAIT_ENDS,
    runtime: module('_pyodide_pool'),
    map: module('_pyodide_pool_map'),
    generator: module('_pyodide_pool_generator'),
    waits: module('_pyodide_pool_waits'),
    /** Python `code`'s last expression, as plain JavaScript data (dicts as objects). */
    py(code) {
      return plain(pyodide.runPython(code));
    },
  };
}

/** A Python value as plain JavaScript data, the proxy destroyed. */
export function plain(value) {
  if (!value || typeof value.toJs !== 'function') return value;
  try {
    return value.toJs({ dict_converter: Object.fromEntries, create_pyproxies: false });
  } finally {
    value.destroy();
  }
}
