"""CPython is the oracle: jitted arithmetic returns what Python returns, or raises the same exception.

pyexec's ``int`` is a 64-bit integer that never wraps: where CPython's result leaves int64, the JIT
must raise OverflowError (docs/backends/jit.md); everywhere else it returns CPython's value.
"""

from __future__ import annotations

import math

from hypothesis import given, settings
from hypothesis import strategies as st

from pyexec.backends.jit import jit

INT_EDGES = [0, -1, 1, 2**62, -(2**62), 2**63 - 1, -(2**63) + 1]
FLOAT_EDGES = [0.0, -0.0, 1.0, -1.0, math.nan, math.inf, -math.inf, 1e308, -1e-308, 5e-324]

ints = st.one_of(st.sampled_from(INT_EDGES), st.integers(-(2**63) + 1, 2**63 - 1))
floats = st.one_of(st.sampled_from(FLOAT_EDGES), st.floats(allow_nan=True, allow_infinity=True))
SETTINGS = settings(max_examples=150, deadline=None)


def outcome(func, *args):
    try:
        return ("ok", func(*args))
    except Exception as exc:  # the exception type is part of the result being compared
        return ("raises", type(exc))


def same(a, b):
    if a[0] != b[0]:
        return False
    if a[0] == "raises":
        return a[1] is b[1]
    x, y = a[1], b[1]
    if isinstance(x, float) and math.isnan(x):
        return isinstance(y, float) and math.isnan(y)
    return x == y and type(x) is type(y) and (not isinstance(x, float) or math.copysign(1, x) == math.copysign(1, y))


def int_ops(a, b):
    return a // b, a % b, -a if a > -(2**63) else 0, a < b, a == b, abs(a) if a > -(2**63) else 0


def float_ops(a, b):
    return a + b, a - b, a * b, a / b, a < b, a == b, -a, abs(a)


def float_floor_ops(a, b):
    return a // b, a % b


jit_int_ops, jit_float_ops, jit_float_floor_ops = jit(int_ops), jit(float_ops), jit(float_floor_ops)


@SETTINGS
@given(ints, ints)
def test_integer_floor_division_and_modulo_follow_python_signs(a, b):
    if a == -(2**63) and b == -1:
        return  # the one quotient outside int64
    _assert_tuple_same(jit_int_ops, int_ops, a, b)


@SETTINGS
@given(floats, floats)
def test_float_arithmetic_matches_python_including_nan_inf_and_signed_zero(a, b):
    _assert_tuple_same(jit_float_ops, float_ops, a, b)


@SETTINGS
@given(floats, floats.filter(lambda x: not math.isinf(x) and not math.isnan(x)))
def test_float_floor_division_and_modulo_match_python(a, b):
    _assert_tuple_same(jit_float_floor_ops, float_floor_ops, a, b)


def _tuple_same(jitted, plain, *args):
    got, expected = outcome(jitted, *args), outcome(plain, *args)
    if got[0] != expected[0]:
        return False
    if got[0] == "raises":
        return got[1] is expected[1]
    return all(same(("ok", g), ("ok", e)) for g, e in zip(got[1], expected[1]))


def _assert_tuple_same(jitted, plain, *args):
    assert _tuple_same(jitted, plain, *args), (args, outcome(jitted, *args), outcome(plain, *args))


INT64 = (-(2**63), 2**63 - 1)
small_ints = st.one_of(st.sampled_from([-1, 0, 1, 63, 64, 70, -64]), st.integers(-80, 80))


def _int_outcome(plain, *args):
    """CPython's outcome under pyexec's ``int``: a result outside int64 is an OverflowError."""
    result = outcome(plain, *args)
    if result[0] == "ok" and isinstance(result[1], int) and not INT64[0] <= result[1] <= INT64[1]:
        return ("raises", OverflowError)
    return result


def checked_ops(a, b, op):
    if op == 0:
        return a + b
    if op == 1:
        return a - b
    if op == 2:
        return a * b
    if op == 3:
        return -a
    if op == 4:
        return abs(a)
    return a // b


def shifts_and_powers(a, b, op):
    if op == 0:
        return a >> b
    if op == 1:
        return a << b
    return a**b


jit_checked_ops, jit_shifts_and_powers = jit(checked_ops), jit(shifts_and_powers)


@SETTINGS
@given(st.one_of(ints, st.just(-(2**63))), st.one_of(ints, st.just(-(2**63))), st.integers(0, 5))
def test_int_arithmetic_raises_overflow_error_exactly_where_python_leaves_int64(a, b, op):
    expected = _int_outcome(checked_ops, a, b, op)
    assert outcome(jit_checked_ops, a, b, op) == expected, (a, b, op)


@SETTINGS
@given(st.one_of(ints, small_ints), small_ints, st.integers(0, 2))
def test_shifts_and_powers_follow_python_or_raise(a, b, op):
    expected = _int_outcome(shifts_and_powers, a, b, op)
    if op == 2 and b < 0:
        expected = ("raises", ValueError)  # pyexec refuses int ** negative int (its type would depend on b)
    assert outcome(jit_shifts_and_powers, a, b, op) == expected, (a, b, op)
