"""``MemoryManager``: the heap with its objects — strings, arrays, growable lists and int64 dicts.

Each object is a block whose layout ``pyexec.memory.layout`` fixes (and ``docs/memory.md`` draws).
Lists and dicts keep their elements in a separate storage block, so they grow without moving: the
object's pointer stays valid and the old storage is freed.

Example:
    >>> from pyexec.memory import MemoryManager
    >>> mm = MemoryManager(size=64 * 1024)
    >>> s = mm.alloc_string("héllo")
    >>> mm.read_string(s)
    'héllo'
    >>> mm.decref(s)
"""

from __future__ import annotations

import operator
import struct

import numpy as np

from pyexec.memory.allocator import _SIZE_MASK, _TAG_SHIFT, SlabAllocator, _is_int, locked
from pyexec.memory.errors import HeapExhaustedError, InvalidPointerError, ObjectTypeError
from pyexec.memory.layout import (
    ARRAY_DATA_OFFSET,
    DICT_BUCKET_SIZE,
    DICT_MIN_CAPACITY,
    DICT_OBJECT_SIZE,
    DICT_SLOT_DELETED,
    DICT_SLOT_EMPTY,
    DICT_SLOT_FULL,
    LIST_OBJECT_SIZE,
    SMALL_MAX,
    STRING_DATA_OFFSET,
    TAG_ARRAY,
    TAG_DICT,
    TAG_LIST,
    TAG_NAMES,
    TAG_STORAGE,
    TAG_STRING,
    dict_table_size,
)

DEFAULT_SIZE = 1024 * 1024
MIN_SIZE = 64
INT32_MAX = 2**31 - 1
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
LIST_ELEM_SIZES = (1, 2, 4, 8)
_MASK64 = (1 << 64) - 1
_MISSING = object()
_pack_int32 = struct.Struct("<i").pack
_STRING_RECORD = TAG_STRING << _TAG_SHIFT
_STRING_HEADERS = [1 | TAG_STRING << 32 | size << 48 for size in range(SMALL_MAX + 1)]
"""Headers of small strings by block size: refcount 1, TAG_STRING."""


def dict_hash(key: int) -> int:
    """The slot hash of an int64 dict key: the splitmix64 finalizer of its two's-complement bits.

    Compiled code computes the same function, so a dict filled from Python is readable from it.

    Example:
        >>> dict_hash(0), dict_hash(1) & 15
        (0, 5)
    """
    z = key & _MASK64
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK64
    return z ^ (z >> 31)


def _with_article(noun: str) -> str:
    return f"{'an' if noun[0] in 'aeiou' else 'a'} {noun}"


def _int64(value: object, what: str) -> int:
    try:
        number = operator.index(value)  # type: ignore[arg-type]
    except TypeError:
        raise TypeError(f"{what} must be an int, got {type(value).__name__} {value!r}") from None
    if not INT64_MIN <= number <= INT64_MAX:
        raise OverflowError(f"{what} {number} does not fit in int64")
    return number


