"""Arrays returned by ``aot`` code become real ``numpy.ndarray`` objects, with no copy.

The vectorcall entry (:mod:`pyexec.backends.llvm.wrapper`) calls :func:`box` with the returned
descriptor. Two cases, told apart by the descriptor's ``owner``:

- a block of the runtime (:mod:`pyexec.backends.llvm.array_runtime`): the ndarray's base is an
  :class:`ArrayBlock` that holds the reference the call returned and gives it back (``decref``) when
  NumPy drops the base, so the memory lives exactly as long as the array and its views;
- a tagged argument index (``owner = 2 * k + 1``: the result points into the ``k``-th argument's buffer,
  as ``return a`` does): the ndarray's base keeps that argument object alive, and the result is
  read-only when the argument was.

Example:
    >>> live_blocks() >= 0
    True
"""

from __future__ import annotations

import ctypes
from typing import Any

import numpy as np

_DECREF = ctypes.CFUNCTYPE(None, ctypes.c_void_p)
_COUNT = ctypes.CFUNCTYPE(ctypes.c_int64)


_cache: dict[str, Any] = {}


def _decref() -> Any:
    fn = _cache.get("decref")
    if fn is None:
        fn = _cache["decref"] = _runtime("pyexec_rt_decref", _DECREF)
    return fn


def _runtime(name: str, kind: Any) -> Any:
    from pyexec.backends.llvm.host_runtime import _host, register_symbols

    register_symbols()
    return kind(_host[name])


class ArrayBlock:
    """The base of an ndarray whose elements live in a runtime block: exposes them through
    ``__array_interface__`` and releases the block's reference when it is collected."""

    __slots__ = ("__array_interface__", "decref", "owner")

    def __init__(self, interface: dict[str, Any], owner: int) -> None:
        self.__array_interface__ = interface
        self.owner = owner
        # bound now: at interpreter exit, a late collection must not need an import
        self.decref = _decref()

    def __del__(self) -> None:
        owner, self.owner = self.owner, 0
        if owner:
            self.decref(owner)


class _Borrowed:
    __slots__ = ("__array_interface__", "base")

    def __init__(self, interface: dict[str, Any], base: object) -> None:
        self.__array_interface__ = interface
        self.base = base


def box(data: int, owner: int, base: object, typestr: str, *dims: int) -> np.ndarray:
    """The ndarray for a returned descriptor: ``dims`` is the shape then the strides (in bytes)."""
    ndim = len(dims) // 2
    interface: dict[str, Any] = {"version": 3, "typestr": typestr, "shape": tuple(dims[:ndim]),
                                 "strides": tuple(dims[ndim:])}
    if owner & 1:
        readonly = bool(memoryview(base).readonly)  # type: ignore[arg-type]
        interface["data"] = (data, readonly)
        return np.asarray(_Borrowed(interface, base))
    interface["data"] = (data, False)
    return np.asarray(ArrayBlock(interface, owner))


def live_blocks() -> int:
    """How many array blocks compiled code has allocated in this process and not yet freed (for leak tests).

    Example:
        >>> isinstance(live_blocks(), int)
        True
    """
    return int(_runtime("pyexec_rt_live_blocks", _COUNT)())


__all__ = ["ArrayBlock", "box", "live_blocks"]
