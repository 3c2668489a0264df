"""The stable text form of the typed IR (what golden tests hold).

Every expression shows its type: constants as ``value:type``, operations as ``op<type>(...)``,
calls as ``call name<type>(...)``; names print bare (their types are in the header and ``local``
lines). Statements read like the Python they come from.

Example:
    >>> from pyexec.frontend import analyze_source
    >>> print(print_module(analyze_source("def f(x: int) -> float:\\n    return x / 2\\n", "m.py")))
    module 'm.py'
    <BLANKLINE>
    def f(x: int) -> float64:  # m.py:1:1
        return truediv<float64>(cast<float64>(x), 2.0:float64)
    <BLANKLINE>
"""

from __future__ import annotations

from collections.abc import Callable

from pyexec.frontend.format_spec import FormatSpec
from pyexec.frontend.ir.nodes import (
    ArrayCast,
    ArrayCopy,
    ArrayMap,
    ArrayNew,
    ArrayRange,
    ArrayShape,
    ArraySize,
    ArrayView,
    Assert,
    Assign,
    BinOp,
    BoolOp,
    Break,
    Call,
    Cast,
    Compare,
    Const,
    Continue,
    Expr,
    ExprStmt,
    Eye,
    FillArray,
    FitInt,
    ForRange,
    ForStr,
    Function,
    GetItem,
    If,
    IfExp,
    Intrinsic,
    LinSpace,
    MakeTuple,
    MatMul,
    Module,
    Name,
    Print,
    Reduce,
    Return,
    SetItem,
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
    Transpose,
    TupleItem,
    UnaryOp,
    While,
)
from pyexec.frontend.ir.string_ops import StrFormat, StrMethod

INDENT = "    "


def format_expr(e: Expr) -> str:
    """One expression in the text form.

    Example:
        >>> from pyexec.frontend.ir.nodes import Loc
        >>> from pyexec.frontend.ir.types import UINT8
        >>> format_expr(Const(7, UINT8, Loc("f.py", 1, 0)))
        '7:uint8'
    """
    return _EXPR[type(e)](e)


def _args(items: list[Expr]) -> str:
    return ", ".join(format_expr(a) for a in items)


def _compare(e: Compare) -> str:
    if len(set(e.link_types)) == 1:
        parts = [format_expr(e.operands[0])]
        for op, operand in zip(e.ops, e.operands[1:]):
            parts += [op, format_expr(operand)]
        return f"cmp<{e.link_types[0]}>({' '.join(parts)})"
    parts = [format_expr(e.operands[0])]
    for op, t, operand in zip(e.ops, e.link_types, e.operands[1:]):
        parts += [f"{op}<{t}>", format_expr(operand)]
    return f"cmp({' '.join(parts)})"


