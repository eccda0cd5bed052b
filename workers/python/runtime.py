"""The module `_pyodide_pool`: how a pool worker runs a task's Python. Code is compiled
once per source text, run in a fresh namespace over setup's, and a failure is described
as a record the worker sends as it is (`error_info`).

It holds no reference to a JavaScript object: the modules that do (waits.py) get them
only after a memory snapshot is taken, since snapshots cannot contain JS references.
"""
import ast, asyncio, collections, inspect, io, linecache, random, sys, traceback

_SETUP = {"__name__": "__main__", "__builtins__": __builtins__}
_CACHE = {}
_CACHE_MAX = 512
# The last failure, as _describe records it (see there).
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


# The file name the runtime's modules are compiled under (one for all of them, chosen by
# the bootstrap that installs them): tracebacks leave out frames of this file.
_OWN_FILE = _flush.__code__.co_filename


def _describe(exc, filename, src):
    """Record exc as error_info, the failure the worker sends: {"pythonType", "message",
    "traceback", "line"} (the line in src, or None), named as the task's failure is in
    JavaScript. Returns it too."""
    global error_info
    _remember_source(filename, src)
    tb = exc.__traceback__
    # Hide this runtime's own frames: the user should see their code only.
    while tb is not None and tb.tb_frame.f_code.co_filename == _OWN_FILE:
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
    error_info = {"pythonType": type(exc).__name__, "message": message, "traceback": text, "line": line}
    return error_info


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
