"""The host manages a loaded module's heap through the allocator compiled into it
(``WasmModule.memory_manager()``, a ``pyexec.wasm_memory.ModuleMemoryManager``): Python's blocks and the
blocks compiled code allocates share one heap and one set of free lists, never overlap, and a long run of
both leaks nothing (``get_usage()`` returns to its start)."""

from __future__ import annotations

import contextlib
import itertools
import os
import threading

import numpy as np
import pytest

from pyexec.backends.wasm import wasm_multi
from pyexec.backends.wasm.build import compile_functions
from pyexec.backends.wasm.loader import load
from pyexec.memory.errors import DoubleFreeError, InvalidPointerError, RefcountError, SizeMismatchError
from pyexec.types import float64
from pyexec.wasm_memory import ModuleMemoryManager


def total(a: float64[:]) -> float:
    t = 0.0
    for x in a:
        t += x
    return t


def scale(a: float64[:], k: float) -> None:
    for i in range(a.shape[0]):
        a[i] = a[i] * k


def grid(n: int, m: int) -> float64[:, ::1]:
    g = np.zeros((n, m))
    for i in range(n):
        for j in range(m):
            g[i, j] = i * 10 + j
    return g


def scratch(n: int) -> float:
    a = np.ones(n)
    b = np.full(n, 2.0)
    return a[n - 1] + b[0]


def plain(x: int) -> int:
    return x + 1


@pytest.fixture(scope="module")
def wasm_bytes() -> bytes:
    return compile_functions([total, scale, grid, scratch]).wasm


@pytest.fixture
def mod(wasm_bytes):
    return load(wasm_bytes)


def test_python_blocks_and_compiled_code_blocks_share_one_heap_without_overlap(mod):
    mm = mod.memory_manager()
    assert mm is mod.memory_manager()  # one manager per module: one view of which blocks are the host's
    start = mm.get_usage()
    sizes = [0, 8, 40, 2048, 2049, 5000, 100_000]
    blocks = {}
    for k, size in enumerate(sizes):
        p = mm.alloc(size)
        assert p and p % 16 == 0 and mm.block_size(p) == size and mm.refcount(p) == 0
        mm.memory[p:p + size] = (k * 37 + 1) % 256
        blocks[p] = (size, (k * 37 + 1) % 256)
    spans = sorted((p, p + max(s, 1)) for p, (s, _) in blocks.items())
    assert all(a_end <= b for (_, a_end), (b, _) in itertools.pairwise(spans))
    for n in (1, 3, 100, 700, 20_000):  # compiled code allocates (small and large) in between
        assert mod.scratch(n) == 3.0
        assert np.array_equal(mod.grid(n % 50 + 1, 3), grid(n % 50 + 1, 3))
    for p, (size, byte) in blocks.items():
        assert np.all(mm.memory[p:p + size] == byte), "compiled code's allocations overwrote a host block"
    # a host block viewed as a float64 array goes into compiled code without a copy
    p = mm.alloc(8 * 1000)
    a = np.frombuffer(mm.memory, dtype=np.float64, count=1000, offset=p)
    a[:] = np.arange(1000.0)
    assert mod.total(a) == float(np.arange(1000.0).sum())
    mod.scale(a, 2.0)
    assert np.array_equal(np.frombuffer(mm.memory, dtype=np.float64, count=1000, offset=p), np.arange(1000.0) * 2)
    mm.incref(p)
    mm.incref(p)
    mm.decref(p)
    assert mm.refcount(p) == 1
    mm.decref(p)  # the last reference frees it
    for q, (size, _) in blocks.items():
        mm.free(q, size)
    assert mm.get_usage()[0] == start[0]
    assert mm.live_count() == 0


def test_a_freed_host_block_is_reused_by_compiled_code_and_the_reverse(mod):
    mm = mod.memory_manager()
    p = mm.alloc(800)
    mm.free(p, 800)
    # the module's allocator hands the freed small chunk to the next request of its class
    q = mm.alloc(800)
    assert q == p
    p2 = mm.alloc(800)
    mm.free(q, 800)
    mm.free(p2, 800)
    # scratch(100) makes two 800-byte arrays: they take the two chunks the host freed, and give them back
    assert mod.scratch(100) == 3.0
    again = [mm.alloc(800), mm.alloc(800)]
    assert set(again) == {p, p2}
    for r in again:
        mm.free(r, 800)