_EXPR: dict[type, Callable[..., str]] = {
    Const: lambda e: f"{e.value!r}:{e.type}",
    Name: lambda e: e.var.name,
    Cast: lambda e: f"cast<{e.type}>({format_expr(e.value)})",
    BinOp: lambda e: f"{e.op}<{e.type}>({format_expr(e.left)}, {format_expr(e.right)})",
    UnaryOp: lambda e: f"{e.op}<{e.type}>({format_expr(e.operand)})",
    Compare: _compare,
    BoolOp: lambda e: f"{e.op}<{e.type}>({_args(e.values)})",
    IfExp: lambda e: f"ifexp<{e.type}>({format_expr(e.test)}, {format_expr(e.body)}, {format_expr(e.orelse)})",
    Call: lambda e: f"call {e.callee}<{e.type}>({_args(e.args)})",
    Intrinsic: lambda e: f"{e.name}<{e.type}>({_args(e.args)})",
    MakeTuple: lambda e: f"tuple<{e.type}>({_args(e.items)})",
    TupleItem: lambda e: f"item<{e.type}>({format_expr(e.value)}, {e.index})",
    ArrayShape: lambda e: f"shape<{e.type}>({format_expr(e.array)}, {e.axis})",
    ArrayNew: lambda e: f"new<{e.type}>(({_args(e.shape)}{',' if len(e.shape) == 1 else ''})"
    + ("" if e.fill is None else f", {format_expr(e.fill)}") + ")",
    ArrayView: lambda e: f"view<{e.type}>({format_expr(e.array)}, {_items(e.items)})",
    ArrayMap: lambda e: f"map.{e.op}<{e.type}, {e.compute}>({_args(e.args)})",
    LinSpace: lambda e: f"linspace<{e.type}>({_args([e.start, e.stop, e.num])})",
    Eye: lambda e: f"eye<{e.type}>({_args([e.rows] if e.cols is None else [e.rows, e.cols])})",
    MatMul: lambda e: f"matmul<{e.type}>({format_expr(e.left)}, {format_expr(e.right)})",
    Reduce: lambda e: f"{e.op}<{e.type}>({format_expr(e.array)}" + ("" if e.axis is None else f", axis={e.axis}") + ")",
    Transpose: lambda e: f"transpose<{e.type}>({format_expr(e.array)})",
    ArrayCopy: lambda e: f"copy<{e.type}>({format_expr(e.array)})",
    ArrayCast: lambda e: f"as<{e.type}>({format_expr(e.value)})",
    ArrayRange: lambda e: f"arange<{e.type}>({_args([e.start, e.stop, e.step])})",
    FitInt: lambda e: f"fit<{e.type}>({format_expr(e.value)})",
    ArraySize: lambda e: f"size<{e.type}>({format_expr(e.array)})",
    GetItem: lambda e: f"{_getitem(e)}<{e.type}>({format_expr(e.array)}, {_args(e.indices)})",
    StrConcat: lambda e: f"concat<str>({format_expr(e.left)}, {format_expr(e.right)})",
    StrRepeat: lambda e: f"repeat<str>({format_expr(e.value)}, {format_expr(e.count)})",
    StrLen: lambda e: f"len<{e.type}>({format_expr(e.value)})",
    StrIndex: lambda e: f"charat<str>({format_expr(e.value)}, {format_expr(e.index)})",
    StrSlice: lambda e: f"substr<str>({format_expr(e.value)}, {_items([e.slice])})",
    StrCompare: lambda e: f"strcmp<{e.type}>({format_expr(e.left)} {e.op} {format_expr(e.right)})",
    StrContains: lambda e: f"{'not_in' if e.negate else 'in'}<{e.type}>({format_expr(e.needle)}, "
    f"{format_expr(e.haystack)})",
    StrTruth: lambda e: f"nonempty<{e.type}>({format_expr(e.value)})",
    StrOrd: lambda e: f"ord<{e.type}>({format_expr(e.value)})",
    StrChr: lambda e: f"chr<str>({format_expr(e.value)})",
    StrMethod: lambda e: f"str.{e.method}<{e.type}>({_args([e.value, *e.args])})",
    StrFormat: lambda e: f"{e.conversion}<str>({format_expr(e.value)}, {_spec(e.spec)})"
    if e.conversion == "format" else f"{e.conversion}<str>({format_expr(e.value)})",
}


def _spec(spec: FormatSpec) -> str:
    return repr(spec.text)


def _items(items: list) -> str:
    def one(item: object) -> str:
        if isinstance(item, Slice):
            if item.start is None and item.stop is None and item.step is None:
                return ":"
            parts = ["None" if p is None else format_expr(p) for p in (item.start, item.stop, item.step)]
            return f"slice({', '.join(parts)})"
        return format_expr(item)  # type: ignore[arg-type]

    return ", ".join(one(i) for i in items)


def _getitem(e: GetItem | SetItem) -> str:
    return "getitem" if e.boundscheck else "getitem_unchecked"


def _setitem(s: SetItem) -> str:
    word = "setitem" if s.boundscheck else "setitem_unchecked"
    return f"{word} {format_expr(s.array)}[{_args(s.indices)}] = {format_expr(s.value)}"


def _block(stmts: list[Stmt], depth: int, out: list[str]) -> None:
    if not stmts:
        out.append(INDENT * depth + "pass")
    for s in stmts:
        _STMT[type(s)](s, depth, out)


