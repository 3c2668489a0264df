"""Tuples of scalars in process (``aot``): values, parameters, unpacking, items, ``divmod``, ``==``,
``enumerate``/``zip`` loops, each compared with CPython running the same function."""

from __future__ import annotations

import math
import subprocess
import sys
import textwrap
import typing

import numpy as np
import pytest
from conftest import outcome
from hypothesis import given, settings
from hypothesis import strategies as st

from pyexec.backends.llvm import aot
from pyexec.types import float32, int8, uint8

INT64 = st.integers(-(2**63), 2**63 - 1)
SMALL = st.integers(-1000, 1000)
FLOATS = st.floats(allow_nan=True, allow_infinity=True)


def pair(a: int, b: float) -> tuple[int, float]:
    return (a, b * 2)


def swap(t: typing.Tuple[int, float]) -> tuple[float, int]:  # noqa: UP006 (typing.Tuple is supported too)
    x, y = t
    return y, x


def through_calls(a: int, b: float) -> float:
    x, y = pair(a, b)
    t = pair(x, y)
    return t[0] + t[-1] + y + len(t)


def divmod_value(a: int, b: int) -> tuple[int, int]:
    return divmod(a, b)


def divmod_floats(a: float, b: float) -> tuple[float, float]:
    q = divmod(a, b)
    return q


def equal_items(a: int, b: float, c: int, d: float) -> tuple[bool, bool]:
    t = (a, b)
    u = (c, d)
    return t == u, t != u


def same_tuple(a: int, b: float) -> bool:
    t = (a, b)
    return t == t  # CPython finds each item equal to itself, NaN included


def enumerate_sum(start: int, stop: int, step: int, k: int) -> tuple[int, int]:
    s = 0
    last = -1
    for i, x in enumerate(range(start, stop, step), k):
        s += i * x
        last = i
    return s, last


def zip_sum(a: int, b: int, c: int, d: int) -> tuple[int, int]:
    s = 0
    n = 0
    for x, y in zip(range(a, b), range(c, d, -3)):
        if x == 5:
            continue
        s += x * 7 - y
        n += 1
    else:
        n += 1000
    return s, n


def zip_break(n: int) -> int:
    hits = 0
    for x, y, z in zip(range(n), range(100, 0, -1), range(0, 2 * n, 2)):
        if x + y + z > 150:
            break
        hits += 1
    else:
        hits = -hits
    return hits


def narrow(t: tuple[int8, float32, bool, uint8]) -> tuple[int8, float32, bool, uint8]:
    a, b, c, d = t
    return (a + a, b * b, not c, d + 1)


def complex_items(z: complex, w: complex) -> tuple[complex, float, bool]:
    return (z * w, abs(z), z == w)


CASES = [
    (pair, (INT64, FLOATS)),
    (swap, (st.tuples(INT64, FLOATS),)),
    (through_calls, (SMALL, FLOATS)),
    (divmod_value, (INT64, st.integers(-50, 50))),
    (divmod_floats, (FLOATS, FLOATS)),
    (equal_items, (SMALL, FLOATS, SMALL, FLOATS)),
    (same_tuple, (SMALL, FLOATS)),
    (enumerate_sum, (SMALL, SMALL, st.integers(-7, 7), st.integers(-(2**40), 2**40))),
    (zip_sum, (SMALL, SMALL, SMALL, SMALL)),
    (zip_break, (st.integers(-5, 200),)),
    (narrow, (st.tuples(st.integers(-128, 127), st.floats(width=32), st.booleans(), st.integers(0, 255)),)),
    (complex_items, (st.complex_numbers(max_magnitude=1e100), st.complex_numbers(max_magnitude=1e100))),
]


def _norm(value: object) -> object:
    """A result comparable across CPython and compiled code: NaN as a marker, -0.0 apart from 0.0."""
    if isinstance(value, tuple):
        return tuple(_norm(v) for v in value)
    if hasattr(value, "dtype"):  # a NumPy scalar (CPython's result of int8 arithmetic): its Python value
        value = value.item()
    if isinstance(value, float):
        return "nan" if math.isnan(value) else (value, math.copysign(1.0, value))
    if isinstance(value, complex):
        return (_norm(value.real), _norm(value.imag))
    return value


@pytest.mark.parametrize(("func", "strategies"), CASES, ids=[c[0].__name__ for c in CASES])
def test_tuple_functions_agree_with_cpython(func, strategies):
    compiled = aot(func)

    @settings(max_examples=60, deadline=None)
    @given(st.tuples(*strategies))
    def check(args):
        expected = outcome(func, *args)
        got = outcome(compiled, *args)
        if func is narrow:
            # NumPy's fixed widths in CPython: compare with NumPy scalars, as the compiled code computes
            t = args[0]
            with np.errstate(all="ignore"):
                expected = outcome(func, (np.int8(t[0]), np.float32(t[1]), t[2], np.uint8(t[3])))
        assert (expected[0], _norm(expected[1])) == (got[0], _norm(got[1])), args

    check()


def test_a_tuple_result_is_a_python_tuple_of_python_numbers():
    result = aot(pair)(3, 1.5)
    assert type(result) is tuple and result == (3, 3.0)
    assert [type(v) for v in result] == [int, float]


def test_enumerate_counter_past_int64_raises_overflow_error():
    compiled = aot(enumerate_sum)
    with pytest.raises(OverflowError):
        compiled(0, 3, 1, 2**63 - 2)
    assert compiled(0, 2, 1, 2**63 - 2) == enumerate_sum(0, 2, 1, 2**63 - 2)


def test_zero_step_in_a_zipped_range_raises_value_error_like_range():
    def zipped_step(step: int) -> int:
        s = 0
        for x, y in zip(range(3), range(0, 10, step)):
            s += x + y
        return s

    with pytest.raises(ValueError, match="must not be zero"):
        aot(zipped_step)(0)
    assert aot(zipped_step)(4) == zipped_step(4)
    with pytest.raises(ValueError, match="must not be zero"):
        aot(enumerate_sum)(0, 10, 0, 1)


_CHILD = textwrap.dedent('''
    import threading
    from pyexec.backends.llvm import aot

    @aot
    def swap(t: tuple[int, float]) -> tuple[float, int]:
        x, y = t
        return y, x

    errors = []
    for bad in ([1, 2.0], (1,), (1, 2.0, 3), ("a", 1.0), (2**70, 1.0), None):
        try:
            swap(bad)
        except (TypeError, OverflowError) as exc:
            errors.append(f"{type(exc).__name__}: {exc}")
    print("\\n".join(errors))

    threading.stack_size(256 * 1024)
    results = []
    def worker(k):
        for i in range(2000):
            assert swap((i, k + 0.5)) == (k + 0.5, i)
        results.append(k)
    threads = [threading.Thread(target=worker, args=(k,)) for k in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    print(sorted(results))
''')


def test_bad_tuple_arguments_raise_type_errors_and_threads_share_nothing(tmp_path):
    script = tmp_path / "child.py"
    script.write_text(_CHILD)
    proc = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[:6] == [
        "TypeError: swap() argument 't' must be tuple[int, float64], not list",
        "TypeError: swap() argument 't' must be tuple[int, float64], a tuple of 2 items, not a tuple of 1",
        "TypeError: swap() argument 't' must be tuple[int, float64], a tuple of 2 items, not a tuple of 3",
        "TypeError: 'str' object cannot be interpreted as an integer",
        "OverflowError: int too big to convert",
        "TypeError: swap() argument 't' must be tuple[int, float64], not NoneType",
    ]
    assert lines[6] == "[0, 1, 2, 3, 4, 5]"
