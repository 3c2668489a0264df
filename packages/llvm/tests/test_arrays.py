"""NumPy arrays in ``aot`` code, NumPy as the oracle: arguments used in place whatever their strides,
element reads and writes (NumPy's casts, IndexError messages), ``len``/``.shape``/``.size``/``.ndim``,
``for x in a``, and the boundary's TypeError/ValueError for arrays that do not match."""

from __future__ import annotations

import gc
import subprocess
import sys
import textwrap
import threading
import weakref

import numpy as np
import numpy.typing as npt
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pyexec.backends.llvm import aot
from pyexec.backends.llvm.array_box import live_blocks
from pyexec.types import bool_, complex128, float32, float64, int8, int16, int32, int64, uint8, uint64

# --- kernels (plain Python: the same source runs under CPython+NumPy as the oracle) ---------------


def loop_sum(a: float64[:]) -> float:
    t = 0.0
    for x in a:
        t += x
    return t


def index_sum_2d(a: int64[:, :]) -> int64:
    n, m = a.shape
    t = int64(0)
    for i in range(n):
        for j in range(m):
            t += a[i, j]
    return t


def read(a: int32[:], i: int) -> int32:
    return a[i]


def read_2d(a: float32[:, :], i: int, j: int) -> float32:
    return a[i, j]


def write(a: uint8[:], i: int, v: float) -> None:
    a[i] = v


def write_2d(a: float64[:, :], i: int, j: int, v: float) -> None:
    a[i, j] = v


def add_at(a: int8[:], i: int, v: int8) -> None:
    a[i] += v


def fill_c(a: complex128[:, ::1], z: complex) -> int:
    n, m = a.shape
    for i in range(n):
        for j in range(m):
            a[i, j] = z * (i + 1) + j
    return a.size + a.ndim + len(a) + a.shape[-1]


def count_true(a: bool_[:]) -> int:
    c = 0
    for x in a:
        if x:
            c += 1
    return c


def store_bool(a: uint64[:], b: bool_[:]) -> None:
    for i in range(len(a)):
        b[i] = a[i] > 7
        a[i] = b[i]


def shape_facts(a: float64[:, :]) -> int:
    return a.shape[0] * 1000 + a.shape[1] * 10 + a.ndim + a.size * 100000


def outcome(fn, *args):
    try:
        return ("value", fn(*args))
    except (IndexError, TypeError, ValueError, OverflowError) as exc:
        return ("raises", type(exc).__name__, str(exc))


# --- strategies ---------------------------------------------------------------------------------


def _views(base: np.ndarray) -> st.SearchStrategy[np.ndarray]:
    """The array itself, or a strided, reversed or Fortran-ordered view of it."""
    options = [base, base[::2], base[::-1], base[1::3]]
    if base.ndim == 2:
        options += [base.T, base[:, ::2], base[::-1, 1:], np.asfortranarray(base)]
    return st.sampled_from(options)


def arrays(dtype: type, ndim: int, elements: st.SearchStrategy | None = None) -> st.SearchStrategy[np.ndarray]:
    shape = st.tuples(*[st.integers(0, 6)] * ndim)
    if elements is None:
        info = np.iinfo(dtype) if np.issubdtype(dtype, np.integer) else None
        elements = st.integers(int(info.min), int(info.max)) if info else st.floats(width=32) | st.floats(-1e6, 1e6)
    return shape.flatmap(lambda s: st.lists(elements, min_size=int(np.prod(s)), max_size=int(np.prod(s))).map(
        lambda xs, s=s: np.array(xs, dtype=dtype).reshape(s))).flatmap(_views)


SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(arrays(np.float64, 1, st.floats(-1e6, 1e6)))
def test_a_loop_over_any_1d_view_sums_as_python_does(a):
    assert aot(loop_sum)(a) == loop_sum(a)


@SETTINGS
@given(arrays(np.int64, 2))
def test_2d_index_sum_wraps_like_numpy_int64_on_every_view(a):
    with np.errstate(over="ignore"):
        expected = index_sum_2d(a)
    assert aot(index_sum_2d)(a) == expected


@SETTINGS
@given(arrays(np.int32, 1), st.integers(-9, 9))
def test_an_element_read_matches_numpy_including_its_index_error(a, i):
    assert outcome(aot(read), a, i) == outcome(read, a, i)


@SETTINGS
@given(arrays(np.float32, 2), st.integers(-8, 8), st.integers(-8, 8))
def test_a_2d_element_read_matches_numpy_including_its_index_error(a, i, j):
    got, expected = outcome(aot(read_2d), a, i, j), outcome(read_2d, a, i, j)
    if got[0] == expected[0] == "value" and np.isnan(expected[1]):
        assert np.isnan(got[1])
    else:
        assert got == expected


