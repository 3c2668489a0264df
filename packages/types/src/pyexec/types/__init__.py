"""pyexec's scalar types and the table of what each means in every backend.

The table (``SCALARS``, ``lookup``, …) loads at once; the callable types (``uint8``, …), which
need NumPy, load on first use (PEP 562), so tools that only read the table (the frontend) stay
light and do not import NumPy.

Example:
    >>> from pyexec.types import uint8, SCALARS
    >>> int(uint8(300)), SCALARS["uint8"].c_type
    (44, 'uint8_t')
"""

from pyexec.types.table import BUILTIN_ALIASES, BUILTIN_NAMES, SCALARS, ScalarInfo, lookup

_FROM_SCALARS = (
    "ALL_TYPES", "ArrayAnnotation", "ScalarType", "bool_", "complex64", "complex128", "float32", "float64", "int8",
    "int16", "int32", "int64", "scalar_type_of", "uint8", "uint16", "uint32", "uint64",
)

__all__ = [
    "ALL_TYPES",
    "BUILTIN_ALIASES",
    "BUILTIN_NAMES",
    "SCALARS",
    "ArrayAnnotation",
    "ScalarInfo",
    "ScalarType",
    "bool_",
    "complex64",
    "complex128",
    "float32",
    "float64",
    "int8",
    "int16",
    "int32",
    "int64",
    "lookup",
    "scalar_type_of",
    "uint8",
    "uint16",
    "uint32",
    "uint64",
]


def __getattr__(name: str) -> object:
    if name in _FROM_SCALARS:
        from pyexec.types import scalars

        value = getattr(scalars, name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'pyexec.types' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
