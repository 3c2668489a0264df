"""``jit`` computes what ``aot`` and CPython compute: declared types are the signature, and the
operators and ``math`` functions Numba treats differently follow CPython (docs/backends/jit.md)."""

from __future__ import annotations

import math
import subprocess
import sys
import textwrap
import threading
from math import fmod as imported_fmod

import numba
import numpy as np
import pytest

from pyexec.backends.jit import jit
from pyexec.types import float32, int8, int64, uint8, uint32, uint64


def test_fixed_width_parameters_and_return_wrap_like_numpy():
    @jit
    def add(a: int8, b: int8) -> int8:
        return a + b

    assert add(int8(100), int8(100)) == -56
    assert add(100, 100) == -56
    assert str(add.declared.signature) == "(int8, int8) -> int8"
    assert [str(s) for s in add.dispatcher.signatures] == ["(int8, int8)"]


def test_fixed_width_intermediates_wrap_in_numpys_result_type():
    @jit
    def average(a: int8, b: int8) -> int8:
        return (a + b) // int8(2)

    @jit
    def mixed(a: int8, b: uint8) -> int:
        return a * b + (a << 7) + a**3 - (-a)

    @jit
    def plus_literal(a: int8) -> int:
        return a + 100

    assert average(int8(100), int8(100)) == -28  # a + b wraps to -56 first, as in NumPy and aot
    with np.errstate(over="ignore"):  # NumPy warns where it wraps
        a, b = np.int8(-100), np.uint8(200)
        expected = a * b + (a << np.int8(7)) + a ** np.int8(3) - (-a)
    assert mixed(a, b) == int(expected)
    assert plus_literal(int8(100)) == -56


def test_bool_with_a_fixed_width_integer_takes_the_integers_type():
    @jit
    def f(flag: bool, x: uint32) -> int:
        return flag - x

    assert f(True, uint32(3)) == int(np.True_ - np.uint32(3))  # uint32 wraps: 4294967294


def test_float_literal_beside_float32_is_weak_as_in_numpy():
    @jit
    def scale(x: float32) -> float32:
        return x * 0.7 if x != 0.1 else x / 3.0

    assert scale(float32(1 / 3)) == float(np.float32(1 / 3) * 0.7)  # float32 arithmetic, not float64
    assert scale(float32(0.1)) == float(np.float32(0.1) / 3.0)  # the comparison is in float32 too


def test_python_int_outside_a_declared_width_raises_overflow_error_naming_the_parameter():
    @jit
    def add(a: int8, b: int8) -> int8:
        return a + b

    with pytest.raises(OverflowError, match=r"argument 'b' is out of range for int8 \(-128\.\.127\)"):
        add(1, 300)
    with pytest.raises(OverflowError, match="argument 'b'"):
        add(1, b=-129)


def test_declared_return_type_converts_the_result():
    @jit
    def to_uint8(x: int) -> uint8:
        return x

    @jit
    def halve(x: int) -> float:
        return x // 2

    assert to_uint8(300) == 44
    assert halve(7) == 3.0 and isinstance(halve(7), float)


def test_string_annotations_from_future_import_are_read():
    # This module uses `from __future__ import annotations`: every annotation here is a string.
    @jit
    def scale(x: float32, k: int) -> float32:
        return x * k

    assert str(scale.declared.signature) == "(float32, int64) -> float32"
    assert scale(float32(0.1), 3) == float(np.float32(np.float32(0.1) * 3))


def test_incomplete_annotations_keep_per_call_compilation():
    @jit
    def add(a: int, b):
        return a + b

    assert add.declared is None
    assert add(1, 2) == 3
    assert add(1, 2.5) == 3.5


def test_parameters_with_defaults_keep_per_call_compilation():
    @jit
    def scale(x: int, k: int = 2) -> int:
        return x * k

    assert scale.declared is None
    assert (scale(3), scale(3, 4), scale(x=3, k=5)) == (6, 12, 15)


def test_annotated_recursion_compiles_once():
    @jit
    def fib(n: int) -> int:
        return n if n <= 1 else fib(n - 1) + fib(n - 2)

    assert fib(20) == 6765
    assert len(fib.dispatcher.signatures) == 1


def test_annotated_function_called_from_other_jitted_code_uses_its_declared_types():
    @jit
    def narrow(x: int) -> int8:
        return x

    @jit
    def caller(x):
        return narrow(x) + 1

    assert caller(200) == -55  # narrow(200) is int8(-56)


