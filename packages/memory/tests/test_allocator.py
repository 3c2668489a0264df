"""The allocator: alloc/free, size classes, the large region, refcounts, usage and every misuse."""

from __future__ import annotations

import numpy as np
import pytest

from pyexec.memory import (
    DoubleFreeError,
    InvalidPointerError,
    MemoryManager,
    ObjectTypeError,
    RefcountError,
    SizeMismatchError,
    UseAfterFreeError,
)
from pyexec.memory.layout import (
    FLAG_LARGE,
    LARGE_SIZE_MARKER,
    SIZE_CLASSES,
    TAG_RAW,
    block_footprint,
)


def header(mm: MemoryManager, ptr: int) -> tuple[int, int, int, int]:
    refcount = int(mm.memory[ptr - 8 : ptr - 4].view(np.int32)[0])
    size = int(mm.memory[ptr - 2 : ptr].view(np.uint16)[0])
    return refcount, int(mm.memory[ptr - 4]), int(mm.memory[ptr - 3]), size


def test_alloc_returns_distinct_aligned_nonzero_pointers_with_headers():
    mm = MemoryManager(64 * 1024)
    ptrs = [mm.alloc(size) for size in (0, 1, 16, 17, 64, 2048)]
    assert all(p > 0 and p % 8 == 0 for p in ptrs)
    assert len(set(ptrs)) == len(ptrs)
    assert header(mm, ptrs[4]) == (0, TAG_RAW, 0, 64)


def test_first_block_is_not_the_null_pointer():
    assert MemoryManager(4096).alloc(8) != 0


def test_free_makes_the_slot_reusable():
    mm = MemoryManager(4096)
    p = mm.alloc(64)
    mm.free(p, 64)
    assert mm.alloc(64) == p


def test_blocks_of_one_class_are_one_slot_apart():
    mm = MemoryManager(64 * 1024)
    a, b = mm.alloc(64), mm.alloc(60)
    assert b - a == 8 + 64


def test_large_block_has_marker_and_size_prefix():
    mm = MemoryManager(64 * 1024)
    p = mm.alloc(5000)
    refcount, _tag, flags, size = header(mm, p)
    assert (refcount, flags & FLAG_LARGE, size) == (0, FLAG_LARGE, LARGE_SIZE_MARKER)
    assert int(mm.memory[p - 16 : p - 8].view(np.int64)[0]) == 5000


def test_large_free_space_is_reused_and_coalesced():
    mm = MemoryManager(64 * 1024)
    a, b, c = mm.alloc(10000), mm.alloc(10000), mm.alloc(10000)
    mm.free(a, 10000)
    mm.free(b, 10000)
    # a and b merged into one chunk that now holds a block bigger than either.
    big = mm.alloc(20000)
    assert big == a
    mm.free(big, 20000)
    mm.free(c, 10000)
    assert mm.alloc(60000) == a  # everything coalesced back into one region


def test_exhaustion_returns_zero_and_recovers_after_free():
    mm = MemoryManager(16 * 1024)
    ptrs = []
    while (p := mm.alloc(1000)) != 0:
        ptrs.append(p)
    assert len(ptrs) >= 10
    assert mm.alloc(1000) == 0
    mm.free(ptrs.pop(), 1000)
    assert mm.alloc(1000) != 0


def test_empty_slabs_return_to_the_large_region():
    mm = MemoryManager(64 * 1024)
    small = [mm.alloc(16) for _ in range(500)]
    for p in small:
        mm.free(p, 16)
    # Only possible once the 16-byte slabs have been given back.
    assert mm.alloc(60000) != 0


def test_usage_counts_header_and_class_rounding_exactly():
    mm = MemoryManager(1024 * 1024)
    sizes = [0, 10, 16, 100, 2048, 2049, 70000]
    ptrs = [mm.alloc(s) for s in sizes]
    assert mm.get_usage() == (sum(block_footprint(s) for s in sizes), 1024 * 1024)
    for p, s in zip(ptrs, sizes):
        mm.free(p, s)
    assert mm.get_usage() == (0, 1024 * 1024)


def test_reset_forgets_everything():
    mm = MemoryManager(8192)
    p = mm.alloc(100)
    mm.reset()
    assert mm.get_usage()[0] == 0
    with pytest.raises(InvalidPointerError):
        mm.free(p, 100)


def test_double_free_is_detected():
    mm = MemoryManager(8192)
    p = mm.alloc(32)
    mm.free(p, 32)
    with pytest.raises(DoubleFreeError, match="already freed"):
        mm.free(p, 32)


def test_double_free_of_large_block_is_detected():
    mm = MemoryManager(64 * 1024)
    p = mm.alloc(4000)
    mm.free(p, 4000)
    with pytest.raises(DoubleFreeError):
        mm.free(p, 4000)


def test_free_with_wrong_size_is_refused_and_block_stays_live():
    mm = MemoryManager(8192)
    p = mm.alloc(32)
    with pytest.raises(SizeMismatchError, match="allocated with size 32"):
        mm.free(p, 30)
    mm.free(p, 32)


