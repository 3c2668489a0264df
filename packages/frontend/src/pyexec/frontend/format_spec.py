"""The format-spec mini-language (``f"{x:>8.3f}"``, ``format(x, spec)``), parsed at compile time.

Compiled code formats with the fields resolved here (defaults filled in as CPython's
``Python/formatter_unicode.c`` fills them), so the runtime routines never parse text. A spec CPython
would refuse (``ValueError`` at run time, e.g. ``',' with 'x'``) or one compiled code does not support
(``c``, ``n``, ``z``, a precision above 100) raises :class:`FormatSpecError`, which the frontend
reports at the spec's location.

Example:
    >>> parse_format_spec(">8.3f", "float")
    FormatSpec(fill=' ', align='>', sign='-', alt=False, width=8, sep='', precision=3, type='f')
    >>> parse_format_spec("", "float").type
    'r'
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

MAX_PRECISION = 100
"""The largest precision compiled code formats (see ``pyexec.backends.llvm.string_format``)."""
_SPEC = re.compile(r"(?:(?P<fill>.)?(?P<align>[<>=^]))?(?P<sign>[-+ ])?(?P<z>z)?(?P<alt>#)?(?P<zero>0)?"
                   r"(?P<width>\d+)?(?P<sep>[,_])?(?:\.(?P<precision>\d+))?(?P<type>.)?", re.DOTALL)
_INT_TYPES = "dxXob"
_FLOAT_TYPES = "eEfFgG%"

Kind = Literal["int", "float", "str"]


class FormatSpecError(ValueError):
    """A format spec compiled code cannot apply; the message says what and why."""


@dataclass(frozen=True)
class FormatSpec:
    """A resolved spec. ``type`` is ``d x X o b`` for ints, ``r`` (no type, no precision: ``repr``),
    ``n`` (no type with a precision) or ``e E f F g G %`` for floats (an int with a float type is
    converted first, as CPython does), ``s`` for strings. ``precision`` is -1 when not given."""

    fill: str
    align: str
    sign: str
    alt: bool
    width: int
    sep: str
    precision: int
    type: str
    text: str = field(default="", compare=False, repr=False)
    """The spec as written (for the IR printer)."""


def parse_format_spec(spec: str, kind: Kind) -> FormatSpec:
    """Parse ``spec`` for a value of ``kind`` (``"int"``, ``"float"`` or ``"str"``).

    Example:
        >>> parse_format_spec("08.2f", "float").align
        '='
    """
    m = _SPEC.fullmatch(spec)
    if m is None:
        raise FormatSpecError(f"Invalid format specifier {spec!r} for object of type {_pytype(kind)!r}")
    g = m.groupdict()
    kind_type = g["type"] or ""
    if kind == "int" and kind_type and kind_type in _FLOAT_TYPES:
        kind = "float"
    if kind_type and kind_type not in {"int": _INT_TYPES, "float": _FLOAT_TYPES, "str": "s"}[kind]:
        if kind_type in "cn" and kind != "str":
            raise FormatSpecError(f"the format type {kind_type!r} is not supported in compiled code")
        raise FormatSpecError(f"Unknown format code {kind_type!r} for object of type {_pytype(kind)!r}")
    if g["z"]:
        raise FormatSpecError("the 'z' option (coerce negative zero) is not supported in compiled code")
    fill = g["fill"] or " "
    align = g["align"] or ""
    if g["zero"] and not g["fill"]:
        fill = "0"
        if not align and kind != "str":
            align = "="
    if not align:
        align = "<" if kind == "str" else ">"
    precision = int(g["precision"]) if g["precision"] is not None else -1
    if precision > MAX_PRECISION:
        raise FormatSpecError(f"a precision above {MAX_PRECISION} is not supported in compiled code")
    width = int(g["width"] or 0)
    sep = g["sep"] or ""
    if kind == "str":
        if g["sign"]:
            raise FormatSpecError("Sign not allowed in string format specifier")
        if g["alt"]:
            raise FormatSpecError("Alternate form (#) not allowed in string format specifier")
        if align == "=":
            raise FormatSpecError("'=' alignment not allowed in string format specifier")
        if sep:
            raise FormatSpecError(f"Cannot specify '{sep}' with 's'.")
        return FormatSpec(fill, align, "-", False, width, "", precision, "s", spec)
    if kind == "int":
        if precision >= 0:
            raise FormatSpecError("Precision not allowed in integer format specifier")
        t = kind_type or "d"
        if sep == "," and t != "d":
            raise FormatSpecError(f"Cannot specify ',' with '{t}'.")
        return FormatSpec(fill, align, g["sign"] or "-", bool(g["alt"]), width, sep, -1, t, spec)
    t = kind_type or ("r" if precision < 0 else "n")
    return FormatSpec(fill, align, g["sign"] or "-", bool(g["alt"]), width, sep, precision, t, spec)


def _pytype(kind: str) -> str:
    return {"int": "int", "float": "float", "str": "str"}[kind]


__all__ = ["MAX_PRECISION", "FormatSpec", "FormatSpecError", "parse_format_spec"]
