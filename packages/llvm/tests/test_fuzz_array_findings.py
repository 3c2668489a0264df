"""Reduced findings of the fuzzer's array programs (fuzz/arrays.py, seeds 322, 200006, 200014, 200023 …),
each compared with NumPy 2 (the oracle), native and, where the program's arrays cross, wasm."""

from __future__ import annotations

import numpy as np
import pytest

from pyexec.backends.llvm import aot
from pyexec.types import int8, int16, int32, int64, uint8, uint32, uint64


def at_least(a: int32[:], x: int):
    return a >= x


def above(a: uint8[:], x: int):
    return a > x


def at_least_a_big_literal(a: int32[:]):
    return a >= 9223372036854775807


def above_a_negative_literal(a: int8[:]):
    return a >= -156


def plus(a: int32[:], x: int):
    return a + x


def masked(a: uint8[:], x: int):
    return a & x


def outcome(fn, *args):
    try:
        r = fn(*args)
    except Exception as exc:  # the exception's type is the outcome
        return type(exc).__name__
    return (r.dtype, r.tolist()) if isinstance(r, np.ndarray) else r


@pytest.mark.parametrize(("fn", "dtype", "x"), [
    (at_least, np.int32, 2**63 - 1), (at_least, np.int32, 2**31), (at_least, np.int32, -(2**31) - 1),
    (at_least, np.int32, 5), (above, np.uint8, -1), (above, np.uint8, 256), (above, np.uint8, 3),
])
def test_an_integer_array_compares_with_a_python_int_outside_its_dtype_by_value(fn, dtype, x):
    a = np.array([0, 5, 6, 255], dtype=dtype) if dtype == np.uint8 else np.array([-4, -2, 5, 6], dtype=dtype)
    assert outcome(aot(fn), a, x) == outcome(fn, a, x)


@pytest.mark.parametrize("fn", [at_least_a_big_literal, above_a_negative_literal])
def test_an_integer_array_compares_with_an_int_literal_outside_its_dtype_by_value(fn):
    a = np.array([-4, -2, 5, 6], dtype=np.int8 if fn is above_a_negative_literal else np.int32)
    assert outcome(aot(fn), a) == outcome(fn, a)


@pytest.mark.parametrize(("fn", "dtype", "x"), [
    (plus, np.int32, 2**31), (plus, np.int32, -(2**31) - 1), (plus, np.int32, 7), (masked, np.uint8, -1),
    (masked, np.uint8, 256), (masked, np.uint8, 255),
])
def test_array_arithmetic_with_a_python_int_outside_the_dtype_raises_numpys_overflow_error(fn, dtype, x):
    a = np.array([1, 2, 3], dtype=dtype)
    expected = outcome(fn, a, x)
    assert outcome(aot(fn), a, x) == expected
    if isinstance(expected, str):
        with pytest.raises(OverflowError, match=f"Python integer {x} out of bounds for {np.dtype(dtype)}"):
            aot(fn)(a, x)


def store_negative_float(a: uint32[:]):
    a[0] = -72.9
    return a


def store_huge_float(a: int8[:]):
    a[0] = 1e300
    return a


def store_float(a: int8[:]):
    a[0] = -3.7
    return a


@pytest.mark.parametrize(("fn", "dtype"), [(store_negative_float, np.uint32), (store_huge_float, np.int8),
                                           (store_float, np.int8)])
def test_a_float_literal_stored_into_an_integer_array_goes_through_int_and_must_fit(fn, dtype):
    expected = outcome(fn, np.zeros(2, dtype))
    assert outcome(aot(fn), np.zeros(2, dtype)) == expected


def store_numpy_scalar(a: int8[:], x: int):
    a[0] = uint64(x)
    return a


def test_a_numpy_integer_stored_into_a_narrower_signed_array_is_numpys_overflow_error():
    assert outcome(aot(store_numpy_scalar), np.zeros(2, np.int8), 300) == \
        outcome(store_numpy_scalar, np.zeros(2, np.int8), 300)



def below_minus_one(a: uint64[:]):
    return a < -1


def below(a: uint64[:], x: int):
    return a < x


def test_a_uint64_array_compares_with_a_negative_int_literal_by_value():
    a = np.array([0, 5, 2**63], dtype=np.uint64)
    assert outcome(aot(below_minus_one), a) == outcome(below_minus_one, a)


def test_a_uint64_array_compares_with_a_negative_int_by_value():
    a = np.array([0, 5, 2**63], dtype=np.uint64)
    assert outcome(aot(below), a, -1) == outcome(below, a, -1)


def store_into_int8(a: int8[:], x: uint64):
    a[0] = x
    return a


def store_into_int64(a: int64[:], x: uint64):
    a[0] = x
    return a


def store_into_uint8(a: uint8[:], x: int64):
    a[0] = x
    return a


def store_into_int16(a: int16[:], x: uint32):
    a[0] = x
    return a


@pytest.mark.parametrize(("fn", "array_type", "value"), [
    (store_into_int8, np.int8, np.uint64(100)), (store_into_int8, np.int8, np.uint64(300)),
    (store_into_int8, np.int8, np.uint64(2**63)), (store_into_int8, np.int8, np.uint64(2**64 - 1)),
    (store_into_int64, np.int64, np.uint64(2**63 - 1)), (store_into_int64, np.int64, np.uint64(2**63)),
    (store_into_uint8, np.uint8, np.int64(-1)), (store_into_uint8, np.uint8, np.int64(300)),
    (store_into_int16, np.int16, np.uint32(40000)), (store_into_int16, np.int16, np.uint32(300)),
])
def test_a_numpy_integer_stored_into_a_signed_array_is_range_checked_and_into_an_unsigned_one_wraps(
        fn, array_type, value):
    assert outcome(aot(fn), np.zeros(2, array_type), value) == outcome(fn, np.zeros(2, array_type), value)


def compares_both_ways(a: uint64[:], x: int):
    return (x < a) | ((a <= x) & (a != x)) | (a == x)


@pytest.mark.parametrize("x", [-2**63, -1, 0, 5, 2**62])
def test_a_python_int_on_either_side_of_a_uint64_comparison_is_compared_by_value(x):
    a = np.array([0, 5, 2**63, 2**64 - 1], dtype=np.uint64)
    assert outcome(aot(compares_both_ways), a, x) == outcome(compares_both_ways, a, x)