def test_heap_misuse_raises_the_errors_of_pyexec_memory_and_leaves_the_heap_intact(mod):
    mm = mod.memory_manager()
    p = mm.alloc(64)
    with pytest.raises(SizeMismatchError, match="allocated with size 64"):
        mm.free(p, 32)
    mm.free(p, 64)
    with pytest.raises(DoubleFreeError, match="already freed"):
        mm.free(p, 64)
    with pytest.raises(DoubleFreeError):
        mm.decref(p)
    with pytest.raises(InvalidPointerError, match="not a live block allocated by this manager"):
        mm.free(p + 16, 64)
    q = mm.alloc(16)
    with pytest.raises(RefcountError, match="free a block of refcount 0 with free"):
        mm.decref(q)
    with pytest.raises(TypeError, match="alloc size must be an int"):
        mm.alloc(1.5)
    with pytest.raises(ValueError, match=">= 0"):
        mm.alloc(-1)
    with pytest.raises(TypeError, match="takes a block pointer"):
        mm.incref("x")
    mm.free(q, 16)
    assert mm.get_usage()[0] == 0 and mod.scratch(5) == 3.0


def test_a_module_without_the_array_runtime_has_no_heap_manager():
    mod = load(compile_functions([plain]).wasm)
    with pytest.raises(TypeError, match="has no array runtime"):
        mod.memory_manager()


def test_an_allocation_that_memory_cannot_hold_returns_zero_and_changes_nothing(mod):
    mm = mod.memory_manager()
    start = mm.get_usage()[0]
    big = mm.alloc((1 << 31) - 128)  # 2 GiB of address space (pages are not touched)
    assert big
    before = mm.get_usage()[0], mm.live_count()
    assert mm.alloc((1 << 31) - 128) == 0  # a second one passes wasm32's 4 GiB
    assert (mm.get_usage()[0], mm.live_count()) == before
    assert mod.scratch(10) == 3.0
    mm.free(big, (1 << 31) - 128)
    assert mm.get_usage()[0] == start


def test_from_instance_manages_a_raw_wasmtime_instance(wasm_bytes):
    mod = load(wasm_bytes)  # only to borrow an instantiated store and the exports of a live instance
    store = mod._store
    instance_exports = mod._exports

    class Instance:  # wasmtime.Instance's one method that from_instance uses, over a live instance's exports
        def exports(self, _store):
            return instance_exports

    mm = ModuleMemoryManager.from_instance(Instance(), store)
    p = mm.alloc(3000)
    assert p and mm.get_usage()[0] > 0
    mm.free(p, 3000)
    assert mm.get_usage()[0] == 0
    with pytest.raises(TypeError, match="pyexec_alloc, pyexec_decref"):
        ModuleMemoryManager(instance_exports["memory"], store, {})


def test_host_allocations_from_threads_interleave_with_calls_and_leak_nothing(mod):
    mm = mod.memory_manager()
    start = mm.get_usage()[0]
    errors: list[BaseException] = []

    def worker(seed: int) -> None:
        try:
            rng = np.random.default_rng(seed)
            for _ in range(60):
                size = int(rng.integers(0, 6000))
                p = mm.alloc(size)
                mm.memory[p:p + size] = seed
                assert mod.scratch(int(rng.integers(1, 400))) == 3.0
                assert np.all(mm.memory[p:p + size] == seed)
                mm.incref(p)
                mm.decref(p)
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)

    old = threading.stack_size(256 * 1024)  # small stacks: the loader runs wasm on a stack of its own
    try:
        threads = [threading.Thread(target=worker, args=(s,)) for s in range(1, 5)]
        for t in threads:
            t.start()
    finally:
        threading.stack_size(old)
    for t in threads:
        t.join()
    assert not errors
    assert mm.get_usage()[0] == start and mm.live_count() == 0


def test_a_long_run_of_calls_and_host_blocks_returns_usage_to_its_start(mod):
    # 10^4 in the suite; PYEXEC_LONG_LEAK_RUN=1 makes it the 10^5
    n = 100_000 if os.environ.get("PYEXEC_LONG_LEAK_RUN") else 10_000
    mm = mod.memory_manager()
    start = mm.get_usage()
    held = np.frombuffer(mm.memory, dtype=np.float64, count=4, offset=mm.alloc(32))
    held[:] = 1.0
    for i in range(n):
        k = i % 7
        if k == 0:
            p = mm.alloc(i % 3000)
            mm.incref(p)
            mm.decref(p)
        elif k == 1:
            mod.grid(2, i % 5 + 1)
        elif k == 2:
            mod.total(held)
        elif k == 3:
            try:
                mod.scratch(0)  # IndexError after allocating: the call's blocks are freed
            except IndexError:
                pass
        else:
            mod.scratch(i % 300 + 1)
    assert mod.total(held) == 4.0
    mm.free(int(held.ctypes.data - mm.memory.ctypes.data), 32)
    assert mm.get_usage()[0] == start[0] and mm.live_count() == 0


def ramp(n: int) -> float64[:]:
    return np.arange(0.0, n, 1.0)


def every_other(a: float64[:]) -> float64[:]:
    return a[::2]


def odd_ramp(n: int) -> float64[:]:
    a = np.arange(0.0, n, 1.0)
    return a[1::2]


