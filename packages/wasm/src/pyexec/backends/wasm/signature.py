"""The signatures of a module's exports: pyexec types, their wasm types, and their text form.

A linked module carries them in a small custom section named ``pyexec`` (one line per
export, ``name(x:int,y:float64)->bool`` with a trailing ``!`` when the function can raise), so the
Python loader knows how to convert arguments and results without any side file.

Example:
    >>> sig = ExportSignature.parse("clamp(value:int,lo:int,hi:int)->int!")
    >>> sig.name, [p.type for p in sig.params], sig.result, sig.fallible
    ('clamp', ['int', 'int', 'int'], 'int', True)
    >>> str(sig)
    'clamp(value:int,lo:int,hi:int)->int!'
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pyexec.types.table import SCALARS, ScalarInfo

SECTION_NAME = "pyexec"

_LINE = re.compile(r"^(?P<name>[A-Za-z_$][\w$]*)\((?P<params>[^)]*)\)->(?P<result>[\w]+|(?:tuple|array)\[[\w;]+\])"
                   r"(?P<fallible>!?)$")


class SignatureError(ValueError):
    """A function's signature cannot cross the wasm boundary (for example a complex parameter)."""


def tuple_items(type_name: str) -> list[str] | None:
    """The item types of a tuple type as the section writes it (``tuple[int;float64]``), else None.

    A tuple parameter crosses as one wasm parameter per item; a tuple result as the address (i32) of
    the module's static result area for that function, where the items lie as C lays out a struct
    (:func:`tuple_layout`). An instance runs one call at a time, so one area per function is safe;
    hosts copy the items out before the next call.

    Example:
        >>> tuple_items("tuple[int;float64]"), tuple_items("int")
        (['int', 'float64'], None)
    """
    if type_name.startswith("tuple[") and type_name.endswith("]"):
        return type_name[len("tuple["):-1].split(";")
    return None


def array_info(type_name: str) -> tuple[str, int, str] | None:
    """The element type, number of dimensions and layout (``C`` or ``A``) of an array type as the section
    writes it (``array[float64;2;C]``), else None.

    An array parameter crosses as the address (i32) of its descriptor in linear memory
    (``{i32 owner, i32 data, [ndim x i64] shape, [ndim x i64] strides}``, owner 0: the host keeps the
    elements alive for the call); an array result as the address of the function's static result area
    holding the descriptor, whose owner is a block the host must release (``pyexec_decref``) after copying
    the elements out, or 0 for a view of an argument.

    Example:
        >>> array_info("array[float64;2;C]"), array_info("int")
        (('float64', 2, 'C'), None)
    """
    if type_name.startswith("array[") and type_name.endswith("]"):
        dtype, ndim, layout, *written = type_name[len("array["):-1].split(";")
        if written not in ([], ["w"]):
            raise ValueError(f"malformed array type {type_name!r}")
        return dtype, int(ndim), layout
    return None


def array_written(type_name: str) -> bool:
    """Whether an array parameter's elements may be assigned by the function (``array[float64;1;A;w]``):
    hosts copy such an argument back into the caller's array after the call.

    Example:
        >>> array_written("array[float64;1;A;w]"), array_written("array[float64;1;A]")
        (True, False)
    """
    return type_name.startswith("array[") and type_name.endswith(";w]")


