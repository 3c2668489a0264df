"""min/max/argmin/argmax of complex arrays in compiled code: NumPy's lexicographic order (real part, then
imaginary part) and its NaN rule (the first element with a NaN part is the extreme), whole-array and along
an axis, on every view; an empty array raises NumPy's ValueError."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pyexec.backends.llvm import aot
from pyexec.types import complex64, complex128, int64


def extremes(a: complex128[:]) -> tuple[complex, complex]:
    return a.min(), np.max(a)


def positions(a: complex128[:]) -> int:
    return a.argmin() * 1000 + np.argmax(a)


def single_min(a: complex64[:]) -> complex64:
    return np.min(a)


def along_rows(a: complex128[:, :]) -> complex128[::1]:
    return a.max(axis=1)


def argmin_columns(a: complex64[:, :]) -> int64[::1]:
    return a.argmin(axis=0)


def outcome(fn, *args):
    try:
        return ("value", fn(*args))
    except ValueError as exc:
        return ("raises", "ValueError", str(exc))


SETTINGS = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
COMPILED = {f: aot(f) for f in (extremes, positions, single_min, along_rows, argmin_columns)}
PARTS = st.sampled_from([0.0, -0.0, 1.0, -1.0, 2.5, math.inf, -math.inf, math.nan])


def same(got, expected) -> bool:
    return np.asarray(got).tobytes() == np.asarray(expected, dtype=np.asarray(got).dtype).tobytes()


def complex_vectors(max_size: int = 8) -> st.SearchStrategy[np.ndarray]:
    values = st.lists(st.tuples(PARTS, PARTS), max_size=max_size).map(
        lambda xs: np.array([complex(r, i) for r, i in xs], dtype=np.complex128))
    return values.flatmap(lambda a: st.sampled_from([a, a[::-1], a[::2]]))


@SETTINGS
@given(complex_vectors())
def test_complex_min_and_max_follow_numpys_lexicographic_order_and_nan_rule(a):
    got, expected = outcome(COMPILED[extremes], a), outcome(extremes, a)
    assert got[0] == expected[0]
    assert got[1:] == expected[1:] if got[0] == "raises" else same(list(got[1]), list(expected[1]))
    if a.size:
        a64 = a.astype(np.complex64)
        assert same(COMPILED[single_min](a64), np.min(a64))


@SETTINGS
@given(complex_vectors())
def test_complex_argmin_and_argmax_give_numpys_first_extreme_index(a):
    assert outcome(COMPILED[positions], a) == outcome(positions, a)


@SETTINGS
@given(st.integers(1, 4), st.integers(1, 5), st.data())
def test_complex_extremes_along_an_axis_are_numpys_on_transposed_views(rows, cols, data):
    parts = data.draw(st.lists(st.tuples(PARTS, PARTS), min_size=rows * cols, max_size=rows * cols))
    a = np.array([complex(r, i) for r, i in parts]).reshape(rows, cols)
    for view in (a, a.T, a[::-1]):
        assert same(COMPILED[along_rows](view), np.max(view, axis=1))
        v64 = view.astype(np.complex64)
        assert np.array_equal(COMPILED[argmin_columns](v64), np.argmin(v64, axis=0))


def test_an_empty_complex_array_raises_numpys_errors():
    empty = np.zeros(0, dtype=np.complex128)
    assert outcome(COMPILED[extremes], empty) == outcome(extremes, empty)
    assert outcome(COMPILED[positions], empty) == outcome(positions, empty)