def test_eight_threads_calling_first_at_once_compile_the_declared_signature_only():
    @jit
    def triple(x: int8) -> int8:
        return x * int8(3)

    results: list[int] = []
    old = threading.stack_size(512 * 1024)
    try:
        threads = [threading.Thread(target=lambda: results.append(triple(int8(50)))) for _ in range(8)]
    finally:
        threading.stack_size(old)
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [-106] * 8
    assert [str(s) for s in triple.dispatcher.signatures] == ["(int8,)"]


@pytest.mark.parametrize(("a", "b", "message"), [(1, -1, "negative shift count"), (-1, -5, "negative shift count")])
def test_negative_shift_count_raises_value_error(a, b, message):
    @jit
    def shift(a: int, b: int) -> int:
        return a >> b

    with pytest.raises(ValueError, match=message):
        shift(a, b)


def test_bool_operands_are_python_ints():
    @jit
    def shift(flag: bool) -> int:
        return flag << -1

    @jit
    def twice(flag: bool) -> int:
        return flag + flag

    with pytest.raises(ValueError, match="negative shift count"):
        shift(True)
    assert twice(True) == 2


def test_shifts_by_64_or_more_give_what_python_gives():
    @jit
    def right(a: int, b: int) -> int:
        return a >> b

    @jit
    def left(a: int, b: int) -> int:
        return a << b

    assert right(-5, 70) == -1 and right(5, 64) == 0
    assert left(0, 100) == 0
    with pytest.raises(OverflowError):
        left(1, 63)


def test_int_power_with_negative_exponent_raises_like_aot():
    @jit
    def power(a: int, b: int) -> int:
        return a**b

    with pytest.raises(ValueError, match="integer \\*\\* negative integer"):
        power(2, -1)
    with pytest.raises(OverflowError):
        power(3, 40)
    assert power(3, 39) == 3**39
    assert power(-2, 63) == -(2**63)


def test_augmented_assignment_checks_overflow():
    @jit
    def accumulate(n: int) -> int:
        total = 2**62
        for _ in range(n):
            total += 2**61
        return total

    assert accumulate(1) == 2**62 + 2**61
    with pytest.raises(OverflowError):
        accumulate(2)


def test_uint64_with_int64_is_float64_and_with_a_literal_stays_uint64():
    @jit
    def mixed(a, b):
        return a + b

    @jit
    def plus_one(a):
        return a + 1

    assert mixed(uint64(2**63), int64(1)) == float(np.uint64(2**63) + np.int64(1))
    assert plus_one(uint64(2**63)) == 2**63 + 1


def test_declared_int_result_does_not_wrap_an_unsigned_value():
    @jit
    def big() -> int:
        return 2**63

    with pytest.raises(OverflowError):
        big()


def test_declared_int_result_of_a_float_truncates_and_raises_for_nan_and_inf():
    @jit
    def half(x: float) -> int:
        return x / 2

    assert (half(7.0), half(-7.0)) == (3, -3)
    with pytest.raises(ValueError):
        half(math.nan)
    with pytest.raises(OverflowError):
        half(math.inf)


@pytest.mark.parametrize(
    ("func", "args", "error"),
    [
        (math.sqrt, (-1.0,), ValueError),
        (math.log, (0.0,), ValueError),
        (math.log10, (-2.0,), ValueError),
        (math.exp, (1000.0,), OverflowError),
        (math.cosh, (1000.0,), OverflowError),
        (math.asin, (2.0,), ValueError),
        (math.sin, (math.inf,), ValueError),
        (math.fmod, (1.0, 0.0), ValueError),
        (math.fmod, (math.inf, 1.0), ValueError),
        (math.log, (8.0, 1.0), ZeroDivisionError),
        (math.pow, (-1.0, 0.5), ValueError),
        (math.pow, (0.0, -1.0), ValueError),
        (math.pow, (10.0, 400.0), OverflowError),
        (math.floor, (math.nan,), ValueError),
        (math.ceil, (math.inf,), OverflowError),
    ],
)
def test_math_functions_raise_what_cpython_raises(func, args, error):
    jitted = jit(lambda *a: func(*a)) if len(args) > 1 else jit(lambda x: func(x))
    with pytest.raises(error):
        func(*args)  # the oracle agrees
    with pytest.raises(error):
        jitted(*args)


