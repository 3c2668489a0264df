"""Every golden program of the frontend, compiled to wasm and run in wasmtime through the loader, against CPython on
hypothesis-generated arguments (edge values 0, -1, int64 limits, NaN, inf, -0.0 included): same value, same exception
type, same printed output.

The oracle's deliberate differences are the native backend's (DESIGN.md "Semantics"): Python's ``int`` is 64-bit
(CPython leaving int64 means OverflowError for us), ``int ** negative`` raises ValueError, a float ``**`` that
overflows gives ``inf`` as C's ``pow`` does. Any other departure from CPython must be exactly the native backend's
behaviour (``aot`` of the same function): the two share one lowering. Functions whose parameters or result are complex
cannot cross the wasm boundary as one value: the build refuses them with a clear error (checked).
"""

from __future__ import annotations

import contextlib
import io
import math
import warnings
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pyexec.backends.llvm import aot
from pyexec.backends.wasm import WasmBuildError, compile_ir_module, load
from pyexec.frontend import analyze_file
from pyexec.frontend.ir import nodes as n
from pyexec.frontend.ir.types import StrT

GOLDEN = Path(__file__).resolve().parents[2] / "frontend" / "tests" / "golden"
CASES = sorted(GOLDEN.glob("*.py")) if GOLDEN.is_dir() else []
INT_MIN, INT_MAX = -(2**63), 2**63 - 1


def _needs_small_ints(func: n.Function) -> bool:
    """Loops run as many times as their bounds say, and CPython's unbounded ``a ** b`` / ``a << b`` (and
    ``math.factorial``/``comb``/``perm``) would compute astronomically large ints for int64-sized operands: such
    functions get small integers."""
    stack: list[object] = list(func.body)
    while stack:
        node = stack.pop()
        if isinstance(node, (n.While, n.ForRange)):
            return True
        if isinstance(node, n.BinOp) and node.op in ("pow", "lshift") and node.type.is_integer:
            return True
        if isinstance(node, n.Intrinsic) and node.name in ("math.factorial", "math.comb", "math.perm"):
            return True  # CPython computes them exactly however large (factorial(10**18) never ends)
        for value in vars(node).values():
            if isinstance(value, list):
                stack.extend(v for v in value if hasattr(v, "loc"))
            elif hasattr(value, "loc") and not isinstance(value, (n.Param, n.Local, n.Loc)):
                stack.append(value)
    return False


def _strategy(t, bounded: bool):
    if hasattr(t, "items"):  # a tuple: one strategy per item
        return st.tuples(*(_strategy(i, bounded) for i in t.items))
    if isinstance(t, StrT):  # text with non-ASCII, emoji, NUL, empty
        return st.one_of(st.text(max_size=12), st.sampled_from(["", "ab", "é", "😀a", "a\x00b"]))
    info = t.info
    if t.is_bool:
        return st.booleans()
    lo, hi = info.min_value, info.max_value
    if t.is_integer:
        if bounded:
            return st.integers(max(lo, -30), min(hi, 300))
        edges = [v for v in (0, 1, -1, 2, 3, lo, hi, lo + 1, hi - 1) if lo <= v <= hi]
        return st.one_of(st.sampled_from(edges), st.integers(max(lo, -1000), min(hi, 1000)), st.integers(lo, hi))
    edge = st.sampled_from([0.0, -0.0, 1.0, -1.0, 0.5, 2.5, 1e308, -1e308, math.inf, -math.inf, math.nan])
    width = 32 if info.bits == 32 else 64
    return st.one_of(edge, st.floats(-1e6, 1e6, width=width), st.floats(width=width))


def _to_python_arg(value, t):
    if hasattr(t, "items"):
        return tuple(_to_python_arg(v, i) for v, i in zip(value, t.items))
    if isinstance(t, StrT):
        return value
    if t.is_integer and not t.checked:
        return np.dtype(t.info.numpy_dtype).type(value)
    if t.is_float and t.info.bits == 32:
        return np.float32(value)
    return value


def _run(fn, args):
    out = io.StringIO()
    with contextlib.redirect_stdout(out), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            with np.errstate(all="ignore"):
                value = fn(*args)
        except (ArithmeticError, ValueError, AssertionError, RecursionError) as exc:
            return ("raises", type(exc).__name__), out.getvalue()
    return ("value", value), out.getvalue()


def _normal(value, t):
    if t is None or value is None:
        return value
    if hasattr(t, "items"):
        if not isinstance(value, tuple) or len(value) != len(t.items):
            return ("not a tuple of the right length", value)
        return tuple(_normal(v, i) for v, i in zip(value, t.items))
    if t.is_float:
        f = float(value)
        return "nan" if f != f else (f, math.copysign(1.0, f))
    if t.is_bool:
        return bool(value)
    return int(value)


