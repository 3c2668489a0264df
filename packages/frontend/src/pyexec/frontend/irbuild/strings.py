"""Typing Python strings: literals, ``+``, ``*`` with an int, ``len``, indexing and slicing by code point,
comparisons, ``in``, ``for ch in s``, ``ord``/``chr``, truthiness.

The rules CPython fixes, and that this module follows:

- a string is one type, ``str`` (:data:`~pyexec.frontend.ir.types.STR`), immutable; a literal with a lone
  surrogate is refused (compiled strings are valid UTF-8, as CPython's UTF-8 encoder requires);
- ``+`` takes two strings (``'a' + 1`` is CPython's TypeError, here at compile time); ``*`` takes a string
  and an integer, either side (a negative count gives ``''``);
- an index or a slice bound is an integer (any width; a bool counts as 0 or 1 as in CPython); indices and
  lengths count code points;
- ``==`` ``!=`` ``<`` ``<=`` ``>`` ``>=`` compare two strings in code point order; a string compared with
  a number is refused here (CPython: ``==`` is False, ``<`` raises TypeError);
- ``x in s`` / ``x not in s`` test for a substring (``x`` must be a string).

Anything else on a string (methods, formatting, ``str(x)``) is a located error naming it, until it is
supported.

Example:
    >>> from pyexec.frontend import analyze_source, print_function
    >>> m = analyze_source("def f(s: str) -> str:\\n    return s + '!'\\n")
    >>> print(print_function(m.functions["f"]).splitlines()[1])
        return concat<str>(s, '!':str)
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from pyexec.frontend.diagnostics import JIT_HINT, CompileTypeError, UnsupportedSyntaxError
from pyexec.frontend.ir.nodes import (
    BoolOp,
    CompareOpKind,
    Const,
    Expr,
    ForStr,
    Slice,
    Stmt,
    StrChr,
    StrCompare,
    StrConcat,
    StrContains,
    StrIndex,
    StrLen,
    StrOrd,
    StrRepeat,
    StrSlice,
    StrTruth,
)
from pyexec.frontend.ir.types import BOOL, INT, STR, ScalarT

if TYPE_CHECKING:
    from pyexec.frontend.irbuild.statements import FunctionBuilder

SUPPORTED_ON_STRINGS = ("+, * with an int, len(), s[i], s[a:b:c], == != < <= > >=, in, for ch in s, ord(), chr(), "
                        "truth (if s:), print()")
"""What compiled code does with a string today (named in the diagnostics)."""
_SYMBOLS = {"sub": "-", "truediv": "/", "floordiv": "//", "mod": "%", "pow": "**", "lshift": "<<", "rshift": ">>",
            "bitand": "&", "bitor": "|", "bitxor": "^"}


class StringBuilder:
    """The string half of :class:`~pyexec.frontend.irbuild.expressions.ExpressionBuilder` (a mixin)."""

    def str_constant(self: FunctionBuilder, node: ast.Constant) -> Expr:
        text = node.value
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            raise self.error(CompileTypeError, node, "this string literal holds a lone surrogate, which UTF-8 "
                             "cannot encode", "compiled strings are UTF-8; CPython's encoder refuses it too") from None
        return Const(text, STR, self.loc(node))

    def str_int(self: FunctionBuilder, e: Expr, node: ast.AST, what: str) -> Expr:
        """An integer operand of a string operation (an index, a bound, a count) as Python's ``int``."""
        t = e.type
        if not (isinstance(t, ScalarT) and (t.is_integer or t.is_bool)):
            raise self.error(CompileTypeError, node, f"{what} must be an integer, not {t}",
                             "Python raises TypeError here")
        if t.kind == "uint" and t.bits == 64:
            raise self.error(CompileTypeError, node, f"{what} of type uint64 may not fit in an int",
                             "convert it with int(...) first")
        return self.cast(e, INT)

    def str_binop(self: FunctionBuilder, op: str, left: Expr, right: Expr, node: ast.BinOp) -> Expr:
        loc = self.loc(node)
        if op == "add":
            if left.type == STR and right.type == STR:
                return StrConcat(left, right, STR, loc)
            other = right.type if left.type == STR else left.type
            if left.type == STR:
                message = f'can only concatenate str (not "{other}") to str'
            else:
                message = f"unsupported operand type(s) for +: '{other}' and 'str'"
            raise self.error(CompileTypeError, node, message, "Python raises TypeError here; convert with str(...)")
        if op == "mul":
            if left.type == STR and right.type == STR:
                raise self.error(CompileTypeError, node, "can't multiply sequence by non-int of type 'str'",
                                 "Python raises TypeError here")
            text, count, count_node = (left, right, node.right) if left.type == STR else (right, left, node.left)
            return StrRepeat(text, self.str_int(count, count_node, "a repeat count"), STR, loc)
        symbol = _SYMBOLS.get(op, op)
        hint = "string formatting with % is not supported; " if op == "mod" else ""
        raise self.error(UnsupportedSyntaxError, node, f"the operator {symbol} is not supported on a str",
                         f"{hint}supported on strings: {SUPPORTED_ON_STRINGS}")

    def str_compare(self: FunctionBuilder, node: ast.Compare, operands: list[Expr] | None = None) -> Expr:
        """A comparison where an operand is a string or an operator is ``in``/``not in`` (``operands``: already
        typed)."""
        nodes = [node.left, *node.comparators]
        if operands is None:
            operands = [self.any_value(n) for n in nodes]
        links: list[Expr] = []
        for k, op in enumerate(node.ops):
            a, b = operands[k], operands[k + 1]
            if 0 < k and len(node.ops) > 1 and not _is_simple(nodes[k]):
                raise self.error(UnsupportedSyntaxError, node, "a chained comparison of strings whose middle "
                                 "operand is computed is not supported", "assign it to a variable first")
            links.append(self.str_link(op, a, b, nodes[k], nodes[k + 1], node))
        if len(links) == 1:
            return links[0]
        return BoolOp("and", links, BOOL, self.loc(node))

    def str_link(self: FunctionBuilder, op: ast.cmpop, a: Expr, b: Expr, left: ast.AST, right: ast.AST,
                 node: ast.Compare) -> Expr:
        loc = self.loc(node)
        if isinstance(op, (ast.In, ast.NotIn)):
            if b.type != STR:
                word = "not in" if isinstance(op, ast.NotIn) else "in"
                raise self.error(UnsupportedSyntaxError, node, f"the '{word}' comparison is not supported on a value "
                                 f"of type {b.type} (only on a string: a substring test)", JIT_HINT)
            if a.type != STR:
                raise self.error(CompileTypeError, left, f"'in <string>' requires string as left operand, not "
                                 f"{a.type}", "Python raises TypeError here")
            return StrContains(a, b, isinstance(op, ast.NotIn), BOOL, loc)
        kinds: dict[type, CompareOpKind] = {ast.Eq: "eq", ast.NotEq: "ne", ast.Lt: "lt", ast.LtE: "le",
                                            ast.Gt: "gt", ast.GtE: "ge"}
        kind = kinds.get(type(op))
        if kind is None:
            raise self.error(UnsupportedSyntaxError, node, "'is' is not supported on strings", "compare with ==")
        if a.type != STR or b.type != STR:
            other = b.type if a.type == STR else a.type
            raise self.error(CompileTypeError, node, f"a str is compared with a value of type {other}",
                             "Python gives False for == and raises TypeError for <; compare two strings")
        return StrCompare(kind, a, b, BOOL, loc)

    def str_len(self: FunctionBuilder, arg: Expr, node: ast.Call) -> Expr:
        return self.mark_weak(StrLen(arg, INT, self.loc(node)))

    def str_subscript(self: FunctionBuilder, base: Expr, node: ast.Subscript) -> Expr:
        loc = self.loc(node)
        index = node.slice
        if isinstance(index, ast.Slice):
            parts = [None if p is None else self.str_int(self.value(p), p, "a slice index")
                     for p in (index.lower, index.upper, index.step)]
            return StrSlice(base, Slice(parts[0], parts[1], parts[2], loc), STR, loc)
        if isinstance(index, ast.Tuple):
            raise self.error(CompileTypeError, node, "string indices must be integers, not 'tuple'",
                             "Python raises TypeError here")
        return StrIndex(base, self.str_int(self.value(index), index, "a string index"), STR, loc)

    def str_truth(self: FunctionBuilder, e: Expr) -> Expr:
        return StrTruth(e, BOOL, e.loc)

    def builtin_ord(self: FunctionBuilder, node: ast.Call, label: str) -> Expr:
        self.no_keywords(node, label)
        self.arity(node, label, 1, 1)
        arg = self.any_value(node.args[0])
        if arg.type != STR:
            raise self.error(CompileTypeError, node.args[0], f"ord() expected string of length 1, but {arg.type} "
                             "found", "Python raises TypeError here")
        return self.mark_weak(StrOrd(arg, INT, self.loc(node)))

    def builtin_chr(self: FunctionBuilder, node: ast.Call, label: str) -> Expr:
        self.no_keywords(node, label)
        self.arity(node, label, 1, 1)
        arg = self.value(node.args[0])
        return StrChr(self.str_int(arg, node.args[0], "chr()'s argument"), STR, self.loc(node))

    def for_str(self: FunctionBuilder, node: ast.For, value: Expr) -> list[Stmt]:
        """``for ch in s``: the string the loop started with (a synthetic local holds it, as Python's iterator
        does), character by character."""
        held, first = self.temp(value, node.iter)
        name = self.target_name(node.target)
        var = self.params.get(name) or self.locals.get(name)
        if var is None:
            var = self.new_local(name, STR, node.target)
        elif var.type != STR:
            raise self.error(CompileTypeError, node.target, f"the loop variable '{name}' has type {var.type}; "
                             "a character of a string (str) cannot be stored in it", "use a new name")
        before = None if self.state is None else set(self.state)
        if self.state is not None:
            self.state.add(name)
        self.loops.append([])
        body = self.block(node.body)
        breaks = self.loops.pop()
        self.state = before
        orelse = self.block(node.orelse)
        from pyexec.frontend.irbuild.statements import merge

        self.state = merge(self.state, *breaks)
        return [first, ForStr(var, self.read(held, node.iter), body, orelse, self.loc(node))]


def _is_simple(node: ast.AST) -> bool:
    return isinstance(node, (ast.Name, ast.Constant))


__all__ = ["SUPPORTED_ON_STRINGS", "StringBuilder"]
