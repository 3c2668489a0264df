"""The types of the typed IR.

Every IR expression carries one of these. Scalar types wrap the rows of
``pyexec.types.table`` (the single source of widths, LLVM/C/wasm names), and add
one fact the table cannot hold: whether an ``int64`` is Python's ``int``
(checked: a result outside int64 raises OverflowError) or NumPy's ``int64``
(wraps modulo 2**64).

Example:
    >>> from pyexec.frontend.ir.types import INT, INT64
    >>> INT.info is INT64.info, INT.checked, INT64.checked, str(INT), str(INT64)
    (True, True, False, 'int', 'int64')
"""

from __future__ import annotations

from dataclasses import dataclass

from pyexec.types.table import SCALARS, ScalarInfo


@dataclass(frozen=True)
class ScalarT:
    """A scalar IR type: one row of the types table, plus Python's ``int`` flag."""

    info: ScalarInfo
    checked: bool = False
    """True only for Python's ``int``: int64 arithmetic that raises OverflowError instead of wrapping."""

    @property
    def name(self) -> str:
        return self.info.name

    @property
    def kind(self) -> str:
        return self.info.kind

    @property
    def bits(self) -> int:
        return self.info.bits

    @property
    def is_integer(self) -> bool:
        return self.info.is_integer

    @property
    def is_float(self) -> bool:
        return self.info.is_float

    @property
    def is_complex(self) -> bool:
        return self.info.is_complex

    @property
    def is_bool(self) -> bool:
        return self.info.is_bool

    def __str__(self) -> str:
        if self.checked:
            return "int"
        return self.info.name


@dataclass(frozen=True)
class NoneT:
    """The type of a function that returns nothing (``-> None``)."""

    def __str__(self) -> str:
        return "None"


@dataclass(frozen=True)
class StrT:
    """Python's ``str``: an immutable, reference-counted string of Unicode code points.

    Compiled code holds it in ``pyexec.memory``'s string layout (tag 0x02: int32 UTF-8 byte count, the
    UTF-8 bytes, NUL; docs/memory.md), the header's FLAG_ASCII marking an all-ASCII string. Like an array
    it is a heap value: every slot holding one counts a reference (the rules are in the LLVM backend's
    ``lowering.arrays`` module, shared by arrays and strings).

    Example:
        >>> str(STR)
        'str'
    """

    def __str__(self) -> str:
        return "str"


@dataclass(frozen=True)
class TupleT:
    """A tuple of scalars (``tuple[int, float64]``): a value like a scalar, one item per type.

    Tuples of scalars hold no heap object, so compiled code copies them freely and counts no
    references (tuples of arrays or strings, when they come, will). ``tuple[()]`` is not a type here.

    Example:
        >>> str(TupleT((INT, FLOAT64)))
        'tuple[int, float64]'
    """

    items: tuple[ScalarT, ...]

    def __str__(self) -> str:
        return f"tuple[{', '.join(map(str, self.items))}]"


@dataclass(frozen=True)
class ArrayT:
    """A NumPy array type: element type × number of dimensions × layout, as Numba spells it.

    ``layout`` is ``"C"`` (C-contiguous: the last axis has unit stride and each axis's stride is the
    product of the following extents times the item size) or ``"A"`` (any strides, negative and zero
    included). ``dtype`` is never Python's checked ``int``: an element of an ``int`` array is NumPy's
    wrapping ``int64``.

    Example:
        >>> str(ArrayT(FLOAT64, 1, "A")), str(ArrayT(INT32, 2, "C")), str(ArrayT(FLOAT64, 1, "C"))
        ('float64[:]', 'int32[:, ::1]', 'float64[::1]')
    """

    dtype: ScalarT
    ndim: int
    layout: str = "A"

    def __post_init__(self) -> None:
        if self.dtype.checked:
            raise ValueError("an array's dtype is a fixed-width type: use int64, not int")
        if self.ndim < 1 or self.layout not in ("C", "A"):
            raise ValueError(f"bad array type: ndim {self.ndim}, layout {self.layout!r}")

    def __str__(self) -> str:
        axes = [":"] * self.ndim
        if self.layout == "C":
            axes[-1] = "::1"
        return f"{self.dtype}[{', '.join(axes)}]"


IRType = ScalarT | NoneT | StrT | TupleT | ArrayT
ValueT = ScalarT | TupleT | ArrayT | StrT
"""The type of anything a variable can hold, a function take or return: a scalar, a tuple, an array or a str."""

INT = ScalarT(SCALARS["int64"], checked=True)
"""Python's ``int``: 64-bit, raises OverflowError rather than wrap."""
INT8 = ScalarT(SCALARS["int8"])
INT16 = ScalarT(SCALARS["int16"])
INT32 = ScalarT(SCALARS["int32"])
INT64 = ScalarT(SCALARS["int64"])
UINT8 = ScalarT(SCALARS["uint8"])
UINT16 = ScalarT(SCALARS["uint16"])
UINT32 = ScalarT(SCALARS["uint32"])
UINT64 = ScalarT(SCALARS["uint64"])
FLOAT32 = ScalarT(SCALARS["float32"])
FLOAT64 = ScalarT(SCALARS["float64"])
COMPLEX64 = ScalarT(SCALARS["complex64"])
COMPLEX128 = ScalarT(SCALARS["complex128"])
BOOL = ScalarT(SCALARS["bool_"])
NONE = NoneT()
STR = StrT()

BY_NAME: dict[str, IRType] = {
    "int": INT,
    "float": FLOAT64,
    "bool": BOOL,
    "complex": COMPLEX128,
    "None": NONE,
    **{name: ScalarT(info) for name, info in SCALARS.items()},
}
"""Every IR type by the name an annotation uses (``int``, ``float``, ``uint8``, ``bool_`` …)."""


def reduction_type(op: str, dtype: ScalarT) -> ScalarT | None:
    """The result type of a whole-array reduction, as NumPy 2 gives it on a 64-bit platform (None: refused).

    Example:
        >>> str(reduction_type("sum", INT32)), str(reduction_type("mean", UINT8)), str(reduction_type("max", FLOAT32))
        ('int64', 'float64', 'float32')
    """
    if op in ("argmin", "argmax"):
        return INT64
    if op in ("min", "max"):
        return dtype  # complex: NumPy's lexicographic order
    if op == "mean":
        return dtype if (dtype.is_float or dtype.is_complex) else FLOAT64
    if dtype.is_bool or (dtype.is_integer and dtype.info.signed):
        return INT64
    if dtype.is_integer:
        return UINT64
    return dtype