def test_wasm_multi_functions_share_an_array_in_the_one_heap_without_a_copy(tmp_path):
    wasm_multi([ramp, total, scale, every_other, odd_ramp], tmp_path / "shared.wasm")
    mod = load(tmp_path / "shared.wasm")
    mm = mod.memory_manager()
    a = mod.ramp.in_memory(1000)  # made by ramp(), left in linear memory
    base = mm.memory.ctypes.data
    assert 0 <= a.ctypes.data - base < mm.memory.size, "in_memory() returned a copy outside the module"
    assert np.array_equal(a, np.arange(1000.0)) and mm.live_count() == 1
    assert mod.total(a) == float(np.arange(1000.0).sum())  # read by total() where it is
    mod.scale(a, 3.0)  # written by scale() where it is: the same elements the Python array shows
    assert np.array_equal(a, np.arange(1000.0) * 3)
    b = mod.every_other.in_memory(a)  # a view of an argument: a copy, its memory being a's
    assert np.array_equal(b, (np.arange(1000.0) * 3)[::2])
    assert not 0 <= b.ctypes.data - base < mm.memory.size
    d = mod.odd_ramp.in_memory(9)  # a strided view of the block it made: in place, strides kept
    assert np.array_equal(d, np.arange(1.0, 9.0, 2.0)) and 0 <= d.ctypes.data - base < mm.memory.size
    assert mod.total(d) == 16.0
    c = mod.ramp.in_memory(0)
    assert c.shape == (0,)
    with pytest.raises(TypeError, match="not an array: in_memory"):
        mod.total.in_memory(a)
    del a, b, c, d
    mod.total(np.zeros(1))  # a call releases the blocks of the arrays NumPy dropped
    assert mm.live_count() == 0 and mm.get_usage()[0] == 0


def shout(a: float64[:]) -> float:
    print(a[0])
    return a[0]


def test_the_heap_is_refused_from_inside_a_call_of_its_module(tmp_path):
    mod = load(compile_functions([shout, total]).wasm)
    mm = mod.memory_manager()

    class AllocatingWriter:  # print() inside the call reaches Python code that touches the heap
        def write(self, text: str) -> int:
            mm.alloc(8)
            return len(text)

        def flush(self) -> None:
            pass

    with contextlib.redirect_stdout(AllocatingWriter()):
        with pytest.raises(RuntimeError, match="cannot be changed from inside one of its calls"):
            mod.shout(np.ones(2))
    assert mm.live_count() == 0 and mod.total(np.ones(3)) == 3.0  # the lock was released, nothing leaked


def test_strings_and_arrays_made_through_the_module_allocator_have_pyexec_memorys_layout(mod):
    from pyexec.memory import MemoryManager
    from pyexec.memory.errors import ObjectTypeError

    mm = mod.memory_manager()
    start = mm.get_usage()
    texts = ["", "hello", "héllo wörld \0 nul", "日本語" * 400]  # small and large (over 2048 bytes) blocks
    ptrs = [mm.alloc_string(t) for t in texts]
    reference = MemoryManager(1 << 16)
    for t, p in zip(texts, ptrs):
        assert mm.read_string(p) == t and mm.refcount(p) == 1
        assert mm.memory[p - 4] == 0x02  # the tag, where pyexec.memory puts it
        ref = reference.alloc_string(t)  # the same bytes as pyexec.memory's own string
        n = len(t.encode()) + 5
        assert bytes(mm.memory[p:p + n]) == bytes(reference.memory[ref:ref + n])
    a = mm.alloc_array(5, elem_size=4)
    assert mm.array_len(a) == 5 and mm.memory[a - 4] == 0x01 and mm.refcount(a) == 1
    assert bytes(mm.memory[a:a + 8 + 20]) == (5).to_bytes(4, "little") * 2 + bytes(20)
    # compiled code allocates and frees between: nothing it does touches the host's objects
    for n in (3, 700, 20_000):
        assert mod.scratch(n) == 3.0
    assert [mm.read_string(p) for p in ptrs] == texts
    with pytest.raises(ObjectTypeError, match="is an array, not a string"):
        mm.read_string(a)
    with pytest.raises(ObjectTypeError, match="is a string, not an array"):
        mm.array_len(ptrs[0])
    raw = mm.alloc(16)
    with pytest.raises(ObjectTypeError, match="is a raw block, not a string"):
        mm.read_string(raw)
    with pytest.raises(TypeError, match="alloc_string takes a str"):
        mm.alloc_string(b"bytes")
    with pytest.raises(ValueError, match="cannot be encoded as UTF-8"):
        mm.alloc_string("\ud800")
    with pytest.raises(ValueError, match="elem_size must be at least 1"):
        mm.alloc_array(3, elem_size=0)
    mm.free(raw, 16)
    mm.incref(ptrs[1])
    mm.decref(ptrs[1])
    for p in [*ptrs, a]:
        mm.decref(p)  # refcount 1 -> 0: the module's allocator frees it
    with pytest.raises(DoubleFreeError):
        mm.read_string(ptrs[0])
    assert mm.get_usage()[0] == start[0] and mm.live_count() == 0