def tuple_layout(type_name: str) -> list[tuple[str, int]]:
    """Each item of a tuple type with its byte offset in the result area (wasm32: natural alignment).

    Example:
        >>> tuple_layout("tuple[bool;float64;int8]")
        [('bool', 0), ('float64', 8), ('int8', 16)]
    """
    out, at = [], 0
    for item in tuple_items(type_name) or []:
        size = max(scalar_info(item).bits // 8, 1)
        at = (at + size - 1) // size * size
        out.append((item, at))
        at += size
    return out


STRING_LAYOUT = "str"
"""A ``str`` parameter or result crosses as the address (i32) of a block in ``pyexec.memory``'s string layout
(docs/memory.md: int32 UTF-8 byte count at the address, the bytes after it, then a NUL; tag 0x02 at
address - 4, flags at address - 3 with bit 1 set for an all-ASCII string). The host makes an argument's block
with ``pyexec_alloc`` and releases it (``pyexec_decref``) after the call; a result's block belongs to the host,
which decodes it and releases it."""


def scalar_info(type_name: str) -> ScalarInfo:
    """The types-table row of a pyexec type name (``int`` is int64).

    Example:
        >>> scalar_info("int").wasm_type, scalar_info("uint8").wasm_type
        ('i64', 'i32')
    """
    return SCALARS["int64" if type_name == "int" else "bool_" if type_name == "bool" else type_name]


@dataclass(frozen=True)
class Param:
    name: str
    type: str


@dataclass(frozen=True)
class ExportSignature:
    """One exported function: its export name, parameters, result type (``None`` for none), fallibility."""

    name: str
    params: tuple[Param, ...]
    result: str
    fallible: bool = False

    def __str__(self) -> str:
        params = ",".join(f"{p.name}:{p.type}" for p in self.params)
        return f"{self.name}({params})->{self.result}{'!' if self.fallible else ''}"

    @classmethod
    def parse(cls, line: str) -> ExportSignature:
        m = _LINE.match(line.strip())
        if m is None:
            raise SignatureError(f"malformed export signature {line!r}")
        params = []
        for text in m["params"].split(",") if m["params"] else []:
            name, colon, type_name = text.partition(":")
            if not colon or not name.isidentifier() or not _is_boundary_type(type_name):
                raise SignatureError(f"malformed parameter {text!r} in export signature {line!r}")
            params.append(Param(name, type_name))
        if len({p.name for p in params}) != len(params):
            raise SignatureError(f"repeated parameter name in export signature {line!r}")
        if m["result"] != "None" and not _is_boundary_type(m["result"]):
            raise SignatureError(f"unknown result type {m['result']!r} in export signature {line!r}")
        return cls(m["name"], tuple(params), m["result"], bool(m["fallible"]))

    @property
    def wasm_params(self) -> list[str]:
        return ["i32" if array_info(p.type) or p.type == "str" else scalar_info(t).wasm_type or ""
                for p in self.params for t in tuple_items(p.type) or [p.type]]

    @property
    def wasm_result(self) -> str | None:
        if tuple_items(self.result) is not None or array_info(self.result) is not None or self.result == "str":
            return "i32"  # the address of the result area, or of the string's block
        return None if self.result == "None" else scalar_info(self.result).wasm_type


def _is_boundary_type(type_name: str) -> bool:
    """A pyexec scalar type that crosses the wasm boundary as one value, a tuple of such types, an array or a
    ``str`` (the address of a string block, :data:`STRING_LAYOUT`)."""
    if type_name == "str":
        return True
    items = tuple_items(type_name)
    if items is not None:
        return bool(items) and all(_is_boundary_type(i) for i in items)
    try:
        info = array_info(type_name)
    except ValueError:
        return False
    if info is not None:
        # Complex elements cross too: the host reads them as NumPy's complex64/complex128 (interleaved parts).
        return (1 <= info[1] <= 32 and info[2] in ("C", "A")
                and (_is_boundary_type(info[0]) or info[0] in ("complex64", "complex128")))
    try:
        return scalar_info(type_name).wasm_type is not None
    except KeyError:
        return False


def encode_signatures(signatures: list[ExportSignature]) -> bytes:
    """The ``pyexec.exports`` section's payload."""
    return "\n".join(str(s) for s in signatures).encode("utf-8")


def decode_signatures(payload: bytes) -> list[ExportSignature]:
    """Read a ``pyexec.exports`` payload back.

    Example:
        >>> [str(s) for s in decode_signatures(b"f()->None")]
        ['f()->None']
    """
    return [ExportSignature.parse(line) for line in payload.decode("utf-8").split("\n") if line.strip()]


def check_boundary_type(function: str, what: str, type_name: str) -> None:
    """Refuse types that do not cross the wasm boundary (complex numbers, arrays of them)."""
    items = tuple_items(type_name)
    if items is not None:
        for item in items:
            check_boundary_type(function, f"{what} item", item)
        return
    info = array_info(type_name)
    if info is not None:
        return  # arrays of every element type cross (complex ones as interleaved (re, im) pairs)
    if type_name not in ("None", "str") and scalar_info(type_name).wasm_type is None:
        raise SignatureError(
            f"{function}(): the {what} has type {type_name}, which cannot cross the WebAssembly boundary "
            "as one value; pass or return its real and imaginary parts as two floats instead")
