"""The allocator: size-class slabs for small blocks, a coalescing free list for large ones, refcounts.

The bookkeeping lives in plain Python containers (free lists, a record of live blocks) and each
operation writes the block header into the heap through a ``memoryview``. That is deliberate: a call
into Numba costs more from Python than the whole of a slab ``alloc``, and the live-block record is what
lets every ``free``/``incref``/``decref`` be checked. ``MemoryManager`` builds the objects on top.

Example:
    >>> from pyexec.memory.allocator import SlabAllocator
    >>> import numpy as np
    >>> heap = SlabAllocator(np.zeros(4096, np.uint8), heap_start=0)
    >>> p = heap.alloc(64)
    >>> p > 0, p % 8
    (True, 0)
    >>> heap.free(p, 64)
"""

from __future__ import annotations

import functools
import operator
import sys
import threading
from collections.abc import Callable
from typing import TypeVar

import numpy as np

from pyexec.memory.errors import (
    DoubleFreeError,
    InvalidPointerError,
    ObjectTypeError,
    RefcountError,
    SizeMismatchError,
    UseAfterFreeError,
)
from pyexec.memory.layout import (
    FLAG_LARGE,
    HEADER_SIZE,
    HEADER_TAG_OFFSET,
    LARGE_PREFIX_SIZE,
    LARGE_SIZE_MARKER,
    SIZE_CLASSES,
    SLAB_TARGET_BYTES,
    SMALL_MAX,
    TAG_DICT,
    TAG_FREED,
    TAG_LIST,
    TAG_NAMES,
    TAG_RAW,
    TAG_STORAGE,
    align_up,
)

_CLASS_INDEX = [next(i for i, c in enumerate(SIZE_CLASSES) if size <= c) for size in range(SMALL_MAX + 1)]
"""Data size → slab class index, for every small size (a list lookup beats any arithmetic here)."""
_STRIDES = [HEADER_SIZE + c for c in SIZE_CLASSES]
_FREED_HEADER = TAG_FREED << 32
_RAW_HEADERS = [size << 48 for size in range(SMALL_MAX + 1)]
"""The header of a raw small block of each size (refcount 0, TAG_RAW, no flags): precomputed for speed."""
_LARGE_OVERHEAD = LARGE_PREFIX_SIZE + HEADER_SIZE
_TAG_SHIFT = 40
"""The live-block record stores ``size | tag << 40``: a raw block's record is its size, so the fast
``free`` path compares one int."""
_SIZE_MASK = (1 << _TAG_SHIFT) - 1
_OWNER_RECORDS = TAG_LIST << _TAG_SHIFT
"""Records at or above this belong to lists, dicts and storage: objects that own (or are) storage."""
INT32_MAX = 2**31 - 1
POISON_BYTE = 0xDD
"""Debug mode fills freed memory with this byte."""


def _is_int(value: object) -> bool:
    """True for what the heap takes as a pointer or a size: an ``int`` or a NumPy integer.

    Not a bool (``True`` is not a size, nor NumPy's ``bool_``) and not a float, not even ``64.0``:
    the same rule in every method, native paths and Python paths alike.
    """
    if type(value) is int:
        return True
    return isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))


def _as_int(value: object, what: str) -> int:
    """``value`` as an exact ``int`` if ``_is_int`` accepts it; else ``TypeError`` naming ``what``."""
    if type(value) is int:
        return value
    if not _is_int(value):
        raise TypeError(f"{what} must be an int, got {type(value).__name__} {value!r}")
    return operator.index(value)  # type: ignore[arg-type]


def _as_pointer(value: object, operation: str) -> int:
    """``value`` as an exact ``int`` pointer; else ``TypeError`` saying ``operation`` takes an int."""
    if type(value) is int:
        return value
    if not _is_int(value):
        raise TypeError(f"{operation}: a pointer is an int, got {type(value).__name__} {value!r}")
    return operator.index(value)  # type: ignore[arg-type]


_Method = TypeVar("_Method", bound=Callable[..., object])


