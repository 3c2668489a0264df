"""Float and complex sums in NumPy's own order: ``a.sum()``, ``np.sum``, ``mean`` and sums along an axis equal
``numpy.sum`` bit for bit (NumPy's pairwise summation, blocks of 128 scalars with 8 running sums)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pyexec.backends.llvm import aot
from pyexec.types import bool_, complex64, complex128, float32, float64, int64, uint8


def sum_1d(a: float64[:]) -> float:
    return a.sum()


def sum_1d_f32(a: float32[:]) -> float32:
    return np.sum(a)


def mean_1d(a: float64[:]) -> float:
    return a.mean()


def mean_1d_f32(a: float32[:]) -> float32:
    return np.mean(a)


def sum_c128(a: complex128[:]) -> complex:
    return a.sum()


def mean_c64(a: complex64[:]) -> complex64:
    return a.mean()


def sum_2d(a: float64[:, :]) -> float:
    return np.sum(a)


def sum_2d_f32(a: float32[:, :]) -> float32:
    return a.sum()


def sum_rows(a: float64[:, :]) -> float64[::1]:
    return a.sum(axis=1)


def sum_columns(a: float32[:, :]) -> float32[::1]:
    return a.sum(axis=0)


def mean_rows(a: complex128[:, :]) -> complex128[::1]:
    return a.mean(axis=1)


SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
COMPILED = {f: aot(f) for f in (sum_1d, sum_1d_f32, mean_1d, mean_1d_f32, sum_c128, mean_c64, sum_2d, sum_2d_f32,
                                sum_rows, sum_columns, mean_rows)}


def same_bits(got: object, expected: object) -> bool:
    expected = np.asarray(expected)
    return np.asarray(got, dtype=expected.dtype).tobytes() == expected.tobytes()


@st.composite
def vectors(draw: st.DrawFn) -> np.ndarray:
    """Lengths across NumPy's cases (under 8, one block of up to 128, halved blocks), values of mixed
    magnitude (so the order of the additions shows in the last bits), and views: strided, reversed, offset."""
    edges = [0, 1, 7, 8, 9, 15, 16, 17, 127, 128, 129, 130, 255, 256, 257, 1000, 4099]
    n = draw(st.sampled_from(edges) | st.integers(0, 600))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    a = rng.standard_normal(n) * 10.0 ** rng.uniform(-3, 9, n)
    return draw(st.sampled_from([a, a[::2], a[::-1], a[::-3], a[1:]]))


@st.composite
def matrices(draw: st.DrawFn) -> np.ndarray:
    shape = draw(st.tuples(st.integers(0, 40), st.integers(0, 300)))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    a = rng.standard_normal(shape) * 10.0 ** rng.uniform(-3, 9, shape)
    return draw(st.sampled_from([a, a.T, np.asfortranarray(a), a[:, ::2], a[::-1], a[::2, ::-1], a[:, 1:].T]))


@SETTINGS
@given(vectors())
def test_a_float64_sum_or_mean_of_any_1d_view_equals_numpys_bit_for_bit(a):
    assert same_bits(COMPILED[sum_1d](a), np.sum(a))
    if a.size:
        assert same_bits(COMPILED[mean_1d](a), np.mean(a))


@SETTINGS
@given(vectors())
def test_a_float32_sum_or_mean_accumulates_in_float32_in_numpys_order(a):
    a = a.astype(np.float32)
    assert same_bits(COMPILED[sum_1d_f32](a), np.sum(a))
    if a.size:
        assert same_bits(COMPILED[mean_1d_f32](a), np.mean(a))


@SETTINGS
@given(vectors(), vectors())
def test_complex_sums_and_means_pair_real_and_imaginary_lanes_as_numpy_does(re, im):
    k = min(re.size, im.size)
    z = re[:k] + 1j * im[:k]
    assert same_bits(COMPILED[sum_c128](z), np.sum(z))
    if k:
        z64 = z.astype(np.complex64)
        assert same_bits(COMPILED[mean_c64](z64), np.mean(z64))


@SETTINGS
@given(matrices())
def test_sums_along_either_axis_equal_numpys_bit_for_bit_on_every_view(a):
    assert same_bits(COMPILED[sum_rows](a), np.sum(a, axis=1))
    a32 = a.astype(np.float32)[:, ::-1]
    assert same_bits(COMPILED[sum_columns](a32), np.sum(a32, axis=0))
    z = a + 0.5j * a
    if a.shape[1]:
        assert same_bits(COMPILED[mean_rows](z), np.mean(z, axis=1))


@SETTINGS
@given(matrices())
def test_a_whole_2d_sum_is_numpys_bit_for_bit_when_contiguous_and_to_rounding_otherwise(a):
    got, expected = COMPILED[sum_2d](a), np.sum(a)
    if a.flags.c_contiguous or a.flags.f_contiguous:
        assert same_bits(got, expected)
        a32 = np.ascontiguousarray(a, dtype=np.float32)
        assert same_bits(COMPILED[sum_2d_f32](a32), np.sum(a32))
    else:  # NumPy buffers a non-contiguous view in chunks of rows; each row here is summed pairwise
        scale = np.sum(np.abs(a))
        assert abs(got - expected) <= 1e-13 * scale


def test_a_sum_of_negative_zeros_is_positive_zero_as_numpys_identity_makes_it():
    for a in (np.array([-0.0]), np.full(200, -0.0), np.full((3, 4), -0.0)[:, ::2]):
        f = COMPILED[sum_2d] if a.ndim == 2 else COMPILED[sum_1d]
        assert same_bits(f(a), np.sum(a))


def test_nan_and_infinities_propagate_through_the_pairwise_blocks():
    a = np.ones(1000)
    a[517] = np.inf
    assert COMPILED[sum_1d](a) == np.inf
    a[3] = -np.inf
    assert np.isnan(COMPILED[sum_1d](a)) and np.isnan(np.sum(a))


def mean_int64(a: int64[:]) -> float:
    return a.mean()


def mean_uint8_2d(a: uint8[:, :]) -> float:
    return np.mean(a)


def mean_bool(a: bool_[:]) -> float:
    return a.mean()


MEANS = {f: aot(f) for f in (mean_int64, mean_uint8_2d, mean_bool)}


@SETTINGS
@given(st.integers(0, 30000), st.integers(0, 2**32 - 1), st.sampled_from([slice(None), slice(None, None, -1),
                                                                           slice(1, None, 3)]))
def test_an_integer_mean_adds_numpys_cast_buffers_of_8192_pairwise_bit_for_bit(n, seed, view):
    rng = np.random.default_rng(seed)
    a = rng.integers(-2**50, 2**50, n)[view]
    if a.size:
        assert same_bits(MEANS[mean_int64](a), np.mean(a))
    b = rng.integers(0, 2, n).astype(np.bool_)[view]
    if b.size:
        assert same_bits(MEANS[mean_bool](b), np.mean(b))


@SETTINGS
@given(st.integers(1, 150), st.integers(1, 150), st.integers(0, 2**32 - 1), st.booleans())
def test_a_contiguous_2d_uint8_mean_is_numpys_bit_for_bit(rows, cols, seed, fortran):
    a = np.random.default_rng(seed).integers(0, 256, (rows, cols), dtype=np.uint8)
    a = np.asfortranarray(a) if fortran else a
    assert same_bits(MEANS[mean_uint8_2d](a), np.mean(a))
    view = a[:, ::2]  # not contiguous: summed in C order, equal to rounding
    assert MEANS[mean_uint8_2d](view) == pytest.approx(np.mean(view), rel=1e-15)
