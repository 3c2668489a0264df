"""The exceptions of the memory manager. All misuse of the heap raises one of these; none corrupts it.

Example:
    >>> from pyexec.memory import MemoryManager, DoubleFreeError
    >>> mm = MemoryManager(4096)
    >>> p = mm.alloc(16); mm.free(p, 16)
    >>> try:
    ...     mm.free(p, 16)
    ... except DoubleFreeError as e:
    ...     print(type(e).__name__)
    DoubleFreeError
"""

from __future__ import annotations


class HeapError(MemoryError):
    """Base class of every heap misuse error (a ``MemoryError``)."""


class InvalidPointerError(HeapError, ValueError):
    """The pointer is not the start of a live block (never allocated, interior, or already freed)."""


class DoubleFreeError(InvalidPointerError):
    """The block was already freed (``free`` or the last ``decref`` released it)."""


class SizeMismatchError(HeapError, ValueError):
    """``free(ptr, size)`` was given a size other than the one the block was allocated with."""


class RefcountError(HeapError):
    """A ``decref`` would take the refcount below zero, or an ``incref`` past the int32 maximum."""


class ObjectTypeError(HeapError, TypeError):
    """The block is a different kind of object than the operation needs (e.g. ``read_string`` on a list)."""


class HeapExhaustedError(HeapError):
    """A list or dict could not grow: the heap has no room for its larger storage."""


class UseAfterFreeError(HeapError):
    """Debug mode only: a freed block's poisoned bytes were overwritten before it was reused."""
