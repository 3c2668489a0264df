"""Reduced fuzzer findings (the lead's _findings/ folder, 2026-11-29), each against CPython on NumPy scalars."""

from __future__ import annotations

import contextlib
import io
import math
import random

import numpy as np
import pytest

from pyexec.backends.llvm import aot
from pyexec.types import complex64, complex128, float32, float64, int8, int16, int32, int64, uint8, uint32, uint64


def shift_right(x: int32, s: int32) -> int32:
    return x >> s


def shift_left(x: uint8, s: int64) -> int64:
    return x << s


@pytest.mark.parametrize(("fn", "args", "types"), [
    (shift_right, (-5, -1), (np.int32, np.int32)), (shift_right, (5, -1), (np.int32, np.int32)),
    (shift_right, (-5, 40), (np.int32, np.int32)), (shift_left, (3, -1), (np.uint8, np.int64)),
    (shift_left, (3, 70), (np.uint8, np.int64)), (shift_left, (3, 5), (np.uint8, np.int64)),
])
def test_fixed_width_shift_by_a_negative_or_too_large_count_is_numpys(fn, args, types):
    expected = fn(*(t(a) for t, a in zip(types, args)))
    assert aot(fn, opt=2)(*args) == int(expected)


def print_then_divide(x: int, y: int) -> int:
    print(x, 1 // y)
    return 0


def test_print_evaluates_every_argument_before_writing_anything():
    for f in (print_then_divide, aot(print_then_divide)):
        out = io.StringIO()
        with contextlib.redirect_stdout(out), pytest.raises(ZeroDivisionError):
            f(7, 0)
        assert out.getvalue() == ""


def floor_of_int64(x: int64) -> int:
    return math.floor(x)


def ceil_of_int64(x: int64) -> int:
    return math.ceil(x)


def test_floor_and_ceil_of_a_numpy_integer_go_through_a_double_like_cpython():
    for fn in (floor_of_int64, ceil_of_int64):
        assert aot(fn)(2**53 + 1) == fn(np.int64(2**53 + 1)) == 2**53
        assert fn(np.int64(2**63 - 1)) == 2**63  # CPython leaves int64: pyexec's int raises
        with pytest.raises(OverflowError):
            aot(fn)(2**63 - 1)


def modulo_by_float64_constant(x: float32) -> float64:
    return x % float64(5e-324)


def test_a_folded_float64_cast_is_strong_not_a_weak_literal():
    # in float32, 5e-324 would be 0.0 and the modulo a ZeroDivisionError
    assert aot(modulo_by_float64_constant)(0.0) == float(modulo_by_float64_constant(np.float32(0.0))) == 0.0


def divide_complex64(ar: float32, ai: float32, br: float32, bi: float32) -> complex64:
    return (complex64(ar) + complex64(ai) * complex64(1j)) / (complex64(br) + complex64(bi) * complex64(1j))


def test_complex64_division_is_numpys_bit_for_bit():
    compiled = aot(divide_complex64)
    rng = random.Random(20261129)
    specials = [0.0, -0.0, 1.0, -2.5, 1e-30, 1e30, math.inf, -math.inf, math.nan]
    cases = [(-1.5, 0.5, 2.5, -3.0)]  # the fuzzer's case
    for _ in range(500):
        cases.append(tuple(rng.choice(specials) if rng.random() < 0.2 else rng.uniform(-9, 9) for _ in range(4)))
    for case in cases:
        a = [float(np.float32(v)) for v in case]
        if a[2] == 0.0 and a[3] == 0.0:
            continue  # pyexec raises ZeroDivisionError where NumPy warns (docs/types.md)
        with np.errstate(all="ignore"):
            want = divide_complex64(*(np.float32(v) for v in a))
        got = compiled(*a)
        for x, y in ((want.real, got.real), (want.imag, got.imag)):
            assert x == y or (x != x and y != y), (case, want, got)


def log_with_base(x: float, y: float) -> float:
    return math.log(x, 1.0 % y)


@pytest.mark.parametrize(("x", "y"), [(0.0, 0.0), (0.0, 0.5), (8.0, 0.75), (2.0, 3.0), (-1.0, 2.0)])
def test_log_with_a_base_evaluates_both_arguments_before_checking_either(x, y):
    expected: object
    try:
        expected = log_with_base(x, y)
    except Exception as exc:  # the oracle's exception, whatever it is
        expected = type(exc)
    if isinstance(expected, type):
        with pytest.raises(expected):
            aot(log_with_base)(x, y)
    else:
        assert aot(log_with_base)(x, y) == expected


def int8_over_int(p: int) -> float:
    return int8(10) / p


@pytest.mark.parametrize(("p", "expected"), [(5, 2.0), (300, 10 / 44), (2, 5.0)])
def test_true_division_wraps_a_python_int_into_the_fixed_width_first(p, expected):
    # the documented rule for an int beside a fixed width (a wrapping cast), for / as for the other operators
    assert aot(int8_over_int)(p) == expected


def test_true_division_by_an_int_that_wraps_to_zero_raises_zero_division():
    with pytest.raises(ZeroDivisionError):
        aot(int8_over_int)(-(2**63))


def strong_complex_division(p: int) -> float:
    return (complex128(-1.5 + 0.5j) / complex128(p)).real


def python_complex_division(x: complex, y: complex) -> complex:
    return x / y


def test_complex128_division_is_numpys_and_python_complex_division_is_cpythons():
    # NumPy divides through a reciprocal (-0.30000000000000004), Python's complex divides (-0.3)
    assert aot(strong_complex_division)(5) == strong_complex_division(np.int64(5)) == -0.30000000000000004
    assert aot(python_complex_division)(-1.5 + 0.5j, 5 + 0j) == (-1.5 + 0.5j) / (5 + 0j) == -0.3 + 0.1j
    with pytest.raises(ZeroDivisionError):
        aot(strong_complex_division)(0)


def int_at_most_uint8(p: int, v: int16) -> bool:
    return p <= uint8(v)


def chained_int64_int_uint8(p3: uint32) -> bool:
    v4 = int16(p3)
    return int64(v4) <= int(p3) <= uint8(v4)


@pytest.mark.parametrize("p", [1025590461, 300, 189, -1, 2**62])
def test_a_python_int_compares_with_a_fixed_width_integer_by_value_as_numpy_does(p):
    assert aot(int_at_most_uint8)(p, 29373) == int_at_most_uint8(p, np.int16(29373))


def test_a_chained_comparison_agrees_with_its_links():
    for p3 in (1025590461, 189, 70000):
        assert aot(chained_int64_int_uint8)(p3) == chained_int64_int_uint8(np.uint32(p3))


def uint64_above_int(u: uint64, i: int) -> bool:
    return u > i


def ints_equal_then_below_float32(i: int, j: int, x: float32) -> bool:
    return i == j < x


def int16_uint64_int_chain(a: int16, u: uint64, i: int) -> bool:
    return a == u > i  # fuzz seed 93486: each link in its own type


@pytest.mark.parametrize(("u", "i"), [(5, -1), (0, -1), (2**64 - 1, -20), (2**64 - 1, 2**63 - 1), (2**63, -2**63),
                                      (7, 7), (0, 0), (2**63 - 1, 2**63 - 1)])
def test_uint64_compares_with_a_python_int_by_value_as_numpy_2_does(u, i):
    assert aot(uint64_above_int)(u, i) == uint64_above_int(np.uint64(u), i)


def test_each_link_of_a_chain_compares_in_its_own_type_as_cpython_evaluates_it():
    # 16777216 == 16777217 is False as ints, True in float32; the second link is float32's
    for i, j, x in [(16777216, 16777217, 1e30), (16777216, 16777216, 1e30), (3, 3, 2.5), (3, 3, 3.5)]:
        assert aot(ints_equal_then_below_float32)(i, j, x) == ints_equal_then_below_float32(i, j, np.float32(x))
    for a, u, i in [(0, 0, -20), (-1, 2**64 - 1, -20), (5, 5, 4), (5, 5, 6), (-1, 0, -1)]:
        expected = int16_uint64_int_chain(np.int16(a), np.uint64(u), i)
        assert aot(int16_uint64_int_chain)(a, u, i) == expected


def divide_by_own_conjugate(r: float) -> complex:
    v = complex(r) / (2.5 - 3.0j)
    return v / v.conjugate()  # fuzz seed 100030: Python complexes divide with CPython's algorithm


def real_part_plus_float32(z: complex, x: float32):  # no return annotation: the result type is what is tested
    return z.real + x  # a Python complex's .real is a Python float: weak, so the sum is float32


def test_conjugate_and_parts_of_a_python_complex_are_python_numbers():
    for r in (1.0, 3.0, -0.5, 1e300):
        assert repr(aot(divide_by_own_conjugate)(r)) == repr(divide_by_own_conjugate(r))
    # in float32 1e-8 + 1 is 1; in float64 it is not
    expected = real_part_plus_float32(1e-8 + 2j, np.float32(1.0))
    assert type(expected) is np.float32 and aot(real_part_plus_float32)(1e-8 + 2j, 1.0) == expected == 1.0
