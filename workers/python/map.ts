/**
 * The part of the `_pyodide_pool` module (see `python/runtime.ts`) that runs map chunks
 * and steps generator tasks. It is appended to that module's source, so it shares its
 * names: `_compile`, `_describe`, `_SETUP`, `_hooks`, `error_info`, `AsyncRun`…
 *
 * @internal
 */
export const MAP_SOURCE = String.raw`
# ---- map: one compiled body, run per item in a loop -------------------------------

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


def _failure(index, exc, src, kind="python"):
    _describe(exc, "<task>", src)
    _bare(exc)  # a deep traceback is freed innermost first (see _release)
    return [index, *error_info, kind]


def run_map(src, inputs, keep_going, timeout):
    """Run src once per item of inputs["items"], in order, each item in a fresh namespace
    over setup (and inputs["shared"], globals every item sees). Returns {"values", "errors"}: errors are [index, type, message, traceback,
    line, kind], kind "python" or "timeout" (the item ran past timeout seconds). Without
    keep_going the loop ends at the first failure. Code that awaits gets an AsyncRun."""
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
                            errors.append([len(values), "TimeoutError", "", "", None, "timeout"])
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
        del values[errors[0][0]:]
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
            errors.append([index, "TimeoutError", "", "", None, "timeout"])
        except BaseException:
            errors.append([index, *error_info, "python"])
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
            errors.append([index, name, f"cannot convert a Python '{name}' to plain data", "", None, "conversion"])
            bad += 1
    errors.sort(key=lambda e: e[0])
    return bad


# ---- generator tasks: each yield is a point where the worker may switch ------------

_gen_result = None


def step(gen, src):
    """Advance a generator task to its next yield: 0 while it runs on (a yielded float in
    [0, 1] is progress, anything else but None is data), 1 once it returned (see
    take_result)."""
    global _gen_result
    try:
        value = next(gen)
    except StopIteration as stop:
        _gen_result = stop.value
        return 1
    except BaseException as exc:
        _describe(exc, "<task>", src)
        raise _bare(exc)
    finally:
        _flush()
    if value is None:
        return 0
    if type(value) is float and 0.0 <= value <= 1.0:
        _hooks.progress(value, None)
    else:
        problem = _hooks.emit(value)
        if problem:
            gen.close()
            exc = ConversionError(f"a yielded value could not be sent: {problem}")
            _describe(exc, "<task>", src)
            raise exc
    return 0


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


`;
