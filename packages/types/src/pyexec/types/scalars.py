"""The scalar types: callables that cast like NumPy, usable as annotations.

Example:
    >>> from pyexec.types import uint8, bool_
    >>> uint8(300)
    np.uint8(44)
    >>> bool_(4 % 2 == 0)
    np.True_
"""

from __future__ import annotations

from typing import Any

import numpy as np

from pyexec.types.table import SCALARS, ScalarInfo


class ScalarType:
    """One scalar type of pyexec (``int8``…``uint64``, ``float32``, ``float64``,
    ``complex64``, ``complex128``, ``bool_``).

    Calling it casts a value with NumPy's semantics and returns a NumPy scalar:
    integers wrap modulo 2**bits (``uint8(300) == 44``, ``int8(200) == -56``),
    floats truncate toward zero when cast to an integer type, anything is true
    or false for ``bool_``. A NumPy array is cast element-wise. The object is
    also an annotation that pyexec's compilers and Numba understand.

    Example:
        >>> from pyexec.types import int8
        >>> int8(200), isinstance(int8(1), int8)
        (np.int8(-56), True)
    """

    __slots__ = ("__dict__", "__name__", "__qualname__", "dtype", "info")

    def __init__(self, info: ScalarInfo) -> None:
        self.info = info
        self.dtype = np.dtype(info.numpy_dtype)
        self.__name__ = info.name
        self.__qualname__ = info.name
        self.__doc__ = f"The {info.name} scalar type ({info.c_type} in C); calling it casts like numpy.{info.name}."

    @property
    def name(self) -> str:
        return self.info.name

    @property
    def numpy_type(self) -> type:
        """The NumPy scalar class (``numpy.uint8`` for ``uint8``)."""
        return self.dtype.type

    def __call__(self, value: Any = 0) -> Any:
        if isinstance(value, np.ndarray):
            return value.astype(self.dtype)
        info = self.info
        if info.is_integer and isinstance(value, (int, np.integer)) and not isinstance(value, np.timedelta64):
            # Python ints of any size wrap exactly, as NumPy's astype does for in-range inputs.
            bits = info.bits
            wrapped = int(value) & ((1 << bits) - 1)
            if info.signed and wrapped >= 1 << (bits - 1):
                wrapped -= 1 << bits
            return self.numpy_type(wrapped)
        if info.is_bool:
            return np.bool_(bool(value))
        return np.asarray(value).astype(self.dtype)[()]

    def __instancecheck__(self, obj: Any) -> bool:
        return isinstance(obj, self.numpy_type)

    def __repr__(self) -> str:
        return f"pyexec.types.{self.info.name}"

    def __reduce__(self) -> str:
        # Pickles (and Numba's cache) refer to the module attribute, keeping one object per type.
        return self.info.name


int8 = ScalarType(SCALARS["int8"])
int16 = ScalarType(SCALARS["int16"])
int32 = ScalarType(SCALARS["int32"])
int64 = ScalarType(SCALARS["int64"])
uint8 = ScalarType(SCALARS["uint8"])
uint16 = ScalarType(SCALARS["uint16"])
uint32 = ScalarType(SCALARS["uint32"])
uint64 = ScalarType(SCALARS["uint64"])
float32 = ScalarType(SCALARS["float32"])
float64 = ScalarType(SCALARS["float64"])
complex64 = ScalarType(SCALARS["complex64"])
complex128 = ScalarType(SCALARS["complex128"])
bool_ = ScalarType(SCALARS["bool_"])

ALL_TYPES: dict[str, ScalarType] = {
    t.name: t
    for t in (int8, int16, int32, int64, uint8, uint16, uint32, uint64,
              float32, float64, complex64, complex128, bool_)
}
"""Every scalar type object by name."""


def scalar_type_of(annotation: Any) -> ScalarInfo | None:
    """Return the :class:`ScalarInfo` an annotation means, or ``None``.

    Accepts pyexec's types, the builtins ``int float bool complex``, NumPy
    scalar classes (``numpy.uint8``) and their names as strings.

    Example:
        >>> scalar_type_of(int).name, scalar_type_of("uint8").name
        ('int64', 'uint8')
    """
    from pyexec.types.table import BUILTIN_ALIASES, BUILTIN_NAMES

    if isinstance(annotation, ScalarType):
        return annotation.info
    if isinstance(annotation, str):
        return SCALARS.get(annotation) or BUILTIN_NAMES.get(annotation)
    if isinstance(annotation, type):
        if annotation in BUILTIN_ALIASES:
            return BUILTIN_ALIASES[annotation]
        if issubclass(annotation, np.generic):
            name = "bool_" if annotation is np.bool_ else np.dtype(annotation).name
            return SCALARS.get(name)
    return None
