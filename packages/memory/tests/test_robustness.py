"""Bound methods taken early, growth, reset, threads and argument types: the heap stays right.

Each case that could crash the interpreter if the heap were wrong (a native path writing through a
stale buffer, two threads racing through the bookkeeping) runs in a child process, so that a signal is
a failed test with the child's output, not the end of the test run.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

import numpy as np
import pytest

from pyexec.memory import MemoryManager, ObjectTypeError
from pyexec.wasm_memory import WasmMemoryManager

NATIVE = pytest.mark.parametrize("native", [True, False], ids=["native", "python"])


def run_child(code: str, timeout: float = 180) -> str:
    """Run ``code`` in a fresh interpreter; fail with its output unless it exits 0 (a signal is a failure)."""
    proc = subprocess.run(
        [sys.executable, "-X", "faulthandler", "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert proc.returncode == 0, (
        f"the child exited with {proc.returncode} (negative: killed by that signal)\n"
        f"--- stdout\n{proc.stdout[-3000:]}\n--- stderr\n{proc.stderr[-3000:]}"
    )
    return proc.stdout


CHILD_PRELUDE = """
import numpy as np
from pyexec.memory import MemoryManager
from pyexec.memory.layout import block_footprint
from pyexec.wasm_memory import WasmMemoryManager

def header_size(heap, ptr):
    return int(heap.memory[ptr - 2 : ptr].view(np.uint16)[0])

def check_usage(heap):
    used, _ = heap.get_usage()
    assert used == sum(block_footprint(s) for s in heap.live_blocks().values()), (used, heap.live_blocks())
"""


# --- bound methods taken before grow_memory and reset ---------------------------------------

GROW_CHILD = """
import pyexec.wasm_memory.linear_memory as linear_memory
reserve = linear_memory._reserve

def bound_methods_across_grow(native, in_place):
    # Without the reservation, the fallback: growing copies the memory into a new buffer.
    linear_memory._reserve = reserve if in_place else (lambda nbytes: None)
    wmm = WasmMemoryManager(initial_pages=2, native_paths=native)
    linear_memory._reserve = reserve
    assert wmm._linear.in_place == in_place
    alloc, free, incref, decref = wmm.alloc, wmm.free, wmm.incref, wmm.decref
    s = wmm.alloc_string("hello")
    assert wmm.grow_memory(1)
    incref(s)  # the issue's case: the increment used to land in the old buffer
    assert wmm.refcount(s) == 2, wmm.refcount(s)
    decref(s)
    assert wmm.refcount(s) == 1 and wmm.read_string(s) == "hello"
    p = alloc(64)
    assert p != s and header_size(wmm, p) == 64 and wmm.block_size(p) == 64
    incref(p); incref(p); decref(p)
    assert wmm.refcount(p) == 1
    decref(p)  # 1 -> 0 frees it
    assert set(wmm.live_blocks()) == {s}
    before = wmm.memory
    assert wmm.grow_memory(2000)  # about 125 MiB: new slabs land far past the old buffer's end
    small = [alloc(64) for _ in range(3000)]
    large = [alloc(5000) for _ in range(40)]
    ptrs = small + large
    assert 0 not in ptrs and len(set(ptrs)) == len(ptrs)
    assert max(ptrs) > before.size
    for q in small:
        assert header_size(wmm, q) == 64
    check_usage(wmm)
    for q in small[::2]:
        free(q, 64)
    refcounted = small[1::2] + large
    for q in refcounted:
        incref(q)
    assert all(wmm.refcount(q) == 1 for q in refcounted)
    check_usage(wmm)
    for q in refcounted:
        decref(q)  # 1 -> 0 frees it
    assert set(wmm.live_blocks()) == {s}
    check_usage(wmm)
    if in_place:
        # The bytes did not move: an array taken before the grow still sees (and shares) them.
        wmm.memory[s + 4] = ord("j")
        assert before[s + 4] == ord("j") and wmm.read_string(s) == "jello"
"""

RESET_CHILD = """
def bound_methods_across_reset(heap):
    alloc, free, incref, decref = heap.alloc, heap.free, heap.incref, heap.decref
    [heap.alloc(64) for _ in range(5)] + [heap.alloc_string("x" * 40)]
    heap.reset()
    mine = [heap.alloc(64) for _ in range(3)]
    hoisted = [alloc(64) for _ in range(200)]
    both = mine + hoisted
    assert len(set(both)) == len(both), "a block was handed out twice"
    assert heap.live_blocks() == {p: 64 for p in both}
    check_usage(heap)
    for p in hoisted:
        incref(p)
    for p in hoisted:
        decref(p)  # 1 -> 0: freed through the bound method, into the heap's current free lists
    for p in mine:
        free(p, 64)
    assert heap.live_blocks() == {} and heap.get_usage()[0] == 0
    # The free lists the bound methods fill are the heap's own: the next alloc reuses, never duplicates.
    q = alloc(64)
    assert heap.alloc(64) != q and q in heap.live_blocks()
