"""``WasmMemoryManager``: the pyexec heap laid out in WebAssembly linear memory.

The same allocator and object layouts as ``MemoryManager``, placed from ``HEAP_START`` up in memory
that grows by 64 KiB pages (at most 4 GiB, wasm32's limit). It can own its memory, or manage the
exported memory of a live wasmtime instance so that strings and arrays can be passed to compiled code.

Example:
    >>> from pyexec.wasm_memory import WasmMemoryManager
    >>> wmm = WasmMemoryManager(initial_pages=4)
    >>> p = wmm.alloc_string("hi")
    >>> p >= 65536, wmm.grow_memory(2), wmm.read_string(p)
    (True, True, 'hi')
"""

from __future__ import annotations

from pyexec.memory.allocator import POISON_BYTE, SlabAllocator, _is_int, locked
from pyexec.memory.manager import MemoryManager
from pyexec.wasm_memory.constants import DEFAULT_INITIAL_PAGES, HEAP_START, MAX_PAGES, WASM_PAGE_SIZE
from pyexec.wasm_memory.linear_memory import ExportedLinearMemory, OwnedLinearMemory


def _pages(value: object, what: str) -> int:
    if not _is_int(value):
        raise TypeError(f"{what} must be an int number of 64 KiB pages, got {type(value).__name__} {value!r}")
    return int(value)  # type: ignore[call-overload]


class WasmMemoryManager(MemoryManager):
    """A heap in wasm32 linear memory of ``initial_pages`` 64 KiB pages; ``grow_memory`` adds pages in place.

    ``get_usage()`` reports ``(used, total)`` where total is the heap's bytes: the memory's size
    minus ``HEAP_START``.

    Example:
        >>> wmm = WasmMemoryManager(initial_pages=256)
        >>> wmm.get_usage()
        (0, 16711680)
    """

    def __init__(
        self,
        initial_pages: int = DEFAULT_INITIAL_PAGES,
        *,
        maximum_pages: int = MAX_PAGES,
        debug: bool = False,
        native_paths: bool = True,
    ) -> None:
        initial_pages = _pages(initial_pages, "initial_pages")
        maximum_pages = _pages(maximum_pages, "maximum_pages")
        if not 1 <= maximum_pages <= MAX_PAGES:
            raise ValueError(
                f"maximum_pages must be between 1 and {MAX_PAGES} (4 GiB, wasm32's limit), got {maximum_pages}"
            )
        if not 1 <= initial_pages <= maximum_pages:
            raise ValueError(f"initial_pages must be between 1 and maximum_pages={maximum_pages}, got {initial_pages}")
        self._linear: OwnedLinearMemory | ExportedLinearMemory = OwnedLinearMemory(initial_pages, maximum_pages)
        SlabAllocator.__init__(
            self, self._linear.array(), heap_start=HEAP_START, debug=debug, native_paths=native_paths
        )

    @classmethod
    def from_wasm_memory(
        cls,
        memory: object,
        store: object,
        *,
        heap_start: int = HEAP_START,
        debug: bool = False,
        native_paths: bool = True,
    ) -> WasmMemoryManager:
        """Manage the linear memory of a live instance (e.g. ``instance.exports(store)["memory"]``) in place.

        Everything below ``heap_start`` is left to the module (stack, globals, data). Pages the instance
        adds itself join the heap at the next ``sync()`` or ``grow_memory``.

        Example:
            >>> import wasmtime
            >>> store = wasmtime.Store()
            >>> mem = wasmtime.Memory(store, wasmtime.MemoryType(wasmtime.Limits(2, 16)))
            >>> wmm = WasmMemoryManager.from_wasm_memory(mem, store)
            >>> p = wmm.alloc_string("in wasm")
            >>> bytes(mem.read(store, p + 4, p + 11))
            b'in wasm'
        """
        heap_start = _pages(heap_start, "heap_start")
        if heap_start < 8 or heap_start % 8:
            raise ValueError(f"heap_start must be a positive multiple of 8, got {heap_start}")
        self = cls.__new__(cls)
        self._linear = ExportedLinearMemory(memory, store)
        SlabAllocator.__init__(
            self, self._linear.array(), heap_start=heap_start, debug=debug, native_paths=native_paths
        )
        return self

    @property
    def pages(self) -> int:
        """The linear memory's current size in 64 KiB pages.

        Example:
            >>> WasmMemoryManager(initial_pages=3).pages
            3
        """
        return self._linear.pages

    @property
    def maximum_pages(self) -> int:
        """The most pages this memory may grow to (65,536 = 4 GiB unless the memory sets a lower maximum)."""
        return self._linear.maximum_pages

    @locked
    def grow_memory(self, pages: int) -> bool:
        """Add ``pages`` pages of 64 KiB; True on success. Pointers stay valid; re-read ``.memory`` after.

        False, with nothing changed, when the memory would pass its maximum (4 GiB for wasm32).

        Example:
            >>> wmm = WasmMemoryManager(initial_pages=2)
            >>> wmm.grow_memory(128), wmm.pages, wmm.grow_memory(65536)
            (True, 130, False)
        """
        pages = _pages(pages, "grow_memory pages")
        if pages < 0:
            raise ValueError(f"grow_memory takes a number of pages >= 0, got {pages}")
        if pages and not self._linear.grow(pages):
            return False
        self.sync()
        return True

    @locked
    def sync(self) -> None:
        """Adopt pages the instance added itself (its ``memory.grow``) and follow the memory if it moved.

        Example:
            >>> WasmMemoryManager(initial_pages=1).sync()
        """
        array = self._linear.array()
        if array.size == self.memory.size and array.ctypes.data == self.memory.ctypes.data:
            return
        self._bind(array)
        old_end, new_end = self._heap_end, self._usable_end()
        start = max(old_end, self._heap_start)
        if new_end > start:
            if self._debug:
                self.memory[start:new_end] = POISON_BYTE
            self._release_chunk(start, new_end - start)
            self._heap_end = new_end

    def _size_limit(self) -> int:
        return self._linear.maximum_pages * WASM_PAGE_SIZE - self._heap_start
