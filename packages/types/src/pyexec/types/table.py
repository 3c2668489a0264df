"""What each scalar type means in every backend: one table, read by all of them.

The frontend, the LLVM and WebAssembly backends, the C header writer and the
JIT read this table instead of restating widths or type names.

Example:
    >>> from pyexec.types.table import SCALARS, BUILTIN_ALIASES
    >>> SCALARS["uint8"].c_type
    'uint8_t'
    >>> BUILTIN_ALIASES[int].name
    'int64'
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Kind = Literal["int", "uint", "float", "complex", "bool"]


@dataclass(frozen=True)
class ScalarInfo:
    """The facts of one scalar type.

    Example:
        >>> SCALARS["int32"].bits, SCALARS["int32"].signed
        (32, True)
    """

    name: str
    kind: Kind
    bits: int
    signed: bool
    llvm_type: str
    """The LLVM IR type of a value held in a register (``i1`` for bool)."""
    llvm_storage_type: str
    """The LLVM IR type of a value stored in memory or passed to C (``i8`` for bool)."""
    c_type: str
    wasm_type: str | None
    """The WebAssembly value type; ``None`` for complex (passed as two floats, see ``wasm_parts``)."""
    wasm_parts: tuple[str, ...]
    """The WebAssembly value types that carry one value across a function boundary."""
    numpy_dtype: str

    @property
    def is_integer(self) -> bool:
        return self.kind in ("int", "uint")

    @property
    def is_float(self) -> bool:
        return self.kind == "float"

    @property
    def is_complex(self) -> bool:
        return self.kind == "complex"

    @property
    def is_bool(self) -> bool:
        return self.kind == "bool"

    @property
    def min_value(self) -> int | None:
        """Smallest value of an integer type (``None`` otherwise)."""
        if self.kind == "int":
            return -(1 << (self.bits - 1))
        if self.kind == "uint":
            return 0
        return None

    @property
    def max_value(self) -> int | None:
        """Largest value of an integer type (``None`` otherwise)."""
        if self.kind == "int":
            return (1 << (self.bits - 1)) - 1
        if self.kind == "uint":
            return (1 << self.bits) - 1
        return None


def _int(name: str, bits: int, signed: bool) -> ScalarInfo:
    c = f"{'' if signed else 'u'}int{bits}_t"
    wasm = "i64" if bits == 64 else "i32"
    return ScalarInfo(
        name=name,
        kind="int" if signed else "uint",
        bits=bits,
        signed=signed,
        llvm_type=f"i{bits}",
        llvm_storage_type=f"i{bits}",
        c_type=c,
        wasm_type=wasm,
        wasm_parts=(wasm,),
        numpy_dtype=name,
    )


SCALARS: dict[str, ScalarInfo] = {
    info.name: info
    for info in (
        _int("int8", 8, True),
        _int("int16", 16, True),
        _int("int32", 32, True),
        _int("int64", 64, True),
        _int("uint8", 8, False),
        _int("uint16", 16, False),
        _int("uint32", 32, False),
        _int("uint64", 64, False),
        ScalarInfo("float32", "float", 32, True, "float", "float", "float", "f32", ("f32",), "float32"),
        ScalarInfo("float64", "float", 64, True, "double", "double", "double", "f64", ("f64",), "float64"),
        ScalarInfo(
            "complex64", "complex", 64, True, "{float, float}", "{float, float}",
            "float _Complex", None, ("f32", "f32"), "complex64",
        ),
        ScalarInfo(
            "complex128", "complex", 128, True, "{double, double}", "{double, double}",
            "double _Complex", None, ("f64", "f64"), "complex128",
        ),
        ScalarInfo("bool_", "bool", 8, False, "i1", "i8", "bool", "i32", ("i32",), "bool"),
    )
}
"""Every scalar type by its pyexec name."""

BUILTIN_ALIASES: dict[type, ScalarInfo] = {
    int: SCALARS["int64"],
    float: SCALARS["float64"],
    bool: SCALARS["bool_"],
    complex: SCALARS["complex128"],
}
"""Python's builtin types and the scalar type each one means in compiled code."""

BUILTIN_NAMES: dict[str, ScalarInfo] = {t.__name__: info for t, info in BUILTIN_ALIASES.items()}
"""The same mapping keyed by the builtin's name (``"int"`` → int64), for tools reading source text."""


def lookup(name: str) -> ScalarInfo:
    """Return the scalar type named ``name``: a pyexec name or a builtin's name.

    Example:
        >>> lookup("float").name
        'float64'
    """
    if name in SCALARS:
        return SCALARS[name]
    if name in BUILTIN_NAMES:
        return BUILTIN_NAMES[name]
    known = ", ".join([*SCALARS, *BUILTIN_NAMES])
    raise KeyError(f"no scalar type named {name!r}; known: {known}")
