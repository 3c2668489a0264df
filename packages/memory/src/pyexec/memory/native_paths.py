"""Native versions of the four hot heap operations, callable from Python at the cost of a builtin.

``alloc``, ``free``, ``incref`` and ``decref`` each take one common path (a free slot of the right
size class; a live raw block freed with its size; a refcount above 1) that is a handful of dict and list
operations plus one header store. In Python the interpreter's dispatch costs several times the work
itself, so these paths are compiled with Numba (``@cfunc``) against CPython's C API and exposed as
``METH_FASTCALL`` builtins bound to the manager's own containers: the same free lists and live-block
dict that the Python code uses, so the two stay one allocator. They find the buffer through a cell that
the manager updates when it grows or moves, and step aside while a Python method holds the manager's
lock, so a builtin taken once stays right across ``grow_memory``, ``reset`` and threads. Anything off
the common path (a new slab, a large block, a misuse, a NumPy integer argument) is handed, with the
same arguments, to the Python method, which does every check and raises the documented errors.

The native paths are used only on 64-bit CPython whose object layout was verified at load time; on
anything else the Python methods serve alone (``native_paths_unavailable()`` says why).

Example:
    >>> from pyexec.memory import MemoryManager
    >>> mm = MemoryManager(4096)
    >>> type(mm.alloc).__name__ in ("builtin_function_or_method", "method")
    True
"""

from __future__ import annotations

import ctypes
import importlib
import struct
import sys
from collections.abc import Callable
from functools import cache
from pathlib import Path

import numpy as np

_METH_FASTCALL_KEYWORDS = 0x0080 | 0x0002


class _PyMethodDef(ctypes.Structure):
    _fields_ = [
        ("ml_name", ctypes.c_char_p),
        ("ml_meth", ctypes.c_void_p),
        ("ml_flags", ctypes.c_int),
        ("ml_doc", ctypes.c_char_p),
    ]


def _layout_problem() -> str | None:
    """Why this interpreter cannot run the native paths, or None if it can."""
    if sys.implementation.name != "cpython":
        return f"needs CPython, this is {sys.implementation.name}"
    if struct.calcsize("P") != 8:
        return "needs a 64-bit interpreter"
    if getattr(sys, "_is_gil_enabled", lambda: True)() is False:
        return "needs the GIL (free-threaded builds lay objects out differently)"
    for sample in (12345, None, "x"):
        if ctypes.c_void_p.from_address(id(sample) + 8).value != id(type(sample)):
            return "this CPython does not keep an object's type at offset 8"
    # The offsets native_cfuncs reads: tuple items, list size and items, bytes data.
    first, second, third = object(), object(), object()
    pair = (first, second)
    if ctypes.c_void_p.from_address(id(pair) + 24 + 8).value != id(second):
        return "this CPython lays tuples out differently"
    trio = [first, second, third]
    items = ctypes.c_void_p.from_address(id(trio) + 24).value or 0
    if ctypes.c_ssize_t.from_address(id(trio) + 16).value != 3 or (
        ctypes.c_void_p.from_address(items + 16).value != id(third)
    ):
        return "this CPython lays lists out differently"
    data = struct.pack("<3q", 1, -2, 3)
    if ctypes.string_at(id(data) + 32, len(data)) != data:
        return "this CPython lays bytes out differently"
    return None


@cache
def _compiled() -> tuple[dict[str, int], str | None]:
    """The entry points (compiled once per process; Numba caches them on disk), or why there are none."""
    problem = _layout_problem()
    if problem is not None:
        return {}, problem
    try:
        return importlib.import_module("pyexec.memory.native_cfuncs").ADDRESSES, None
    except Exception:
        # Numba's cache of these functions can be unreadable here, e.g. written when the module was
        # imported under another name (pytest --doctest-modules): drop it and compile afresh, once.
        sys.modules.pop("pyexec.memory.native_cfuncs", None)
        for stale in (Path(__file__).parent / "__pycache__").glob("native_cfuncs.*.nb[ic]"):
            stale.unlink(missing_ok=True)
    try:
        return importlib.import_module("pyexec.memory.native_cfuncs").ADDRESSES, None
    except Exception as exc:  # a Numba or LLVM failure leaves the Python paths in charge, said why
        return {}, f"the native paths did not compile ({type(exc).__name__}: {exc})"


def native_paths_unavailable() -> str | None:
    """Why the native paths are not used in this interpreter, or None when they are.

    Example:
        >>> native_paths_unavailable() is None or isinstance(native_paths_unavailable(), str)
        True
    """
    return _compiled()[1]


_new_builtin = ctypes.pythonapi.PyCFunction_NewEx
_new_builtin.restype = ctypes.py_object
_new_builtin.argtypes = [ctypes.POINTER(_PyMethodDef), ctypes.py_object, ctypes.py_object]
_METHOD_DEFS: dict[str, _PyMethodDef] = {}
"""One ``PyMethodDef`` per operation for the life of the process (builtins point at them)."""

_TEXT_SIGNATURES = {
    "alloc": "alloc($self, /, size)",
    "free": "free($self, /, ptr, size)",
    "incref": "incref($self, /, ptr)",
    "decref": "decref($self, /, ptr)",
}


def bind_native_paths(
    python_methods: dict[str, Callable[..., object]],
    free_for_size: dict[int, list[int]],
    live: dict[int, int],
    buffer_cell: np.ndarray,
    busy: list[None],
) -> dict[str, Callable[..., object]]:
    """Builtins for ``alloc``/``free``/``incref``/``decref`` over these containers; {} if unavailable.

    ``python_methods`` are the checked Python methods each builtin falls back to (they also keep the
    heap, and so its buffer, alive). ``buffer_cell`` is an int64 array ``[buffer address, usable
    length]`` that the heap keeps current: the builtins read it on every call, so they follow a buffer
    that grows or moves. ``busy`` is non-empty while a Python method holds the heap's lock; the builtins
    then hand the call to that Python method, which waits for the lock. The containers must live as
    long as the heap (it clears them in place rather than replacing them).

    Example:
        >>> from pyexec.memory import MemoryManager
        >>> mm = MemoryManager(4096)
        >>> p = mm.alloc(16); mm.free(p, 16)
    """
    addresses, problem = _compiled()
    if problem is not None:
        return {}
    if buffer_cell.dtype != np.int64 or buffer_cell.shape != (2,) or not buffer_cell.flags.c_contiguous:
        raise TypeError("buffer_cell must be a contiguous int64 array of two items (address, length)")
    free_table = tuple(free_for_size[size] for size in range(len(free_for_size)))
    constants = struct.pack("<3q", buffer_cell.ctypes.data, id(int), id(None))
    bound = {}
    for name, address in addresses.items():
        if name not in _METHOD_DEFS:
            doc = (python_methods[name].__doc__ or "").strip()
            text = f"{_TEXT_SIGNATURES[name]}\n--\n\n{doc}".encode()
            _METHOD_DEFS[name] = _PyMethodDef(name.encode(), address, _METH_FASTCALL_KEYWORDS, text)
        state = (free_table, live, constants, python_methods[name], buffer_cell, busy)
        bound[name] = _new_builtin(ctypes.byref(_METHOD_DEFS[name]), state, None)
    return bound
