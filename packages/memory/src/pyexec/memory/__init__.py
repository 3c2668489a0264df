"""pyexec's heap: ``MemoryManager``, the object layouts and Numba-compiled memory accessors.

``MemoryManager`` and the errors import without Numba; the ``read_*``/``write_*`` accessors load
Numba the first time one of them is used (PEP 562).

Example:
    >>> from pyexec.memory import MemoryManager, write_i64, read_i64
    >>> mm = MemoryManager(size=1024 * 1024)
    >>> ptr = mm.alloc(100 * 8)
    >>> write_i64(mm.memory, ptr + 8 * 3, 9)
    >>> read_i64(mm.memory, ptr + 8 * 3)
    9
    >>> mm.free(ptr, 100 * 8)
"""

from __future__ import annotations

import importlib

from pyexec.memory.errors import (
    DoubleFreeError,
    HeapError,
    HeapExhaustedError,
    InvalidPointerError,
    ObjectTypeError,
    RefcountError,
    SizeMismatchError,
    UseAfterFreeError,
)
from pyexec.memory.layout import SIZE_CLASSES
from pyexec.memory.manager import MemoryManager, dict_hash

_ACCESSOR_NAMES = tuple(
    f"{op}_{kind}"
    for kind in ("i8", "u8", "i16", "u16", "i32", "u32", "i64", "u64", "f32", "f64")
    for op in ("read", "write")
)

__all__ = [
    "SIZE_CLASSES",
    "DoubleFreeError",
    "HeapError",
    "HeapExhaustedError",
    "InvalidPointerError",
    "MemoryManager",
    "ObjectTypeError",
    "RefcountError",
    "SizeMismatchError",
    "UseAfterFreeError",
    "dict_hash",
    *_ACCESSOR_NAMES,
]


def __getattr__(name: str) -> object:
    if name in _ACCESSOR_NAMES:
        value = getattr(importlib.import_module("pyexec.memory.accessors"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'pyexec.memory' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
