"""NumPy arrays across the WebAssembly boundary (wasmtime from Python), NumPy as the oracle: arguments of
any strides copied in, written arguments copied back, arrays made in wasm returned as NumPy arrays, the
module's own allocator (pyexec.memory's block layout in linear memory) leaking nothing over many calls,
faults and traps, and MemoryError when memory cannot grow."""

from __future__ import annotations

import os
import random
import threading

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from pyexec.backends.wasm.build import compile_functions
from pyexec.backends.wasm.loader import load
from pyexec.types import bool_, float32, float64, int8, int16, int32, int64, uint8

# --- kernels (a representative subset of packages/llvm/tests/test_arrays.py) ------------------------


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


def add_at(a: int8[:], i: int, v: int8) -> None:
    a[i] += v


def count_true(a: bool_[:]) -> int:
    c = 0
    for x in a:
        if x:
            c += 1
    return c


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
    t = int64(0)
    for i in range(n):
        t += a[i] + b[i, 1] + c[i]
    return t


def float_range(start: float, stop: float, step: float) -> float64[:]:
    return np.arange(start, stop, step)


def same(a: float64[:]) -> float64[:]:
    return a


def window(a: float64[:], lo: int, hi: int, step: int) -> float64[:]:
    return a[lo:hi:step]


def fails_after_allocating(n: int, i: int) -> float:
    a = np.ones(n)
    b = np.full(n, 2.0)
    c = a
    return c[i] + b[0]


def arith(a: float64[:, :], b: float64[:]) -> float64[:, ::1]:
    return a * 2.0 + b


def transposed_copy(a: float64[:, :]) -> float64[:, ::1]:
    return a.T.copy()


def deep(n: int) -> float:
    a = np.ones(4)
    return deep(n + 1) + a[0]


def bool_logic(a: bool_[:], b: bool_[:], c: int16[:]) -> int16[:]:
    # NumPy's bool arithmetic (+ is or, * is and), ~, and a bool array beside an int16 one
    return ((a + b) * ~b) + c.astype(np.int16) + (~c)


KERNELS = [loop_sum, index_sum_2d, read, read_2d, write, add_at, count_true, make_grid, constructors, float_range,
           same, window, fails_after_allocating, arith, transposed_copy, deep, bool_logic]


@pytest.fixture(scope="module")
def mod():
    return load(compile_functions(KERNELS).wasm)


def live(mod) -> tuple[int, int]:
    """Blocks alive in the module's heap and the bytes their chunks take."""
    ex = mod._exports
    return ex["pyexec_live_blocks"](mod._store), ex["pyexec_heap_used"](mod._store)


def outcome(fn, *args):
    try:
        return "ok", fn(*args)
    except Exception as exc:  # the oracle's exception type is the expectation
        return type(exc), None


def views(dtype, ndim: int, elements=None):
    """Arrays of ``ndim`` dimensions with every kind of strides: contiguous, reversed, stepped, transposed."""
    base = hnp.arrays(dtype, hnp.array_shapes(min_dims=ndim, max_dims=ndim, min_side=0, max_side=7),
                      elements=elements)
    return base.flatmap(lambda a: st.sampled_from([a, a[::-1], a[::2], a.T]))


FINITE = st.floats(-1e6, 1e6)


# --- differential -----------------------------------------------------------------------------------


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(views(np.float64, 1, FINITE))
def test_a_loop_over_any_1d_view_sums_as_python_does(mod, a):
    assert mod.loop_sum(a) == loop_sum(a)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(views(np.int64, 2))
def test_a_2d_index_sum_wraps_like_numpy_int64_on_every_view(mod, a):
    with np.errstate(over="ignore"):
        assert mod.index_sum_2d(a) == index_sum_2d(a)


@settings(max_examples=40, deadline=None)
@given(views(np.int32, 1), st.integers(-10, 10))
def test_an_element_read_matches_numpy_including_its_index_error(mod, a, i):
    expected = outcome(read, a, i)
    got = outcome(mod.read, a, i)
    assert got == expected
    if expected[0] is IndexError:
        with pytest.raises(IndexError, match=f"index {i} is out of bounds for axis 0 with size {len(a)}"):
            mod.read(a, i)


