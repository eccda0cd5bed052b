"""The module `_pyodide_pool_waits`: what task code waits for and sends while it runs
(input(), time.sleep, receive(), progress, emit), through the worker's hooks, and the
public `worker_pool` module that task code imports.

The hooks (workers/worker/waits.ts) are JavaScript, so install_hooks runs after any
memory snapshot is taken. What a wait ends with besides an answer is one of the hooks'
`ends` (interrupted, timed out...): defined there once, read here by name.
"""
import asyncio, builtins, sys, time, types

from _pyodide_pool import ConversionError, _flush

_hooks = None
# How a wait ended without an answer: set from hooks.ends by install_hooks.
_NO_SOURCE = _INTERRUPTED = _TIMED_OUT = None

_NO_INPUT = (
    "input() has nothing to read: pass stdin text with the task (submit(code, { stdin })), "
    "or answer prompts with onInput on a cross-origin-isolated page"
)


def install_hooks(hooks):
    global _hooks, _NO_SOURCE, _INTERRUPTED, _TIMED_OUT
    _hooks = hooks
    ends = hooks.ends
    _NO_SOURCE, _INTERRUPTED, _TIMED_OUT = ends.no_source, ends.interrupted, ends.timed_out
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
    # No line: {end, note}, note saying why (from the caller) when the input ended.
    if line.end == _INTERRUPTED:
        raise KeyboardInterrupt
    if line.end == _NO_SOURCE:
        raise EOFError(_NO_INPUT)
    note = line.note
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
    asked = _hooks.receive_async()
    try:
        if timeout is None:
            got = await asked.promise
        else:
            got = await asyncio.wait_for(asked.promise, timeout)
    except BaseException:
        # Not taken: a message arriving later stays for the next receive.
        _hooks.receive_abandoned(asked.token)
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
