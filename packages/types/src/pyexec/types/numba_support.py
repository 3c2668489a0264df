"""Teach Numba pyexec's scalar types, so ``uint8(x)`` works inside ``@njit`` code.

Numba calls :func:`init` through the ``numba_extensions`` entry point the first
time it compiles, so importing ``pyexec.types`` never imports Numba. Each type
is typed as Numba's own NumberClass of the same NumPy type: calling it casts
exactly as ``numpy.uint8(x)`` does in Numba.

Example:
    >>> from numba import njit
    >>> from pyexec.types import uint8
    >>> njit(lambda: uint8(255))()
    255
"""

from __future__ import annotations

_registered = False


def init() -> None:
    """Register the scalar types with Numba (idempotent)."""
    global _registered
    if _registered:
        return
    from numba.core import types as nb_types
    from numba.core.typing.typeof import typeof_impl
    from numba.np.numpy_support import from_dtype

    from pyexec.types.scalars import ScalarType

    @typeof_impl.register(ScalarType)
    def _typeof_scalar_type(val: ScalarType, c: object) -> nb_types.NumberClass:
        return nb_types.NumberClass(from_dtype(val.dtype))

    _registered = True
