"""IR nodes of string methods and formatting (``s.upper()``, ``str(x)``, f-strings), beside the string
value's nodes in :mod:`pyexec.frontend.ir.nodes`.

- :class:`StrMethod` is one method call on a ``str``: ``s.find(sub, start, end)`` is
  ``StrMethod("find", s, [sub, start, end])`` with every optional argument filled in (``start`` 0,
  ``end`` INT64_MAX, ``count`` -1, ``chars`` absent); ``sep.join((a, b))`` lists the items.
- :class:`StrFormat` turns a number or a string into text: ``str(x)``, ``repr(x)``, ``format(x, spec)``
  and each ``{x:spec}`` of an f-string, with the spec parsed at compile time
  (:class:`~pyexec.frontend.format_spec.FormatSpec`). An f-string is a ``join`` of its parts with ``''``.

Example:
    >>> from pyexec.frontend import analyze_source, print_function
    >>> m = analyze_source("def f(s: str) -> str:\\n    return s.upper()\\n")
    >>> print(print_function(m.functions["f"]).splitlines()[1])
        return str.upper<str>(s)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from pyexec.frontend.format_spec import FormatSpec
from pyexec.frontend.ir.types import ScalarT, StrT

if TYPE_CHECKING:
    from pyexec.frontend.ir.nodes import Expr, Loc

METHODS: dict[str, tuple[str, tuple[str, ...]]] = {
    # name: (result kind, argument kinds after the string): s str, i int, L str items (join)
    "upper": ("str", ()), "lower": ("str", ()),
    "strip": ("str", ("s?",)), "lstrip": ("str", ("s?",)), "rstrip": ("str", ("s?",)),
    "startswith": ("bool", ("s", "i", "i")), "endswith": ("bool", ("s", "i", "i")),
    "find": ("int", ("s", "i", "i")), "count": ("int", ("s", "i", "i")),
    "replace": ("str", ("s", "s", "i")),
    "isdigit": ("bool", ()), "isalpha": ("bool", ()), "isspace": ("bool", ()),
    "join": ("str", ("L",)),
}
"""The string methods compiled code has, with what they take (every argument present in the IR except
``strip``'s optional ``chars``) and give."""

Conversion = Literal["str", "repr", "format"]


@dataclass(eq=False)
class StrMethod:
    """``value.<method>(*args)`` on a string (see :data:`METHODS`); a string result is a new string."""

    method: str
    value: Expr
    args: list[Expr]
    type: StrT | ScalarT
    loc: Loc


@dataclass(eq=False)
class StrFormat:
    """``str(value)``, ``repr(value)`` or ``format(value, spec)`` (``conversion``) of a number or a string,
    exactly as CPython (and NumPy for its scalar types) prints it; a complex number only with an empty
    spec (``'(1+2j)'``)."""

    conversion: Conversion
    value: Expr
    spec: FormatSpec
    type: StrT
    loc: Loc


__all__ = ["METHODS", "StrFormat", "StrMethod"]
