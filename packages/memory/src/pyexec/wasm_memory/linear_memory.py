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

import numpy as np

from pyexec.wasm_memory.constants import MAX_PAGES, WASM_PAGE_SIZE


class OwnedLinearMemory:
    """Linear memory held in a NumPy array; growing copies it into a larger one (offsets unchanged).

    Example:
        >>> OwnedLinearMemory(pages=2).array().size
        131072
    """

    def __init__(self, pages: int, maximum_pages: int = MAX_PAGES) -> None:
        self.maximum_pages = maximum_pages
        self._array = np.zeros(pages * WASM_PAGE_SIZE, dtype=np.uint8)

    @property
    def pages(self) -> int:
        """The current size in 64 KiB pages."""
        return self._array.size // WASM_PAGE_SIZE

    def array(self) -> np.ndarray:
        """The bytes, as a ``uint8`` array (a new array after each successful ``grow``)."""
        return self._array

    def grow(self, delta: int) -> bool:
        """Add ``delta`` pages; False (nothing changed) past ``maximum_pages`` or if the host has no memory.

        Example:
            >>> OwnedLinearMemory(pages=1, maximum_pages=1).grow(1)
            False
        """
        if self.pages + delta > self.maximum_pages:
            return False
        try:
            grown = np.zeros((self.pages + delta) * WASM_PAGE_SIZE, dtype=np.uint8)
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
        """A ``uint8`` array over the instance's memory as it is now (valid until it next grows)."""
        length = int(self._memory.data_len(self._store))  # type: ignore[attr-defined]
        if length == 0:
            return np.zeros(0, dtype=np.uint8)
        pointer = ctypes.cast(self._memory.data_ptr(self._store), ctypes.POINTER(ctypes.c_uint8))  # type: ignore[attr-defined]
        return np.ctypeslib.as_array(pointer, shape=(length,))

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