@SETTINGS
@given(arrays(np.uint8, 1), st.integers(-7, 7), st.floats(-300.0, 300.0))
def test_a_float_stored_in_a_uint8_array_truncates_and_wraps_like_numpy(a, i, v):
    mine, theirs = a.copy(), a.copy()
    with np.errstate(invalid="ignore"):
        expected = outcome(write, theirs, i, v)
    assert outcome(aot(write), mine, i, v) == expected
    assert np.array_equal(mine, theirs)


VIEWS_2D = [lambda x: x, lambda x: x.T, lambda x: x[::-1, ::2], lambda x: x[1:, ::-1], lambda x: x[:, 1::2].T]


@SETTINGS
@given(st.tuples(st.integers(0, 5), st.integers(0, 5)), st.integers(0, len(VIEWS_2D) - 1), st.integers(-7, 7),
       st.integers(-7, 7), st.floats(-1e3, 1e3))
def test_a_write_through_a_view_is_seen_by_the_caller_where_numpy_puts_it(shape, view, i, j, v):
    mine, theirs = np.zeros(shape), np.zeros(shape)
    expected = outcome(write_2d, VIEWS_2D[view](theirs), i, j, v)
    assert outcome(aot(write_2d), VIEWS_2D[view](mine), i, j, v) == expected
    assert np.array_equal(mine, theirs)


@SETTINGS
@given(arrays(np.int8, 1), st.integers(-6, 6), st.integers(-128, 127))
def test_augmented_assignment_of_an_int8_element_wraps_like_numpy(a, i, v):
    mine, theirs = a.copy(), a.copy()
    with np.errstate(over="ignore"):
        expected = outcome(add_at, theirs, i, np.int8(v))
    assert outcome(aot(add_at), mine, i, v) == expected
    assert np.array_equal(mine, theirs)


def test_writes_through_negative_and_transposed_strides_land_where_numpy_puts_them():
    base = np.zeros((3, 4))
    aot(write_2d)(base.T[::-1], 0, 2, 7.5)  # the last column, the third row
    expected = np.zeros((3, 4))
    expected.T[::-1][0, 2] = 7.5
    assert np.array_equal(base, expected) and base[2, 3] == 7.5


def test_complex_c_contiguous_fill_and_shape_queries():
    a = np.zeros((3, 5), np.complex128)
    b = a.copy()
    assert aot(fill_c)(a, 1 + 2j) == fill_c(b, 1 + 2j) == 15 + 2 + 3 + 5
    assert np.array_equal(a, b)


def test_bool_arrays_read_and_write_as_numpy_bool_bytes():
    a = np.array([3, 9, 0, 12, 8, 7], np.uint64)
    flags = np.zeros(6, np.bool_)
    mine_a, mine_flags = a.copy(), flags.copy()
    store_bool(a, flags)
    aot(store_bool)(mine_a, mine_flags)
    assert np.array_equal(mine_a, a) and np.array_equal(mine_flags, flags)
    assert aot(count_true)(flags) == count_true(flags) == 3
    assert aot(count_true)(flags[::-2]) == count_true(flags[::-2])


@pytest.mark.parametrize("shape", [(0, 0), (0, 3), (1, 1), (4, 2)])
def test_shape_size_and_ndim_are_numpys(shape):
    a = np.zeros(shape)
    assert aot(shape_facts)(a) == shape_facts(a)
    assert aot(shape_facts)(a.T) == shape_facts(a.T)


def test_an_index_error_names_the_index_the_axis_and_the_size_as_numpy_does():
    a = np.zeros((2, 3), np.float32)
    with pytest.raises(IndexError, match=r"^index 3 is out of bounds for axis 1 with size 3$"):
        aot(read_2d)(a, 1, 3)
    with pytest.raises(IndexError, match=r"^index -9223372036854775808 is out of bounds for axis 0 with size 2$"):
        aot(read_2d)(a, -(2**63), 0)


# --- the boundary ----------------------------------------------------------------------------------


def test_a_wrong_dtype_is_a_type_error_naming_the_parameter_and_its_type():
    with pytest.raises(TypeError, match=r"read\(\) argument 'a' must be an array of type int32\[:\]: its elements "
                       r"are not int32 \(buffer format 'l', 8 bytes each\)"):
        aot(read)(np.zeros(3, np.int64), 0)


def test_a_wrong_number_of_dimensions_is_a_type_error():
    with pytest.raises(TypeError, match=r"must be an array of type float32\[:, :\], not an array of 1 dimension"):
        aot(read_2d)(np.zeros(3, np.float32), 0, 0)


def test_a_list_is_refused_with_its_type_name():
    with pytest.raises(TypeError, match=r"loop_sum\(\) argument 'a' must be an array of type float64\[:\], not list"):
        aot(loop_sum)([1.0, 2.0])