def locked(method: _Method) -> _Method:
    """Run ``method`` holding the heap's lock, marked busy so that the native paths wait for it.

    Every public operation of a heap goes through its one ``RLock``; the native paths take no lock
    (they run whole under the GIL) but leave the work to the Python method, which waits, while
    the busy marker says another operation is half done.
    """

    @functools.wraps(method)
    def under_lock(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        self._lock.acquire()  # explicit calls, not ``with``: half the cost, paid by every heap operation
        busy = self._busy
        busy.append(None)
        try:
            return method(self, *args, **kwargs)
        finally:
            busy.pop()
            self._lock.release()

    return under_lock  # type: ignore[return-value]


class SlabAllocator:
    """Blocks with 8-byte headers in one byte buffer: ``alloc``/``free``, ``incref``/``decref``, usage.

    ``memory`` is the NumPy ``uint8`` array the heap lives in; blocks are placed in
    ``[heap_start, len(memory))``. With ``debug=True`` freed memory is poisoned and a write into a freed
    small block is reported (``UseAfterFreeError``) when the block is handed out again.

    Example:
        >>> import numpy as np
        >>> heap = SlabAllocator(np.zeros(8192, np.uint8), heap_start=0)
        >>> p = heap.alloc(3000)
        >>> heap.get_usage()
        (3016, 8192)
    """

    def __init__(self, memory: np.ndarray, heap_start: int, *, debug: bool = False, native_paths: bool = True) -> None:
        if sys.byteorder != "little":
            raise RuntimeError("pyexec.memory's heap layout is little-endian; this host is big-endian")
        self._debug = bool(debug)
        # Debug mode needs the checked paths, which poison; the native paths only take the common case.
        self._use_native_paths = bool(native_paths) and not self._debug
        self._heap_start = heap_start
        # One lock for every public operation (reentrant: objects' methods call decref and each other).
        # ``_busy`` is non-empty while an operation holds it: the native paths then leave the call to
        # the Python method, which waits for the lock, instead of reading half-changed state.
        self._lock = threading.RLock()
        self._busy: list[None] = []
        # The containers that the native paths are bound to live as long as the heap: reset() clears
        # them in place, so a bound method taken before a reset still sees the heap as it is.
        self._live: dict[int, int] = {}
        self._free: list[list[int]] = [[] for _ in SIZE_CLASSES]
        self._index_free_lists()
        # The buffer's address and usable length, read by the native paths on every call: _bind()
        # updates them when the buffer moves or grows, so no bound method keeps a stale buffer.
        self._buffer_cell = np.zeros(2, dtype=np.int64)
        self._bind(memory)
        self._heap_end = self._usable_end()
        self._clear()
        if self._debug:
            # The fast paths skip poisoning; in debug mode the checked general paths replace them.
            self.alloc = self._alloc_debug  # type: ignore[method-assign]
            self.free = self._free_debug  # type: ignore[method-assign]
        self._install_native_paths()

    @property
    def native_paths(self) -> bool:
        """True when ``alloc``/``free``/``incref``/``decref`` run their common case natively.

        Example:
            >>> from pyexec.memory import MemoryManager
            >>> MemoryManager(4096, native_paths=False).native_paths
            False
        """
        return "alloc" in self.__dict__ and not self._debug

    def _install_native_paths(self) -> None:
        """Bind the native builtins, once, to the heap's containers, buffer cell and lock marker."""
        if not self._use_native_paths:
            return
        from pyexec.memory.native_paths import bind_native_paths

        python_methods = {
            name: getattr(SlabAllocator, name).__get__(self) for name in ("alloc", "free", "incref", "decref")
        }
        builtins = bind_native_paths(python_methods, self._free_for_size, self._live, self._buffer_cell, self._busy)
        self.__dict__.update(builtins)

    # --- the buffer ----------------------------------------------------------------------

    def _bind(self, memory: np.ndarray) -> None:
        """Point the heap at ``memory`` (again, after the buffer was replaced or grew)."""
        if not isinstance(memory, np.ndarray) or memory.dtype != np.uint8 or memory.ndim != 1:
            raise TypeError("the heap's memory must be a 1-D NumPy uint8 array")
        if not memory.flags.c_contiguous or not memory.flags.writeable:
            raise ValueError("the heap's memory must be a contiguous, writeable array")
        self.memory = memory
        whole = memoryview(memory)
        words = whole[: memory.size & ~7]
        self._u8 = whole
        self._i32 = words.cast("i")
        self._i64 = words.cast("q")
        self._u64 = words.cast("Q")
        # Last, so that the native paths never see the new address with the old length or the reverse
        # (they run under the GIL; this is two stores with no Python code in between that could switch).
        self._buffer_cell[:] = (memory.ctypes.data, memory.size & ~7)

    def _usable_end(self) -> int:
        return self.memory.size & ~7

    def _size_limit(self) -> int:
        """The largest footprint a single block could ever have in this heap."""
        return self._heap_end - self._heap_start

    def _clear(self) -> None:
        self._live.clear()
        for free in self._free:
            free.clear()
        self._storage: dict[int, int] = {}
        self._owner: dict[int, int] = {}
        self._class_slots = [0] * len(SIZE_CLASSES)
        self._slabs: dict[int, tuple[int, int]] = {}
        self._chunk_size: dict[int, int] = {}
        self._chunk_at_end: dict[int, int] = {}
        self._bins: list[set[int]] = [set() for _ in range(65)]
        self._large_used = 0
        if self._heap_end > self._heap_start:
            self._add_chunk(self._heap_start, self._heap_end - self._heap_start)
        if self._debug:
            self.memory[self._heap_start : self._heap_end] = POISON_BYTE

    def _index_free_lists(self) -> None:
        # Size → its class's free list (the same list objects): saves the fast paths one lookup.
        # A dict, so that a negative or large size misses (a list would wrap negative indices).
        self._free_for_size = {size: self._free[_CLASS_INDEX[size]] for size in range(SMALL_MAX + 1)}

    # --- public API ----------------------------------------------------------------------

    def alloc(self, size: int) -> int:
        """Allocate ``size`` data bytes; the pointer (8-byte aligned, never 0), or 0 when the heap is full.

        The block's refcount starts at 0: release it with ``free(ptr, size)``, or ``incref`` it and let
        the last ``decref`` free it.

        Example:
            >>> from pyexec.memory import MemoryManager
            >>> mm = MemoryManager(4096)
            >>> p = mm.alloc(64); mm.free(p, 64)
        """
        if type(size) is not int:
            size = _as_int(size, "alloc size")
        # The heap's lock, as in ``locked`` (inlined: ``with`` costs twice as much as these calls).
        self._lock.acquire()
        busy = self._busy
        busy.append(None)
        try:
            free = self._free_for_size.get(size)  # None: negative or large
            if free:
                ptr = free.pop()
                self._live[ptr] = size
                self._u64[(ptr >> 3) - 1] = _RAW_HEADERS[size]
                return ptr
            return self._allocate(size, TAG_RAW)
        finally:
            busy.pop()
            self._lock.release()

    def free(self, ptr: int, size: int) -> None:
        """Free the block at ``ptr``; ``size`` must be the size it was allocated with.

        Raises ``DoubleFreeError``, ``InvalidPointerError`` or ``SizeMismatchError`` instead of
        corrupting the heap.

        Example:
            >>> from pyexec.memory import MemoryManager
            >>> mm = MemoryManager(4096)
            >>> p = mm.alloc(128); mm.free(p, 128); mm.get_usage()[0]
            0
        """
        if type(ptr) is not int or type(size) is not int:
            ptr, size = _as_pointer(ptr, "free"), _as_int(size, "free size")
        # The heap's lock, as in ``locked`` (inlined: ``with`` costs twice as much as these calls).
        self._lock.acquire()
        busy = self._busy
        busy.append(None)
        try:
            # A raw block's record is its size, so one comparison checks liveness, kind and size at once.
            if self._live.get(ptr) == size and size <= SMALL_MAX:
                del self._live[ptr]
                self._free_for_size[size].append(ptr)
                return
            self._free_checked(ptr, size)
        finally:
            busy.pop()
            self._lock.release()

    def incref(self, ptr: int) -> None:
        """Add one to the block's refcount.

        Example:
            >>> from pyexec.memory import MemoryManager
            >>> mm = MemoryManager(4096)
            >>> p = mm.alloc(64); mm.incref(p); mm.refcount(p)
            1
        """
        if type(ptr) is not int:
            ptr = _as_pointer(ptr, "incref")
        # The heap's lock, as in ``locked`` (inlined: ``with`` costs twice as much as these calls).
        self._lock.acquire()
        busy = self._busy
        busy.append(None)
        try:
            if ptr in self._live:
                index = (ptr >> 2) - 2
                count = self._i32[index]
                if 0 <= count < INT32_MAX:
                    self._i32[index] = count + 1
                    return
            self._refcount_misuse(ptr, "incref")
        finally:
            busy.pop()
            self._lock.release()

    def decref(self, ptr: int) -> None:
        """Take one from the block's refcount; at zero the block (and what a list or dict owns) is freed.

        Example:
            >>> from pyexec.memory import MemoryManager
            >>> mm = MemoryManager(4096)
            >>> p = mm.alloc_string("hi"); mm.decref(p); mm.get_usage()[0]
            0
        """
        if type(ptr) is not int:
            ptr = _as_pointer(ptr, "decref")
        # The heap's lock, as in ``locked`` (inlined: ``with`` costs twice as much as these calls).
        self._lock.acquire()
        busy = self._busy
        busy.append(None)
        try:
            record = self._live.get(ptr)
            if record is not None:
                index = (ptr >> 2) - 2
                count = self._i32[index]
                if count > 1:
                    self._i32[index] = count - 1
                    return
                if count == 1:
                    self._i32[index] = 0
                    size = record & _SIZE_MASK
                    if record < _OWNER_RECORDS and size <= SMALL_MAX and not self._debug:
                        # A small raw block, array or string owns nothing: free it here, as free() does.
                        del self._live[ptr]
                        self._free_for_size[size].append(ptr)
                        return
                    self._release(ptr, record)
                    return
            self._refcount_misuse(ptr, "decref")
        finally:
            busy.pop()
            self._lock.release()

    @locked
    def _alloc_debug(self, size: int) -> int:
        """``alloc`` in debug mode: always the checked path, which verifies the poison of reused slots."""
        return self._allocate(size, TAG_RAW)

    @locked
    def _free_debug(self, ptr: int, size: int) -> None:
        """``free`` in debug mode: always the checked path, which poisons the freed block."""
        self._free_checked(_as_pointer(ptr, "free"), _as_int(size, "free size"))

    @locked
    def refcount(self, ptr: int) -> int:
        """The refcount of the live block at ``ptr``.

        Example:
            >>> from pyexec.memory import MemoryManager
            >>> mm = MemoryManager(4096)
            >>> mm.refcount(mm.alloc_string("x"))
            1
        """
        self._record(ptr, "refcount")
        return int(self._i32[(ptr >> 2) - 2])

    @locked
    def block_size(self, ptr: int) -> int:
        """The data size the live block at ``ptr`` was allocated with.

        Example:
            >>> from pyexec.memory import MemoryManager
            >>> mm = MemoryManager(4096)
            >>> mm.block_size(mm.alloc(40))
            40
        """
        record = self._storage.get(ptr) if _is_int(ptr) else None
        if record is None:
            record = self._record(ptr, "block_size")
        return record & _SIZE_MASK

    @locked
    def get_usage(self) -> tuple[int, int]:
        """``(used, total)`` bytes: used counts each live block's header and size-class rounding.

        Example:
            >>> from pyexec.memory import MemoryManager
            >>> mm = MemoryManager(4096)
            >>> p = mm.alloc(10); mm.get_usage()
            (24, 4096)
        """
        used = self._large_used
        for index, stride in enumerate(_STRIDES):
            used += (self._class_slots[index] - len(self._free[index])) * stride
        return used, self._heap_end - self._heap_start

    @locked
    def reset(self) -> None:
        """Forget every block: all pointers become invalid; no destructor runs.

        Example:
            >>> from pyexec.memory import MemoryManager
            >>> mm = MemoryManager(4096)
            >>> _ = mm.alloc(100); mm.reset(); mm.get_usage()[0]
            0
        """
        if not self._debug:
            self.memory[self._heap_start : self._heap_end] = 0
        self._clear()

    @locked
    def live_blocks(self) -> dict[int, int]:
        """Every live block (objects' storage included) as ``{ptr: data size}``, for checks and leak hunts.

        Example:
            >>> from pyexec.memory import MemoryManager
            >>> mm = MemoryManager(4096)
            >>> p = mm.alloc(24); mm.live_blocks() == {p: 24}
            True
        """
        blocks = {ptr: record & _SIZE_MASK for ptr, record in self._live.items()}
        blocks.update((ptr, record & _SIZE_MASK) for ptr, record in self._storage.items())
        return blocks

    # --- allocation ----------------------------------------------------------------------

    def _check_size(self, size: object, what: str = "alloc size") -> int:
        if not _is_int(size):
            raise TypeError(f"{what} must be an int, got {type(size).__name__} {size!r}")
        size = int(size)  # type: ignore[call-overload]
        if size < 0:
            raise ValueError(f"{what} must be >= 0, got {size}")
        footprint = HEADER_SIZE + SIZE_CLASSES[_CLASS_INDEX[size]] if size <= SMALL_MAX else None
        if footprint is None:
            footprint = _LARGE_OVERHEAD + align_up(size)
        if footprint > self._size_limit():
            raise ValueError(
                f"{what} {size} cannot fit: with its header a block needs {footprint} bytes and this heap "
                f"can hold at most {self._size_limit()}; create a larger memory manager"
            )
        return size

    def _allocate(self, size: int, tag: int) -> int:
        """Check ``size``, then allocate a block with header ``tag``; 0 when the heap is full."""
        return self._place(self._check_size(size), tag)

    def _place(self, size: int, tag: int) -> int:
        """Allocate ``size`` (an int >= 0) bytes tagged ``tag``; objects start at refcount 1."""
        count = 0 if tag == TAG_RAW else 1
        table = self._storage if tag == TAG_STORAGE else self._live
        if size <= SMALL_MAX:
            index = _CLASS_INDEX[size]
            free = self._free[index]
            if not free:
                if not self._new_slab(index):
                    return 0
                free = self._free[index]
            ptr = free.pop()
            if self._debug:
                self._check_poison(ptr, SIZE_CLASSES[index])
            table[ptr] = size | tag << _TAG_SHIFT
            self._u64[(ptr >> 3) - 1] = count | tag << 32 | size << 48
            return ptr
        footprint = _LARGE_OVERHEAD + align_up(size)
        if footprint > self._size_limit():
            self._check_size(size)  # raises, with the message that says how large the heap can be
        start = self._take_chunk(footprint)
        if start < 0 and self._sweep_slabs():
            start = self._take_chunk(footprint)
        if start < 0:
            return 0
        ptr = start + _LARGE_OVERHEAD
        self._large_used += footprint
        table[ptr] = size | tag << _TAG_SHIFT
        self._i64[(ptr >> 3) - 2] = size
        self._u64[(ptr >> 3) - 1] = count | tag << 32 | FLAG_LARGE << 40 | LARGE_SIZE_MARKER << 48
        return ptr

    def _new_slab(self, index: int) -> bool:
        stride = _STRIDES[index]
        # Small heaps get small slabs, so that one size class cannot take the whole heap.
        slab_bytes = min(SLAB_TARGET_BYTES, (self._heap_end - self._heap_start) // 32)
        slots = max(1, slab_bytes // stride)
        start = self._take_chunk(slots * stride)
        if start < 0 and self._sweep_slabs():
            start = self._take_chunk(slots * stride)
        while start < 0 and slots > 1:
            slots //= 2
            start = self._take_chunk(slots * stride)
        if start < 0:
            return False
        self._slabs[start] = (index, slots)
        self._class_slots[index] += slots
        first = start + HEADER_SIZE
        # Reversed, so that pop() hands out the lowest address first.
        self._free[index].extend(range(first + (slots - 1) * stride, first - 1, -stride))
        if self._debug:
            self.memory[start : start + slots * stride] = POISON_BYTE
        return True

    def _sweep_slabs(self) -> bool:
        """Give every slab whose slots are all free back to the large region; True if any was."""
        free_sets = [set(free) for free in self._free]
        released = False
        for start, (index, slots) in list(self._slabs.items()):
            stride = _STRIDES[index]
            ptrs = range(start + HEADER_SIZE, start + slots * stride, stride)
            free_set = free_sets[index]
            if all(p in free_set for p in ptrs):
                free_set.difference_update(ptrs)
                del self._slabs[start]
                self._class_slots[index] -= slots
                self._release_chunk(start, slots * stride)
                released = True
        if released:
            for i, free in enumerate(self._free):
                free[:] = [p for p in free if p in free_sets[i]]  # in place: _free_for_size shares these lists
        return released

    # --- the large region: free chunks by start, by end, and binned by size -----------------

    def _add_chunk(self, start: int, size: int) -> None:
        self._chunk_size[start] = size
        self._chunk_at_end[start + size] = start
        self._bins[size.bit_length()].add(start)

    def _remove_chunk(self, start: int) -> int:
        size = self._chunk_size.pop(start)
        del self._chunk_at_end[start + size]
        self._bins[size.bit_length()].discard(start)
        return size

    def _release_chunk(self, start: int, size: int) -> None:
        """Return ``[start, start+size)`` to the free chunks, merged with free neighbours on both sides."""
        if start + size in self._chunk_size:
            size += self._remove_chunk(start + size)
        left = self._chunk_at_end.get(start)
        if left is not None:
            size += self._remove_chunk(left)
            start = left
        self._add_chunk(start, size)

    def _take_chunk(self, size: int) -> int:
        """Carve ``size`` bytes from a free chunk (first fit in the size's bin, then any larger bin); -1 if none."""
        bit = size.bit_length()
        chunk_size = self._chunk_size
        found = -1
        for start in self._bins[bit]:
            if chunk_size[start] >= size:
                found = start
                break
        if found < 0:
            for bin_ in self._bins[bit + 1 :]:
                if bin_:
                    found = min(bin_) if len(bin_) < 8 else next(iter(bin_))
                    break
        if found < 0:
            return -1
        have = self._remove_chunk(found)
        if have > size:
            self._add_chunk(found + size, have - size)
        return found

    # --- freeing -------------------------------------------------------------------------

    def _free_checked(self, ptr: int, size: int) -> None:
        if not _is_int(size):
            raise TypeError(f"free size must be an int, got {type(size).__name__} {size!r}")
        record = self._storage.get(ptr) if _is_int(ptr) else None
        if record is not None:
            raise ObjectTypeError(
                f"free({ptr}, {size}): the block at {ptr} is the storage of the {self._owner_kind(ptr)} at "
                f"{self._owner[ptr]}; release that object instead (decref)"
            )
        record = self._record(ptr, "free")
        have = record & _SIZE_MASK
        if have != size:
            raise SizeMismatchError(
                f"free({ptr}, {size}): the block at {ptr} was allocated with size {have}; pass that size"
            )
        self._release(ptr, record)

    def _release(self, ptr: int, record: int) -> None:
        """Free a live block; a list or dict frees its storage first."""
        tag = record >> _TAG_SHIFT
        if tag == TAG_LIST or tag == TAG_DICT:
            storage = int(self._i64[(ptr >> 3) + 2])
            if storage:
                if self._owner.get(storage) != ptr:
                    raise InvalidPointerError(
                        f"the {TAG_NAMES[tag]} at {ptr} points to storage at {storage}, which is not its "
                        f"storage: its header fields were overwritten; the heap is left as it was"
                    )
                self._free_block(storage, self._storage[storage])
        self._free_block(ptr, record)

    def _free_block(self, ptr: int, record: int) -> None:
        size = record & _SIZE_MASK
        if record >> _TAG_SHIFT == TAG_STORAGE:
            del self._storage[ptr]
            del self._owner[ptr]
        else:
            del self._live[ptr]
        if size <= SMALL_MAX:
            index = _CLASS_INDEX[size]
            if self._debug:
                self.memory[ptr : ptr + SIZE_CLASSES[index]] = POISON_BYTE
            self._u64[(ptr >> 3) - 1] = _FREED_HEADER
            self._free[index].append(int(ptr))
            return
        footprint = _LARGE_OVERHEAD + align_up(size)
        start = ptr - _LARGE_OVERHEAD
        if self._debug:
            self.memory[start : start + footprint] = POISON_BYTE
        self._u64[(ptr >> 3) - 1] = _FREED_HEADER
        self._large_used -= footprint
        self._release_chunk(start, footprint)

    # --- checks and their messages -------------------------------------------------------

    def _record(self, ptr: int, operation: str) -> int:
        """The live record of ``ptr`` (objects, not storage), or the exception that says why there is none."""
        if not _is_int(ptr):
            raise TypeError(f"{operation}: a pointer is an int, got {type(ptr).__name__} {ptr!r}")
        record = self._live.get(ptr)
        if record is not None:
            return record
        if ptr in self._storage:
            raise ObjectTypeError(
                f"{operation}({ptr}): the block at {ptr} is the storage of the {self._owner_kind(ptr)} at "
                f"{self._owner[ptr]}, managed by that object"
            )
        if ptr == 0:
            raise InvalidPointerError(f"{operation}(0): 0 is the null pointer (what a failed allocation returns)")
        # The fast free path leaves the header alone, so a freed small block is found in its free list.
        if any(ptr in free for free in self._free) or (
            self._heap_start + HEADER_SIZE <= ptr < self._heap_end
            and ptr % 8 == 0
            and self._u8[ptr + HEADER_TAG_OFFSET] == TAG_FREED
        ):
            raise DoubleFreeError(f"{operation}({ptr}): the block at {ptr} was already freed")
        raise InvalidPointerError(
            f"{operation}({ptr}): {ptr} is not a live block of this heap; pointers come from "
            f"alloc, alloc_string, alloc_array, alloc_list or alloc_dict"
        )

    def _owner_kind(self, storage: int) -> str:
        owner = self._owner[storage]
        return TAG_NAMES[self._live[owner] >> _TAG_SHIFT]

    def _refcount_misuse(self, ptr: int, operation: str) -> None:
        self._record(ptr, operation)
        count = int(self._i32[(ptr >> 2) - 2])
        if operation == "decref" and count <= 0:
            raise RefcountError(
                f"decref({ptr}): the refcount is already {count}; a block from alloc() starts at 0 "
                f"(free it with free(ptr, size), or incref it first)"
            )
        raise RefcountError(f"{operation}({ptr}): the refcount {count} is out of range")

    def _check_poison(self, ptr: int, size: int) -> None:
        data = self.memory[ptr : ptr + size]
        if not (data == POISON_BYTE).all():
            offset = int(np.flatnonzero(data != POISON_BYTE)[0])
            data[:] = POISON_BYTE
            self._free[_CLASS_INDEX[size]].append(ptr)
            raise UseAfterFreeError(
                f"the freed block at {ptr} was written to after it was freed (first changed byte at "
                f"{ptr + offset}); some code kept using the pointer after free/decref"
            )
