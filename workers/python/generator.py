"""The module `_pyodide_pool_generator`: a generator task, stepped one yield at a time by
the worker (each yield is a point where it may switch to a more urgent task)."""
from _pyodide_pool import ConversionError, _bare, _describe, _flush
import _pyodide_pool_waits as _waits

_gen_result = None


def step(gen, src):
    """Advance a generator task to its next yield; True once it returned (its value is
    take_result()'s). A yielded float in [0, 1] is progress, anything else but None is
    data."""
    global _gen_result
    try:
        value = next(gen)
    except StopIteration as stop:
        _gen_result = stop.value
        return True
    except BaseException as exc:
        _describe(exc, "<task>", src)
        raise _bare(exc)
    finally:
        _flush()
    if value is None:
        return False
    if type(value) is float and 0.0 <= value <= 1.0:
        _waits._hooks.progress(value, None)
    else:
        problem = _waits._hooks.emit(value)
        if problem:
            gen.close()
            exc = ConversionError(f"a yielded value could not be sent: {problem}")
            _describe(exc, "<task>", src)
            raise exc
    return False


def take_result():
    global _gen_result
    value, _gen_result = _gen_result, None
    return value


def close_generator(gen):
    """Stop a generator task at its yield (cancel, timeout): its finally blocks run."""
    try:
        gen.close()
    except BaseException:
        pass
