"""pyexec's scalar types and the table of what each means in every backend.

Example:
    >>> from pyexec.types import uint8, SCALARS
    >>> int(uint8(300)), SCALARS["uint8"].c_type
    (44, 'uint8_t')
"""

from pyexec.types.scalars import (
    ALL_TYPES,
    ScalarType,
    bool_,
    complex64,
    complex128,
    float32,
    float64,
    int8,
    int16,
    int32,
    int64,
    scalar_type_of,
    uint8,
    uint16,
    uint32,
    uint64,
)
from pyexec.types.table import BUILTIN_ALIASES, BUILTIN_NAMES, SCALARS, ScalarInfo, lookup

__all__ = [
    "ALL_TYPES",
    "BUILTIN_ALIASES",
    "BUILTIN_NAMES",
    "SCALARS",
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
