"""Compiled constants converted by NumPy types, and fixed-width powers with negative exponents, against NumPy 2
running the same operations (issue 12 items 2 and 4)."""

from __future__ import annotations

import numpy as np
import pytest

from pyexec.backends.llvm import aot
from pyexec.types import int8, int32, int64, uint8, uint32, uint64


def store_int32_in_uint8() -> int:
    v: uint8 = int32(300)
    return int(v)


def return_int64_as_uint32() -> uint32:
    return int64(-7)


def identity64(x: int64) -> int64:
    return x


def pass_uint64_to_int64() -> int64:
    return identity64(uint64(-2147483648))


def uint64_maximum() -> uint64:
    return uint64(18446744073709551615)


def power_by_negative_int8(x: int32) -> int32:
    return x ** int8(-2)


def power_by_negative_literal(x: int8) -> int8:
    return x ** -1


def power_by_variable(x: int32, e: int8) -> int32:
    return x ** e


def test_constants_converted_between_widths_wrap_like_numpy_astype():
    assert aot(store_int32_in_uint8)() == int(np.int32(300).astype(np.uint8))
    assert aot(return_int64_as_uint32)() == int(np.int64(-7).astype(np.uint32))
    assert aot(pass_uint64_to_int64)() == int(np.uint64(2**64 - 2**31).astype(np.int64))


def test_uint64_literals_use_the_whole_range():
    assert aot(uint64_maximum)() == int(np.uint64(18446744073709551615)) == 2**64 - 1


def numpy_outcome(base, exp):
    try:
        return ("value", int(base ** exp))
    except ValueError as exc:
        return ("raises", str(exc))


def compiled_outcome(fn, *args):
    try:
        return ("value", fn(*args))
    except ValueError as exc:
        return ("raises", str(exc))


@pytest.mark.parametrize("x", [0, 1, -1, 3])
def test_fixed_width_negative_powers_raise_numpys_value_error(x):
    assert compiled_outcome(aot(power_by_negative_int8), x) == numpy_outcome(np.int32(x), np.int8(-2))
    assert compiled_outcome(aot(power_by_negative_literal), x) == numpy_outcome(np.int8(x), -1)


@pytest.mark.parametrize(("x", "e"), [(3, 2), (3, -1), (-2, 7), (2, 40), (0, 0), (5, -128)])
def test_fixed_width_powers_by_a_variable_exponent_match_numpy(x, e):
    with np.errstate(over="ignore"):
        expected = numpy_outcome(np.int32(x), np.int8(e))
    assert compiled_outcome(aot(power_by_variable), x, e) == expected