"""


@NATIVE
def test_methods_bound_before_grow_memory_act_on_the_grown_heap(native):
    run_child(
        CHILD_PRELUDE
        + GROW_CHILD
        + f"""
bound_methods_across_grow({native}, in_place=True)
bound_methods_across_grow({native}, in_place=False)
print("ok")
"""
    )


@NATIVE
def test_methods_bound_before_reset_never_hand_out_a_live_block(native):
    run_child(
        CHILD_PRELUDE
        + RESET_CHILD
        + f"""
bound_methods_across_reset(MemoryManager(64 * 1024, native_paths={native}))
bound_methods_across_reset(WasmMemoryManager(initial_pages=2, native_paths={native}))
print("ok")
"""
    )


# --- threads --------------------------------------------------------------------------------

THREADS_CHILD = """
import sys, threading
sys.setswitchinterval(1e-5)  # switch threads as often as CPython allows: races show up quickly
threading.stack_size(256 * 1024)  # small stacks are part of every runtime test
import pyexec.wasm_memory.linear_memory as linear_memory
reserve = linear_memory._reserve

def threads_share(heap, n_threads, rounds=300, grows=False, marks=True):
    # ``marks``: each thread writes its mark into its blocks through heap.memory and checks it before
    # releasing them. Not where wasm memory grows by copying: there such a write can land in the old
    # copy (the documented limit of that fallback), while the heap's own state must stay exact anyway.
    hoisted = heap.alloc, heap.free, heap.incref, heap.decref
    errors = []
    kept = {}
    start = threading.Barrier(n_threads)

    def check_mark(ptr, size, mark):
        assert not marks or (heap.memory[ptr : ptr + min(size, 8)] == mark).all(), "another thread wrote in my block"

    def work(tid):
        try:
            alloc, free, incref, decref = hoisted if tid % 2 else (heap.alloc, heap.free, heap.incref, heap.decref)
            start.wait()
            mine = []
            for r in range(rounds):
                size = (16, 64, 200, 3000)[(tid + r) % 4]
                p = alloc(size)
                assert p, "heap full"
                if marks:
                    heap.memory[p : p + min(size, 8)] = tid + 1
                incref(p); incref(p); decref(p)  # refcount 0 -> 2 -> 1
                mine.append((p, size))
                if r % 3 == 2:
                    q, qsize = mine.pop(0)
                    check_mark(q, qsize, tid + 1)
                    decref(q)  # 1 -> 0: freed
                if r % 5 == 4:
                    raw = alloc(size)  # refcount 0: released with free
                    if marks:
                        heap.memory[raw : raw + min(size, 8)] = 200 + tid
                    check_mark(raw, size, 200 + tid)
                    free(raw, size)
                if grows and r % 25 == 0:
                    assert heap.grow_memory(1)
                if r % 7 == 0:
                    s = heap.alloc_string("t%d" % tid)
                    assert heap.read_string(s) == "t%d" % tid
                    heap.decref(s)
            for q, qsize in mine:
                check_mark(q, qsize, tid + 1)
                assert heap.refcount(q) == 1
            kept[tid] = mine
        except BaseException as exc:
            errors.append(repr(exc))
            start.abort()

    threads = [threading.Thread(target=work, args=(t,)) for t in range(n_threads)]
    for t in threads: t.start()
    for t in threads: t.join()
    assert not errors, errors
    every = [p for mine in kept.values() for p, _ in mine]
    assert len(set(every)) == len(every), "a block was handed out twice"
    assert heap.live_blocks() == {p: s for mine in kept.values() for p, s in mine}
    check_usage(heap)
    for mine in kept.values():
        for p, size in mine:
            heap.decref(p)
    assert heap.live_blocks() == {} and heap.get_usage()[0] == 0
"""


@NATIVE
def test_threads_share_a_memory_manager_without_losing_or_doubling_a_block(native):
    run_child(
        CHILD_PRELUDE
        + THREADS_CHILD
        + f"""
for n in (2, 8):
    threads_share(MemoryManager(4 * 1024 * 1024, native_paths={native}), n)
