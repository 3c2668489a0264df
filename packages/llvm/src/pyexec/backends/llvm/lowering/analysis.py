"""Whole-module analyses: which functions can fault, which recurse, which need an unwind point."""

from __future__ import annotations

from collections.abc import Iterator

from pyexec.backends.llvm.lowering.strings import faults_locally
from pyexec.frontend.ir import nodes as n
from pyexec.frontend.ir.types import ArrayT, NoneT

# --- which functions can fault -------------------------------------------------------------------


def _children(node: object) -> Iterator[object]:
    for value in vars(node).values():
        if isinstance(value, list):
            yield from (v for v in value if hasattr(v, "loc"))
        elif hasattr(value, "loc") and not isinstance(value, (n.Param, n.Local, n.Loc)):
            yield value


def _walk(body: list[n.Stmt]) -> Iterator[object]:
    stack: list[object] = list(body)
    while stack:
        node = stack.pop()
        yield node
        stack.extend(_children(node))


def _faults_locally(node: object, checked_ints: bool, python_runtime: bool = False) -> bool:
    """Whether this one node (not its children) may set the error state."""
    if isinstance(node, (n.Assert,)) or faults_locally(node):
        return True
    if isinstance(node, (n.GetItem, n.SetItem)):
        return node.boundscheck  # IndexError
    if isinstance(node, n.FillArray):
        return isinstance(node.value.type, ArrayT)  # shapes that do not broadcast; the copy of an overlap
    if isinstance(node, (n.FitInt, n.ArrayNew, n.ArrayRange, n.ArrayView, n.ArrayCopy, n.ArrayMap, n.MatMul,
                         n.Eye, n.LinSpace)) or (
            isinstance(node, n.Reduce) and (node.op in ("min", "max", "argmin", "argmax") or node.axis is not None)):
        return True  # OverflowError; negative dimensions, too big, out of memory; arange's zero step
    if python_runtime and isinstance(node, (n.Print, n.While, n.ForRange)):
        return True  # print may raise (sys.stdout.write); a loop polls for KeyboardInterrupt
    if isinstance(node, n.ForRange):
        steps = [node.step] + [z.step for z in node.zipped]
        # an enumerate() counter of Python's int raises OverflowError past int64
        counters = any(z.stop is None and z.var.type.checked and checked_ints for z in node.zipped)
        return counters or not all(isinstance(s, n.Const) and s.value != 0 for s in steps)
    if isinstance(node, n.BinOp):
        t = node.type
        if node.op in ("floordiv", "mod", "truediv", "pow"):
            return True
        if node.op in ("lshift", "rshift"):
            return t.checked
        return t.checked and checked_ints and node.op in ("add", "sub", "mul")
    if isinstance(node, n.UnaryOp):
        return node.op == "neg" and node.type.checked and checked_ints
    if isinstance(node, n.Cast):
        return node.type.checked and (node.value.type.is_float or node.value.type.kind == "uint")
    if isinstance(node, n.Intrinsic):
        if node.name in ("abs",):
            return (node.type.checked and checked_ints) or node.args[0].type.is_complex
        return node.name not in ("min", "max", "math.fabs", "math.copysign", "math.isnan", "math.isinf",
                                 "math.isfinite", "math.atan", "math.atan2", "math.tanh", "math.hypot",
                                 "complex.real", "complex.imag", "complex.conjugate", "round_ndigits",
                                 "math.asinh", "math.cbrt", "math.erf", "math.erfc", "complex.make",
                                 "complex.numpy_pow")
    return False


def fallible_functions(module: n.Module, overflow: str = "check", python_runtime: bool = False,
                       triple: str = "") -> set[str]:
    """Names of the functions that may set the error state (directly or through a call).

    Natively a recursive function is among them (running past the stack limit sets RecursionError,
    then unwinds straight to the entry point, :func:`guarded_call`). On wasm (``triple`` starting
    with ``wasm``) it is not: there the engine's own stack exhaustion is a trap, which the hosts turn
    into RecursionError, so a recursive ``fib`` in wrapping mode pays nothing for the error state.
    With ``python_runtime`` (code running inside CPython, see :func:`lower_module`) loops and
    ``print`` may raise too.

    Example:
        >>> fallible_functions(n.Module({}))
        set()
    """
    checked = overflow == "check"
    local: dict[str, bool] = {}
    calls: dict[str, set[str]] = {}
    for name, func in module.functions.items():
        stack: list[object] = list(func.body)
        faults, callees = False, set()
        while stack:
            node = stack.pop()
            if isinstance(node, n.Call):
                callees.add(node.callee)
            faults = faults or _faults_locally(node, checked, python_runtime)
            stack.extend(_children(node))
        # a function that may reach its end without a return reports that as a fault
        falls_off = not isinstance(func.return_type, NoneT) and not (func.body and isinstance(func.body[-1], n.Return))
        local[name], calls[name] = faults or falls_off, callees
    result = {name for name, f in local.items() if f}
    if not triple.startswith("wasm"):
        result |= recursive_functions(module)  # natively, running past the stack limit is a fault
    changed = True
    while changed:
        changed = False
        for name, callees in calls.items():
            if name not in result and callees & result:
                result.add(name)
                changed = True
    return result


def _callees(func: n.Function) -> set[str]:
    found: set[str] = set()
    stack: list[object] = list(func.body)
    while stack:
        node = stack.pop()
        if isinstance(node, n.Call):
            found.add(node.callee)
        stack.extend(_children(node))
    return found


def recursive_functions(module: n.Module) -> set[str]:
    """Functions that can reach themselves through calls: they check the stack budget on entry.

    Example:
        >>> recursive_functions(n.Module({}))
        set()
    """
    graph = {name: _callees(f) & set(module.functions) for name, f in module.functions.items()}
    result = set()
    for start in graph:
        seen: set[str] = set()
        pending = list(graph[start])
        while pending:
            name = pending.pop()
            if name == start:
                result.add(start)
                break
            if name not in seen:
                seen.add(name)
                pending.extend(graph[name])
    return result


def guarded_functions(module: n.Module, overflow: str = "check", triple: str = "",
                      python_runtime: bool = False) -> set[str]:
    """Functions whose entry points set an unwind point (``_setjmp``): they recurse, or call a
    function that may fault. A fault below such an entry ``longjmp``s straight back to it, so call
    sites inside compiled code never test the error state. None on wasm (no ``setjmp`` there:
    call sites test the error state instead).

    Example:
        >>> guarded_functions(n.Module({}))
        set()
    """
    if triple.startswith("wasm"):
        return set()
    fallible = fallible_functions(module, overflow, python_runtime)
    recursive = recursive_functions(module)
    return {name for name, f in module.functions.items() if name in recursive or _callees(f) & fallible}