def _if(s: If, depth: int, out: list[str]) -> None:
    out.append(f"{INDENT * depth}if {format_expr(s.test)}:")
    _block(s.body, depth + 1, out)
    if s.orelse:
        out.append(f"{INDENT * depth}else:")
        _block(s.orelse, depth + 1, out)


def _while(s: While, depth: int, out: list[str]) -> None:
    out.append(f"{INDENT * depth}while {format_expr(s.test)}:")
    _block(s.body, depth + 1, out)
    if s.orelse:
        out.append(f"{INDENT * depth}else:")
        _block(s.orelse, depth + 1, out)


def _for(s: ForRange, depth: int, out: list[str]) -> None:
    rng = f"range({format_expr(s.start)}, {format_expr(s.stop)}, {format_expr(s.step)})"
    for z in s.zipped:  # ranges walked in step: `with i in count(0:int)`, `with y in range(...)`
        if z.stop is None:
            rng += f" with {z.var.name} in count({format_expr(z.start)})"
        else:
            rng += f" with {z.var.name} in range({format_expr(z.start)}, {format_expr(z.stop)}, {format_expr(z.step)})"
    out.append(f"{INDENT * depth}for {s.var.name} in {rng}:")
    _block(s.body, depth + 1, out)
    if s.orelse:
        out.append(f"{INDENT * depth}else:")
        _block(s.orelse, depth + 1, out)


def _for_str(s: ForStr, depth: int, out: list[str]) -> None:
    out.append(f"{INDENT * depth}for {s.var.name} in chars({format_expr(s.value)}):")
    _block(s.body, depth + 1, out)
    if s.orelse:
        out.append(f"{INDENT * depth}else:")
        _block(s.orelse, depth + 1, out)


def _line(text: Callable[..., str]) -> Callable[..., None]:
    def emit(s: Stmt, depth: int, out: list[str]) -> None:
        out.append(INDENT * depth + text(s))

    return emit


def _assert(s: Assert) -> str:
    if s.message is None:
        return f"assert {format_expr(s.test)}"
    message = repr(s.message) if isinstance(s.message, str) else format_expr(s.message)
    return f"assert {format_expr(s.test)}, {message}"


_STMT: dict[type, Callable[[Stmt, int, list[str]], None]] = {
    Assign: _line(lambda s: f"{s.target.name} = {format_expr(s.value)}"),
    If: _if,  # type: ignore[dict-item]
    While: _while,  # type: ignore[dict-item]
    ForRange: _for,  # type: ignore[dict-item]
    ForStr: _for_str,  # type: ignore[dict-item]
    Break: _line(lambda s: "break"),
    Continue: _line(lambda s: "continue"),
    Return: _line(lambda s: "return" if s.value is None else f"return {format_expr(s.value)}"),
    ExprStmt: _line(lambda s: f"expr {format_expr(s.value)}"),
    Assert: _line(_assert),
    SetItem: _line(_setitem),
    FillArray: _line(lambda s: f"fill {format_expr(s.target)} = {format_expr(s.value)}"),
    Print: _line(lambda s: f"print({_args([*s.args])}{', ' if s.args else ''}sep={s.sep!r}, end={s.end!r})"),
}


def print_function(fn: Function) -> str:
    """One function in the text form.

    Example:
        >>> from pyexec.frontend import analyze_source
        >>> print(print_function(analyze_source("def f() -> None:\\n    pass\\n").functions["f"]))
        def f() -> None:  # <string>:1:1
            pass
    """
    params = ", ".join(f"{p.name}: {p.type}" for p in fn.params)
    out = [f"def {fn.name}({params}) -> {fn.return_type}:  # {fn.loc}"]
    for local in fn.locals:
        out.append(f"{INDENT}local {local.name}: {local.type}" + ("  # synthetic" if local.synthetic else ""))
    _block(fn.body, 1, out)
    return "\n".join(out)


def print_module(module: Module) -> str:
    """A module in the text form: a header line, then each function followed by a blank line."""
    parts = [f"module {module.source_file!r}", ""]
    for fn in module.functions.values():
        parts += [print_function(fn), ""]
    return "\n".join(parts)
