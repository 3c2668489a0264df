"""Random interleavings of every heap operation, checked against a model after each step.

After every step: no two live blocks overlap, ``get_usage`` is exact, every block's contents are
what was last written, and each misuse raised its exception and changed nothing. ``alloc``, ``free``,
``incref`` and ``decref`` are called either on the heap or through the bound methods taken when it was
made, across ``reset`` (and, for wasm memory, ``grow_memory``): both must act on the heap as it is now.
"""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
from dataclasses import dataclass, field

import numpy as np
import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from pyexec.memory import (
    HeapExhaustedError,
    InvalidPointerError,
    MemoryManager,
    ObjectTypeError,
    RefcountError,
    SizeMismatchError,
    read_i64,
    write_i64,
)
from pyexec.memory.layout import SMALL_MAX, align_up, block_footprint, size_class_of
from pyexec.wasm_memory import WasmMemoryManager

HEAP = 128 * 1024
SIZES = st.sampled_from([0, 1, 8, 15, 16, 17, 63, 64, 200, 1000, 2047, 2048, 2049, 3000, 9000, 30000])
INT64 = st.integers(-(2**63), 2**63 - 1)


@dataclass
class Block:
    kind: str  # raw, string, array, list, dict
    size: int
    refcount: int
    fill: int = 0  # raw: every byte; array: element i holds fill + i
    text: str = ""
    items: list[int] = field(default_factory=list)
    mapping: dict[int, int] = field(default_factory=dict)


def extent(ptr: int, size: int) -> tuple[int, int]:
    if size <= SMALL_MAX:
        return ptr - 8, ptr + size_class_of(size)
    return ptr - 16, ptr + align_up(size)


class HeapMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.mm = self.make_heap()
        self.heap_start = 0
        # Taken once, before any reset or grow: they must keep working on the heap as it becomes.
        self.hoisted = {name: getattr(self.mm, name) for name in ("alloc", "free", "incref", "decref")}
        self.blocks: dict[int, Block] = {}
        self.freed: set[int] = set()

    def make_heap(self) -> MemoryManager:
        return MemoryManager(HEAP)

    def total(self) -> int:
        return HEAP

    # --- helpers -----------------------------------------------------------------------

    def op(self, name: str, hoisted: bool):
        return self.hoisted[name] if hoisted else getattr(self.mm, name)

    def pick(self, data, kind: str | None = None) -> int | None:
        ptrs = sorted(p for p, b in self.blocks.items() if kind is None or b.kind == kind)
        return data.draw(st.sampled_from(ptrs)) if ptrs else None

    def added(self, ptr: int, block: Block) -> None:
        if ptr:
            assert ptr not in self.blocks
            self.blocks[ptr] = block
            self.freed.discard(ptr)

    def gone(self, ptr: int) -> None:
        del self.blocks[ptr]
        self.freed.add(ptr)

    # --- allocation ----------------------------------------------------------------------

    @rule(size=SIZES, fill=st.integers(0, 255), hoisted=st.booleans())
    def alloc(self, size, fill, hoisted):
        ptr = self.op("alloc", hoisted)(size)
        if ptr:
            self.mm.memory[ptr : ptr + size] = fill
            self.added(ptr, Block("raw", size, 0, fill=fill))

    @rule(text=st.text(max_size=40))
    def alloc_string(self, text):
        ptr = self.mm.alloc_string(text)
        self.added(ptr, Block("string", 4 + len(text.encode()) + 1, 1, text=text))

    @rule(length=st.integers(0, 600), fill=INT64.filter(lambda v: v < 2**62))
    def alloc_array(self, length, fill):
        ptr = self.mm.alloc_array(length)
        if ptr:
            for i in (0, length - 1) if length else ():
                write_i64(self.mm.memory, ptr + 8 + i * 8, fill + i)
            self.added(ptr, Block("array", 8 + length * 8, 1, fill=fill))

    @rule(capacity=st.integers(0, 20), elem_size=st.sampled_from([1, 2, 4, 8]))
    def alloc_list(self, capacity, elem_size):
        ptr = self.mm.alloc_list(capacity, elem_size)
        self.added(ptr, Block("list", 24, 1, fill=elem_size))

    @rule(capacity=st.integers(0, 40))
    def alloc_dict(self, capacity):
        ptr = self.mm.alloc_dict(capacity)
        self.added(ptr, Block("dict", 24, 1))

    # --- release -------------------------------------------------------------------------

    @rule(data=st.data(), hoisted=st.booleans())
    def free(self, data, hoisted):
        ptr = self.pick(data)
        if ptr is not None:
            self.op("free", hoisted)(ptr, self.blocks[ptr].size)
            self.gone(ptr)

    @rule(data=st.data(), hoisted=st.booleans())
    def incref(self, data, hoisted):
        ptr = self.pick(data)
        if ptr is not None:
            self.op("incref", hoisted)(ptr)
            self.blocks[ptr].refcount += 1

    @rule(data=st.data(), hoisted=st.booleans())
    def decref(self, data, hoisted):
        ptr = self.pick(data)
        if ptr is None:
            return
        block = self.blocks[ptr]
        if block.refcount == 0:
            with pytest.raises(RefcountError):
                self.op("decref", hoisted)(ptr)
            return
        if block.kind == "dict":
            self.mm.decref_dict(ptr)
        elif block.kind == "list":
            self.mm.decref_list_auto(ptr)
        else:
            self.op("decref", hoisted)(ptr)
        block.refcount -= 1
        if block.refcount == 0:
            self.gone(ptr)

    @rule()
    def reset(self):
        self.mm.reset()
        self.blocks.clear()
        self.freed.clear()

    # --- object operations ---------------------------------------------------------------

    @rule(data=st.data(), value=INT64)
    def list_append(self, data, value):
        ptr = self.pick(data, "list")
        if ptr is None:
            return
        block = self.blocks[ptr]
        bits = 8 * block.fill
        value = (value + 2 ** (bits - 1)) % 2**bits - 2 ** (bits - 1)  # fit the element width
        try:
            self.mm.list_append(ptr, value)
        except HeapExhaustedError:
            return
        block.items.append(value)

    @rule(data=st.data(), value=st.integers(-100, 100))
    def list_set(self, data, value):
        ptr = self.pick(data, "list")
        if ptr is None or not self.blocks[ptr].items:
            return
        block = self.blocks[ptr]
        index = data.draw(st.integers(-len(block.items), len(block.items) - 1))
        self.mm.list_set(ptr, index, value)
        block.items[index] = value

    @rule(data=st.data(), key=st.one_of(st.integers(-5, 5), INT64), value=INT64)
    def dict_set(self, data, key, value):
        ptr = self.pick(data, "dict")
        if ptr is None:
            return
        try:
            self.mm.dict_set(ptr, key, value)
        except HeapExhaustedError:
            return
        self.blocks[ptr].mapping[key] = value

    @rule(data=st.data(), key=st.integers(-5, 5))
    def dict_delete(self, data, key):
        ptr = self.pick(data, "dict")
        if ptr is None:
            return
        mapping = self.blocks[ptr].mapping
        if key in mapping:
            self.mm.dict_delete(ptr, key)
            del mapping[key]
        else:
            with pytest.raises(KeyError):
                self.mm.dict_delete(ptr, key)

    # --- misuse: each must raise and change nothing ----------------------------------------

    @precondition(lambda self: self.freed - set(self.blocks))
    @rule(data=st.data())
    def double_free(self, data):
        ptr = data.draw(st.sampled_from(sorted(self.freed - set(self.blocks))))
        if any(lo <= ptr < hi for p, size in self.mm.live_blocks().items() for lo, hi in [extent(p, size)]):
            return  # its memory now belongs to another block (maybe a list's storage): not a double free
        # DoubleFreeError when the freed block's memory is untouched; if another block has used (and
        # freed) that memory since, the stale pointer is just not a block: InvalidPointerError, its base.
        with pytest.raises(InvalidPointerError):
            self.mm.free(ptr, 16)
        with pytest.raises(InvalidPointerError):
            self.mm.decref(ptr)

    @rule(data=st.data(), delta=st.integers(1, 40))
    def free_with_wrong_size(self, data, delta):
        ptr = self.pick(data)
        if ptr is not None:
            with pytest.raises(SizeMismatchError):
                self.mm.free(ptr, self.blocks[ptr].size + delta)

    @rule(data=st.data(), offset=st.integers(1, 64))
    def interior_pointer(self, data, offset):
        ptr = self.pick(data)
        if ptr is None or offset >= max(self.blocks[ptr].size, 1):
            return
        with pytest.raises(InvalidPointerError):
            self.mm.free(ptr + offset, 8)
        with pytest.raises(InvalidPointerError):
            self.mm.incref(ptr + offset)

    @rule(data=st.data())
    def wrong_object_kind(self, data):
        ptr = self.pick(data)
        if ptr is None:
            return
        kind = self.blocks[ptr].kind
        if kind != "string":
            with pytest.raises(ObjectTypeError):
                self.mm.read_string(ptr)
        if kind != "dict":
            with pytest.raises(ObjectTypeError):
                self.mm.decref_dict(ptr)
        if kind != "list":
            with pytest.raises(ObjectTypeError):
                self.mm.list_append(ptr, 1)

    @rule(ptr=st.sampled_from([0, 3, -8, "heap end", 2**40]))
    def never_a_block(self, ptr):
        if ptr == "heap end":
            ptr = self.heap_start + self.mm.get_usage()[1]
        with pytest.raises(InvalidPointerError):
            self.mm.free(ptr, 16)
        with pytest.raises(InvalidPointerError):
            self.mm.decref(ptr)

    # --- invariants ----------------------------------------------------------------------

    @invariant()
    def objects_match_the_model(self):
        live = self.mm.live_blocks()
        objects = {p for p in live if p in self.blocks}
        assert objects == set(self.blocks)
        storage = set(live) - objects
        owners = sum(1 for b in self.blocks.values() if b.kind in ("list", "dict"))
        assert len(storage) <= owners

    @invariant()
    def no_two_live_blocks_overlap(self):
        spans = sorted(extent(p, s) for p, s in self.mm.live_blocks().items())
        for (_, end), (start, _) in itertools.pairwise(spans):
            assert end <= start
        heap_end = self.heap_start + self.mm.get_usage()[1]
        assert all(self.heap_start <= lo and hi <= heap_end for lo, hi in spans)

    @invariant()
    def usage_is_exact(self):
        used, total = self.mm.get_usage()
        assert total == self.total()
        assert used == sum(block_footprint(s) for s in self.mm.live_blocks().values())

    @invariant()
    def contents_survive(self):
        mm = self.mm
        for ptr, b in self.blocks.items():
            if b.kind == "raw":
                assert (mm.memory[ptr : ptr + b.size] == b.fill).all()
            elif b.kind == "string":
                assert mm.read_string(ptr) == b.text
            elif b.kind == "array":
                length = (b.size - 8) // 8
                assert mm.array_len(ptr) == length
                for i in (0, length - 1) if length else ():
                    assert read_i64(mm.memory, ptr + 8 + i * 8) == b.fill + i
            elif b.kind == "list":
                assert [mm.list_get(ptr, i) for i in range(mm.list_len(ptr))] == b.items
            else:
                assert dict(mm.dict_items(ptr)) == b.mapping and mm.dict_len(ptr) == len(b.mapping)
            assert mm.refcount(ptr) == b.refcount
        assert isinstance(mm.memory, np.ndarray)


