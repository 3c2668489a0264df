"""complex64/complex128 arrays across the wasm boundary from Python (wasmtime), against NumPy.

They cross as NumPy's own layout (each element an interleaved (re, im) pair of float32/float64), so
the loader copies them in and out like any array and ``wasm_array`` holds them in place.
"""

from __future__ import annotations

import ctypes

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from pyexec.backends.wasm.build import compile_functions
from pyexec.backends.wasm.loader import load
from pyexec.backends.wasm.signature import decode_signatures
from pyexec.types import complex64, complex128, float64


def csum(a: complex128[:]) -> float:
    s = 0j
    for x in a:
        s += x
    return s.real + s.imag


def scaled(a: complex128[:, :], re: float, im: float) -> complex128[:, ::1]:
    return a * complex(re, im)


def squared(a: complex64[:]) -> complex64[::1]:
    return a * a


def conj_mul(a: complex128[:], b: complex128[:]) -> complex128[::1]:
    out = np.zeros(len(a), np.complex128)
    for i in range(len(a)):
        out[i] = a[i] * b[i].conjugate()
    return out


def put(a: complex64[:, :], i: int, j: int, re: float, im: float) -> None:
    a[i, j] = complex(re, im)


def every_other(a: complex128[:]) -> complex128[:]:
    return a[::2]


def spiral(n: int) -> complex128[::1]:
    a = np.zeros(n, np.complex128)
    for i in range(n):
        a[i] = complex(i, -2 * i)
    return a


def real_at(a: complex128[:], i: int) -> float:
    return a[i].real


def total_real(a: float64[:]) -> float:
    s = 0.0
    for x in a:
        s += x
    return s


KERNELS = [scaled, squared, conj_mul, put, every_other, spiral, real_at, total_real, csum]


@pytest.fixture(scope="module")
def mod():
    return load(compile_functions(KERNELS).wasm)


def live(mod) -> tuple[int, int]:
    ex = mod._exports
    return ex["pyexec_live_blocks"](mod._store), ex["pyexec_heap_used"](mod._store)


def views(dtype, ndim: int):
    """Complex arrays with every kind of strides: contiguous, reversed, stepped, transposed."""
    part = st.floats(-1e3, 1e3, width=32 if dtype == np.complex64 else 64)
    elements = st.builds(complex, part, part)
    base = hnp.arrays(dtype, hnp.array_shapes(min_dims=ndim, max_dims=ndim, min_side=0, max_side=6),
                      elements=elements)
    return base.flatmap(lambda a: st.sampled_from([a, a[::-1], a[::2], a.T]))


def assert_numpys_product(got, want) -> None:
    """Equal up to the last bits of a part: NumPy's vectorised complex multiply fuses multiply-adds on CPUs with
    FMA (its own scalar product of the same numbers differs the same way); wasm has no fused multiply-add."""
    assert got.dtype == want.dtype and got.shape == want.shape
    np.testing.assert_allclose(got, want, rtol=4 * np.finfo(want.real.dtype).eps, atol=0)


SETTINGS = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(views(np.complex128, 2), st.floats(-10, 10), st.floats(-10, 10))
def test_a_complex128_2d_view_times_a_complex_is_numpys_product(mod, a, re, im):
    got = mod.scaled(a, re, im)
    assert got.flags.c_contiguous
    assert_numpys_product(got, scaled(a, re, im))


@SETTINGS
@given(views(np.complex64, 1))
def test_a_complex64_view_squared_is_numpys_complex64_square(mod, a):
    assert_numpys_product(mod.squared(a), a * a)


@SETTINGS
@given(views(np.complex128, 1))
def test_a_loop_over_a_complex_view_sums_as_python_does(mod, a):
    assert mod.csum(a) == csum(a)


@SETTINGS
@given(views(np.complex128, 1).filter(lambda a: len(a) > 0).flatmap(
    lambda a: st.tuples(st.just(a), st.integers(-len(a) - 2, len(a) + 1))))
def test_an_element_read_matches_numpy_including_its_index_error(mod, case):
    a, i = case
    if -len(a) <= i < len(a):
        assert mod.real_at(a, i) == a[i].real
    else:
        with pytest.raises(IndexError):
            mod.real_at(a, i)


