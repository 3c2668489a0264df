"""Reduced findings of the fuzzer's array programs (fuzz/arrays.py, seeds 322, 200006, 200014, 200023 …),
each compared with NumPy 2 (the oracle), native and, where the program's arrays cross, wasm."""

from __future__ import annotations

import numpy as np
import pytest

from pyexec.backends.llvm import aot
from pyexec.types import int8, int32, uint8, uint32, uint64


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


@pytest.mark.xfail(strict=True, reason="fuzz finding 200023/200022: NumPy 2.4 range-checks a NumPy integer stored "
                   "into a signed integer array (OverflowError: Python integer 300 out of bounds for int8) and wraps "
                   "it into an unsigned one; compiled code wraps both, as docs/backends/native.md documents")
def test_a_numpy_integer_stored_into_a_narrower_signed_array_is_numpys_overflow_error():
    assert outcome(aot(store_numpy_scalar), np.zeros(2, np.int8), 300) == \
        outcome(store_numpy_scalar, np.zeros(2, np.int8), 300)



def below_minus_one(a: uint64[:]):
    return a < -1


def below(a: uint64[:], x: int):
    return a < x


@pytest.mark.xfail(strict=True, reason="fuzz finding 300098/300083: a uint64 array compared with a negative Python "
                   "int literal is refused at compile time ('the integer -1 does not fit in uint64'); NumPy 2 "
                   "compares by value (all False). int64 cannot hold every uint64, so the fix needs a "
                   "sign test before the comparison, not the int64 widening the narrower types use")
def test_a_uint64_array_compares_with_a_negative_int_literal_by_value():
    a = np.array([0, 5, 2**63], dtype=np.uint64)
    assert outcome(aot(below_minus_one), a) == outcome(below_minus_one, a)


@pytest.mark.xfail(strict=True, reason="fuzz finding 300098 (same shape, an int variable): a negative int is wrapped "
                   "into uint64 before the comparison; NumPy 2 compares by value")
def test_a_uint64_array_compares_with_a_negative_int_by_value():
    a = np.array([0, 5, 2**63], dtype=np.uint64)
    assert outcome(aot(below), a, -1) == outcome(below, a, -1)