HeapMachine.TestCase.settings = settings(
    max_examples=60, stateful_step_count=40, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
test_heap_state_machine = HeapMachine.TestCase


class DebugHeapMachine(HeapMachine):
    """The same interleavings with debug mode on: poisoning must not change any behaviour."""

    def make_heap(self) -> MemoryManager:
        return MemoryManager(HEAP, debug=True)


DebugHeapMachine.TestCase.settings = settings(
    max_examples=25, stateful_step_count=30, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
test_debug_heap_state_machine = DebugHeapMachine.TestCase


class PythonPathsHeapMachine(HeapMachine):
    """The same interleavings with the native paths off: the Python methods alone."""

    def make_heap(self) -> MemoryManager:
        return MemoryManager(HEAP, native_paths=False)


PythonPathsHeapMachine.TestCase.settings = settings(
    max_examples=25, stateful_step_count=30, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
test_python_paths_heap_state_machine = PythonPathsHeapMachine.TestCase


class WasmHeapMachine(HeapMachine):
    """The same interleavings in wasm linear memory, which also grows: pointers and bound methods survive."""

    def __init__(self) -> None:
        super().__init__()
        self.heap_start = 65536

    def make_heap(self) -> MemoryManager:
        return WasmMemoryManager(initial_pages=3)  # 128 KiB of heap above the 64 KiB reserved for the stack

    def total(self) -> int:
        return self.mm.pages * 65536 - self.heap_start

    @precondition(lambda self: self.mm.pages < 12)
    @rule(pages=st.integers(0, 3))
    def grow_memory(self, pages):
        before = self.mm.pages
        assert self.mm.grow_memory(pages)
        assert self.mm.pages == before + pages


WasmHeapMachine.TestCase.settings = settings(
    max_examples=20, stateful_step_count=30, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)

if os.environ.get("PYEXEC_MEMORY_CHILD") == "wasm-machine":
    test_wasm_heap_state_machine = WasmHeapMachine.TestCase
else:

    def test_wasm_heap_state_machine_in_a_child_process():
        # Bound methods across grow_memory: if the native paths ever wrote through a stale buffer
        # again, that would be a segfault; in a child it is a failed test with the child's output.
        proc = subprocess.run(
            [sys.executable, "-X", "faulthandler", "-m", "pytest", "-q", "-p", "no:cacheprovider", __file__,
             "-k", "test_wasm_heap_state_machine"],
            capture_output=True, text=True, timeout=600, env={**os.environ, "PYEXEC_MEMORY_CHILD": "wasm-machine"},
        )
        assert proc.returncode == 0 and " passed" in proc.stdout, (
            f"exit {proc.returncode}\n{proc.stdout[-4000:]}\n{proc.stderr[-2000:]}"
        )