def test_two_complex_arguments_and_a_complex_result_made_in_wasm(mod):
    rng = np.random.default_rng(7)
    a = rng.normal(size=50) + 1j * rng.normal(size=50)
    b = (rng.normal(size=100) + 1j * rng.normal(size=100))[::-2]
    assert_numpys_product(mod.conj_mul(a, b), a * b.conj())
    np.testing.assert_array_equal(mod.spiral(4), np.array([0, 1 - 2j, 2 - 4j, 3 - 6j]))
    np.testing.assert_array_equal(mod.every_other(a[::-1]), a[::-1][::2])
    assert mod.spiral(0).shape == (0,) and mod.spiral(0).dtype == np.complex128
    assert live(mod) == (0, 0)


def test_writes_to_a_complex_argument_reach_the_callers_array_through_a_transpose(mod):
    a = np.zeros((3, 4), np.complex64)
    view = a.T
    mod.put(view, 3, 2, 1.5, -2.5)
    assert a[2, 3] == np.complex64(1.5 - 2.5j) and np.count_nonzero(a) == 1
    with pytest.raises(IndexError):
        mod.put(view, 4, 0, 1.0, 1.0)
    frozen = np.zeros((2, 2), np.complex64)
    frozen.flags.writeable = False
    with pytest.raises(ValueError, match="read-only"):
        mod.put(frozen, 0, 0, 1.0, 1.0)


def test_a_wrong_complex_dtype_is_a_type_error_naming_the_conversion(mod):
    with pytest.raises(TypeError, match=r"not an array of complex64: convert it with .astype\(numpy.complex128\)"):
        mod.conj_mul(np.zeros(2, np.complex64), np.zeros(2, np.complex128))
    with pytest.raises(TypeError, match="not an array of float64"):
        mod.squared(np.zeros(2))
    with pytest.raises(TypeError, match="not an array of complex128"):
        mod.total_real(np.zeros(2, np.complex128))


def test_complex_arrays_stay_in_linear_memory_without_a_copy(mod):
    a = mod.wasm_array((3, 2), np.complex64)
    assert a.dtype == np.complex64 and not a.any()
    mod.put(a, 2, 1, 3.0, 4.0)  # in place: nothing is copied back, the write is already there
    assert a[2, 1] == 3 + 4j
    kept = mod.spiral.in_memory(5)
    base = ctypes.cast(mod._memory.data_ptr(mod._store), ctypes.c_void_p).value
    assert 0 <= kept.__array_interface__["data"][0] - base < mod._memory.data_len(mod._store)
    assert_numpys_product(mod.conj_mul(kept, kept), (np.abs(spiral(5)) ** 2).astype(np.complex128))
    del a, kept
    mod.total_real(np.zeros(1))  # the next call releases the dropped blocks
    assert live(mod) == (0, 0)


def test_the_signature_section_writes_complex_array_types():
    lines = [str(s) for s in compile_functions([squared, put]).signatures]
    assert lines == ["squared(a:array[complex64;1;A])->array[complex64;1;C]!",  # ! : allocating may raise MemoryError
                     "put(a:array[complex64;2;A;w],i:int,j:int,re:float64,im:float64)->None!"]
    assert [str(s) for s in decode_signatures("\n".join(lines).encode())] == lines


def test_threads_with_small_stacks_each_get_their_own_complex_results(mod):
    # one module, calls serialised by its lock; a thread with a 256 KiB stack runs its calls on a helper
    import threading

    failures = []

    def worker(k):
        rng = np.random.default_rng(k)
        for _ in range(200):
            a = rng.normal(size=7) + 1j * rng.normal(size=7)
            if not np.allclose(mod.conj_mul(a, a[::-1]), a * a[::-1].conj(), rtol=1e-15, atol=0):
                failures.append(k)
            grid = np.zeros((2, 3), np.complex64)
            mod.put(grid, 1, 2, float(k), -1.0)
            if grid[1, 2] != np.complex64(complex(k, -1)) or mod.spiral(k)[-1:].tolist() != spiral(k)[-1:].tolist():
                failures.append(k)

    threading.stack_size(256 * 1024)
    try:
        threads = [threading.Thread(target=worker, args=(k,)) for k in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        threading.stack_size(0)
    assert failures == [] and live(mod) == (0, 0)