def test_a_2d_float32_read_through_a_transpose_and_its_index_error(mod):
    a = np.arange(12, dtype=np.float32).reshape(3, 4)
    assert mod.read_2d(a.T, 3, -1) == a.T[3, -1]
    with pytest.raises(IndexError, match="index 4 is out of bounds for axis 1 with size 4"):
        mod.read_2d(a, 0, 4)


def test_writes_to_an_argument_reach_the_callers_array_even_through_a_view(mod):
    base = np.zeros(8, np.uint8)
    view = base[::-2]
    mod.write(view, 1, 250.9)
    expected = np.zeros(8, np.uint8)
    write(expected[::-2], 1, 250.9)
    assert np.array_equal(base, expected)
    a = np.array([120, -5], np.int8)
    mod.add_at(a, 0, np.int8(100))
    assert a[0] == np.int8(-36)
    with pytest.raises(IndexError):
        mod.write(base, 8, 1.0)


def test_a_read_only_array_is_refused_only_where_the_function_writes(mod):
    r = np.arange(4, dtype=np.uint8)
    r.flags.writeable = False
    with pytest.raises(ValueError, match=r"assignment destination is read-only \(write\(\) assigns"):
        mod.write(r, 0, 1.0)
    f = np.arange(4.0)
    f.flags.writeable = False
    assert mod.loop_sum(f) == 6.0


def test_bool_arrays_cross_as_numpy_bool_bytes(mod):
    a = np.array([True, False, True, True])
    assert mod.count_true(a) == 3 and mod.count_true(a[::2]) == 2


def test_bool_array_arithmetic_invert_and_astype_are_numpys_in_wasm(mod):
    a, b = np.array([True, False, True, False]), np.array([True, True, False, False])
    c = np.array([0, -1, 300, 32767], dtype=np.int16)
    got = mod.bool_logic(a, b, c)
    assert got.dtype == np.int16 and np.array_equal(got, bool_logic(a, b, c))


def test_arrays_made_in_wasm_come_back_as_numpy_arrays(mod):
    g = mod.make_grid(3, 4)
    assert isinstance(g, np.ndarray) and g.dtype == np.float64 and g.flags.c_contiguous and g.flags.writeable
    assert np.array_equal(g, make_grid(3, 4))
    assert mod.make_grid(0, 3).shape == (0, 3)
    assert mod.constructors(5) == constructors(5)
    for args in [(0.0, 1.0, 0.1), (1.0, -1.0, -0.25), (3.0, 1.0, 1.0)]:
        got, expected = mod.float_range(*args), np.arange(*args)
        assert got.dtype == expected.dtype and np.array_equal(got, expected)
    a = np.random.default_rng(1).random((3, 5))
    b = np.arange(5.0)
    assert np.array_equal(mod.arith(a, b), arith(a, b))
    assert np.array_equal(mod.transposed_copy(a[:, ::-1]), a[:, ::-1].T)


def test_a_returned_view_of_an_argument_is_copied_with_numpys_values(mod):
    a = np.arange(10.0)
    assert np.array_equal(mod.same(a[::-3]), a[::-3])
    for lo, hi, step in [(1, 8, 2), (-2, -9, -3), (20, -20, 1)]:
        assert np.array_equal(mod.window(a, lo, hi, step), a[lo:hi:step])
    with pytest.raises(ValueError, match="slice step cannot be zero"):
        mod.window(a, 0, 3, 0)


def test_constructor_errors_are_numpys(mod):
    with pytest.raises(ValueError, match="negative dimensions are not allowed"):
        mod.make_grid(2, -1)
    with pytest.raises(ValueError, match="array is too big"):
        mod.make_grid(2**40, 2**40)


def test_bad_arguments_are_type_errors_naming_the_parameter(mod):
    with pytest.raises(TypeError, match=r"loop_sum\(\) argument 'a' must be an array of type float64\[:\].*int64"):
        mod.loop_sum(np.arange(3))
    with pytest.raises(TypeError, match="not an array of 2 dimension"):
        mod.loop_sum(np.zeros((2, 2)))
    with pytest.raises(TypeError, match="not list"):
        mod.loop_sum([1.0, 2.0])


def test_the_signature_section_names_array_types_and_written_parameters():
    sigs = {s.name: str(s) for s in compile_functions([write, make_grid]).signatures}
    assert sigs["write"] == "write(a:array[uint8;1;A;w],i:int,v:float64)->None!"
    assert sigs["make_grid"] == "make_grid(n:int,m:int)->array[float64;2;C]!"


