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

    def __getitem__(self, axes: Any) -> ArrayAnnotation:
        """``float64[:]``, ``int32[:, :]``, ``float64[:, ::1]``: an array type, spelled as in Numba.

        Example:
            >>> from pyexec.types import float64
            >>> float64[:, ::1]
            float64[:, ::1]
        """
        return ArrayAnnotation.from_axes(self, axes)

    def __instancecheck__(self, obj: Any) -> bool:
        return isinstance(obj, self.numpy_type)

    def __repr__(self) -> str:
        return f"pyexec.types.{self.info.name}"

    def __reduce__(self) -> str:
        # Pickles (and Numba's cache) refer to the module attribute, keeping one object per type.
        return self.info.name


class ArrayAnnotation:
    """An array type written on a scalar type (``float64[:]``): the element type, the number of
    dimensions and the layout (``"C"`` for C-contiguous, written ``::1`` on the last axis, else ``"A"``).

    An annotation for compiled code (the frontend reads it from the source); at run time it only
    describes itself, and ``isinstance(a, float64[:])`` tells whether a NumPy array matches.

    Example:
        >>> import numpy as np
        >>> from pyexec.types import float64
        >>> isinstance(np.zeros(3), float64[::1]), isinstance(np.zeros(4)[::2], float64[::1])
        (True, False)
    """

    __slots__ = ("dtype", "layout", "ndim")

    def __init__(self, dtype: ScalarType, ndim: int, layout: str) -> None:
        self.dtype, self.ndim, self.layout = dtype, ndim, layout

    @classmethod
    def from_axes(cls, dtype: ScalarType, axes: Any) -> ArrayAnnotation:
        items = axes if isinstance(axes, tuple) else (axes,)
        layout = "A"
        for k, axis in enumerate(items):
            ok = isinstance(axis, slice) and axis.start is None and axis.stop is None and axis.step in (None, 1)
            if not ok or (axis.step == 1 and k != len(items) - 1):
                raise TypeError(f"{dtype.name}[...] takes one ':' per axis and '::1' on the last axis only "
                                f"(C-contiguous), as in {dtype.name}[:, ::1]")
            if axis.step == 1:
                layout = "C"
        return cls(dtype, len(items), layout)

    def __repr__(self) -> str:
        axes = [":"] * self.ndim
        if self.layout == "C":
            axes[-1] = "::1"
        return f"{self.dtype.name}[{', '.join(axes)}]"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ArrayAnnotation) and (self.dtype, self.ndim, self.layout) == (
            other.dtype, other.ndim, other.layout)

    def __hash__(self) -> int:
        return hash((self.dtype.name, self.ndim, self.layout))

    def __instancecheck__(self, obj: Any) -> bool:
        return (isinstance(obj, np.ndarray) and obj.dtype == self.dtype.dtype and obj.ndim == self.ndim
                and (self.layout == "A" or obj.flags.c_contiguous))


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
