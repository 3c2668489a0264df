"""Bool arrays in arithmetic, ``~a`` and ``a.astype(t)``: NumPy 2 is the oracle (values and dtypes)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from test_arrays import SETTINGS, arrays

from pyexec.backends.llvm import aot
from pyexec.frontend.diagnostics import CompileTypeError


def b_add(a, b):
    return a + b


def b_mul(a, b):
    return a * b


def b_div(a, b):
    return a / b


def b_floordiv(a, b):
    return a // b


def b_mod(a, b):
    return a % b


def b_pow(a, b):
    return a ** b


def b_and(a, b):
    return a & b


def b_or(a, b):
    return a | b


def b_xor(a, b):
    return a ^ b


def b_lt(a, b):
    return a < b


def b_eq(a, b):
    return a == b


def b_shift(a, b):
    return a << b


def plus_python_int(a):
    return a + 1


def plus_python_bool(a):
    return a + True


def times_python_float(a):
    return a * 2.5


def invert(a):
    return ~a


def absolute(a):
    return np.abs(a)


def to_float32(a):
    return a.astype(np.float32)


def to_int16(a):
    return a.astype(np.int16)


def to_bool(a):
    return a.astype(np.bool_)


def to_complex(a):
    return a.astype(np.complex128)


BINARY = [b_add, b_mul, b_div, b_floordiv, b_mod, b_pow, b_and, b_or, b_xor, b_lt, b_eq, b_shift]
COMPILED = {fn: aot(fn) for fn in [*BINARY, plus_python_int, plus_python_bool, times_python_float, invert, absolute,
                                   to_float32, to_int16, to_bool, to_complex]}


def same_array(got: np.ndarray, want: np.ndarray) -> bool:
    return isinstance(got, np.ndarray) and got.dtype == want.dtype and np.array_equal(got, want, equal_nan=True)


def numpy(fn, *args):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # NumPy warns on integer division by zero; the values are the oracle
        return fn(*args)


def bools(n: int) -> st.SearchStrategy[np.ndarray]:
    return st.lists(st.booleans(), min_size=n, max_size=n).map(lambda xs: np.array(xs, dtype=np.bool_))


@SETTINGS
@given(st.integers(0, 7).flatmap(lambda n: st.tuples(bools(n), bools(n))), st.sampled_from(BINARY))
def test_two_bool_arrays_combine_as_numpy_does(pair, fn):
    a, b = pair
    assert same_array(COMPILED[fn](a, b), numpy(fn, a, b))
    assert same_array(COMPILED[fn](a[::-1], b), numpy(fn, a[::-1], b))  # a reversed view too


@SETTINGS
@given(st.integers(0, 7).flatmap(lambda n: st.tuples(bools(n), st.lists(st.integers(-128, 127), min_size=n,
                                                                       max_size=n))),
       st.sampled_from([b_add, b_mul, b_floordiv, b_mod, b_and, b_or, b_lt]), st.booleans())
def test_a_bool_array_beside_an_int8_array_takes_its_type(pair, fn, bool_first):
    a, ints = pair
    b = np.array(ints, dtype=np.int8)
    args = (a, b) if bool_first else (b, a)
    assert same_array(COMPILED[fn](*args), numpy(fn, *args))


@pytest.mark.parametrize("fn", [plus_python_int, plus_python_bool, times_python_float, invert, absolute,
                                to_float32, to_int16, to_complex])
def test_a_bool_array_with_python_numbers_unary_ops_and_astype(fn):
    a = np.array([True, False, True, True, False])
    assert same_array(COMPILED[fn](a), numpy(fn, a))
    assert same_array(COMPILED[fn](a[:0]), numpy(fn, a[:0]))


@SETTINGS
@given(arrays(np.float64, 2, st.floats(-1e5, 1e5) | st.sampled_from([0.0, -0.0, 0.5, -0.5, np.nan, np.inf])),
       st.sampled_from([to_float32, to_int16, to_bool, to_complex]))
def test_astype_of_any_float_view_converts_as_numpy_does(a, fn):
    finite = np.where(np.isfinite(a), a, 0.0) if fn is to_int16 else a  # NaN to int: NumPy's value is undefined
    assert same_array(COMPILED[fn](finite), numpy(fn, finite))


@SETTINGS
@given(arrays(np.int32, 1), st.sampled_from([to_float32, to_int16, to_bool, invert]))
def test_astype_and_invert_of_int_arrays_wrap_as_numpy_does(a, fn):
    assert same_array(COMPILED[fn](a), numpy(fn, a))


def bool_subtract(a, b):
    return a - b


def bool_negative(a):
    return -a


def float_invert(a):
    return ~a


@pytest.mark.parametrize(("fn", "args", "message"), [
    (bool_subtract, 2, "numpy boolean subtract, the `-` operator, is not supported"),
    (bool_negative, 1, "the numpy boolean negative, the `-` operator, is not supported"),
    (float_invert, 1, "ufunc 'invert' not supported for float64 arrays"),
])
def test_what_numpy_refuses_on_bool_and_float_arrays_is_a_located_type_error(fn, args, message):
    a = np.array([True, False]) if fn is not float_invert else np.array([1.0])
    with pytest.raises(TypeError):
        numpy(fn, *[a] * args)  # NumPy raises it too
    with pytest.raises(CompileTypeError, match=r"test_bool_arrays_and_astype\.py:[0-9]+:[0-9]+") as info:
        aot(fn)(*[a] * args)
    assert message in str(info.value)