def test_a_non_contiguous_array_for_a_c_layout_parameter_is_a_type_error():
    a = np.zeros((4, 6), np.complex128)
    with pytest.raises(TypeError, match=r"complex128\[:, ::1\] \(C-contiguous\), and this one is not"):
        aot(fill_c)(a[:, ::2], 1j)
    assert aot(fill_c)(a[1:3], 1j) == 12 + 2 + 2 + 6  # a block of whole rows is C-contiguous


def test_a_read_only_array_is_refused_only_where_the_function_writes():
    a = np.arange(5.0)
    a.flags.writeable = False
    assert aot(loop_sum)(a) == 10.0
    b = np.zeros(3, np.uint8)
    b.flags.writeable = False
    with pytest.raises(ValueError, match="assignment destination is read-only"):
        aot(write)(b, 0, 1.0)


def alias_then_write(a: float64[:]) -> None:
    b = a
    b[0] = 1.0


def write_through_callee(a: float64[:]) -> None:
    alias_then_write(a)


def test_writing_through_an_alias_or_a_callee_needs_a_writable_buffer():
    a = np.zeros(2)
    a.flags.writeable = False
    for fn in (alias_then_write, write_through_callee):
        with pytest.raises(ValueError, match="assignment destination is read-only"):
            aot(fn)(a)
    w = np.zeros(2)
    aot(write_through_callee)(w)
    assert w[0] == 1.0


def test_buffers_are_released_after_every_call_ok_or_failed():
    # NumPy refuses to resize an array while a buffer of it is held: a leaked buffer would show here
    a = np.zeros(4, np.int32)
    aot(read)(a, 1)
    with pytest.raises(IndexError):
        aot(read)(a, 9)
    with pytest.raises(TypeError):
        aot(read)(a, 1.5)
    a.resize(8, refcheck=False)
    assert a.shape == (8,)


