/**
 * The Python half of a pool worker, as the bootstrap that installs it once per interpreter:
 * the `.py` files beside this one, each as a private module (imported as text at build
 * time), plus the public `worker_pool` module that task code imports (waits.py makes it).
 *
 * None of them holds a reference to a JavaScript object until `install_hooks()` runs,
 * which happens after a memory snapshot is taken: snapshots cannot contain JS references.
 * The page hashes {@link RUNTIME_BOOTSTRAP} into a snapshot's key, so a snapshot made with
 * other Python is never restored.
 *
 * @internal
 */
import RUNTIME from './runtime.py';
import WAITS from './waits.py';
import MAP from './map.py';
import GENERATOR from './generator.py';

/** The file name tracebacks give the runtime's own frames (which they leave out). */
const RUNTIME_FILENAME = '<pyodide-pool>';

/** Each module's name and source, in the order they import one another. */
const MODULES: [name: string, source: string][] = [
  ['_pyodide_pool', RUNTIME],
  ['_pyodide_pool_waits', WAITS],
  ['_pyodide_pool_map', MAP],
  ['_pyodide_pool_generator', GENERATOR],
];

/** Python that installs the runtime's modules. */
export const RUNTIME_BOOTSTRAP = `
import sys, types
for _name, _source in ${JSON.stringify(MODULES)}:
    _m = types.ModuleType(_name)
    sys.modules[_name] = _m
    exec(compile(_source, "${RUNTIME_FILENAME}", "exec"), _m.__dict__)
del _name, _source, _m, sys, types
`;
