"""The module `_pyodide_pool_map`: a map chunk, one compiled body run per item in a loop.

A chunk answers {"values", "errors"}; each error is a record named as the task's failure
is in JavaScript, plus the item's index: {"index", "kind", "pythonType", "message",
"traceback", "line"}, kind "python", "timeout" (the item ran past its timeout) or
"conversion" (its value cannot become plain data).
"""
import ast, asyncio, time

import _pyodide_pool as _runtime

from _pyodide_pool import _CACHE_MAX, _SETUP, AsyncRun, _Stopped, _bare, _compile, _describe, _flush, _run_async, unconvertible_type

_MAP_CACHE = {}
_LOOSE = (ast.NamedExpr, ast.Yield, ast.YieldFrom, ast.Await)


def _compile_map(src):
    """How to run src once per item: ("call", code of a one-argument function) when it is a
    single expression that cannot bind names (so one function can run every item: a call
    instead of a namespace copy per item), ("async", body, expr) when it awaits, else
    ("exec", body, expr)."""
    entry = _MAP_CACHE.get(src)
    if entry is not None:
        return entry
    body, expr, awaits = _compile(src)
    if awaits:
        entry = ("async", body, expr)
    else:
        entry = ("exec", body, expr)
        tree = ast.parse(src, "<task>", "exec")
        if len(tree.body) == 1 and isinstance(tree.body[0], ast.Expr) and not any(isinstance(n, _LOOSE) for n in ast.walk(tree)):
            args = ast.arguments(posonlyargs=[], args=[ast.arg("item")], kwonlyargs=[], kw_defaults=[], defaults=[])
            fn = ast.Expression(ast.Lambda(args=args, body=tree.body[0].value))
            ast.fix_missing_locations(fn)
            entry = ("call", compile(fn, "<task>", "eval"), None)
    if len(_MAP_CACHE) >= _CACHE_MAX:
        _MAP_CACHE.pop(next(iter(_MAP_CACHE)))
    _MAP_CACHE[src] = entry
    return entry


def _item_runner(kind, body, expr, base):
    if kind == "call":
        return eval(body, base)

    def run_item(item):
        ns = base.copy()
        ns["item"] = item
        if body is not None:
            exec(body, ns)
        return eval(expr, ns) if expr is not None else None

    return run_item


def _item_error(index, kind, python_type, message):
    """An item's failure that raised nothing in Python (a timeout, a conversion)."""
    return {"index": index, "kind": kind, "pythonType": python_type, "message": message, "traceback": "", "line": None}


def _failure(index, exc, src):
    info = _describe(exc, "<task>", src)
    _bare(exc)  # a deep traceback is freed innermost first (see _release)
    return {"index": index, "kind": "python", **info}


def run_map(src, inputs, keep_going, timeout):
    """Run src once per item of inputs["items"], in order, each item in a fresh namespace
    over setup (and inputs["shared"], globals every item sees). Returns {"values", "errors"}
    (see the module's doc), timeout in seconds per item. Without keep_going the loop ends
    at the first failure. Code that awaits gets an AsyncRun."""
    items = inputs["items"]
    # Globals every item sees besides setup's (the map's inputs option).
    base = _SETUP.copy()
    shared = inputs.get("shared")
    if shared:
        base.update(shared)
    try:
        kind, body, expr = _compile_map(src)
    except BaseException as exc:
        # A syntax error fails every item alike: the first one reports it.
        return {"values": [], "errors": [_failure(0, exc, src)]}
    if kind == "async":
        return AsyncRun(_map_async(body, expr, items, src, keep_going, timeout, base))
    values, errors = [], []
    append = values.append
    call = _item_runner(kind, body, expr, base)
    clock = time.perf_counter
    start, count = 0, len(items)
    try:
        while start < count:
            rest = items if start == 0 else items[start:]
            try:
                if timeout is None:
                    for item in rest:
                        append(call(item))
                else:
                    for item in rest:
                        began = clock()
                        value = call(item)
                        if clock() - began > timeout:
                            errors.append(_item_error(len(values), "timeout", "TimeoutError", ""))
                            value = None
                            if not keep_going:
                                break
                        append(value)
                break
            except BaseException as exc:
                errors.append(_failure(len(values), exc, src))
                # An interrupt stops the chunk (its task was cancelled or timed out).
                if not keep_going or isinstance(exc, KeyboardInterrupt):
                    break
                append(None)
                start = len(values)
    finally:
        _flush()
    if errors and not keep_going:
        del values[errors[0]["index"]:]
    return {"values": values, "errors": errors}


async def _map_async(body, expr, items, src, keep_going, timeout, base):
    values, errors = [], []
    for index, item in enumerate(items):
        ns = base.copy()
        ns["item"] = item
        try:
            run = _run_async(body, expr, ns, src, "<task>")
            values.append(await (run if timeout is None else asyncio.wait_for(run, timeout)))
            continue
        except _Stopped:
            raise
        except (TimeoutError, asyncio.TimeoutError):
            errors.append(_item_error(index, "timeout", "TimeoutError", ""))
        except BaseException:
            # _run_async described it (and raised it bare).
            errors.append({"index": index, "kind": "python", **_runtime.error_info})
        if not keep_going:
            break
        values.append(None)
    return {"values": values, "errors": errors}


def fix_map(result):
    """The values of a map chunk that cannot become plain data turn into failures of
    their items (None in their place); returns how many did."""
    values, errors = result["values"], result["errors"]
    bad = 0
    for index, value in enumerate(values):
        name = unconvertible_type(value)
        if name is not None:
            values[index] = None
            errors.append(_item_error(index, "conversion", name, f"cannot convert a Python '{name}' to plain data"))
            bad += 1
    errors.sort(key=lambda e: e["index"])
    return bad