def test_calls_from_eight_threads_with_small_stacks_see_their_own_arrays():
    fn = aot(index_sum_2d)
    fn(np.zeros((1, 1), np.int64))  # compile once, before the threads
    results: dict[int, int] = {}
    errors: list[BaseException] = []

    def work(k: int) -> None:
        try:
            a = np.full((50, 20), k, np.int64)
            for _ in range(200):
                results[k] = fn(a[::-1, ::2])
        except BaseException as exc:
            errors.append(exc)

    old = threading.stack_size(256 * 1024)
    try:
        threads = [threading.Thread(target=work, args=(k,)) for k in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        threading.stack_size(old)
    assert not errors
    assert results == {k: k * 50 * 10 for k in range(8)}


def test_out_of_bounds_accesses_in_a_child_process_raise_and_never_crash(tmp_path):
    # risky cases run in a child: a wrong bounds check would be a signal there, not the end of this run
    code = textwrap.dedent("""
        import numpy as np
        from pyexec.backends.llvm import aot
        from pyexec.types import float64

        def poke(a: float64[:, :], i: int, j: int) -> None:
            a[i, j] = 1.0

        f = aot(poke)
        a = np.zeros((3, 4))
        bad = 0
        for i, j in [(3, 0), (-4, 0), (0, 4), (0, -5), (2**62, 0), (0, -(2**63))]:
            try:
                f(a, i, j)
            except IndexError:
                bad += 1
        for _ in range(10000):
            try:
                f(a[::-1, ::-2], 0, 2)
            except IndexError:
                bad += 1
        print(bad, int(a.sum()))
    """)
    script = tmp_path / "poke.py"  # a file: aot reads the function's source
    script.write_text(code)
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == [str(6 + 10000), "0"]


# --- arrays made by compiled code ------------------------------------------------------------------


def make_grid(n: int, m: int) -> float64[:, ::1]:
    g = np.zeros((n, m))
    for i in range(n):
        for j in range(m):
            g[i, j] = i * 10 + j
    return g


def constructors(n: int) -> int64:
    a = np.ones(n, np.int32)
    b = np.full((n, 2), 7, dtype=np.uint8)
    c = np.zeros_like(a)
    d = np.empty(n)
    e = np.full(n, 2.5)
    t = int64(0)
    for i in range(n):
        t += a[i] + b[i, 1] + c[i]
        d[i] = e[i]
    return t + len(d)


def arange_sum(start: int, stop: int, step: int) -> int:
    t = 0
    for x in np.arange(start, stop, step):
        t += x
    return int(t)


def float_range(start: float, stop: float, step: float) -> float64[:]:
    return np.arange(start, stop, step)


def same(a: float64[:]) -> float64[:]:
    return a


def fails_after_allocating(n: int, i: int) -> float:
    a = np.ones(n)
    b = np.full(n, 2.0)
    c = a  # two references to one block
    return c[i] + b[0]


def test_a_returned_array_is_a_numpy_array_that_owns_its_block_without_a_copy():
    before = live_blocks()
    g = aot(make_grid)(3, 4)
    assert isinstance(g, np.ndarray) and g.dtype == np.float64 and g.flags.c_contiguous and g.flags.writeable
    assert np.array_equal(g, make_grid(3, 4))
    assert live_blocks() == before + 1
    view = g[1:]  # a view keeps the block alive through NumPy's base chain
    del g
    gc.collect()
    assert live_blocks() == before + 1 and view[0, 3] == 13.0
    del view
    gc.collect()
    assert live_blocks() == before


def test_constructors_give_numpys_values_and_types():
    assert aot(constructors)(5) == constructors(5)
    assert aot(constructors)(0) == constructors(0)
    for args in [(0, 10, 3), (10, 0, -3), (5, 5, 1), (-7, 8, 4), (0, 3, 10)]:
        assert aot(arange_sum)(*args) == arange_sum(*args)
    for args in [(0.0, 1.0, 0.1), (1.0, -1.0, -0.25), (0.0, 1e-3, 1.0), (3.0, 1.0, 1.0)]:
        got, expected = aot(float_range)(*args), np.arange(*args)
        assert got.dtype == expected.dtype and np.array_equal(got, expected)


def test_constructor_errors_are_numpys():
    with pytest.raises(ValueError, match="negative dimensions are not allowed"):
        aot(make_grid)(2, -1)
    with pytest.raises(ValueError, match="array is too big"):
        aot(make_grid)(2**40, 2**40)
    with pytest.raises(ZeroDivisionError):
        aot(arange_sum)(0, 5, 0)


def test_returning_an_argument_gives_a_view_that_keeps_it_alive():
    a = np.arange(6.0)[::-2]
    b = aot(same)(a)
    assert np.shares_memory(a, b) and np.array_equal(a, b) and b.strides == a.strides
    r = np.arange(3.0)
    r.flags.writeable = False
    assert not aot(same)(r).flags.writeable  # a read-only argument stays read-only
    ref = weakref.ref(a.base)
    del a
    gc.collect()
    assert ref() is not None and b[0] == 5.0


def test_no_block_leaks_over_many_calls_or_faults():
    fn, grid = aot(fails_after_allocating), aot(make_grid)
    fn(3, 0)
    before = live_blocks()
    for _ in range(10**5):
        fn(8, 3)
    for _ in range(10**4):
        with pytest.raises(IndexError):
            fn(8, 8)  # two blocks alive when the index fails: the entry frees them
    for _ in range(10**4):
        grid(2, 2)
    gc.collect()
    assert live_blocks() == before


# --- parameters typed from the first call (the original API's array_sum has no annotation) --------


def array_sum(arr):
    total = 0.0
    for i in range(len(arr)):
        total += arr[i]
    return total


def scale_in_place(a: np.ndarray, k) -> None:
    for i in range(len(a)):
        a[i] *= k


def first_of(a: npt.NDArray[np.float64]):
    return a[0] + a[-1]


def test_an_unannotated_parameter_is_typed_from_each_calls_argument_like_numbas_dispatcher():
    fn = aot(array_sum)
    for a in [np.arange(10.0), np.arange(10), np.arange(10.0)[::3], np.ones((3,), np.float32), np.zeros(0)]:
        assert fn(a) == array_sum(a)
    kinds = {(str(k[0][1]), k[0][3]) for k in fn.specialisations}
    assert kinds == {("float64", True), ("int64", True), ("float64", False), ("float32", True)}
    fn(np.arange(5.0))
    assert len(fn.specialisations) == 4  # reused, not compiled again


def helper_total(a):
    return a.sum()


def helper_count(a, n) -> int:
    if n == 0:
        return 0
    return helper_count(a, n - 1) + len(a)


def calls_untyped_helpers(a, b):
    return helper_total(a) + helper_total(b[::-1]) + helper_count(a, 3) + helper_count(b, 2)


def test_untyped_callees_are_specialised_on_the_callers_argument_types():
    for a, b in [(np.arange(5.0), np.arange(4, dtype=np.int32)), (np.arange(3), np.ones(2, np.float32))]:
        assert aot(calls_untyped_helpers)(a, b) == calls_untyped_helpers(a, b)


def enumerate_and_zip(a: float64[:], b: int32[:]) -> float:
    t = 0.0
    for i, x in enumerate(a):
        t += i * x
    for i, y in enumerate(b, -3):
        t += i * y
    for x, y in zip(a, b):
        t += x * y
    for k, x, y in zip(range(2, 100, 3), a[::-1], b):
        t += k * x - y
    return t


def enumerate_rows(m: float64[:, :]) -> float:
    s = 0.0
    for i, row in enumerate(m):
        for j, v in enumerate(row):
            s += (i + 1) * (j + 2) * v
    for r1, r2 in zip(m, m[::-1]):
        for x, y in zip(r1, r2):
            s += x * y
    return s


@SETTINGS
@given(arrays(np.float64, 1, st.floats(-1e3, 1e3)), arrays(np.int32, 1, st.integers(-1000, 1000)),
       arrays(np.float64, 2, st.floats(-1e3, 1e3)))
def test_enumerate_and_zip_over_arrays_and_ranges_walk_as_python_does(a, b, m):
    assert aot(enumerate_and_zip)(a, b) == enumerate_and_zip(a, b)
    assert aot(enumerate_rows)(m) == enumerate_rows(m)


def test_bare_ndarray_and_ndarray_typing_annotations_are_completed_from_the_arguments():
    x, y = np.arange(4.0), np.arange(4, dtype=np.int16)
    aot(scale_in_place)(x, 2)
    aot(scale_in_place)(y, 3)
    assert x.tolist() == [0.0, 2.0, 4.0, 6.0] and y.tolist() == [0, 3, 6, 9] and y.dtype == np.int16
    assert aot(first_of)(np.arange(3.0) + 1) == 4.0


def test_arguments_compiled_code_cannot_take_are_type_errors_naming_them():
    with pytest.raises(TypeError, match=r"array_sum\(\) argument 'arr' is a list"):
        aot(array_sum)([1.0, 2.0])
    with pytest.raises(TypeError, match=r"argument 'arr' is a ndarray"):
        aot(array_sum)(np.zeros(3, ">f8"))  # not in native byte order


# --- views, copies and reductions -----------------------------------------------------------------


def window(a: float64[:], lo: int, hi: int, step: int) -> float64[:]:
    return a[lo:hi:step]


def row_and_column(a: int32[:, :], i: int, j: int) -> int64:
    r = a[i]
    c = a[:, j]
    t = int64(0)
    for x in r:
        t = t * 7 + x
    for x in c[::-1]:
        t = t * 5 + x
    return t


def rows_weighted(a: float64[:, :]) -> float:
    t = 0.0
    k = 1.0
    for row in a.T:
        for x in row:
            t += k * x
            k += 1.0
    return t


def fill_block(a: float64[:, :], v: float) -> None:
    a[1:, ::2] = v
    a[0] = -v


def transposed_copy(a: float64[:, :]) -> float64[:, ::1]:
    return a.T.copy()


def reductions(a: float64[:, :]) -> float:
    return a.min() * 1000 + np.max(a) * 100 + a.argmin() * 10 + np.argmax(a) + a.mean() * 0.5


def int_reductions(a: int16[:]) -> int64:
    return a.sum() * 3 + np.prod(a[:3]) + a.min() - a.max()


@SETTINGS
@given(st.integers(0, 7), st.integers(-9, 9), st.integers(-9, 9), st.integers(-3, 3))
def test_slices_follow_pythons_rules_including_negative_steps_and_clamping(n, lo, hi, step):
    a = np.arange(float(n))
    if step == 0:
        assert outcome(aot(window), a, lo, hi, step) == outcome(window, a, lo, hi, step)  # ValueError
    else:
        got = aot(window)(a, lo, hi, step)
        assert np.array_equal(got, a[lo:hi:step]) and np.shares_memory(got, a) == (got.size > 0)


@SETTINGS
@given(arrays(np.int32, 2, st.integers(-9, 9)), st.integers(-4, 4), st.integers(-4, 4))
def test_rows_and_columns_are_views_with_numpys_index_errors(a, i, j):
    with np.errstate(over="ignore"):
        expected = outcome(row_and_column, a, i, j)
    assert outcome(aot(row_and_column), a, i, j) == expected


@SETTINGS
@given(arrays(np.float64, 2, st.floats(-100, 100)))
def test_iterating_over_the_rows_of_a_transpose(a):
    assert aot(rows_weighted)(a) == pytest.approx(rows_weighted(a), rel=1e-12, abs=1e-9)


@SETTINGS
@given(arrays(np.float64, 2, st.floats(-100, 100)), st.floats(-5, 5))
def test_filling_a_slice_and_a_row_writes_what_numpy_writes(a, v):
    mine, theirs = a.copy(), a.copy()
    assert outcome(aot(fill_block), mine, v)[0] == outcome(fill_block, theirs, v)[0]
    assert np.array_equal(mine, theirs)


def test_a_copy_is_a_new_c_contiguous_array_and_a_transpose_shares_memory():
    a = np.arange(6.0).reshape(2, 3)
    c = aot(transposed_copy)(a[:, ::-1])
    assert c.flags.c_contiguous and not np.shares_memory(c, a) and np.array_equal(c, a[:, ::-1].T)


@SETTINGS
@given(arrays(np.float64, 2, st.floats(-1e3, 1e3) | st.just(float("nan"))))
def test_reductions_give_numpys_values_nan_and_empty_errors(a):
    got, expected = outcome(aot(reductions), a), outcome(reductions, a)
    if expected[0] == "value" and not np.isnan(expected[1]):
        assert got[0] == "value" and got[1] == pytest.approx(expected[1], rel=1e-12, abs=1e-9)
    elif expected[0] == "value":
        assert got[0] == "value" and np.isnan(got[1])
    else:
        assert got == expected


@SETTINGS
@given(arrays(np.int16, 1).filter(lambda a: a.size >= 3))
def test_integer_reductions_widen_and_wrap_as_numpy_does(a):
    with np.errstate(over="ignore"):
        assert aot(int_reductions)(a) == int_reductions(a)


# --- elementwise operations, ufuncs and matmul -----------------------------------------------------


def arith(a: float64[:, :], b: float64[:]) -> float64[:, ::1]:
    return (a + b) * 2.0 - a / b


def int_arith(a: int32[:], b: int8[:, :]) -> int32[:, ::1]:
    return a * b - a + 3


def compare(a: float64[:, :], x: float) -> bool_[:, ::1]:
    return a < x


def ufuncs(a: float64[:]) -> float64[::1]:
    return np.sqrt(np.abs(a)) + np.exp(-a) + np.sin(a) - np.log(np.abs(a) + 1.0)


def matrix_multiply(A: np.ndarray, B: np.ndarray) -> np.ndarray:
    return A @ B


def matrix_power(A: np.ndarray, n: int) -> np.ndarray:
    result = np.eye(A.shape[0])
    for _ in range(n):
        result = result @ A
    return result


@SETTINGS
@given(arrays(np.float64, 2, st.floats(-100, 100)), arrays(np.float64, 1, st.floats(-100, 100)))
def test_elementwise_arithmetic_broadcasts_like_numpy_and_divides_by_zero_to_inf(a, b):
    with np.errstate(all="ignore"):
        expected = outcome(arith, a, b)
    got = outcome(aot(arith), a, b)
    if expected[0] == "raises":
        assert got[:2] == expected[:2]  # ValueError: shapes that do not broadcast
    else:
        assert got[0] == "value" and got[1].shape == expected[1].shape
        assert np.array_equal(got[1], expected[1], equal_nan=True)


@SETTINGS
@given(arrays(np.int32, 1), arrays(np.int8, 2))
def test_integer_elementwise_arithmetic_promotes_and_wraps_like_numpy(a, b):
    with np.errstate(all="ignore"):
        expected = outcome(int_arith, a, b)
    got = outcome(aot(int_arith), a, b)
    assert got[0] == expected[0]
    if got[0] == "value":
        assert got[1].dtype == expected[1].dtype and np.array_equal(got[1], expected[1])


@SETTINGS
@given(arrays(np.float64, 2, st.floats(-10, 10) | st.just(float("nan"))), st.floats(-10, 10))
def test_comparisons_give_numpy_bool_arrays(a, x):
    got = aot(compare)(a, x)
    assert got.dtype == np.bool_ and np.array_equal(got, compare(a, x))


@SETTINGS
@given(arrays(np.float64, 1, st.floats(-50, 50)))
def test_ufuncs_match_numpy_to_the_last_few_ulps(a):
    assert np.allclose(aot(ufuncs)(a), ufuncs(a), rtol=1e-13, atol=0)


@pytest.mark.parametrize(("ls", "rs"), [((2, 3), (3, 4)), ((3,), (3,)), ((2, 3), (3,)), ((3,), (3, 2)),
                                        ((0, 3), (3, 0))])
def test_matmul_of_1d_and_2d_arrays_is_numpys(ls, rs):
    rng = np.random.default_rng(1)
    a, b = rng.random(ls), rng.integers(-5, 5, rs)
    got = aot(matrix_multiply)(a, b)
    assert np.allclose(got, a @ b) and np.shape(got) == np.shape(a @ b)
    with pytest.raises(ValueError, match="matmul"):
        aot(matrix_multiply)(a, np.ones((4, *rs[1:])))


def test_the_original_matrix_examples_run_through_aot():
    assert aot(matrix_multiply)(np.ones((3, 3)), np.eye(3)).tolist() == [[1.0] * 3] * 3
    assert aot(matrix_power)(np.array([[1, 1], [1, 0]]), 10).tolist() == [[89.0, 55.0], [55.0, 34.0]]


def test_temporaries_of_whole_array_expressions_are_freed():
    a = np.arange(12.0).reshape(3, 4)
    fn = aot(arith)
    fn(a, a[0] + 1)
    before = live_blocks()
    for _ in range(2000):
        fn(a, a[0] + 1)
    gc.collect()
    assert live_blocks() == before


def test_boundscheck_false_drops_the_checks_but_keeps_negative_indices():
    a = np.arange(5.0)
    fast = aot(read_last_minus, boundscheck=False)
    assert fast(a, 1) == 4.0 and fast(a, 5) == 0.0
    assert "pyexec.index_error" not in fast.inspect_llvm()
    with pytest.raises(IndexError):
        aot(read_last_minus)(a, 6)


def read_last_minus(a: float64[:], k: int) -> float:
    return a[-k]


def shift(a: float64[:], k: int) -> None:
    a[k:] = a[:-k]


def assign_rows(a: int32[:, :], b: float64[:]) -> None:
    a[1:] = b
    a[0, ::2] = b[::2] * 2.0


@pytest.mark.parametrize("k", [1, 2, 5])
def test_assigning_an_overlapping_slice_reads_the_source_first_as_numpy_does(k):
    mine, theirs = np.arange(10.0), np.arange(10.0)
    aot(shift)(mine, k)
    shift(theirs, k)
    assert np.array_equal(mine, theirs)
    reverse_mine, reverse_theirs = np.arange(6.0), np.arange(6.0)
    aot(window_assign)(reverse_mine)
    window_assign(reverse_theirs)
    assert np.array_equal(reverse_mine, reverse_theirs)


def window_assign(a: float64[:]) -> None:
    a[:] = a[::-1]


def test_assigning_an_array_to_a_view_broadcasts_and_casts_like_numpy():
    mine, theirs = np.zeros((3, 4), np.int32), np.zeros((3, 4), np.int32)
    b = np.array([1.5, -2.7, 3.2, 9.9])
    aot(assign_rows)(mine, b)
    assign_rows(theirs, b)
    assert np.array_equal(mine, theirs)
    with pytest.raises(ValueError, match="could not broadcast"):
        aot(assign_rows)(mine, np.ones(3))


def divmods(a: float64[:], b: float64[:]) -> float64[::1]:
    return a // b + (a % b) * 1000.0


def int_divmods(a: int16[:], b: int16[:]) -> int16[::1]:
    return a // b + (a % b) * 100


def powers(a: int32[:], k: int32) -> int32[::1]:
    return a ** k


@SETTINGS
@given(arrays(np.float64, 1, st.floats(-20, 20) | st.sampled_from([0.0, -0.0, float("inf"), float("nan")])))
def test_float_floor_division_and_modulo_are_numpys_divmod(a):
    b = a[::-1].copy()
    with np.errstate(all="ignore"):
        expected = divmods(a, b)
    assert np.array_equal(aot(divmods)(a, b), expected, equal_nan=True)


@SETTINGS
@given(arrays(np.int16, 1))
def test_integer_floor_division_and_modulo_by_zero_give_zero_as_numpy(a):
    b = np.concatenate([a[1:], a[:1]]) if a.size else a
    b = np.where(np.arange(a.size) % 3 == 0, 0, b).astype(np.int16) if a.size else b
    with np.errstate(all="ignore"):
        expected = int_divmods(a, b)
    assert np.array_equal(aot(int_divmods)(a, b), expected)


def test_integer_powers_wrap_and_a_negative_exponent_raises_numpys_value_error():
    a = np.array([2, -3, 7, 0], np.int32)
    with np.errstate(all="ignore"):
        assert np.array_equal(aot(powers)(a, 31), powers(a, np.int32(31)))
    with pytest.raises(ValueError, match="Integers to negative integer powers are not allowed"):
        aot(powers)(a, -1)


def spaced(a: float, b: float, n: int) -> float64[::1]:
    return np.linspace(a, b, n)


@pytest.mark.parametrize("args", [(0.0, 1.0, 5), (2.0, 2.0, 3), (0.0, 1.0, 1), (1.0, 0.0, 4), (0.0, 1.0, 0),
                                  (-3.5, 7.25, 13), (0.1, 0.7, 50)])
def test_linspace_gives_numpys_values_exactly(args):
    assert np.array_equal(aot(spaced)(*args), np.linspace(*args))


def test_linspace_with_a_negative_count_is_numpys_value_error():
    with pytest.raises(ValueError, match=r"^Number of samples, -1, must be non-negative\.$"):
        aot(spaced)(0.0, 1.0, -1)


def bits(a: int16[:], b: int16[:], k: int16) -> int16[::1]:
    return ((a & b) | (a ^ k)) + (a << k) - (b >> k)


@SETTINGS
@given(arrays(np.int16, 1), st.integers(-2, 20))
def test_bitwise_operators_and_shifts_on_integer_arrays_are_numpys(a, k):
    b = a[::-1].copy()
    with np.errstate(all="ignore"):
        expected = bits(a, b, np.int16(k))
    assert np.array_equal(aot(bits)(a, b, k), expected)


def along_axes(a: float64[:, :]) -> float64[::1]:
    return a.sum(axis=0) + np.mean(a, axis=0) * 10.0 + a.max(0) * 100.0 + a.argmin(axis=0) * 1000.0


def along_last(a: int32[:, :]) -> int64[::1]:
    return np.sum(a, axis=-1) * 3 + a.argmax(axis=1) + a.prod(axis=1)


@SETTINGS
@given(arrays(np.float64, 2, st.floats(-100, 100)))
def test_reductions_along_an_axis_are_numpys(a):
    got, expected = outcome(aot(along_axes), a), outcome(along_axes, a)
    assert got[:2] == expected[:2] if expected[0] == "raises" else np.allclose(got[1], expected[1], rtol=1e-12)


@SETTINGS
@given(arrays(np.int32, 2, st.integers(-50, 50)))
def test_integer_reductions_along_the_last_axis_are_exact(a):
    got, expected = outcome(aot(along_last), a), outcome(along_last, a)
    assert got[:2] == expected[:2] if expected[0] == "raises" else np.array_equal(got[1], expected[1])


@pytest.mark.parametrize(("ls", "rs"), [((9, 300), (300, 19)), ((70, 130), (130, 9)), ((8, 3), (3, 16)),
                                        ((7, 3), (3, 9)), ((1, 1), (1, 1)), ((4, 0), (0, 3)), ((3, 5), (5, 0))])
def test_tiled_2d_matmul_sums_in_order_of_k_across_tiles_panels_and_views(ls, rs):
    # (9, 300) @ (300, 19): whole 4×8 tiles, a bottom and a right strip, and k crossing three 128-wide panels;
    # (70, 130): two blocks of 64 rows, the second partial
    rng = np.random.default_rng(2)
    a, b = rng.standard_normal(ls), rng.standard_normal(rs)
    in_order_of_k = np.zeros((ls[0], rs[1]))
    for k in range(ls[1]):
        in_order_of_k = in_order_of_k + np.multiply.outer(a[:, k], b[k, :])  # one rounding per * and per +
    fn = aot(matrix_multiply)
    assert np.array_equal(fn(a, b), in_order_of_k)
    np.testing.assert_allclose(fn(a, b), a @ b, rtol=1e-12, atol=1e-12)
    # a transposed b (strides not C: its tile rows are gathered) and a reversed, stepped a
    bt = np.ascontiguousarray(b.T).T
    assert np.array_equal(fn(a, bt), in_order_of_k)
    wide = rng.standard_normal((ls[0] * 2, ls[1]))[::-2]
    np.testing.assert_allclose(fn(wide, b), wide @ b, rtol=1e-12, atol=1e-12)


def test_tiled_integer_and_mixed_matmul_are_numpys_exactly():
    rng = np.random.default_rng(3)
    a = rng.integers(-2**62, 2**62, (6, 140))
    b = rng.integers(-2**62, 2**62, (140, 21))  # wraps like NumPy's int64 and crosses a panel
    got = aot(matrix_multiply)(a, b)
    assert got.dtype == np.int64 and np.array_equal(got, a @ b)
    f32 = rng.standard_normal((4, 6)).astype(np.float32)
    i8 = rng.integers(-100, 100, (6, 11)).astype(np.int8)  # cast to float32 as the tiles load it
    assert aot(matrix_multiply)(f32, i8).dtype == (f32 @ i8).dtype
    np.testing.assert_allclose(aot(matrix_multiply)(f32, i8), f32 @ i8, rtol=1e-5)
    g32 = rng.standard_normal((6, 16)).astype(np.float32)
    assert aot(matrix_multiply)(f32, g32).dtype == np.float32
    np.testing.assert_allclose(aot(matrix_multiply)(f32, g32), f32 @ g32, rtol=1e-5)
    small = rng.integers(-100, 100, (9, 4)).astype(np.int8)
    assert np.array_equal(aot(matrix_multiply)(small, small.T.copy()), small @ small.T)


def test_tiled_matmul_from_eight_threads_with_small_stacks_in_a_child_process(tmp_path):
    # the kernel keeps b's packed tile column (8 KiB) on the stack: a crash would kill the child, not the run
    script = tmp_path / "threads.py"
    script.write_text(textwrap.dedent("""
        import threading
        import numpy as np
        from pyexec.backends.llvm import aot

        def mm(a: np.ndarray, b: np.ndarray) -> np.ndarray:
            return a @ b

        fn = aot(mm)
        rng = np.random.default_rng(4)
        pairs = [(rng.standard_normal((37, 140)), rng.standard_normal((140, 29))) for _ in range(8)]
        fn(*pairs[0])
        bad = []

        def work(k):
            a, b = pairs[k]
            for _ in range(30):
                if not np.allclose(fn(a, b), a @ b, rtol=1e-12, atol=1e-12):
                    bad.append(k)

        threading.stack_size(64 * 1024)
        threads = [threading.Thread(target=work, args=(k,)) for k in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        print("bad", bad)
    """))
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["bad", "[]"]
