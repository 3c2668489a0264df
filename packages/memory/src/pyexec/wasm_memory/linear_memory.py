"""WebAssembly linear memory as a NumPy ``uint8`` array: one owned by Python, or a live instance's export.

Both grow in whole 64 KiB pages and keep every byte at its offset, so heap pointers stay valid.

Example:
    >>> from pyexec.wasm_memory.linear_memory import OwnedLinearMemory
    >>> memory = OwnedLinearMemory(pages=1, maximum_pages=4)
    >>> memory.grow(2), memory.pages, memory.array().size
    (True, 3, 196608)
"""

from __future__ import annotations

import ctypes
import mmap
import os
import platform
import sys

import numpy as np

from pyexec.wasm_memory.constants import MAX_PAGES, WASM_PAGE_SIZE


def _reserve(nbytes: int) -> mmap.mmap | None:
    """An anonymous mapping of ``nbytes`` that the OS backs only where it is touched, or None.

    Reserving the memory's maximum up front lets it grow in place, as wasmtime's memories do: the
    bytes never move, so an array or a pointer taken before a grow stays valid. Where the OS will not
    reserve that much without committing it (Windows, strict overcommit), the caller copies instead.
    """
    if os.name != "posix":
        return None
    flags = mmap.MAP_PRIVATE | getattr(mmap, "MAP_ANONYMOUS", 0)
    if sys.platform == "linux" and platform.machine() in ("x86_64", "aarch64"):
        flags |= getattr(mmap, "MAP_NORESERVE", 0x4000)  # not committed page by page until written
    try:
        return mmap.mmap(-1, nbytes, flags=flags, prot=mmap.PROT_READ | mmap.PROT_WRITE)
    except (OSError, OverflowError, ValueError):
        return None


class OwnedLinearMemory:
    """Linear memory owned by Python, grown in place: its bytes never move, so earlier arrays stay valid.

    The maximum is reserved as address space up front (the OS commits pages only when they are
    written). Where that reservation is refused, growing copies into a larger array instead; then an
    array taken before a grow is a stale copy (``in_place`` says which applies).

    Example:
        >>> memory = OwnedLinearMemory(pages=2)
        >>> before = memory.array()
        >>> memory.grow(1), memory.array().size
        (True, 196608)
        >>> memory.array()[5] = 7; int(before[5]) if memory.in_place else 7
        7
    """

    def __init__(self, pages: int, maximum_pages: int = MAX_PAGES) -> None:
        self.maximum_pages = maximum_pages
        self._reserved = _reserve(maximum_pages * WASM_PAGE_SIZE)
        self._array = self._view(pages * WASM_PAGE_SIZE) if self._reserved is not None else (
            np.zeros(pages * WASM_PAGE_SIZE, dtype=np.uint8)
        )

    @property
    def in_place(self) -> bool:
        """True when growing keeps the bytes where they are (the maximum was reserved up front)."""
        return self._reserved is not None

    def _view(self, nbytes: int) -> np.ndarray:
        return np.frombuffer(self._reserved, dtype=np.uint8, count=nbytes)  # type: ignore[arg-type]

    @property
    def pages(self) -> int:
        """The current size in 64 KiB pages."""
        return self._array.size // WASM_PAGE_SIZE

    def array(self) -> np.ndarray:
        """The bytes, as a ``uint8`` array (a new, longer array after each successful ``grow``)."""
        return self._array

    def grow(self, delta: int) -> bool:
        """Add ``delta`` pages; False (nothing changed) past ``maximum_pages`` or if the host has no memory.

        Example:
            >>> OwnedLinearMemory(pages=1, maximum_pages=1).grow(1)
            False
        """
        if self.pages + delta > self.maximum_pages:
            return False
        nbytes = (self.pages + delta) * WASM_PAGE_SIZE
        if self._reserved is not None:
            self._array = self._view(nbytes)  # the new pages were never written: zero, as wasm requires
            return True
        try:
            grown = np.zeros(nbytes, dtype=np.uint8)
        except MemoryError:
            return False
        grown[: self._array.size] = self._array
        self._array = grown
        return True


class ExportedLinearMemory:
    """The exported memory of a live wasm instance, seen in place (no copy).

    ``memory`` is a ``wasmtime.Memory`` or any object with its methods ``size(store)`` (pages),
    ``grow(store, delta)``, ``data_ptr(store)`` (a ctypes pointer to the bytes) and ``data_len(store)``.

    Example:
        >>> import wasmtime  # doctest: +SKIP
        >>> store = wasmtime.Store()  # doctest: +SKIP
        >>> mem = wasmtime.Memory(store, wasmtime.MemoryType(wasmtime.Limits(2, 8)))  # doctest: +SKIP
        >>> ExportedLinearMemory(mem, store).pages  # doctest: +SKIP
        2
    """

    REQUIRED_METHODS = ("size", "grow", "data_ptr", "data_len")

    def __init__(self, memory: object, store: object) -> None:
        missing = [name for name in self.REQUIRED_METHODS if not callable(getattr(memory, name, None))]
        if missing:
            raise TypeError(
                f"{type(memory).__name__} is not a wasm linear memory: it lacks {', '.join(missing)} "
                f"(pass an instance's exported wasmtime.Memory and its Store)"
            )
        self._memory = memory
        self._store = store
        self.maximum_pages = MAX_PAGES
        limits = getattr(getattr(memory, "type", lambda _store: None)(store), "limits", None)
        if limits is not None and getattr(limits, "max", None) is not None:
            self.maximum_pages = min(MAX_PAGES, int(limits.max))

    @property
    def pages(self) -> int:
        """The current size in 64 KiB pages."""
        return int(self._memory.size(self._store))  # type: ignore[attr-defined]

    def address(self) -> int:
        """The host address of byte 0 (the memory may move only when it grows)."""
        return ctypes.cast(self._memory.data_ptr(self._store), ctypes.c_void_p).value or 0  # type: ignore[attr-defined]

    def array(self) -> np.ndarray:
        """A ``uint8`` array over the instance's memory as it is now (its bytes stay put when it grows).

        The array keeps the memory and its store alive, so it never points at freed memory, even when
        it outlives the manager that handed it out.
        """
        length = int(self._memory.data_len(self._store))  # type: ignore[attr-defined]
        if length == 0:
            return np.zeros(0, dtype=np.uint8)
        window = (ctypes.c_uint8 * length).from_address(self.address())
        window._owner = (self._memory, self._store)  # type: ignore[attr-defined]
        return np.frombuffer(window, dtype=np.uint8)

    def grow(self, delta: int) -> bool:
        """Add ``delta`` pages; False if the memory's maximum (or wasm32's 4 GiB) forbids it.

        Example:
            >>> memory.grow(1)  # doctest: +SKIP
            True
        """
        if self.pages + delta > self.maximum_pages:
            return False
        try:
            self._memory.grow(self._store, delta)  # type: ignore[attr-defined]
        except Exception:  # wasmtime raises its own WasmtimeError, which this optional-dependency code cannot name
            return False
        return True
