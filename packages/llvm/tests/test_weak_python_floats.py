"""A Python ``float`` is weak against NumPy's float32, wherever it comes from (issue 12 item 3): compiled code
computes ``p + y`` in float32 as CPython does on NumPy 2 scalars, not in float64 and rounded afterwards."""

from __future__ import annotations

import numpy as np

from pyexec.backends.llvm import aot
from pyexec.types import float32

P, Y = 0.8357651039198697, 0.00043276706  # float32 arithmetic and float64-then-round differ here


def add_param(p: float, y: float32) -> float32:
    return p + y


def add_local(p: float, y: float32) -> float32:
    q = p * 1.0
    return q + y


def test_a_float_parameter_plus_float32_is_float32_arithmetic_like_cpython():
    expected = P + np.float32(Y)
    assert type(expected) is np.float32
    assert expected != np.float32(P + float(np.float32(Y)))  # the case tells the two roundings apart
    assert aot(add_param)(P, Y) == float(expected) == float(add_param(P, np.float32(Y)))


def test_a_local_holding_a_python_float_is_weak_too():
    assert aot(add_local)(P, Y) == float(add_local(P, np.float32(Y)))


def equal(p: float, y: float32) -> bool:
    return p == y


def test_a_float_parameter_compares_with_float32_in_float32_like_numpy():
    # NumPy 2 converts the weak Python float to float32 before comparing: 0.1 == np.float32(0.1)
    assert (0.1 == np.float32(0.1)) is np.True_
    assert aot(equal)(0.1, 0.1) is True
    assert aot(equal)(0.1, 0.2) is bool(0.1 == np.float32(0.2))
