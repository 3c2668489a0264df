"""Fuzz findings of array programs (seeds 322 and 200006; native tests in packages/llvm/tests/
test_fuzz_array_findings.py), in wasm through the Python loader, against NumPy 2."""

from __future__ import annotations

import numpy as np

from pyexec.backends.wasm.build import compile_functions
from pyexec.backends.wasm.loader import load
from pyexec.types import int32, uint8, uint32


def at_least(a: int32[:], x: int):
    return a >= x


def plus(a: int32[:], x: int):
    return a + x


def above(a: uint8[:], x: int):
    return a > x


def store_negative_float(a: uint32[:]):
    a[0] = -72.9
    return a


def outcome(fn, *args):
    try:
        r = fn(*args)
    except Exception as exc:  # the exception's type is the outcome
        return type(exc).__name__
    return (r.dtype, r.tolist()) if isinstance(r, np.ndarray) else r


def test_python_ints_outside_an_integer_arrays_dtype_compare_by_value_and_raise_in_arithmetic_in_wasm():
    module = load(compile_functions([at_least, plus, above, store_negative_float]).wasm)
    a = np.array([-4, -2, 5, 6], dtype=np.int32)
    for x in (2**31, -(2**31) - 1, 2**63 - 1, 5):
        assert outcome(module.at_least, a, x) == outcome(at_least, a, x)
        assert outcome(module.plus, a, x) == outcome(plus, a, x)
    assert outcome(module.plus, a, 2**31) == "OverflowError"
    u = np.array([0, 5, 255], dtype=np.uint8)
    assert outcome(module.above, u, -1) == outcome(above, u, -1) == (np.dtype(bool), [True, True, True])
    assert outcome(module.store_negative_float, np.zeros(2, np.uint32)) == "OverflowError"