class MemoryManager(SlabAllocator):
    """A heap of ``size`` bytes in ``mm.memory`` (a NumPy ``uint8`` array); pointers are offsets into it.

    Small blocks (up to 2 KiB) come from size-class slabs, larger ones from a free list that reuses and
    coalesces freed space. Misuse (double free, wrong size, refcount below zero, a pointer that is not a
    live block) raises an exception from ``pyexec.memory.errors``. ``debug=True`` poisons freed memory.
    ``native_paths=False`` keeps ``alloc``/``free``/``incref``/``decref`` in Python (see ``native_paths``).
    Threads may share a manager: every method holds its lock (docs/memory.md, Threads, says what that
    covers). Pointers and sizes are ``int`` or NumPy integers; a bool or a float is a ``TypeError``.

    Example:
        >>> from pyexec.memory import MemoryManager, write_i64, read_i64
        >>> mm = MemoryManager(size=1024 * 1024)
        >>> arr = mm.alloc_array(10, elem_size=8)
        >>> write_i64(mm.memory, arr + 8 + 3 * 8, 42)
        >>> read_i64(mm.memory, arr + 8 + 3 * 8)
        42
    """

    def __init__(self, size: int = DEFAULT_SIZE, *, debug: bool = False, native_paths: bool = True) -> None:
        if not _is_int(size):
            raise TypeError(f"MemoryManager size must be an int, got {type(size).__name__} {size!r}")
        size = int(size)
        if size < MIN_SIZE or size % 8:
            raise ValueError(f"MemoryManager size must be a multiple of 8 and at least {MIN_SIZE} bytes, got {size}")
        super().__init__(np.zeros(size, dtype=np.uint8), heap_start=0, debug=debug, native_paths=native_paths)

    @locked
    def __repr__(self) -> str:
        used, total = self.get_usage()
        return f"<{type(self).__name__} {used}/{total} bytes used, {len(self._live)} live objects>"

    # --- strings -------------------------------------------------------------------------

    def alloc_string(self, s: str) -> int:
        """Store ``s`` as UTF-8 (int32 byte length, the bytes, a NUL); refcount 1. 0 if the heap is full.

        Example:
            >>> mm = MemoryManager(4096)
            >>> p = mm.alloc_string("Hello, World!")
            >>> mm.read_string(p)
            'Hello, World!'
        """
        if not isinstance(s, str):
            raise TypeError(f"alloc_string takes a str, got {type(s).__name__}")
        try:
            data = s.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise ValueError(f"alloc_string: the string cannot be encoded as UTF-8 ({exc.reason})") from None
        n = len(data)
        if n > INT32_MAX - STRING_DATA_OFFSET - 1:
            raise ValueError(f"alloc_string: {n} bytes is more than an int32 length can hold")
        size = STRING_DATA_OFFSET + n + 1
        contents = _pack_int32(n) + data + b"\0"
        self._lock.acquire()  # the heap's lock, inlined as in SlabAllocator.alloc (a hot path)
        busy = self._busy
        busy.append(None)
        try:
            if size <= SMALL_MAX and not self._debug:
                free = self._free_for_size[size]
                if free:  # the common case, inlined: a free slot of the right class
                    ptr = free.pop()
                    self._live[ptr] = size | _STRING_RECORD
                    self._u64[(ptr >> 3) - 1] = _STRING_HEADERS[size]
                    self._u8[ptr : ptr + size] = contents
                    return ptr
            ptr = self._place(size, TAG_STRING)
            if ptr:
                self._u8[ptr : ptr + size] = contents
            return ptr
        finally:
            busy.pop()
            self._lock.release()

    @locked
    def read_string(self, ptr: int) -> str:
        """The ``str`` stored at ``ptr`` by ``alloc_string``.

        Example:
            >>> mm = MemoryManager(4096)
            >>> mm.read_string(mm.alloc_string("test"))
            'test'
        """
        record = self._expect(ptr, TAG_STRING, "read_string")
        n = int(self._i32[ptr >> 2])
        if n != (record & _SIZE_MASK) - STRING_DATA_OFFSET - 1:
            raise InvalidPointerError(f"read_string({ptr}): the string's length field was overwritten (reads {n})")
        raw = bytes(self._u8[ptr + STRING_DATA_OFFSET : ptr + STRING_DATA_OFFSET + n])
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ValueError(f"read_string({ptr}): the bytes are no longer valid UTF-8 ({exc.reason})") from None

    # --- arrays --------------------------------------------------------------------------

    @locked
    def alloc_array(self, length: int, elem_size: int = 8) -> int:
        """A fixed array of ``length`` zeroed elements: int32 length, int32 capacity, then the elements.

        Element ``i`` is at ``ptr + 8 + i * elem_size``. Refcount 1; 0 if the heap is full.

        Example:
            >>> from pyexec.memory import read_i32
            >>> mm = MemoryManager(4096)
            >>> a = mm.alloc_array(4, elem_size=8)
            >>> read_i32(mm.memory, a), mm.array_len(a)
            (4, 4)
        """
        length = self._count(length, "alloc_array length")
        elem_size = self._count(elem_size, "alloc_array elem_size")
        if elem_size == 0:
            raise ValueError("alloc_array elem_size must be at least 1")
        ptr = self._allocate(ARRAY_DATA_OFFSET + length * elem_size, TAG_ARRAY)
        if ptr:
            self._i32[ptr >> 2] = length
            self._i32[(ptr >> 2) + 1] = length
            self.memory[ptr + ARRAY_DATA_OFFSET : ptr + ARRAY_DATA_OFFSET + length * elem_size] = 0
        return ptr

    @locked
    def array_len(self, ptr: int) -> int:
        """The length of the array at ``ptr``.

        Example:
            >>> mm = MemoryManager(4096)
            >>> mm.array_len(mm.alloc_array(3))
            3
        """
        self._expect(ptr, TAG_ARRAY, "array_len")
        return int(self._i32[ptr >> 2])

    # --- lists ---------------------------------------------------------------------------

    @locked
    def alloc_list(self, capacity: int = 8, elem_size: int = 8) -> int:
        """An empty growable list of signed ints of ``elem_size`` bytes (1, 2, 4 or 8); refcount 1.

        Example:
            >>> mm = MemoryManager(8192)
            >>> lst = mm.alloc_list(capacity=2)
            >>> for v in (1, 2, 3): mm.list_append(lst, v)
            >>> mm.list_len(lst), mm.list_get(lst, -1)
            (3, 3)
        """
        capacity = self._count(capacity, "alloc_list capacity")
        if elem_size not in LIST_ELEM_SIZES or not _is_int(elem_size):
            raise ValueError(f"alloc_list elem_size must be one of {LIST_ELEM_SIZES}, got {elem_size!r}")
        ptr = self._place(LIST_OBJECT_SIZE, TAG_LIST)
        if not ptr:
            return 0
        items = 0
        if capacity:
            items = self._allocate_storage(capacity * elem_size, ptr)
            if not items:
                self._free_block(ptr, self._live[ptr])
                return 0
        base = ptr >> 2
        self._i32[base] = 0
        self._i32[base + 1] = capacity
        self._i32[base + 2] = elem_size
        self._i32[base + 3] = 0
        self._i64[(ptr >> 3) + 2] = items
        return ptr

    @locked
    def list_len(self, ptr: int) -> int:
        """The number of elements in the list.

        Example:
            >>> mm = MemoryManager(4096)
            >>> mm.list_len(mm.alloc_list())
            0
        """
        self._expect(ptr, TAG_LIST, "list_len")
        return int(self._i32[ptr >> 2])

    @locked
    def list_append(self, ptr: int, value: int) -> None:
        """Append ``value``; the list's storage doubles when full (the list pointer does not change).

        Raises ``HeapExhaustedError`` if there is no room to grow, ``OverflowError`` if ``value`` does not
        fit the element size.

        Example:
            >>> mm = MemoryManager(4096)
            >>> lst = mm.alloc_list(); mm.list_append(lst, -7); mm.list_get(lst, 0)
            -7
        """
        self._expect(ptr, TAG_LIST, "list_append")
        base = ptr >> 2
        length, capacity, elem_size = int(self._i32[base]), int(self._i32[base + 1]), int(self._i32[base + 2])
        data = self._element_bytes(value, elem_size)
        items = int(self._i64[(ptr >> 3) + 2])
        if length == capacity:
            items = self._grow_list(ptr, length, capacity, elem_size, items)
        at = items + length * elem_size
        self._u8[at : at + elem_size] = data
        self._i32[base] = length + 1

    @locked
    def list_get(self, ptr: int, index: int) -> int:
        """Element ``index`` (negative counts from the end, as in Python); ``IndexError`` out of range.

        Example:
            >>> mm = MemoryManager(4096)
            >>> lst = mm.alloc_list(); mm.list_append(lst, 5); mm.list_get(lst, -1)
            5
        """
        at, elem_size = self._element_at(ptr, index, "list_get")
        return int.from_bytes(self._u8[at : at + elem_size], "little", signed=True)

    @locked
    def list_set(self, ptr: int, index: int, value: int) -> None:
        """Replace element ``index`` (negative counts from the end); ``IndexError`` out of range.

        Example:
            >>> mm = MemoryManager(4096)
            >>> lst = mm.alloc_list(); mm.list_append(lst, 5); mm.list_set(lst, 0, 6); mm.list_get(lst, 0)
            6
        """
        at, elem_size = self._element_at(ptr, index, "list_set")
        self._u8[at : at + elem_size] = self._element_bytes(value, elem_size)

    @locked
    def decref_list_auto(self, ptr: int) -> None:
        """``decref`` a list; at zero its element storage and the list itself are freed.

        Example:
            >>> mm = MemoryManager(4096)
            >>> lst = mm.alloc_list(capacity=10); mm.decref_list_auto(lst); mm.get_usage()[0]
            0
        """
        self._expect(ptr, TAG_LIST, "decref_list_auto")
        self.decref(ptr)

    def _element_at(self, ptr: int, index: int, operation: str) -> tuple[int, int]:
        self._expect(ptr, TAG_LIST, operation)
        if not _is_int(index):
            raise TypeError(f"{operation}: list indices must be integers, not {type(index).__name__}")
        base = ptr >> 2
        length, elem_size = int(self._i32[base]), int(self._i32[base + 2])
        i = int(index)
        if i < 0:
            i += length
        if not 0 <= i < length:
            raise IndexError(f"{operation}: list index {index} out of range for length {length}")
        return int(self._i64[(ptr >> 3) + 2]) + i * elem_size, elem_size

    @staticmethod
    def _element_bytes(value: object, elem_size: int) -> bytes:
        try:
            number = operator.index(value)  # type: ignore[arg-type]
        except TypeError:
            raise TypeError(f"list elements are ints, got {type(value).__name__} {value!r}") from None
        try:
            return number.to_bytes(elem_size, "little", signed=True)
        except OverflowError:
            raise OverflowError(f"{number} does not fit in a {elem_size}-byte signed list element") from None

    def _grow_list(self, ptr: int, length: int, capacity: int, elem_size: int, items: int) -> int:
        new_capacity = min(max(8, capacity * 2), INT32_MAX)
        if new_capacity == capacity:
            raise HeapExhaustedError(f"list_append: the list at {ptr} has reached the int32 length limit")
        new_items = self._allocate_storage(new_capacity * elem_size, ptr)
        if not new_items:
            raise HeapExhaustedError(
                f"list_append: no room to grow the list at {ptr} to {new_capacity} elements "
                f"({new_capacity * elem_size} bytes); free memory or use a larger memory manager"
            )
        used = length * elem_size
        self.memory[new_items : new_items + used] = self.memory[items : items + used]
        if items:
            self._free_block(items, self._storage[items])
        self._i32[(ptr >> 2) + 1] = new_capacity
        self._i64[(ptr >> 3) + 2] = new_items
        return new_items

    # --- dicts ---------------------------------------------------------------------------

    @locked
    def alloc_dict(self, capacity: int = 16) -> int:
        """An empty int64 → int64 hash map with at least ``capacity`` slots (a power of two); refcount 1.

        Example:
            >>> mm = MemoryManager(8192)
            >>> d = mm.alloc_dict(capacity=32)
            >>> mm.dict_set(d, 7, 49); mm.dict_get(d, 7), mm.dict_len(d)
            (49, 1)
        """
        capacity = self._count(capacity, "alloc_dict capacity")
        slots = DICT_MIN_CAPACITY
        while slots < capacity:
            slots *= 2
        if slots > 2**30:
            raise ValueError(f"alloc_dict capacity {capacity} is too large (at most 2**30 slots)")
        ptr = self._place(DICT_OBJECT_SIZE, TAG_DICT)
        if not ptr:
            return 0
        table = self._new_table(ptr, slots)
        if not table:
            self._free_block(ptr, self._live[ptr])
            return 0
        base = ptr >> 2
        self._i32[base] = 0
        self._i32[base + 1] = slots
        self._i32[base + 2] = 0
        self._i32[base + 3] = 0
        self._i64[(ptr >> 3) + 2] = table
        return ptr

    @locked
    def dict_len(self, ptr: int) -> int:
        """The number of keys in the dict.

        Example:
            >>> mm = MemoryManager(4096)
            >>> mm.dict_len(mm.alloc_dict())
            0
        """
        self._expect(ptr, TAG_DICT, "dict_len")
        return int(self._i32[ptr >> 2])

    @locked
    def dict_set(self, ptr: int, key: int, value: int) -> None:
        """``d[key] = value`` for int64 key and value; the table grows (and the old one is freed) as needed.

        Example:
            >>> mm = MemoryManager(8192)
            >>> d = mm.alloc_dict(); mm.dict_set(d, -1, 2); mm.dict_set(d, -1, 3); mm.dict_get(d, -1)
            3
        """
        self._expect(ptr, TAG_DICT, "dict_set")
        key = _int64(key, "dict key")
        value = _int64(value, "dict value")
        slot, free_slot = self._dict_find(ptr, key)
        table = int(self._i64[(ptr >> 3) + 2])
        if slot >= 0:
            self._i64[(table + slot * DICT_BUCKET_SIZE + 8) >> 3] = value
            return
        base = ptr >> 2
        size, capacity, filled = int(self._i32[base]), int(self._i32[base + 1]), int(self._i32[base + 2])
        reuses_tombstone = self._u8[table + capacity * DICT_BUCKET_SIZE + free_slot] == DICT_SLOT_DELETED
        if not reuses_tombstone and (filled + 1) * 3 > capacity * 2:
            # Mostly live entries: double. Mostly tombstones: rebuild at the same size.
            new_capacity = capacity * 2 if (size + 1) * 3 > capacity else capacity
            while (size + 1) * 3 > new_capacity * 2:
                new_capacity *= 2
            self._rehash(ptr, new_capacity)
            self.dict_set(ptr, key, value)
            return
        self._put(table, capacity, free_slot, key, value)
        self._i32[base] = size + 1
        if not reuses_tombstone:
            self._i32[base + 2] = filled + 1

    @locked
    def dict_get(self, ptr: int, key: int, default: object = _MISSING) -> int:
        """``d[key]``: ``KeyError`` if absent, unless a ``default`` is given.

        Example:
            >>> mm = MemoryManager(4096)
            >>> d = mm.alloc_dict(); mm.dict_get(d, 5, default=-1)
            -1
        """
        self._expect(ptr, TAG_DICT, "dict_get")
        key = _int64(key, "dict key")
        slot, _ = self._dict_find(ptr, key)
        if slot < 0:
            if default is _MISSING:
                raise KeyError(key)
            return default  # type: ignore[return-value]
        table = int(self._i64[(ptr >> 3) + 2])
        return int(self._i64[(table + slot * DICT_BUCKET_SIZE + 8) >> 3])

    @locked
    def dict_contains(self, ptr: int, key: int) -> bool:
        """``key in d``.

        Example:
            >>> mm = MemoryManager(4096)
            >>> d = mm.alloc_dict(); mm.dict_set(d, 1, 1); mm.dict_contains(d, 1), mm.dict_contains(d, 2)
            (True, False)
        """
        self._expect(ptr, TAG_DICT, "dict_contains")
        return self._dict_find(ptr, _int64(key, "dict key"))[0] >= 0

    @locked
    def dict_delete(self, ptr: int, key: int) -> None:
        """``del d[key]``: ``KeyError`` if absent. The slot becomes a tombstone, reused by later inserts.

        Example:
            >>> mm = MemoryManager(4096)
            >>> d = mm.alloc_dict(); mm.dict_set(d, 1, 1); mm.dict_delete(d, 1); mm.dict_len(d)
            0
        """
        self._expect(ptr, TAG_DICT, "dict_delete")
        key = _int64(key, "dict key")
        slot, _ = self._dict_find(ptr, key)
        if slot < 0:
            raise KeyError(key)
        base = ptr >> 2
        table, capacity = int(self._i64[(ptr >> 3) + 2]), int(self._i32[base + 1])
        self._u8[table + capacity * DICT_BUCKET_SIZE + slot] = DICT_SLOT_DELETED
        self._i32[base] -= 1

    @locked
    def dict_items(self, ptr: int) -> list[tuple[int, int]]:
        """Every ``(key, value)`` pair, in slot order.

        Example:
            >>> mm = MemoryManager(4096)
            >>> d = mm.alloc_dict(); mm.dict_set(d, 3, 9); mm.dict_items(d)
            [(3, 9)]
        """
        self._expect(ptr, TAG_DICT, "dict_items")
        table, capacity = int(self._i64[(ptr >> 3) + 2]), int(self._i32[(ptr >> 2) + 1])
        control = table + capacity * DICT_BUCKET_SIZE
        pairs = []
        for slot in range(capacity):
            if self._u8[control + slot] == DICT_SLOT_FULL:
                at = (table + slot * DICT_BUCKET_SIZE) >> 3
                pairs.append((int(self._i64[at]), int(self._i64[at + 1])))
        return pairs

    @locked
    def decref_dict(self, ptr: int) -> None:
        """``decref`` a dict; at zero its table and the dict itself are freed.

        Example:
            >>> mm = MemoryManager(8192)
            >>> d = mm.alloc_dict(capacity=32); mm.decref_dict(d); mm.get_usage()[0]
            0
        """
        self._expect(ptr, TAG_DICT, "decref_dict")
        self.decref(ptr)

    def _new_table(self, owner: int, slots: int) -> int:
        table = self._allocate_storage(dict_table_size(slots), owner)
        if table:
            self.memory[table : table + dict_table_size(slots)] = 0
        return table

    def _dict_find(self, ptr: int, key: int) -> tuple[int, int]:
        """(slot holding ``key`` or -1, the slot an insert of ``key`` would use or -1), by linear probing."""
        table, capacity = int(self._i64[(ptr >> 3) + 2]), int(self._i32[(ptr >> 2) + 1])
        control = table + capacity * DICT_BUCKET_SIZE
        mask = capacity - 1
        slot = dict_hash(key) & mask
        tombstone = -1
        u8, i64 = self._u8, self._i64
        for _ in range(capacity):
            state = u8[control + slot]
            if state == DICT_SLOT_EMPTY:
                return -1, (tombstone if tombstone >= 0 else slot)
            if state == DICT_SLOT_FULL:
                if i64[(table + slot * DICT_BUCKET_SIZE) >> 3] == key:
                    return slot, -1
            elif tombstone < 0:
                tombstone = slot
            slot = (slot + 1) & mask
        if tombstone >= 0:
            return -1, tombstone
        raise InvalidPointerError(f"the dict at {ptr} has no empty slot: its table was overwritten")

    def _put(self, table: int, capacity: int, slot: int, key: int, value: int) -> None:
        at = (table + slot * DICT_BUCKET_SIZE) >> 3
        self._i64[at] = key
        self._i64[at + 1] = value
        self._u8[table + capacity * DICT_BUCKET_SIZE + slot] = DICT_SLOT_FULL

    def _rehash(self, ptr: int, new_capacity: int) -> None:
        pairs = self.dict_items(ptr)
        old_table = int(self._i64[(ptr >> 3) + 2])
        table = self._new_table(ptr, new_capacity)
        if not table:
            raise HeapExhaustedError(
                f"dict_set: no room to grow the dict at {ptr} to {new_capacity} slots "
                f"({dict_table_size(new_capacity)} bytes); free memory or use a larger memory manager"
            )
        mask = new_capacity - 1
        control = table + new_capacity * DICT_BUCKET_SIZE
        for key, value in pairs:
            slot = dict_hash(key) & mask
            while self._u8[control + slot] != DICT_SLOT_EMPTY:
                slot = (slot + 1) & mask
            self._put(table, new_capacity, slot, key, value)
        self._free_block(old_table, self._storage[old_table])
        base = ptr >> 2
        self._i32[base + 1] = new_capacity
        self._i32[base + 2] = len(pairs)
        self._i64[(ptr >> 3) + 2] = table

    # --- shared checks -------------------------------------------------------------------

    def _allocate_storage(self, size: int, owner: int) -> int:
        if size > self._size_limit():
            return 0
        storage = self._place(size, TAG_STORAGE)
        if storage:
            self._owner[storage] = owner
        return storage

    def _expect(self, ptr: int, tag: int, operation: str) -> int:
        record = self._record(ptr, operation)
        have = record >> _TAG_SHIFT
        if have != tag:
            raise ObjectTypeError(
                f"{operation}({ptr}): the block at {ptr} is {_with_article(TAG_NAMES[have])}, "
                f"not {_with_article(TAG_NAMES[tag])}"
            )
        return record

    @staticmethod
    def _count(value: object, what: str) -> int:
        if not _is_int(value):
            raise TypeError(f"{what} must be an int, got {type(value).__name__} {value!r}")
        number = int(value)  # type: ignore[call-overload]
        if not 0 <= number <= INT32_MAX:
            raise ValueError(f"{what} must be between 0 and {INT32_MAX}, got {number}")
        return number