# --- the heap -----------------------------------------------------------------------------------------


CALLS = int(os.environ.get("PYEXEC_WASM_ARRAY_CALLS", "10000"))
"""Calls in the leak test (10^4 in the suite; PYEXEC_WASM_ARRAY_CALLS=100000 for the issue's 10^5)."""


def test_no_block_leaks_over_many_calls_faults_and_traps():
    m = load(compile_functions([make_grid, fails_after_allocating, loop_sum, same, deep]).wasm)
    m.make_grid(2, 2)
    before = live(m)
    a = np.arange(100.0)
    for k in range(CALLS):
        m.make_grid(k % 7, 40)  # small and large blocks (40 * 8 * 6 > 2048)
        m.loop_sum(a)
        m.same(a)
        if k % 10 == 0:
            with pytest.raises(IndexError):
                m.fails_after_allocating(8, 8)  # two blocks alive when it fails: the entry frees them
    assert live(m) == before == (0, 0)
    for _ in range(3):
        with pytest.raises(RecursionError):
            m.deep(0)  # thousands of blocks allocated when the stack runs out: the loader frees them
        assert live(m) == before
    assert m.loop_sum(a) == a.sum()


def test_memory_error_when_memory_cannot_grow_and_the_heap_still_works():
    m = load(compile_functions([make_grid, loop_sum]).wasm)
    with pytest.raises(MemoryError, match="cannot allocate memory for an array"):
        m.make_grid(30_000, 30_000)  # 7.2 GB: more than wasm32's 4 GiB
    assert live(m) == (0, 0)
    g = m.make_grid(3, 1000)
    assert g[2, 999] == 1019.0 and live(m) == (0, 0)


def test_the_allocator_reuses_and_coalesces_freed_space_without_corrupting_blocks():
    m = load(compile_functions([make_grid]).wasm)
    alloc, decref = m._exports["pyexec_alloc"], m._exports["pyexec_decref"]
    memory, store = m._memory, m._store
    rng = random.Random(5)
    start = alloc(store, 16)  # a fresh module: the heap's first block
    decref(store, start)
    held: dict[int, tuple[int, int]] = {}
    for step in range(1500):
        if held and rng.random() < 0.45:
            ptr = rng.choice(list(held))
            size, fill = held.pop(ptr)
            assert memory.read(store, ptr, ptr + size) == bytes([fill]) * size  # nobody wrote over it
            assert memory.read(store, ptr - 8, ptr - 4) == (1).to_bytes(4, "little")  # refcount 1
            decref(store, ptr)
        else:
            size = rng.choice([1, 16, 17, 100, 2048, 2049, 5000, 70_000])
            ptr = alloc(store, size)
            assert ptr % 16 == 0 and ptr >= 65536 and ptr not in held
            fill = step % 251
            memory.write(store, bytes([fill]) * size, ptr)
            held[ptr] = (size, fill)
    for ptr in list(held):
        decref(store, ptr)
    assert live(m) == (0, 0)
    pages = memory.size(store)
    # fits only if every freed chunk, small ones included, merged back into one free region
    big = alloc(store, pages * 65536 - start - 64)
    assert big and memory.size(store) == pages
    decref(store, big)
    assert live(m) == (0, 0)


def test_calls_from_several_threads_see_their_own_arrays():
    m = load(compile_functions([make_grid, loop_sum]).wasm)
    failures: list[str] = []

    def work(k: int) -> None:
        for i in range(30):
            g = m.make_grid(k + 1, i % 5 + 1)
            if not np.array_equal(g, make_grid(k + 1, i % 5 + 1)) or m.loop_sum(g[0]) != g[0].sum():
                failures.append(f"thread {k} call {i}")

    threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
    threading.stack_size(256 * 1024)
    try:
        for t in threads:
            t.start()
    finally:
        threading.stack_size(0)
    for t in threads:
        t.join()
    assert not failures and live(m) == (0, 0)


# --- zero copy ------------------------------------------------------------------------------------------


def fill(a: float64[:, :], v: float) -> None:
    n, m = a.shape
    for i in range(n):
        for j in range(m):
            a[i, j] = v + i * 10 + j


