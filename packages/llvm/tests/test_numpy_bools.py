"""NumPy's bool_ in arithmetic, as CPython computes it on NumPy 2 scalars: ``+`` is a logical or, ``*`` a logical
and, a comparison of NumPy values is a bool_ (``np.int8(3) > 0``), and a Python int with a bool_ is int64."""

from __future__ import annotations

import numpy as np
import pytest

from pyexec.backends.llvm import aot
from pyexec.types import bool_, int8, int64


def add_bools(a: bool_, b: bool_) -> bool_:
    return a + b


def count_positive(x: int8, y: int8) -> int:
    return int((x > 0) + (y > 0))


def bool_plus_int(a: bool_, n: int) -> int64:
    return a + n


def bool_floordiv(a: bool_, b: bool_) -> int8:
    return a // b


@pytest.mark.parametrize(("a", "b"), [(True, True), (True, False), (False, False)])
def test_numpy_bool_addition_is_a_logical_or(a, b):
    assert aot(add_bools)(a, b) == bool(add_bools(np.bool_(a), np.bool_(b)))


@pytest.mark.parametrize(("x", "y"), [(3, 4), (3, -4), (-3, -4)])
def test_comparisons_of_numpy_values_add_as_numpy_bools(x, y):
    assert aot(count_positive)(x, y) == count_positive(np.int8(x), np.int8(y))


def test_numpy_bool_with_a_python_int_is_int64_arithmetic():
    assert type(np.True_ + 5) is np.int64
    assert aot(bool_plus_int)(True, 5) == 6


def test_numpy_bool_floor_division_is_int8_and_by_false_raises():
    assert aot(bool_floordiv)(True, True) == int(np.True_ // np.True_) == 1
    with pytest.raises(ZeroDivisionError):
        aot(bool_floordiv)(True, False)


def invert_bool(a: bool_) -> bool_:
    return ~a


def invert_comparison(x: int8) -> bool_:
    return ~(x > 0)


@pytest.mark.parametrize("a", [True, False])
def test_invert_of_a_numpy_bool_is_a_logical_not(a):
    assert aot(invert_bool)(a) == bool(invert_bool(np.bool_(a)))
    assert aot(invert_comparison)(3 if a else -3) == bool(invert_comparison(np.int8(3 if a else -3)))
