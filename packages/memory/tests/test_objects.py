"""Strings, arrays, lists and dicts: their layouts, operations, growth and cleanup."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pyexec.memory import (
    HeapExhaustedError,
    InvalidPointerError,
    MemoryManager,
    ObjectTypeError,
    read_i32,
    read_i64,
    write_i64,
)
from pyexec.memory.layout import TAG_ARRAY, TAG_DICT, TAG_LIST, TAG_STRING, dict_table_size


def tag(mm, ptr):
    return int(mm.memory[ptr - 4])


# --- strings -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text", ["", "Hello, World!", "héllo wörld", "日本語", "emoji 🐍", "nul\x00inside", "x" * 5000]
)
def test_string_round_trips(text):
    mm = MemoryManager(64 * 1024)
    p = mm.alloc_string(text)
    assert mm.read_string(p) == text


def test_string_layout_is_length_bytes_nul():
    mm = MemoryManager(4096)
    p = mm.alloc_string("Hello")
    assert tag(mm, p) == TAG_STRING
    assert read_i32(mm.memory, p) == 5
    assert bytes(mm.memory[p + 4 : p + 10]) == b"Hello\x00"
    assert int(mm.memory[p - 8 : p - 4].view(np.int32)[0]) == 1  # refcount 1


@given(st.text(max_size=300))
@settings(max_examples=60, deadline=None)
def test_any_text_round_trips(text):
    mm = MemoryManager(8192)
    p = mm.alloc_string(text)
    assert mm.read_string(p) == text
    mm.decref(p)
    assert mm.get_usage()[0] == 0


def test_unencodable_string_is_a_value_error():
    with pytest.raises(ValueError, match="UTF-8"):
        MemoryManager(4096).alloc_string("\ud800")


def test_alloc_string_rejects_non_str():
    with pytest.raises(TypeError):
        MemoryManager(4096).alloc_string(b"bytes")


def test_read_string_of_a_non_string_is_an_object_type_error():
    mm = MemoryManager(4096)
    with pytest.raises(ObjectTypeError, match="not a string"):
        mm.read_string(mm.alloc_array(2))


def test_alloc_string_returns_zero_when_full():
    mm = MemoryManager(1024)
    while mm.alloc(200):
        pass
    assert mm.alloc_string("x" * 200) == 0


# --- arrays --------------------------------------------------------------------------------


def test_array_layout_matches_the_documented_offsets():
    mm = MemoryManager(4096)
    p = mm.alloc_array(10, elem_size=8)
    assert tag(mm, p) == TAG_ARRAY
    assert read_i32(mm.memory, p) == 10 and read_i32(mm.memory, p + 4) == 10
    for i in range(10):
        write_i64(mm.memory, p + 8 + i * 8, i * i - 3)
    assert [read_i64(mm.memory, p + 8 + i * 8) for i in range(10)] == [i * i - 3 for i in range(10)]
    assert mm.array_len(p) == 10
    assert mm.block_size(p) == 8 + 80


def test_array_elements_start_zeroed_even_in_reused_memory():
    mm = MemoryManager(4096)
    raw = mm.alloc(88)
    mm.memory[raw : raw + 88] = 0xAB
    mm.free(raw, 88)
    p = mm.alloc_array(10)
    assert p == raw and not mm.memory[p + 8 : p + 88].any()


def test_large_array_and_other_element_sizes():
    mm = MemoryManager(1024 * 1024)
    p = mm.alloc_array(10000, elem_size=4)
    assert mm.array_len(p) == 10000 and mm.block_size(p) == 8 + 40000
    mm.decref(p)
    assert mm.get_usage()[0] == 0


@pytest.mark.parametrize(("length", "elem_size"), [(-1, 8), (4, 0), (4, -8), (2**31, 1)])
def test_bad_array_arguments_are_value_errors(length, elem_size):
    with pytest.raises(ValueError):
        MemoryManager(4096).alloc_array(length, elem_size)


# --- lists ---------------------------------------------------------------------------------


def test_list_grows_and_keeps_its_pointer_and_elements():
    mm = MemoryManager(64 * 1024)
    lst = mm.alloc_list(capacity=2)
    assert tag(mm, lst) == TAG_LIST
    for i in range(1000):
        mm.list_append(lst, i * 3)
    assert mm.list_len(lst) == 1000
    assert [mm.list_get(lst, i) for i in range(0, 1000, 111)] == [i * 3 for i in range(0, 1000, 111)]
    # Only the object and the current storage are live: the old storage was freed at each growth.
    assert len(mm.live_blocks()) == 2


def test_list_with_zero_capacity_grows_from_nothing():
    mm = MemoryManager(4096)
    lst = mm.alloc_list(capacity=0)
    mm.list_append(lst, 1)
    assert mm.list_get(lst, 0) == 1


@pytest.mark.parametrize(
    ("elem_size", "lo", "hi"),
    [(1, -128, 127), (2, -(2**15), 2**15 - 1), (4, -(2**31), 2**31 - 1), (8, -(2**63), 2**63 - 1)],
)
def test_list_elements_hold_their_full_signed_range(elem_size, lo, hi):
    mm = MemoryManager(4096)
    lst = mm.alloc_list(elem_size=elem_size)
    mm.list_append(lst, lo)
    mm.list_append(lst, hi)
    assert (mm.list_get(lst, 0), mm.list_get(lst, 1)) == (lo, hi)
    with pytest.raises(OverflowError, match=f"{elem_size}-byte"):
        mm.list_append(lst, hi + 1)
    assert mm.list_len(lst) == 2


def test_list_indexing_follows_python():
    mm = MemoryManager(4096)
    lst = mm.alloc_list()
    for v in (10, 20, 30):
        mm.list_append(lst, v)
    mm.list_set(lst, -1, 33)
    assert [mm.list_get(lst, i) for i in (-3, -2, -1, 0, 1, 2)] == [10, 20, 33, 10, 20, 33]
    for bad in (3, -4, 100):
        with pytest.raises(IndexError):
            mm.list_get(lst, bad)
        with pytest.raises(IndexError):
            mm.list_set(lst, bad, 0)
    with pytest.raises(TypeError):
        mm.list_get(lst, 1.0)
    with pytest.raises(TypeError):
        mm.list_append(lst, 1.5)


def test_list_that_cannot_grow_raises_heap_exhausted():
    mm = MemoryManager(1024)
    lst = mm.alloc_list(capacity=8)
    with pytest.raises(HeapExhaustedError, match="no room to grow"):
        for i in range(1000):
            mm.list_append(lst, i)
    n = mm.list_len(lst)
    assert [mm.list_get(lst, i) for i in range(n)] == list(range(n))


def test_decref_list_auto_frees_storage_and_list():
    mm = MemoryManager(8192)
    lst = mm.alloc_list(capacity=10, elem_size=8)
    for i in range(50):
        mm.list_append(lst, i)
    mm.decref_list_auto(lst)
    assert mm.get_usage()[0] == 0 and mm.live_blocks() == {}


def test_decref_list_auto_on_a_dict_is_refused():
    mm = MemoryManager(8192)
    with pytest.raises(ObjectTypeError):
        mm.decref_list_auto(mm.alloc_dict())


def test_list_with_overwritten_storage_pointer_is_not_freed_blindly():
    mm = MemoryManager(8192)
    lst, other = mm.alloc_list(capacity=4), mm.alloc_list(capacity=4)
    mm.memory[lst + 16 : lst + 24] = mm.memory[other + 16 : other + 24]
    with pytest.raises(InvalidPointerError, match="overwritten"):
        mm.decref_list_auto(lst)
    mm.decref_list_auto(other)


@pytest.mark.parametrize("elem_size", [3, 16, 0])
def test_list_elem_size_must_be_a_machine_width(elem_size):
    with pytest.raises(ValueError, match="elem_size"):
        MemoryManager(4096).alloc_list(elem_size=elem_size)


# --- dicts ---------------------------------------------------------------------------------


def test_dict_layout_and_basic_operations():
    mm = MemoryManager(8192)
    d = mm.alloc_dict(capacity=32)
    assert tag(mm, d) == TAG_DICT
    assert read_i32(mm.memory, d + 4) == 32
    table = read_i64(mm.memory, d + 16)
    assert mm.block_size(table) == dict_table_size(32)
    mm.dict_set(d, 1, 100)
    mm.dict_set(d, -(2**63), 2**63 - 1)
    assert mm.dict_get(d, 1) == 100 and mm.dict_get(d, -(2**63)) == 2**63 - 1
    assert mm.dict_len(d) == 2 and read_i32(mm.memory, d) == 2
    mm.dict_delete(d, 1)
    with pytest.raises(KeyError):
        mm.dict_get(d, 1)
    with pytest.raises(KeyError):
        mm.dict_delete(d, 1)
    assert mm.dict_get(d, 1, default=None) is None
    assert mm.dict_contains(d, -(2**63)) and not mm.dict_contains(d, 1)


def test_dict_grows_without_leaking_old_tables():
    mm = MemoryManager(1024 * 1024)
    d = mm.alloc_dict(capacity=8)
    for i in range(5000):
        mm.dict_set(d, i * 7919, i)
    assert mm.dict_len(d) == 5000
    assert all(mm.dict_get(d, i * 7919) == i for i in range(0, 5000, 97))
    assert len(mm.live_blocks()) == 2  # the dict and its one current table


def test_colliding_keys_reach_every_slot():
    mm = MemoryManager(64 * 1024)
    d = mm.alloc_dict(capacity=8)
    keys = [k * 2**40 for k in range(5)]  # many share low bits before hashing; probing must still find all
    for k in keys:
        mm.dict_set(d, k, k + 1)
    assert sorted(mm.dict_items(d)) == sorted((k, k + 1) for k in keys)


def test_tombstones_are_reused_and_purged():
    mm = MemoryManager(64 * 1024)
    d = mm.alloc_dict(capacity=8)
    for round_ in range(200):
        mm.dict_set(d, round_, round_)
        mm.dict_delete(d, round_)
    assert mm.dict_len(d) == 0
    assert read_i32(mm.memory, d + 4) <= 16  # churn did not make it grow


@given(
    st.lists(
        st.tuples(st.sampled_from(["set", "del"]), st.integers(-(2**63), 2**63 - 1), st.integers(-(2**63), 2**63 - 1)),
        max_size=120,
    )
)
@settings(max_examples=50, deadline=None)
def test_dict_behaves_like_a_python_dict(ops):
    mm = MemoryManager(256 * 1024)
    d = mm.alloc_dict(capacity=8)
    model: dict[int, int] = {}
    for op, key, value in ops:
        key = key % 50 if value % 2 else key  # mix repeated small keys with arbitrary ones
        if op == "set":
            mm.dict_set(d, key, value)
            model[key] = value
        elif key in model:
            mm.dict_delete(d, key)
            del model[key]
        else:
            with pytest.raises(KeyError):
                mm.dict_delete(d, key)
    assert dict(mm.dict_items(d)) == model and mm.dict_len(d) == len(model)
    mm.decref_dict(d)
    assert mm.get_usage()[0] == 0


@pytest.mark.parametrize("bad", [2**63, -(2**63) - 1])
def test_dict_keys_and_values_outside_int64_overflow(bad):
    mm = MemoryManager(8192)
    d = mm.alloc_dict()
    with pytest.raises(OverflowError, match="int64"):
        mm.dict_set(d, bad, 1)
    with pytest.raises(OverflowError, match="int64"):
        mm.dict_set(d, 1, bad)
    with pytest.raises(TypeError):
        mm.dict_set(d, "k", 1)


def test_decref_dict_frees_table_and_dict():
    mm = MemoryManager(64 * 1024)
    d = mm.alloc_dict(capacity=32)
    for i in range(100):
        mm.dict_set(d, i, i)
    mm.incref(d)
    mm.decref_dict(d)
    assert mm.dict_len(d) == 100
    mm.decref_dict(d)
    assert mm.get_usage()[0] == 0


def test_decref_dict_on_a_string_is_refused():
    mm = MemoryManager(4096)
    with pytest.raises(ObjectTypeError, match="string, not a dict"):
        mm.decref_dict(mm.alloc_string("x"))


def test_free_of_a_list_frees_its_storage_too():
    mm = MemoryManager(8192)
    lst = mm.alloc_list(capacity=4)
    mm.free(lst, 24)
    assert mm.live_blocks() == {}
