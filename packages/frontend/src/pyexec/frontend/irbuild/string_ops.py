"""Typing string methods and formatting: ``s.upper()`` and the other methods of
:data:`~pyexec.frontend.ir.string_ops.METHODS`, ``str(x)``, ``repr(x)``, ``format(x, spec)`` and f-strings.

What CPython decides when the program is read is decided here, with CPython's own words where it raises
TypeError or ValueError (a wrong argument type or count, a format spec it refuses). Format specs are
parsed now (:func:`~pyexec.frontend.format_spec.parse_format_spec`); the runtime never reads one.

Example:
    >>> from pyexec.frontend import analyze_source, print_function
    >>> m = analyze_source("def f(x: float) -> str:\\n    return f'x={x:.3f}'\\n")
    >>> print(print_function(m.functions["f"]).splitlines()[1])
        return str.join<str>('':str, 'x=':str, format<str>(x, '.3f'))
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from pyexec.frontend.diagnostics import CompileTypeError, UnsupportedSyntaxError
from pyexec.frontend.format_spec import FormatSpecError, parse_format_spec
from pyexec.frontend.ir.nodes import Const, Expr
from pyexec.frontend.ir.string_ops import METHODS, Conversion, StrFormat, StrMethod
from pyexec.frontend.ir.types import BOOL, INT, STR, ScalarT

if TYPE_CHECKING:
    from pyexec.frontend.irbuild.statements import FunctionBuilder

INT64_MAX = 2**63 - 1
SUPPORTED_METHODS = ", ".join(f".{name}()" for name in METHODS)
_RESULTS = {"str": STR, "bool": BOOL, "int": INT}
_CONVERSIONS: dict[int, Conversion] = {-1: "format", ord("s"): "str", ord("r"): "repr"}


class StringOpsBuilder:
    """String methods and formatting for :class:`~pyexec.frontend.irbuild.expressions.ExpressionBuilder`."""

    def str_method(self: FunctionBuilder, base: Expr, node: ast.Call) -> Expr:
        """``base.<method>(...)`` where ``base`` is a string."""
        func = node.func
        assert isinstance(func, ast.Attribute)
        name = func.attr
        if name not in METHODS:
            raise self.error(UnsupportedSyntaxError, func, f"the method '.{name}()' of a str is not supported in "
                             "compiled code", f"supported string methods: {SUPPORTED_METHODS}")
        if node.keywords:
            raise self.error(CompileTypeError, node.keywords[0].value, f"{name}() takes no keyword arguments")
        result, kinds = METHODS[name]
        loc = self.loc(node)
        if kinds == ("L",):
            return StrMethod(name, base, self.join_items(node), STR, loc)
        required = len([k for k in kinds if not k.endswith("?") and k != "i"])
        given = len(node.args)
        if not kinds and given:
            raise self.error(CompileTypeError, node, f"str.{name}() takes no arguments ({given} given)")
        if given < required:
            raise self.error(CompileTypeError, node, f"{name} expected at least {required} argument"
                             f"{'s' if required > 1 else ''}, got {given}")
        if given > len(kinds):
            raise self.error(CompileTypeError, node, f"{name} expected at most {len(kinds)} argument"
                             f"{'s' if len(kinds) > 1 else ''}, got {given}")
        args: list[Expr] = []
        for k, (kind, arg_node) in enumerate(zip(kinds, node.args)):
            if kind == "i":
                if isinstance(arg_node, ast.Constant) and arg_node.value is None and name != "replace":
                    args.append(Const(0 if k == 1 else INT64_MAX, INT, self.loc(arg_node)))
                    continue
                args.append(self.str_int(self.value(arg_node), arg_node, f"the {name}() argument {k + 1}"))
                continue
            if kind == "s?" and isinstance(arg_node, ast.Constant) and arg_node.value is None:
                continue  # strip(None) strips whitespace
            value = self.any_value(arg_node)
            if value.type != STR:
                raise self.error(CompileTypeError, arg_node, _wrong_str(name, k, value.type),
                                 "Python raises TypeError here")
            args.append(value)
        # Omitted optional arguments: slice bounds 0 and INT64_MAX (clamped as Python clamps), count -1.
        while len(args) < len(kinds) and kinds[len(args)] == "i":
            default = -1 if name == "replace" else 0 if len(args) == 1 else INT64_MAX
            args.append(Const(default, INT, loc))
        return StrMethod(name, base, args, _RESULTS[result], loc)

    def join_items(self: FunctionBuilder, node: ast.Call) -> list[Expr]:
        """The strings ``sep.join(...)`` joins: a tuple or list display written in the call."""
        if len(node.args) != 1:
            raise self.error(CompileTypeError, node, f"str.join() takes exactly one argument ({len(node.args)} given)")
        arg = node.args[0]
        if not isinstance(arg, (ast.Tuple, ast.List)):
            raise self.error(UnsupportedSyntaxError, arg, "str.join() in compiled code takes a tuple or list of "
                             "strings written in the call", "write the items: sep.join((a, b, c))")
        items = []
        for k, item_node in enumerate(arg.elts):
            if isinstance(item_node, ast.Starred):
                raise self.error(UnsupportedSyntaxError, item_node, "a starred item in str.join() is not supported")
            item = self.any_value(item_node)
            if item.type != STR:
                raise self.error(CompileTypeError, item_node, f"sequence item {k}: expected str instance, "
                                 f"{_pytype(item.type)} found", "Python raises TypeError here")
            items.append(item)
        return items

    # --- formatting --------------------------------------------------------------------------------------

    def builtin_str(self: FunctionBuilder, node: ast.Call, label: str) -> Expr:
        self.no_keywords(node, label)
        self.arity(node, label, 0, 1)
        if not node.args:
            return Const("", STR, self.loc(node))
        return self.format_value(self.any_value(node.args[0]), "str", "", node.args[0], node)

    def builtin_repr(self: FunctionBuilder, node: ast.Call, label: str) -> Expr:
        self.no_keywords(node, label)
        self.arity(node, label, 1, 1)
        return self.format_value(self.any_value(node.args[0]), "repr", "", node.args[0], node)

    def builtin_format(self: FunctionBuilder, node: ast.Call, label: str) -> Expr:
        self.no_keywords(node, label)
        self.arity(node, label, 1, 2)
        spec = ""
        if len(node.args) == 2:
            spec_node = node.args[1]
            if not (isinstance(spec_node, ast.Constant) and isinstance(spec_node.value, str)):
                raise self.error(UnsupportedSyntaxError, spec_node, "format()'s spec must be a string literal in "
                                 "compiled code", "the spec is read when the function is compiled")
            spec = spec_node.value
        return self.format_value(self.any_value(node.args[0]), "format", spec, node.args[0], node)

    def fstring(self: FunctionBuilder, node: ast.JoinedStr) -> Expr:
        """An f-string: its parts joined (a ``join`` with ``''``; one part alone is that part)."""
        parts: list[Expr] = []
        for part in node.values:
            if isinstance(part, ast.Constant):
                parts.append(Const(part.value, STR, self.loc(part)))
                continue
            assert isinstance(part, ast.FormattedValue)
            conversion = _CONVERSIONS.get(part.conversion)
            if conversion is None:
                raise self.error(UnsupportedSyntaxError, part, "the !a conversion is not supported in compiled code",
                                 "use !r or !s")
            spec = ""
            if part.format_spec is not None:
                assert isinstance(part.format_spec, ast.JoinedStr)
                if not all(isinstance(v, ast.Constant) for v in part.format_spec.values):
                    raise self.error(UnsupportedSyntaxError, part.format_spec, "a replacement field inside a format "
                                     "spec ({x:{width}}) is not supported in compiled code", "write the spec out")
                spec = "".join(v.value for v in part.format_spec.values)  # type: ignore[attr-defined]
            value = self.any_value(part.value)
            if conversion != "format":
                value = self.format_value(value, conversion, "", part.value, part)
                conversion = "format"
            parts.append(self.format_value(value, "format", spec, part.value, part))
        if not parts:
            return Const("", STR, self.loc(node))
        if len(parts) == 1:
            return parts[0]
        return StrMethod("join", Const("", STR, self.loc(node)), parts, STR, self.loc(node))

    def format_value(self: FunctionBuilder, value: Expr, conversion: Conversion, spec: str, value_node: ast.AST,
                     node: ast.AST) -> Expr:
        """``str``/``repr``/``format`` of a typed value: a :class:`StrFormat`, or the string itself when
        nothing changes it (``str(s)``, ``f'{s}'``)."""
        t = value.type
        if t == STR:
            if conversion == "repr":
                raise self.error(UnsupportedSyntaxError, node, "repr() of a str (quoting and escaping) is not "
                                 "supported in compiled code", "use the string itself, or '\\'' + s + '\\''")
            if conversion == "str" or spec == "":
                return value
            kind = "str"
        elif isinstance(t, ScalarT) and t.is_complex and spec == "":
            # str, repr and an empty spec all give CPython's "(1+2j)" (NumPy's digits for complex64)
            return StrFormat(conversion, value, parse_format_spec("", "float"), STR, self.loc(node))
        elif isinstance(t, ScalarT) and not t.is_complex:
            if t.is_bool and (conversion != "format" or spec == ""):
                return StrFormat(conversion, value, parse_format_spec("", "int"), STR, self.loc(node))
            kind = "float" if t.is_float else "int"
        else:
            what = "a complex number with a format spec" if isinstance(t, ScalarT) else f"a value of type {t}"
            raise self.error(UnsupportedSyntaxError, value_node, f"formatting {what} is not supported in compiled "
                             "code", "format its parts (z.real, z.imag)" if isinstance(t, ScalarT) else None)
        try:
            parsed = parse_format_spec(spec, kind)  # type: ignore[arg-type]
        except FormatSpecError as exc:
            unsupported = "compiled code" in str(exc)
            raise self.error(UnsupportedSyntaxError if unsupported else CompileTypeError, node, str(exc),
                             None if unsupported else "Python raises ValueError here") from None
        return StrFormat(conversion, value, parsed, STR, self.loc(node))


def _pytype(t: object) -> str:
    if t == STR:
        return "str"
    if isinstance(t, ScalarT):
        return "bool" if t.is_bool else "float" if t.is_float else "complex" if t.is_complex else "int"
    return str(t)


def _wrong_str(method: str, k: int, t: object) -> str:
    got = _pytype(t)
    if method in ("startswith", "endswith") and k == 0:
        return f"{method} first arg must be str or a tuple of str, not {got}"
    if method in ("strip", "lstrip", "rstrip"):
        return f"{method} arg must be None or str"
    if method == "replace":
        return f"replace() argument {k + 1} must be str, not {got}"
    return f"must be str, not {got}"


__all__ = ["SUPPORTED_METHODS", "StringOpsBuilder"]
