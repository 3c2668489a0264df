"""``ModuleMemoryManager``: the heap of a live pyexec wasm module, managed from the host through the
module's own allocator (one allocator over one heap: the one compiled into the module).

A module built by pyexec whose functions take, make or return arrays carries an allocator of
pyexec.memory's block layout (8-byte header: int32 refcount, uint8 tag, uint8 flags, uint16 size; see
docs/memory.md) and exports it (``pyexec_alloc``, ``pyexec_decref``, ``pyexec_live_blocks``,
``pyexec_heap_used``, ``pyexec_heap_start``). This manager calls those exports, so blocks it hands out
and blocks that compiled code allocates come from the same free lists and never overlap. It keeps no
free lists of its own: only the set of blocks it handed out, to refuse a pointer that is not one of them.
Besides raw blocks it makes pyexec.memory's strings (tag 0x02) and arrays (tag 0x01), with the layouts
docs/memory.md gives, in the module's heap: the module's allocator writes its own header and leaves the tag
byte to its caller, so an object differs from a raw block only by that tag, its refcount 1 and its contents.

Example:
    >>> mm = pyexec.load_wasm("kernels.wasm").memory_manager()  # doctest: +SKIP
    >>> p = mm.alloc(64); mm.incref(p); mm.decref(p); mm.get_usage()[0]  # doctest: +SKIP
    0
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from pyexec.memory.allocator import _is_int
from pyexec.memory.errors import (
    DoubleFreeError,
    InvalidPointerError,
    ObjectTypeError,
    RefcountError,
    SizeMismatchError,
)
from pyexec.memory.layout import ARRAY_DATA_OFFSET, STRING_DATA_OFFSET, TAG_ARRAY, TAG_NAMES, TAG_RAW, TAG_STRING
from pyexec.wasm_memory.linear_memory import ExportedLinearMemory

REQUIRED_EXPORTS = ("pyexec_alloc", "pyexec_decref", "pyexec_live_blocks", "pyexec_heap_used", "pyexec_heap_start")
"""The allocator functions a module must export to be managed (pyexec's wasm array runtime)."""
_MAX_BLOCK = (1 << 31) - 128
"""The largest data size the module's allocator takes (its chunk sizes are i32)."""
_INT32_MAX = (1 << 31) - 1


class ModuleMemoryManager:
    """``alloc``/``free``/``incref``/``decref``/``get_usage`` over a live module's heap, through its allocator.

    ``memory`` and ``store`` are the instance's exported ``wasmtime.Memory`` and its ``Store``;
    ``functions`` maps the names in :data:`REQUIRED_EXPORTS` to the instance's exported functions
    (called as ``function(store, *args)``). ``lock`` is a context manager held around every operation:
    the module's own lock when the loader makes the manager (``WasmModule.memory_manager()``), so that
    the host never allocates while a call of the module runs. Blocks behave as pyexec.memory's: ``alloc``
    gives a block of refcount 0 (release it with ``free(ptr, size)``, or ``incref`` it and let the last
    ``decref`` free it).

    Example:
        >>> mm = ModuleMemoryManager.from_instance(instance, store)  # doctest: +SKIP
        >>> p = mm.alloc(100); mm.memory[p:p + 100] = 7; mm.free(p, 100)  # doctest: +SKIP
    """

    def __init__(
        self,
        memory: object,
        store: object,
        functions: Mapping[str, Callable[..., Any]],
        *,
        lock: contextlib.AbstractContextManager[Any] | None = None,
        name: str = "<wasm>",
    ) -> None:
        missing = [n for n in REQUIRED_EXPORTS if not callable(functions.get(n))]
        if missing:
            raise TypeError(
                f"the wasm module {name} does not export pyexec's allocator ({', '.join(missing)} missing): only "
                "a module built by pyexec whose functions take, make or return arrays has one; for any other "
                "memory use WasmMemoryManager.from_wasm_memory"
            )
        self._linear = ExportedLinearMemory(memory, store)
        self._store = store
        self._functions = {n: functions[n] for n in REQUIRED_EXPORTS}
        self._lock = lock if lock is not None else threading.RLock()
        self._name = name
        self._mine: dict[int, int] = {}  # the blocks this manager handed out and that are alive: ptr -> size
        self._freed: set[int] = set()  # addresses of its blocks since released (to name a double free)

    @classmethod
    def from_instance(cls, instance: Any, store: Any, *, name: str = "<wasm>") -> ModuleMemoryManager:
        """Manage the heap of a ``wasmtime.Instance`` of a pyexec module (its ``memory`` and allocator exports).

        Do not call the instance's functions from another thread while this manager works: only
        ``WasmModule.memory_manager()`` shares the module's lock.

        Example:
            >>> mm = ModuleMemoryManager.from_instance(instance, store)  # doctest: +SKIP
        """
        exports = instance.exports(store)
        if "memory" not in exports:
            raise TypeError(f"the wasm module {name} exports no 'memory'; it has no heap to manage")
        functions = {n: exports[n] for n in REQUIRED_EXPORTS if n in exports}
        return cls(exports["memory"], store, functions, name=name)

    # --- the allocator's exports --------------------------------------------------------------

    def _call(self, name: str, *args: int) -> int:
        result = self._functions[name](self._store, *args)
        return 0 if result is None else int(result) & 0xFFFFFFFF

    @property
    def memory(self) -> np.ndarray:
        """The module's linear memory as a ``uint8`` array, in place (its bytes stay put when it grows)."""
        return self._linear.array()

    @property
    def pages(self) -> int:
        """The linear memory's current size in 64 KiB pages."""
        return self._linear.pages

    def _word(self, ptr: int, offset: int) -> Any:
        import ctypes

        return ctypes.c_int32.from_address(self._linear.address() + ptr + offset)

    def _live(self, ptr: object, operation: str) -> int:
        """The size of the live block at ``ptr`` that this manager handed out, or the error that says why not."""
        if not _is_int(ptr):
            raise TypeError(f"{operation} takes a block pointer (an int), got {type(ptr).__name__} {ptr!r}")
        ptr = int(ptr)  # type: ignore[call-overload]
        size = self._mine.get(ptr)
        if size is not None:
            return size
        if ptr in self._freed:
            raise DoubleFreeError(f"{operation}({ptr:#x}): the block was already freed")
        raise InvalidPointerError(
            f"{operation}({ptr:#x}): not a live block allocated by this manager (arrays that compiled code "
            "returns are copied out and released by the loader; wasm_array() arrays release themselves)"
        )

    # --- public API ---------------------------------------------------------------------------

    def alloc(self, size: int) -> int:
        """Allocate ``size`` data bytes in the module's heap; the pointer (16-byte aligned), or 0 when the
        module's memory cannot grow. The block's refcount starts at 0, as in pyexec.memory.

        Example:
            >>> p = mm.alloc(64); mm.free(p, 64)  # doctest: +SKIP
        """
        if not _is_int(size):
            raise TypeError(f"alloc size must be an int, got {type(size).__name__} {size!r}")
        size = int(size)
        if size < 0:
            raise ValueError(f"alloc size must be >= 0, got {size}")
        with self._lock:
            return self._allocate(size, TAG_RAW, 0, "alloc")

    def _allocate(self, size: int, tag: int, refcount: int, operation: str, contents: bytes = b"") -> int:
        """A block of ``size`` data bytes from the module's allocator with pyexec.memory's ``tag`` and
        ``refcount``, ``contents`` written at its start; 0 when the module's memory cannot grow. The caller
        holds the lock (the module's own, which is not reentrant)."""
        if size > _MAX_BLOCK:
            raise ValueError(f"{operation}: {size} bytes cannot fit: a wasm32 module's allocator takes at most "
                             f"{_MAX_BLOCK}")
        ptr = self._call("pyexec_alloc", size)
        if ptr == 0:
            return 0
        self._word(ptr, -8).value = refcount
        memory = self.memory
        memory[ptr - 4] = tag
        if contents:
            memory[ptr:ptr + len(contents)] = np.frombuffer(contents, np.uint8)
        self._mine[ptr] = size
        self._freed.discard(ptr)
        return ptr

    def _object(self, ptr: object, tag: int, operation: str) -> int:
        """The size of this manager's live object at ``ptr``, checked to be of kind ``tag``."""
        size = self._live(ptr, operation)
        have = int(self.memory[int(ptr) - 4])  # type: ignore[call-overload]
        if have != tag:
            name = TAG_NAMES.get(have, f"block of tag {have:#04x}")
            raise ObjectTypeError(f"{operation}({int(ptr):#x}): the block is {_article(name)}, "  # type: ignore[call-overload]
                                  f"not {_article(TAG_NAMES[tag])}")
        return size

    # --- strings and arrays, as pyexec.memory lays them out ----------------------------------

    def alloc_string(self, s: str) -> int:
        """Store ``s`` in the module's heap as pyexec.memory's string (tag 0x02: int32 byte length, the UTF-8
        bytes, a NUL); refcount 1, released by ``decref``. 0 when the module's memory cannot grow.

        Example:
            >>> mm.read_string(mm.alloc_string("héllo"))  # doctest: +SKIP
            'héllo'
        """
        if not isinstance(s, str):
            raise TypeError(f"alloc_string takes a str, got {type(s).__name__}")
        try:
            data = s.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise ValueError(f"alloc_string: the string cannot be encoded as UTF-8 ({exc.reason})") from None
        contents = len(data).to_bytes(4, "little") + data + b"\0"
        with self._lock:
            return self._allocate(STRING_DATA_OFFSET + len(data) + 1, TAG_STRING, 1, "alloc_string", contents)

    def read_string(self, ptr: int) -> str:
        """The ``str`` at ``ptr``, a string this manager made with ``alloc_string``.

        Example:
            >>> mm.read_string(mm.alloc_string("test"))  # doctest: +SKIP
            'test'
        """
        with self._lock:
            size = self._object(ptr, TAG_STRING, "read_string")
            ptr = int(ptr)
            n = int(self._word(ptr, 0).value)
            if n != size - STRING_DATA_OFFSET - 1:
                raise InvalidPointerError(f"read_string({ptr:#x}): the string's length field was overwritten "
                                          f"(reads {n})")
            raw = bytes(self.memory[ptr + STRING_DATA_OFFSET:ptr + STRING_DATA_OFFSET + n])
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ValueError(f"read_string({ptr:#x}): the bytes are no longer valid UTF-8 ({exc.reason})") from None

    def alloc_array(self, length: int, elem_size: int = 8) -> int:
        """pyexec.memory's fixed array (tag 0x01) in the module's heap: int32 length, int32 capacity, then
        ``length`` zeroed elements of ``elem_size`` bytes (element ``i`` at ``ptr + 8 + i * elem_size``);
        refcount 1, released by ``decref``. 0 when the module's memory cannot grow.

        Example:
            >>> a = mm.alloc_array(4); mm.array_len(a)  # doctest: +SKIP
            4
        """
        for value, what in ((length, "alloc_array length"), (elem_size, "alloc_array elem_size")):
            if not _is_int(value):
                raise TypeError(f"{what} must be an int, got {type(value).__name__} {value!r}")
            if not 0 <= int(value) <= _INT32_MAX:  # type: ignore[call-overload]
                raise ValueError(f"{what} must be between 0 and {_INT32_MAX}, got {value}")
        length, elem_size = int(length), int(elem_size)  # type: ignore[call-overload]
        if elem_size == 0:
            raise ValueError("alloc_array elem_size must be at least 1")
        size = ARRAY_DATA_OFFSET + length * elem_size
        if size > _MAX_BLOCK:
            raise ValueError(f"alloc_array: {size} bytes cannot fit: a wasm32 module's allocator takes at most "
                             f"{_MAX_BLOCK}")
        with self._lock:  # the elements are zeroed before anyone else can see the block
            ptr = self._allocate(size, TAG_ARRAY, 1, "alloc_array", length.to_bytes(4, "little") * 2)
            if ptr:
                self.memory[ptr + ARRAY_DATA_OFFSET:ptr + size] = 0
            return ptr

    def array_len(self, ptr: int) -> int:
        """The length of the array at ``ptr`` (made by ``alloc_array``)."""
        with self._lock:
            self._object(ptr, TAG_ARRAY, "array_len")
            return int(self._word(int(ptr), 0).value)

    def free(self, ptr: int, size: int) -> None:
        """Free the block at ``ptr`` (``size`` as allocated), whatever its refcount; errors instead of corruption.

        Example:
            >>> p = mm.alloc(8); mm.free(p, 8)  # doctest: +SKIP
        """
        with self._lock:
            have = self._live(ptr, "free")
            if not _is_int(size) or int(size) != have:  # type: ignore[call-overload]
                raise SizeMismatchError(f"free({ptr:#x}, {size!r}): the block was allocated with size {have}")
            self._release(int(ptr))

    def _release(self, ptr: int) -> None:
        self._word(ptr, -8).value = 1  # the module's decref frees at the last reference
        self._call("pyexec_decref", ptr)
        del self._mine[ptr]
        self._freed.add(ptr)

    def incref(self, ptr: int) -> None:
        """Add one to the block's refcount.

        Example:
            >>> p = mm.alloc(8); mm.incref(p); mm.refcount(p)  # doctest: +SKIP
            1
        """
        with self._lock:
            self._live(ptr, "incref")
            word = self._word(int(ptr), -8)
            if not 0 <= word.value < _INT32_MAX:
                raise RefcountError(f"incref({int(ptr):#x}): the refcount {word.value} cannot grow")
            word.value += 1

    def decref(self, ptr: int) -> None:
        """Take one from the block's refcount; at zero the module's allocator frees the block.

        Example:
            >>> p = mm.alloc(8); mm.incref(p); mm.decref(p)  # doctest: +SKIP
        """
        with self._lock:
            self._live(ptr, "decref")
            word = self._word(int(ptr), -8)
            if word.value < 1:
                raise RefcountError(f"decref({int(ptr):#x}): the refcount is {word.value}; free a block of "
                                    "refcount 0 with free(ptr, size)")
            if word.value > 1:
                word.value -= 1
                return
            self._release(int(ptr))

    def refcount(self, ptr: int) -> int:
        """The refcount of a live block this manager allocated."""
        with self._lock:
            self._live(ptr, "refcount")
            return int(self._word(int(ptr), -8).value)

    def block_size(self, ptr: int) -> int:
        """The data size a live block of this manager was allocated with."""
        with self._lock:
            return self._live(ptr, "block_size")

    def live_count(self) -> int:
        """Blocks alive in the whole heap: this manager's, compiled code's and ``wasm_array()``'s."""
        with self._lock:
            return self._call("pyexec_live_blocks")

    def get_usage(self) -> tuple[int, int]:
        """``(used, total)`` bytes of the whole heap: used counts every live chunk (its headers and size-class
        rounding included), whoever allocated it; total is the memory from the heap's start to its end now
        (more pages join when the module grows its memory).

        Example:
            >>> mm.get_usage()  # doctest: +SKIP
            (0, 983040)
        """
        with self._lock:
            used = self._call("pyexec_heap_used")
            start = self._call("pyexec_heap_start")
            return used, max(0, self.pages * 65536 - start)

    def __repr__(self) -> str:
        used, total = self.get_usage()
        return f"<ModuleMemoryManager of {self._name}: {used} of {total} bytes used>"


def _article(noun: str) -> str:
    return f"{'an' if noun[0] in 'aeiou' else 'a'} {noun}"


__all__ = ["REQUIRED_EXPORTS", "ModuleMemoryManager"]
