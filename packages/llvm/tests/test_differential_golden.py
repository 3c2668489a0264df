"""Every golden program of the frontend, compiled with ``aot`` and run against CPython on
hypothesis-generated arguments (edge values included): same value, same exception, same output.

CPython runs the same source with NumPy scalars for the fixed-width parameters. Where pyexec
deliberately differs from CPython (DESIGN.md "Semantics"), the oracle says so explicitly:
- Python's ``int`` is 64-bit: CPython computing a value outside int64 (even in an intermediate
  step) means OverflowError for us;
- ``int ** negative int`` and ``negative float ** fractional`` raise ValueError instead of
  giving a float / complex; a float ``**`` overflowing gives ``inf`` (C's ``pow``) where CPython raises;
- CPython's recursion limit (1000 frames) is not ours (a native stack budget, deeper);
- a fixed-width integer meeting a Python ``int`` outside its range wraps (the frontend's promotion),
  where NumPy 2 raises OverflowError.
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
from pyexec.frontend import analyze_file
from pyexec.frontend.ir import nodes as n
from pyexec.frontend.ir.types import ArrayT, StrT

GOLDEN = Path(__file__).resolve().parents[2] / "frontend" / "tests" / "golden"
CASES = sorted(GOLDEN.glob("*.py")) if GOLDEN.is_dir() else []
INT_MIN, INT_MAX = -(2**63), 2**63 - 1


def _contains(func: n.Function, predicate) -> bool:
    stack: list[object] = list(func.body)
    while stack:
        node = stack.pop()
        if predicate(node):
            return True
        for value in vars(node).values():
            if isinstance(value, list):
                stack.extend(v for v in value if hasattr(v, "loc"))
            elif hasattr(value, "loc") and not isinstance(value, (n.Param, n.Local)):
                stack.append(value)
    return False


def _has_loop(func: n.Function) -> bool:
    return _contains(func, lambda node: isinstance(node, (n.While, n.ForRange)))


def _has_pow(func: n.Function) -> bool:
    return _contains(func, lambda node: (isinstance(node, n.BinOp) and node.op == "pow")
                     or (isinstance(node, n.Intrinsic) and node.name == "math.pow"))


def _has_big_int_math(func: n.Function) -> bool:
    """math.factorial/comb/perm: CPython computes them exactly however large (factorial(10**18) never ends)."""
    return _contains(func, lambda node: isinstance(node, n.Intrinsic)
                     and node.name in ("math.factorial", "math.comb", "math.perm"))


def _strategy(t, bounded: bool):
    if hasattr(t, "items"):  # a tuple: one strategy per item
        return st.tuples(*(_strategy(i, bounded) for i in t.items))
    if isinstance(t, StrT):  # text with non-ASCII, emoji, NUL, empty
        return st.one_of(st.text(max_size=12), st.sampled_from(["", "ab", "é", "😀a", "a\x00b"]))
    if isinstance(t, ArrayT):
        return _array_strategy(t)
    info = t.info
    if t.is_bool:
        return st.booleans()
    if t.is_integer:
        lo, hi = info.min_value, info.max_value
        if bounded:
            return st.integers(max(lo, -30), min(hi, 300))
        edges = [v for v in (0, 1, -1, 2, 3, lo, hi, lo + 1, hi - 1) if lo <= v <= hi]
        return st.one_of(st.sampled_from(edges), st.integers(max(lo, -1000), min(hi, 1000)), st.integers(lo, hi))
    if t.is_float:
        edge = st.sampled_from([0.0, -0.0, 1.0, -1.0, 0.5, 2.5, 1e308, -1e308, math.inf, -math.inf, math.nan])
        width = 32 if info.bits == 32 else 64
        return st.one_of(edge, st.floats(-1e6, 1e6, width=width), st.floats(width=width))
    part = st.one_of(st.sampled_from([0.0, -0.0, 1.0, -2.5, math.inf, math.nan]), st.floats(-100, 100))
    return st.builds(complex, part, part)


def _array_strategy(t: ArrayT):
    """Small arrays of ``t`` (0 to 4 per axis, edge values included), as given or as a reversed or
    strided view (C-contiguous types get C-contiguous arrays)."""
    element = _strategy(t.dtype, bounded=True)
    shape = st.tuples(*[st.integers(0, 4)] * t.ndim)

    def build(s):
        size = int(np.prod(s))
        return st.lists(element, min_size=size, max_size=size).map(
            lambda xs: np.array(xs, dtype=t.dtype.info.numpy_dtype).reshape(s))

    arrays = shape.flatmap(build)
    if t.layout == "C":
        return arrays
    return arrays.flatmap(lambda a: st.sampled_from([a, a[::-1], a[::2], a.T]))


def _to_python_arg(value, t):
    """The value CPython's run gets: a NumPy scalar for the fixed-width types, a copy of an array."""
    if hasattr(t, "items"):
        return tuple(_to_python_arg(v, i) for v, i in zip(value, t.items))
    if isinstance(t, ArrayT):
        return value.copy()
    if isinstance(t, StrT):
        return value
    if t.is_integer and not t.checked:
        return np.dtype(t.info.numpy_dtype).type(value)
    if t.is_float and t.info.bits == 32:
        return np.float32(value)
    if t.is_complex and t.info.bits == 64:
        return np.complex64(value)
    return value