def test_an_array_in_linear_memory_is_passed_without_a_copy_and_released_when_dropped():
    import gc

    m = load(compile_functions([fill, loop_sum, make_grid]).wasm)
    a = m.wasm_array((3, 4))
    assert a.shape == (3, 4) and a.dtype == np.float64 and not a.any() and live(m)[0] == 1
    m.fill(a, 0.5)  # the function writes into the very elements (no copy back involved)
    assert np.array_equal(a, np.arange(3)[:, None] * 10 + np.arange(4) + 0.5)
    m.fill(a.T[::-1], 0.0)  # a view of it, with negative strides, is passed in place too
    expected = np.zeros((4, 3))
    fill(expected, 0.0)
    assert np.array_equal(a.T[::-1], expected)
    assert m.loop_sum(a[1]) == a[1].sum()
    pages = m._memory.size(m._store)
    m.make_grid(1000, 1000)  # the memory grows; the array's elements stay where they are
    assert m._memory.size(m._store) > pages and m.loop_sum(a[1]) == a[1].sum() != 0
    row, values = a[2], a[2].copy()
    del a
    gc.collect()
    assert live(m)[0] == 1 and np.array_equal(row, values)  # a view keeps the block alive
    del row
    gc.collect()
    m.loop_sum(np.zeros(1))  # dropped blocks are released at the next call, under the module's lock
    assert live(m) == (0, 0)
    with pytest.raises(TypeError, match="numeric or bool dtype in native byte order"):
        m.wasm_array(3, np.dtype(">f8"))  # wasm is little-endian
    with pytest.raises(TypeError, match="numeric or bool dtype"):
        m.wasm_array(3, np.dtype("U3"))


def test_the_next_calls_entry_frees_what_a_trapped_call_left_when_no_host_did():
    import wasmtime

    m = load(compile_functions([deep, make_grid]).wasm)
    with pytest.raises(wasmtime.Trap):
        m._exports["deep"](m._store, 0)  # straight into wasmtime: no loader to free the call's blocks
    m._reset_stack_pointer()
    assert live(m)[0] > 1000
    assert m.make_grid(1, 1)[0, 0] == 0.0
    assert live(m) == (0, 0)


def test_a_module_declaring_arrays_without_the_array_runtime_is_refused_at_load():
    from pyexec.backends.wasm.loader import WasmLoadError
    from pyexec.backends.wasm.signature import SECTION_NAME
    from pyexec.backends.wasm.wasm_binary import SECTION_CUSTOM, section

    def one() -> int32:
        return int32(1)  # an i32 result, as an array result's address is

    from pyexec.backends.wasm.signature import encode_signatures

    compiled = compile_functions([one])  # no array runtime; its own section replaced by one claiming arrays
    plain = compiled.wasm[:-len(section(SECTION_CUSTOM, encode_signatures(compiled.signatures), name=SECTION_NAME))]
    forged = plain + section(SECTION_CUSTOM, b"one()->array[float64;1;A]", name=SECTION_NAME)
    with pytest.raises(WasmLoadError, match="does not export pyexec's array runtime"):
        load(forged)
    for bad in (b"one()->array[float64;99;A]", b"one()->array[complex;1;A]", b"one()->array[float64;1;Q]"):
        with pytest.raises(WasmLoadError, match=r"malformed|unknown result type"):
            load(plain + section(SECTION_CUSTOM, bad, name=SECTION_NAME))


def tiled_matmul(a: float64[:, ::1], b: float64[:, :]) -> float64[:, ::1]:
    return a @ b


def int_matmul(a: int32[:, :], b: int32[:, ::1]) -> int32[:, ::1]:
    return a @ b


def test_matmul_tiles_lower_to_wasm32_and_give_numpys_products():
    # the native kernel's vector tiles (4×8, k in panels of 128) are legalised for wasm32 by LLVM
    m = load(compile_functions([tiled_matmul, int_matmul]).wasm)
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal((9, 300)), rng.standard_normal((300, 19))
    np.testing.assert_allclose(m.tiled_matmul(a, b), a @ b, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(m.tiled_matmul(a, np.ascontiguousarray(b.T).T), a @ b, rtol=1e-12, atol=1e-12)
    x, y = rng.integers(-9, 9, (6, 7)).astype(np.int32), rng.integers(-9, 9, (7, 17)).astype(np.int32)
    assert np.array_equal(m.int_matmul(x, y), x @ y)