@pytest.mark.parametrize(
    ("func", "args"),
    [
        (math.fmod, (5.5, 2.0)), (math.fmod, (-5.5, 2.0)), (math.fmod, (-3.0, math.inf)), (math.fmod, (-0.0, 1.0)),
        (math.log, (8.0, 2.0)), (math.log, (100.0, 10.0)), (math.log, (2.0, 0.5)),
        (math.sqrt, (2.0,)), (math.exp, (-1000.0,)), (math.log1p, (-0.5,)), (math.atan, (math.inf,)),
        (math.sqrt, (math.nan,)), (math.exp, (math.inf,)), (math.pow, (2.0, 0.5)),
    ],
)
def test_math_functions_return_what_cpython_returns(func, args):
    jitted = jit(lambda *a: func(*a)) if len(args) > 1 else jit(lambda x: func(x))
    assert repr(jitted(*args)) == repr(func(*args))


@pytest.mark.skipif(not hasattr(math, "cbrt"), reason="math.cbrt and math.exp2 are Python 3.11+")
def test_cbrt_and_exp2_which_numba_lacks_call_the_same_libm_as_cpython():
    cbrt, exp2 = jit(lambda x: math.cbrt(x)), jit(lambda x: math.exp2(x))
    xs = [27.0, -8.0, 2.0, 1e300, -0.0, 0.1, 123456.789]
    assert [repr(cbrt(x)) for x in xs] == [repr(math.cbrt(x)) for x in xs]
    assert [exp2(x) for x in (10.0, -1074.0, 0.5)] == [math.exp2(x) for x in (10.0, -1074.0, 0.5)]
    with pytest.raises(OverflowError):
        exp2(2000.0)


def test_gamma_poles_raise_value_error_as_cpython():
    gamma, lgamma = jit(lambda x: math.gamma(x)), jit(lambda x: math.lgamma(x))
    for x in (0.0, -1.0, -3.0):
        with pytest.raises(ValueError):
            gamma(x)
        with pytest.raises(ValueError):
            lgamma(x)
    assert gamma(5.0) == 24.0 and lgamma(-math.inf) == math.inf


def test_math_function_imported_by_name_gets_cpython_semantics():
    @jit
    def f(a: float, b: float) -> float:
        return imported_fmod(a, b)

    assert f(5.5, 2.0) == 1.5
    with pytest.raises(ValueError):
        f(1.0, 0.0)


def test_float_of_bool_and_conversions_to_int():
    @jit
    def as_float(b: bool) -> float:
        return float(b)

    @jit
    def as_int(x: float) -> int:
        return int(x)

    @jit
    def rounded(x: float) -> int:
        return round(x)

    assert (as_float(True), as_float(False)) == (1.0, 0.0)
    assert as_int(-2.7) == -2
    assert [rounded(x) for x in (0.5, 1.5, 2.5, -0.5)] == [0, 2, 2, 0]
    with pytest.raises(OverflowError):
        as_int(math.inf)
    with pytest.raises(OverflowError):  # pyexec's int is 64-bit (CPython would return a huge int)
        as_int(1e300)
    with pytest.raises(ValueError):
        rounded(math.nan)


def test_float_and_int_still_serve_as_dtypes():
    @jit
    def zeros(n: int) -> float:
        return np.ones(n, dtype=float).sum() + float(n)

    assert zeros(3) == 6.0


def test_float_power_zero_to_negative_and_overflow_raise():
    @jit
    def power(a: float, b: float) -> float:
        return a**b

    with pytest.raises(ZeroDivisionError):
        power(0.0, -1.0)
    with pytest.raises(OverflowError):
        power(10.0, 400.0)
    assert power(2.0, -1.0) == 0.5


def test_arrays_keep_numbas_operators():
    @jit
    def combine(a, b):
        return (a + b) * 2 - (a >> 1) + a**2 + np.abs(-a) + (a << 2)

    a, b = np.arange(5), np.arange(5, 10)
    np.testing.assert_array_equal(combine(a, b), (a + b) * 2 - (a >> 1) + a**2 + np.abs(-a) + (a << 2))


def test_plain_numba_is_unaffected():
    # The pass lives in pyexec's own pipeline: Numba's default pipeline keeps its semantics.
    code = textwrap.dedent("""
        import numba
        import pyexec.backends.jit as j
        f = j.jit(lambda a, b: a >> b)
        g = numba.njit(lambda a, b: a >> b)
        try:
            f(1, -1)
        except ValueError:
            pass
        print(g(1, 64), numba.njit(lambda a, b: a ** b)(2, -1))
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split()[1] == "0"  # Numba's own 2 ** -1


def test_parallel_reduction_still_compiles():
    @jit(parallel=True)
    def total(n: int) -> int:
        s = 0
        for i in numba.prange(n):
            s += i
        return s

    assert total(1000) == 499500