def _run(fn, args):
    out = io.StringIO()
    with contextlib.redirect_stdout(out), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            with np.errstate(all="ignore"):
                value = fn(*args)
        except (ArithmeticError, ValueError, AssertionError, RecursionError, IndexError) as exc:
            return ("raises", type(exc).__name__), out.getvalue()
    return ("value", value), out.getvalue()


def _normal(value, t):
    if t is None or value is None:
        return value
    if hasattr(t, "items"):
        if not isinstance(value, tuple) or len(value) != len(t.items):
            return ("not a tuple of the right length", value)
        return tuple(_normal(v, i) for v, i in zip(value, t.items))
    if t.is_complex:
        c = complex(value)
        return (_normal(c.real, _F), _normal(c.imag, _F))
    if t.is_float:
        f = float(value)
        return "nan" if f != f else (f, math.copysign(1.0, f))
    if t.is_bool:
        return bool(value)
    return int(value)


class _F:
    is_complex = False
    is_float = True
    is_bool = False


def _fits_int64(value) -> bool:
    return not isinstance(value, int) or isinstance(value, bool) or INT_MIN <= value <= INT_MAX


def _check(case: str, func: n.Function, native, python, args) -> None:
    ret_t = func.return_type if hasattr(func.return_type, "info") or hasattr(func.return_type, "items") else None
    python_args = [_to_python_arg(a, p.type) for a, p in zip(args, func.params)]
    native_res, native_out = _run(native, args)
    python_res, python_out = _run(python, python_args)
    for a, b in zip(args, python_args):  # arrays written in place: the same elements as NumPy's
        if isinstance(a, np.ndarray):
            assert np.array_equal(a, b, equal_nan=True), f"{case}:{func.name}: {a!r} != {b!r}"
    if python_res[0] == "value" and ret_t is not None and getattr(ret_t, "checked", False) \
            and not _fits_int64(python_res[1]):
        python_res = ("raises", "OverflowError")
    if isinstance(python_res[1], np.ndarray) or isinstance(native_res[1], np.ndarray):  # a returned array
        where = f"{case}:{func.name}: native {native_res}, CPython {python_res}"
        assert native_res[0] == python_res[0] == "value", where
        assert native_res[1].dtype == python_res[1].dtype, where
        assert np.array_equal(native_res[1], python_res[1], equal_nan=True), where
        return
    if native_res == python_res and native_out == python_out:
        return
    if python_res == ("raises", "RecursionError"):
        return  # CPython stops at 1000 frames; native code has a larger stack budget
    where = f"{case}:{func.name}{tuple(args)}: native {native_res} {native_out!r}, CPython {python_res} {python_out!r}"
    if native_res[0] == "raises" and native_res[1] == "OverflowError":
        # an intermediate int result outside int64 (CPython's ints are unbounded)
        assert any(isinstance(a, int) and abs(a) > 2**20 for a in args) or python_res[0] == "value", where
        return
    if native_res == ("raises", "ValueError") and _has_pow(func):
        # int ** negative, negative ** fractional: CPython gives a float / complex (and may fail later)
        assert python_res[0] == "value" or python_res[1] == "OverflowError", where
        return
    if python_res == ("raises", "OverflowError") and native_res[0] == "value":
        fixed_width = any(isinstance(p.type, ArrayT) or (getattr(p.type, "is_integer", False) and not p.type.checked)
                          for p in func.params)
        overflowed = _normal(native_res[1], ret_t) == "nan" or math.isinf(abs(complex(native_res[1])))
        assert fixed_width or (overflowed and _has_pow(func)), where
        return
    assert native_res[0] == python_res[0] == "value", where
    assert _normal(native_res[1], ret_t) == _normal(python_res[1], ret_t), where
    assert native_out == python_out, where


def _load(path: Path):
    namespace: dict[str, object] = {"__name__": f"golden_{path.stem}"}
    code = compile(path.read_text(), str(path), "exec")
    exec(code, namespace)
    return namespace


@pytest.fixture
def pyexec_scalar_names(monkeypatch: pytest.MonkeyPatch) -> None:
    """Golden programs write ``from pyexec import int32``: the meta-package re-exports the scalar types
    of ``pyexec.types``. Where only this package's dependencies are installed, give the namespace
    those same objects, so CPython can run the programs."""
    import pyexec
    import pyexec.types
    from pyexec.types.table import SCALARS

    for name in SCALARS:
        if not hasattr(pyexec, name):
            monkeypatch.setattr(pyexec, name, getattr(pyexec.types, name), raising=False)


@pytest.mark.skipif(not CASES, reason="the frontend's golden cases are not in this checkout")
@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_golden_program_matches_cpython(path: Path, pyexec_scalar_names: None) -> None:
    module = analyze_file(path)
    namespace = _load(path)
    for name, func in module.functions.items():
        _differential(path.stem, func, aot(namespace[name], cache=False), namespace[name])


def _differential(case: str, func: n.Function, native, python) -> None:
    # keeps CPython's side fast (no 10**18-step loops, powers or factorials)
    bounded = _has_loop(func) or _has_pow(func) or _has_big_int_math(func)
    strategies = [_strategy(p.type, bounded) for p in func.params]

    @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
    @given(st.tuples(*strategies))
    def run(args):
        _check(case, func, native, python, list(args))

    run()
