/**
 * The Python half of a pool worker, installed once per interpreter as the module
 * `_pyodide_pool`, plus the public `worker_pool` module that task code imports.
 *
 * It holds no reference to a JavaScript object until `install_hooks()` runs, which
 * happens after a memory snapshot is taken: snapshots cannot contain JS references.
 *
 * @internal
 */
import { MAP_SOURCE } from './map.js';

export const RUNTIME_FILENAME = '<pyodide-pool>';

const RUNTIME_SOURCE = String.raw`
import ast, asyncio, builtins, collections, inspect, io, json, linecache, random, sys, time, traceback, types

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


# Top-level await is allowed, as in a notebook cell. Code without await compiles to the
# same synchronous code objects as before: only code that awaits pays for a coroutine.
_FLAGS = ast.PyCF_ALLOW_TOP_LEVEL_AWAIT
_CO_COROUTINE = inspect.CO_COROUTINE


def _compile(src, filename="<task>"):
    entry = _CACHE.get(src)
    if entry is None:
        tree = ast.parse(src, filename, "exec")
        expr = None
        if tree.body and isinstance(tree.body[-1], ast.Expr):
            expr = compile(ast.Expression(tree.body.pop().value), filename, "eval", flags=_FLAGS)
        body = compile(tree, filename, "exec", flags=_FLAGS) if tree.body else None
        awaits = any(c is not None and c.co_flags & _CO_COROUTINE for c in (body, expr))
        if len(_CACHE) >= _CACHE_MAX:
            _CACHE.pop(next(iter(_CACHE)))
        entry = _CACHE[src] = (body, expr, awaits)
    return entry


class _Stopped(Exception):
    """KeyboardInterrupt, SystemExit or CancelledError inside an awaiting task, re-raised
    as an ordinary exception: asyncio would otherwise throw the first two out of its loop.
    error_info still names the original."""


class AsyncRun:
    """What run() returns for code that awaits: the asyncio task running it."""

    __slots__ = ("future",)

    def __init__(self, coro):
        self.future = asyncio.get_event_loop().create_task(coro)


async def _run_async(body, expr, ns, src, filename):
    try:
        if body is not None:
            value = eval(body, ns)
            if body.co_flags & _CO_COROUTINE:
                await value
        if expr is None:
            return None
        value = eval(expr, ns)
        if expr.co_flags & _CO_COROUTINE:
            value = await value
        return value
    except BaseException as exc:
        _describe(exc, filename, src)
        if isinstance(exc, (KeyboardInterrupt, SystemExit, asyncio.CancelledError)):
            raise _Stopped(type(exc).__name__) from None
        raise _bare(exc)
    finally:
        _flush()


def _flush():
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:
            pass


# A traceback deeper than these shows its outermost and innermost frames only.
_TB_HEAD = 30
_TB_TAIL = 30


def _bare(exc):
    """exc without its traceback or chain, to re-raise once error_info holds them: the
    JavaScript side then has nothing long to format (a deep recursion's frames)."""
    first, seen = exc, set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        _release(exc.__traceback__)
        exc.__traceback__ = None
        nxt = exc.__cause__ or exc.__context__
        exc.__cause__ = exc.__context__ = None
        exc = nxt
    return first


def _release(tb):
    """Free a traceback innermost frame first. Left to itself, a deep one is freed
    recursively (each frame its caller's), and the browser's stack, smaller than the
    interpreter's own checks assume, overflows."""
    tbs = []
    while tb is not None:
        tbs.append(tb)
        tb = tb.tb_next
    for tb in tbs:
        tb.tb_next = None
    # Not even the loop's last (innermost) one may outlive the list: its frame holds
    # every outer one, and freeing it last would free them all in one deep cascade.
    tb = None
    while tbs:
        tbs.pop()


def _describe(exc, filename, src):
    global error_info
    _remember_source(filename, src)
    tb = exc.__traceback__
    # Hide this runtime's own frames: the user should see their code only.
    while tb is not None and tb.tb_frame.f_code.co_filename == "${RUNTIME_FILENAME}":
        tb = tb.tb_next
    head, tail, count, line = [], collections.deque(maxlen=_TB_TAIL), 0, None
    for frame, lineno in traceback.walk_tb(tb):
        count += 1
        if count <= _TB_HEAD:
            head.append((frame, lineno))
        else:
            tail.append((frame, lineno))
        if frame.f_code.co_filename == filename:
            line = lineno
    if isinstance(exc, SyntaxError) and exc.filename == filename:
        line = exc.lineno
    if count <= _TB_HEAD + _TB_TAIL:
        text = "".join(traceback.format_exception(type(exc), exc, tb))
    else:
        # A deep recursion: formatting every frame (each one's source line parsed for
        # its markers) takes seconds per ten thousand. The outermost and innermost say
        # what happened.
        text = "".join(
            ["Traceback (most recent call last):\n"]
            + traceback.StackSummary.extract(iter(head)).format()
            + [f"  [... {count - len(head) - len(tail)} more frames ...]\n"]
            + traceback.StackSummary.extract(iter(tail)).format()
            + traceback.format_exception_only(type(exc), exc)
        )
    # Innermost first, as _release does (see there).
    while tail:
        tail.pop()
    del head
    message = exc.msg if isinstance(exc, SyntaxError) else str(exc)
    error_info = [type(exc).__name__, message, text, line]


def run(src, inputs):
    """Run one task: a fresh namespace seeded from setup, then inputs; returns the final expression."""
    awaits = False
    try:
        body, expr, awaits = _compile(src)
        ns = _SETUP.copy()
        if inputs is not None:
            ns.update(inputs)
        if awaits:
            return AsyncRun(_run_async(body, expr, ns, src, "<task>"))
        if body is not None:
            exec(body, ns)
        return eval(expr, ns) if expr is not None else None
    except BaseException as exc:
        _describe(exc, "<task>", src)
        raise _bare(exc)
    finally:
        if not awaits:
            _flush()


def run_setup(src):
    """Run setup in the namespace every task starts from; an AsyncRun if it awaits."""
    try:
        code = compile(src, "<setup>", "exec", flags=_FLAGS)
        if code.co_flags & _CO_COROUTINE:
            return AsyncRun(_run_async(code, None, _SETUP, src, "<setup>"))
        exec(code, _SETUP)
    except BaseException as exc:
        _describe(exc, "<setup>", src)
        raise _bare(exc)
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


class BlobFile(io.BytesIO):
    """A File or Blob from the caller's inputs: a read-only binary file with the name,
    MIME type and size it had in the page (wrap it in io.TextIOWrapper for text)."""

    def __init__(self, data, name, type):
        super().__init__(data)
        self.name = name
        self.type = type
        self.size = len(data)

    def writable(self):
        return False

    def write(self, *args):
        raise io.UnsupportedOperation("a File from the page is read-only")

    def truncate(self, *args):
        raise io.UnsupportedOperation("a File from the page is read-only")

    def __repr__(self):
        return f"<File name={self.name!r} type={self.type!r} size={self.size}>"


def blob_file(data, name, type):
    return BlobFile(data.to_bytes(), str(name), str(type))


def datetime_from_ms(ms):
    import datetime
    return datetime.datetime.fromtimestamp(ms / 1000, datetime.timezone.utc)


def reseed():
    # Workers restored from one snapshot share one random state; give each its own.
    random.seed()


_real_sleep = time.sleep
_NO_INPUT = (
    "input() has nothing to read: pass stdin text with the task (submit(code, { stdin })), "
    "or answer prompts with onInput on a cross-origin-isolated page"
)
# What the worker's wait hooks return besides an answer.
_EOF, _NO_SOURCE, _INTERRUPTED, _TIMED_OUT, _CANNOT_BLOCK = 0, 1, 2, 3, 4


def install_hooks(hooks):
    global _hooks
    _hooks = hooks
    builtins.input = _input
    if hooks.can_block:
        time.sleep = _sleep
    loop = asyncio.get_event_loop()
    # An interrupt or exit landing between an awaiting task's steps must not escape the
    # event loop into the worker (it would look like a crash); the task reports its own.
    loop._keyboard_interrupt_handler = lambda: None
    loop._system_exit_handler = lambda code: None


def _input(prompt=""):
    """input(): a line of the task's stdin, or the caller's answer to the prompt."""
    prompt = "" if prompt is None else str(prompt)
    if prompt:
        sys.stdout.write(prompt)
    _flush()
    line = _hooks.read_line(prompt)
    if isinstance(line, str):
        return line
    code, note = line
    if code == _INTERRUPTED:
        raise KeyboardInterrupt
    if code == _NO_SOURCE:
        raise EOFError(_NO_INPUT)
    raise EOFError(f"EOF when reading a line ({note})" if note else "EOF when reading a line")


def _sleep(secs):
    """time.sleep that an interrupt (cancel, timeout) ends at once."""
    if not isinstance(secs, (int, float)):
        secs = float(secs)
    if secs < 0:
        raise ValueError("sleep length must be non-negative")
    if _hooks.sleep(secs * 1000) == _INTERRUPTED:
        raise KeyboardInterrupt


def _receive(timeout=None):
    """Block until the caller sends this task a message (task.send(data)) and return it.
    With timeout (seconds), raise TimeoutError when none came in time. Needs a
    cross-origin-isolated page; use await receive_async() anywhere."""
    ms = -1 if timeout is None else float(timeout) * 1000
    if ms < -1 or (timeout is not None and ms < 0):
        raise ValueError("timeout must be non-negative")
    got = _hooks.receive(ms)
    if isinstance(got, dict):
        return got["v"]
    if got == _INTERRUPTED:
        raise KeyboardInterrupt
    if got == _TIMED_OUT:
        raise TimeoutError(f"no message arrived within {timeout} s")
    raise RuntimeError(
        "receive() blocks the worker, which needs a cross-origin-isolated page "
        "(SharedArrayBuffer); use 'await receive_async()' instead"
    )


async def _receive_async(timeout=None):
    """Wait for the next message the caller sends this task (task.send(data)), without
    blocking the worker. With timeout (seconds), raise TimeoutError when none came."""
    token, promise = _hooks.receive_async()
    try:
        if timeout is None:
            got = await promise
        else:
            got = await asyncio.wait_for(promise, timeout)
    except BaseException:
        # Not taken: a message arriving later stays for the next receive.
        _hooks.receive_abandoned(token)
        raise
    return got["v"] if isinstance(got, dict) else got.to_py()["v"]


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
_public.receive = _receive
_public.receive_async = _receive_async
_public.ConversionError = ConversionError
sys.modules["worker_pool"] = _public
` + MAP_SOURCE;

/** Python that installs {@link RUNTIME_SOURCE} as the module `_pyodide_pool`. */
export const RUNTIME_BOOTSTRAP = `
import sys, types
_m = types.ModuleType("_pyodide_pool")
exec(compile(${JSON.stringify(RUNTIME_SOURCE)}, "${RUNTIME_FILENAME}", "exec"), _m.__dict__)
sys.modules["_pyodide_pool"] = _m
del _m, sys, types
`;
