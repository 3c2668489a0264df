"""The native alloc/free/incref/decref: active on CPython, the same behaviour as the Python methods."""

from __future__ import annotations

import inspect
import struct
import sys

import numpy as np
import pytest

from pyexec.memory import DoubleFreeError, MemoryManager, RefcountError, SizeMismatchError
from pyexec.memory.native_paths import native_paths_unavailable
from pyexec.wasm_memory import WasmMemoryManager

ON_64_BIT_CPYTHON = sys.implementation.name == "cpython" and struct.calcsize("P") == 8


def header_size_field(memory, ptr):
    return int(memory[ptr - 2 : ptr].view(np.uint16)[0])


def test_native_paths_are_active_on_64_bit_cpython():
    if not ON_64_BIT_CPYTHON:
        assert native_paths_unavailable() is not None
        return
    assert native_paths_unavailable() is None
    mm = MemoryManager(4096)
    assert mm.native_paths and type(mm.alloc).__name__ == "builtin_function_or_method"
    assert not MemoryManager(4096, native_paths=False).native_paths
    assert not MemoryManager(4096, debug=True).native_paths


@pytest.mark.parametrize("native", [True, False])
def test_common_paths_write_headers_and_keep_records(native):
    mm = MemoryManager(8192, native_paths=native)
    p = mm.alloc(40)
    assert mm.free(p, 40) is None
    q = mm.alloc(33)  # reuses the slot through the fast path
    assert q == p and header_size_field(mm.memory, q) == 33 and mm.live_blocks() == {q: 33}
    assert mm.incref(q) is None
    mm.incref(q)
    assert mm.decref(q) is None
    assert mm.refcount(q) == 1
    mm.decref(q)
    assert mm.live_blocks() == {}


@pytest.mark.parametrize("native", [True, False])
def test_misuse_through_the_fast_entry_points_is_still_detected(native):
    mm = MemoryManager(8192, native_paths=native)
    p = mm.alloc(64)
    with pytest.raises(SizeMismatchError):
        mm.free(p, 32)
    with pytest.raises(RefcountError):
        mm.decref(p)
    mm.free(p, 64)
    with pytest.raises(DoubleFreeError):
        mm.free(p, 64)
    with pytest.raises(DoubleFreeError):
        mm.incref(p)
    with pytest.raises(TypeError):
        mm.free(float(p), 64)
    with pytest.raises(TypeError):
        mm.alloc()


def test_keywords_and_numpy_integers_take_the_python_path_with_the_same_result():
    mm = MemoryManager(8192)
    p = mm.alloc(size=64)
    mm.free(ptr=p, size=64)
    q = mm.alloc(np.int64(64))
    mm.incref(np.int64(q))
    assert mm.refcount(q) == 1
    mm.decref(ptr=q)
    assert mm.live_blocks() == {}


def test_text_signatures_match_the_python_methods():
    mm = MemoryManager(4096)
    assert str(inspect.signature(mm.alloc)) == "(size)"
    assert str(inspect.signature(mm.free)) == "(ptr, size)"
    assert "Allocate" in mm.alloc.__doc__


def test_reset_clears_the_records_the_native_paths_are_bound_to():
    mm = MemoryManager(8192)
    p = mm.alloc(64)
    mm.reset()
    q = mm.alloc(64)
    mm.free(q, 64)
    assert mm.live_blocks() == {} and p == q


def test_headers_follow_the_buffer_when_wasm_memory_is_copied_by_growth():
    wmm = WasmMemoryManager(initial_pages=2)
    p = wmm.alloc(64)
    wmm.free(p, 64)
    wmm.grow_memory(1)  # the owned buffer is a new array now
    q = wmm.alloc(48)
    assert q == p and header_size_field(wmm.memory, q) == 48


def test_native_constants_agree_with_the_allocator_and_layout():
    from pyexec.memory import allocator, layout, native_cfuncs

    assert native_cfuncs._TAG_SHIFT == allocator._TAG_SHIFT
    assert native_cfuncs._FIRST_OWNER_TAG == layout.TAG_LIST
    assert native_cfuncs.SMALL_MAX == layout.SMALL_MAX


def test_last_decref_of_a_string_or_array_frees_it_and_lists_still_free_their_storage():
    mm = MemoryManager(8192)
    s, a, lst = mm.alloc_string("abc"), mm.alloc_array(3), mm.alloc_list(4)
    for ptr in (s, a, lst):
        assert mm.decref(ptr) is None
    assert mm.live_blocks() == {} and mm.get_usage()[0] == 0
    assert mm.alloc_string("xyz") == s  # the slot went back to its free list