@pytest.mark.parametrize("bad", [0, 4, 12, 10**9, -8])
def test_free_of_a_pointer_that_is_not_a_block_is_refused(bad):
    mm = MemoryManager(8192)
    p = mm.alloc(64)
    with pytest.raises(InvalidPointerError):
        mm.free(p + bad if bad not in (0, 10**9, -8) else bad, 64)


def test_interior_pointer_is_not_a_block():
    mm = MemoryManager(8192)
    p = mm.alloc(64)
    with pytest.raises(InvalidPointerError):
        mm.free(p + 8, 56)
    with pytest.raises(InvalidPointerError):
        mm.incref(p + 8)


@pytest.mark.parametrize("size", [-1, -(2**40)])
def test_negative_sizes_are_value_errors(size):
    with pytest.raises(ValueError, match=">= 0"):
        MemoryManager(4096).alloc(size)


def test_size_larger_than_the_buffer_is_a_value_error():
    with pytest.raises(ValueError, match="larger memory manager"):
        MemoryManager(4096).alloc(4096)


@pytest.mark.parametrize("size", [1.5, "8", None, 64.0])
def test_non_int_sizes_are_type_errors(size):
    with pytest.raises(TypeError, match="must be an int"):
        MemoryManager(4096).alloc(size)


@pytest.mark.parametrize("size", [0, 63, 100, -64, 1.0])
def test_bad_manager_sizes_are_refused(size):
    with pytest.raises((ValueError, TypeError)):
        MemoryManager(size)


def test_numpy_integers_are_accepted():
    mm = MemoryManager(4096)
    p = mm.alloc(np.int64(24))
    mm.free(p, np.int32(24))


def test_refcount_of_alloc_starts_at_zero_and_last_decref_frees():
    mm = MemoryManager(4096)
    p = mm.alloc(64)
    mm.incref(p)
    assert mm.refcount(p) == 1
    mm.incref(p)
    mm.decref(p)
    assert mm.refcount(p) == 1
    mm.decref(p)
    assert mm.get_usage()[0] == 0
    with pytest.raises(DoubleFreeError):
        mm.decref(p)


def test_decref_below_zero_is_refused():
    mm = MemoryManager(4096)
    p = mm.alloc(64)
    with pytest.raises(RefcountError, match="already 0"):
        mm.decref(p)
    assert mm.block_size(p) == 64


def test_incref_past_int32_max_is_refused():
    mm = MemoryManager(4096)
    p = mm.alloc(8)
    mm.memory[p - 8 : p - 4].view(np.int32)[0] = 2**31 - 1
    with pytest.raises(RefcountError):
        mm.incref(p)


def test_storage_of_a_list_cannot_be_freed_directly():
    mm = MemoryManager(8192)
    lst = mm.alloc_list(capacity=4)
    storage = int(mm.memory[lst + 16 : lst + 24].view(np.int64)[0])
    with pytest.raises(ObjectTypeError, match="storage of the list"):
        mm.free(storage, 32)
    with pytest.raises(ObjectTypeError):
        mm.decref(storage)


def test_live_blocks_lists_objects_and_storage():
    mm = MemoryManager(8192)
    p = mm.alloc(40)
    lst = mm.alloc_list(capacity=2)
    blocks = mm.live_blocks()
    assert blocks[p] == 40 and blocks[lst] == 24 and len(blocks) == 3


def test_every_size_class_is_used():
    mm = MemoryManager(1024 * 1024)
    for cls in SIZE_CLASSES:
        a, b = mm.alloc(cls), mm.alloc(cls)
        assert b - a == cls + 8


def test_debug_mode_poisons_freed_memory_and_reports_writes_after_free():
    mm = MemoryManager(8192, debug=True)
    p = mm.alloc(64)
    mm.memory[p : p + 64] = 7
    mm.free(p, 64)
    assert (mm.memory[p : p + 64] == 0xDD).all()
    mm.memory[p + 3] = 1  # a write through a dangling pointer
    with pytest.raises(UseAfterFreeError, match="written to after it was freed"):
        mm.alloc(64)
    # The slot was re-poisoned and is usable again.
    assert mm.alloc(64) == p


def test_debug_mode_still_detects_misuse():
    mm = MemoryManager(8192, debug=True)
    p = mm.alloc(64)
    with pytest.raises(SizeMismatchError):
        mm.free(p, 63)
    mm.free(p, 64)
    with pytest.raises(DoubleFreeError):
        mm.free(p, 64)


@pytest.mark.parametrize("bad", [8.0, "8", None, [8]])
def test_pointers_that_are_not_ints_are_type_errors_and_change_nothing(bad):
    mm = MemoryManager(4096)
    p = mm.alloc(16)
    assert p == 8
    mm.incref(p)
    for operation in (lambda: mm.free(bad, 16), lambda: mm.incref(bad), lambda: mm.decref(bad)):
        with pytest.raises(TypeError, match="pointer is an int"):
            operation()
    assert mm.refcount(p) == 1 and mm.live_blocks() == {p: 16}