print("ok")
"""
    )


@NATIVE
def test_threads_alloc_free_and_grow_wasm_memory_concurrently_without_losing_a_block(native):
    # The last case forces the copying grow: the buffer moves while other threads allocate, which
    # crashed the native paths before they read the buffer through the manager's cell.
    run_child(
        CHILD_PRELUDE
        + THREADS_CHILD
        + f"""
for n in (2, 8):
    threads_share(WasmMemoryManager(initial_pages=2, native_paths={native}), n, grows=True)
linear_memory._reserve = lambda nbytes: None
copying = WasmMemoryManager(initial_pages=2, native_paths={native})
assert not copying._linear.in_place
threads_share(copying, 8, grows=True, marks=False)
print("ok")
"""
    )


# --- argument types -------------------------------------------------------------------------

NOT_INTS = [64.0, True, np.True_, np.float64(64.0), "64", None]
HEAPS = {
    "native": lambda: MemoryManager(8192),
    "python": lambda: MemoryManager(8192, native_paths=False),
    "debug": lambda: MemoryManager(8192, debug=True),
    "wasm": lambda: WasmMemoryManager(initial_pages=2),
}


@pytest.fixture(params=sorted(HEAPS))
def heap(request):
    return HEAPS[request.param]()


@pytest.mark.parametrize("bad", NOT_INTS, ids=repr)
def test_sizes_that_are_not_ints_are_type_errors_everywhere(heap, bad):
    p = heap.alloc(64)
    operations = (heap.alloc, lambda size: heap.free(p, size), heap.alloc_array, heap.alloc_list, heap.alloc_dict)
    for operation in operations:
        with pytest.raises(TypeError, match="must be an int"):
            operation(bad)
    assert heap.live_blocks() == {p: 64} and heap.refcount(p) == 0


@pytest.mark.parametrize("bad", NOT_INTS, ids=repr)
def test_pointers_that_are_not_ints_are_type_errors_everywhere(heap, bad):
    p = heap.alloc(1)
    heap.incref(p)
    operations = (heap.incref, heap.decref, heap.refcount, heap.block_size, lambda ptr: heap.free(ptr, 1))
    for operation in operations:
        with pytest.raises(TypeError, match="pointer is an int"):
            operation(bad)
    assert heap.live_blocks() == {p: 1} and heap.refcount(p) == 1


def test_free_with_true_for_size_one_is_refused_not_taken_for_one(heap):
    p = heap.alloc(1)
    with pytest.raises(TypeError, match="free size must be an int, got bool"):
        heap.free(p, True)
    heap.free(p, 1)
    assert heap.live_blocks() == {}


@pytest.mark.parametrize("numpy_int", [np.int64, np.int32, np.uint32])
def test_numpy_integers_are_accepted_and_stored_as_ints(heap, numpy_int):
    p = heap.alloc(numpy_int(64))
    assert type(p) is int and all(type(k) is int for k in heap.live_blocks())
    heap.incref(numpy_int(p))
    heap.incref(numpy_int(p))
    heap.decref(numpy_int(p))
    assert heap.refcount(numpy_int(p)) == 1 and heap.block_size(numpy_int(p)) == 64
    heap.decref(numpy_int(p))
    q = heap.alloc(64)
    heap.free(numpy_int(q), numpy_int(64))
    assert heap.live_blocks() == {}


def test_storage_pointers_are_still_refused_after_the_type_checks():
    mm = MemoryManager(8192)
    lst = mm.alloc_list(4)
    storage = int(mm.memory[lst + 16 : lst + 24].view(np.int64)[0])
    with pytest.raises(ObjectTypeError):
        mm.free(np.int64(storage), 32)


def test_an_array_over_an_instances_memory_keeps_that_memory_alive():
    pytest.importorskip("wasmtime", reason="wasmtime (the wasm extra) is not installed")
    run_child(
        """
import gc
import wasmtime
from pyexec.wasm_memory import WasmMemoryManager

def handed_out():
    store = wasmtime.Store()
    memory = wasmtime.Memory(store, wasmtime.MemoryType(wasmtime.Limits(2, 16)))
    wmm = WasmMemoryManager.from_wasm_memory(memory, store, native_paths=False)  # (faster to start)
    return wmm.memory, wmm.alloc_string("kept")

view, p = handed_out()  # the manager, the memory and the store are gone from Python's view
gc.collect()
churn = [bytearray(1 << 20) for _ in range(64)]
assert bytes(view[p + 4 : p + 8]) == b"kept"
view[p + 4] = ord("K")
print("ok")
"""
    )