def _fits_int64(value) -> bool:
    return not isinstance(value, int) or isinstance(value, bool) or INT_MIN <= value <= INT_MAX


def _check(case: str, func: n.Function, compiled, native, python, args) -> None:
    ret_t = func.return_type if hasattr(func.return_type, "info") or hasattr(func.return_type, "items") else None
    wasm_res, wasm_out = _run(compiled, args)
    python_res, python_out = _run(python, [_to_python_arg(a, p.type) for a, p in zip(args, func.params)])
    if python_res[0] == "value" and ret_t is not None and getattr(ret_t, "checked", False) \
            and not _fits_int64(python_res[1]):
        python_res = ("raises", "OverflowError")
    if wasm_res == python_res and wasm_out == python_out:
        return
    where = f"{case}:{func.name}{tuple(args)}: wasm {wasm_res} {wasm_out!r}, CPython {python_res} {python_out!r}"
    if python_res == ("raises", "RecursionError"):
        # CPython's recursion limit (1000 frames) is not ours: deeper recursion runs until int64 overflows
        # or the wasm stack is exhausted, which is a RecursionError too.
        assert wasm_res[0] == "raises" and wasm_res[1] in ("RecursionError", "OverflowError"), where
        return
    native_res, native_out = _run(native, args)
    if (wasm_res, wasm_out) == (native_res, native_out) and native_res != python_res:
        # The wasm backend shares the native backend's lowering: where that lowering parts from CPython
        # (pyexec-llvm's differential tests own those cases), wasm must behave exactly as native does.
        return
    if wasm_res[0] == "raises" and wasm_res[1] == "OverflowError":
        # an intermediate int result outside int64 (CPython's ints are unbounded)
        assert any(isinstance(a, int) and abs(a) > 2**20 for a in args) or python_res[0] == "value", where
        return
    if wasm_res[0] == "raises" and wasm_res[1] == "ValueError" and python_res[0] == "value":
        assert isinstance(python_res[1], (float, complex)), where  # int ** negative, negative ** fractional
        return
    if python_res == ("raises", "OverflowError") and wasm_res[0] == "value":
        assert _normal(wasm_res[1], ret_t) == "nan" or math.isinf(wasm_res[1]), where
        return
    assert wasm_res[0] == python_res[0] == "value", where
    assert _normal(wasm_res[1], ret_t) == _normal(python_res[1], ret_t), where
    assert wasm_out == python_out, where


def _public_type_names() -> None:
    """Golden programs import the scalar types from ``pyexec`` (the meta-package re-exports ``pyexec.types``).

    Without the meta-package installed (this package's own test session), ``pyexec`` is a bare namespace:
    give it the same objects so that CPython can run the programs as written.
    """
    import pyexec
    import pyexec.types

    for name in ("int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64", "float32", "float64",
                 "complex64", "complex128", "bool_"):
        if not hasattr(pyexec, name):
            setattr(pyexec, name, getattr(pyexec.types, name))


def _load_namespace(path: Path) -> dict[str, object]:
    _public_type_names()
    namespace: dict[str, object] = {"__name__": f"golden_{path.stem}"}
    exec(compile(path.read_text(), str(path), "exec"), namespace)
    return namespace


def _crosses_boundary(func: n.Function) -> bool:
    types = [p.type for p in func.params] + [func.return_type]
    scalars = [i for t in types for i in getattr(t, "items", (t,))]
    return not any(getattr(t, "is_complex", False) or getattr(getattr(t, "dtype", None), "is_complex", False)
                   for t in scalars)


def _scalars_only(func: n.Function) -> bool:
    return not any(hasattr(t, "ndim") for t in [p.type for p in func.params] + [func.return_type])


@pytest.mark.skipif(not CASES, reason="the frontend's golden cases are not in this checkout")
@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_golden_program_in_wasm_matches_cpython(path: Path) -> None:
    module = analyze_file(path)
    namespace = _load_namespace(path)
    exported = [name for name, f in module.functions.items() if _crosses_boundary(f)]
    for name in module.functions:
        if name not in exported:
            with pytest.raises(WasmBuildError, match="cannot cross the WebAssembly boundary"):
                compile_ir_module(module, functions=[name])
    if not exported:
        return
    loaded = load(compile_ir_module(module, functions=exported, optimize=2).wasm)
    for name in exported:
        if not _scalars_only(module.functions[name]):
            continue  # array functions: test_wasm_arrays.py runs them against NumPy with array strategies
        native = aot(namespace[name], cache=False)
        _differential(path.stem, module.functions[name], getattr(loaded, name), native, namespace[name])


def _differential(case: str, func: n.Function, compiled, native, python) -> None:
    strategies = [_strategy(p.type, _needs_small_ints(func)) for p in func.params]

    @settings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
    @given(st.tuples(*strategies))
    def run(args):
        _check(case, func, compiled, native, python, list(args))

    run()
