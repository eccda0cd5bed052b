/**
 * The Python half of a pool worker, installed once per interpreter as the module
 * `_pyodide_pool`, plus the public `worker_pool` module that task code imports.
 *
 * It holds no reference to a JavaScript object until `install_hooks()` runs, which
 * happens after a memory snapshot is taken: snapshots cannot contain JS references.
 *
 * @internal
 */
export const RUNTIME_FILENAME = '<pyodide-pool>';

const RUNTIME_SOURCE = String.raw`
import ast, linecache, random, sys, traceback, types

_SETUP = {"__name__": "__main__", "__builtins__": __builtins__}
_CACHE = {}
_CACHE_MAX = 512
_hooks = None
error_info = None


class ConversionError(TypeError):
    """A value could not be converted to plain JavaScript data."""


def _remember_source(filename, src):
    # Lets tracebacks show the offending source line instead of just a line number.
    linecache.cache[filename] = (len(src), None, src.splitlines(True), filename)


def _compile(src):
    entry = _CACHE.get(src)
    if entry is None:
        tree = ast.parse(src, "<task>", "exec")
        expr = None
        if tree.body and isinstance(tree.body[-1], ast.Expr):
            expr = compile(ast.Expression(tree.body.pop().value), "<task>", "eval")
        body = compile(tree, "<task>", "exec") if tree.body else None
        if len(_CACHE) >= _CACHE_MAX:
            _CACHE.pop(next(iter(_CACHE)))
        entry = _CACHE[src] = (body, expr)
    return entry


def _flush():
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:
            pass


def _describe(exc, filename, src):
    global error_info
    _remember_source(filename, src)
    tb = exc.__traceback__
    # Hide this runtime's own frames: the user should see their code only.
    while tb is not None and tb.tb_frame.f_code.co_filename == "${RUNTIME_FILENAME}":
        tb = tb.tb_next
    line = None
    for frame, lineno in traceback.walk_tb(tb):
        if frame.f_code.co_filename == filename:
            line = lineno
    if isinstance(exc, SyntaxError) and exc.filename == filename:
        line = exc.lineno
    text = "".join(traceback.format_exception(type(exc), exc, tb))
    message = exc.msg if isinstance(exc, SyntaxError) else str(exc)
    error_info = [type(exc).__name__, message, text, line]


def run(src, inputs):
    """Run one task: a fresh namespace seeded from setup, then inputs; returns the final expression."""
    try:
        body, expr = _compile(src)
        ns = _SETUP.copy()
        if inputs is not None:
            ns.update(inputs)
        if body is not None:
            exec(body, ns)
        return eval(expr, ns) if expr is not None else None
    except BaseException as exc:
        _describe(exc, "<task>", src)
        raise
    finally:
        _flush()


def run_setup(src):
    try:
        exec(compile(src, "<setup>", "exec"), _SETUP)
    except BaseException as exc:
        _describe(exc, "<setup>", src)
        raise
    finally:
        _flush()


_CONVERTIBLE = (type(None), bool, int, float, str, bytes, bytearray, memoryview)


def unconvertible_type(value):
    """Name the first type inside value that cannot become plain data, or None."""
    stack, seen = [value], set()
    while stack:
        item = stack.pop()
        if isinstance(item, _CONVERTIBLE):
            continue
        if id(item) in seen:
            continue
        seen.add(id(item))
        if isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, (list, tuple, set, frozenset)):
            stack.extend(item)
        else:
            return type(item).__name__
    return None


def datetime_from_ms(ms):
    import datetime
    return datetime.datetime.fromtimestamp(ms / 1000, datetime.timezone.utc)


def reseed():
    # Workers restored from one snapshot share one random state; give each its own.
    random.seed()


def install_hooks(hooks):
    global _hooks
    _hooks = hooks


def _progress(fraction, message=None):
    """Report progress (0..1) and an optional message to the caller while the task runs."""
    fraction = float(fraction)
    if message is not None:
        message = str(message)
    _flush()
    if _hooks is not None:
        _hooks.progress(fraction, message)


def _emit(data):
    """Send plain data (dict, list, str, numbers, bytes...) to the caller while the task runs."""
    _flush()
    if _hooks is not None:
        problem = _hooks.emit(data)
        if problem:
            raise ConversionError(problem)


_public = types.ModuleType("worker_pool", "Talk to the caller of a pyodide-pool task while it runs.")
_public.progress = _progress
_public.emit = _emit
_public.ConversionError = ConversionError
sys.modules["worker_pool"] = _public
`;

/** Python that installs {@link RUNTIME_SOURCE} as the module `_pyodide_pool`. */
export const RUNTIME_BOOTSTRAP = `
import sys, types
_m = types.ModuleType("_pyodide_pool")
exec(compile(${JSON.stringify(RUNTIME_SOURCE)}, "${RUNTIME_FILENAME}", "exec"), _m.__dict__)
sys.modules["_pyodide_pool"] = _m
del _m, sys, types
`;
