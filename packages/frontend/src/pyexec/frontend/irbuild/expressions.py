"""Typing Python expressions: one method per AST node kind, each returning a typed IR expression.

The :class:`ExpressionBuilder` is the half of the function builder that knows expressions; the
statement half (:mod:`pyexec.frontend.irbuild.statements`) owns locals and control flow.

Example:
    >>> from pyexec.frontend import analyze_source, print_function
    >>> m = analyze_source("from pyexec import int8\\ndef f(x: int8) -> int8:\\n    return x * 2\\n")
    >>> print(print_function(m.functions["f"]).splitlines()[1])
        return mul<int8>(x, 2:int8)
"""

from __future__ import annotations

import ast
import difflib
import math
from collections.abc import Callable, Sequence
from itertools import pairwise
from types import ModuleType
from typing import TYPE_CHECKING

from pyexec.frontend.diagnostics import (
    JIT_HINT,
    CompileError,
    CompileNameError,
    CompileTypeError,
    UnsupportedSyntaxError,
)
from pyexec.frontend.environment import (
    Binding,
    BuiltinBinding,
    ConstBinding,
    FunctionBinding,
    MathFunctionBinding,
    MathModuleBinding,
    ModuleBinding,
    NumpyFunctionBinding,
    OtherBinding,
    TypeBinding,
)
from pyexec.frontend.ir.nodes import (
    BinOp,
    BinOpKind,
    BoolOp,
    Call,
    Cast,
    Compare,
    CompareOpKind,
    Const,
    Expr,
    IfExp,
    Intrinsic,
    Loc,
    Local,
    MakeTuple,
    Name,
    Param,
    TupleItem,
    UnaryOp,
)
from pyexec.frontend.ir.types import (
    BOOL,
    BY_NAME,
    COMPLEX64,
    COMPLEX128,
    FLOAT32,
    FLOAT64,
    INT,
    NONE,
    STR,
    UINT64,
    ArrayT,
    IRType,
    ScalarT,
    StrT,
    TupleT,
    ValueT,
)
from pyexec.frontend.irbuild.arrays import ArgumentType, ArrayBuilder
from pyexec.frontend.irbuild.intrinsics import (
    MATH_CONSTANTS,
    MATH_FUNCTIONS,
    MATH_INTEGER_FUNCTIONS,
    MATH_OTHER,
    MATH_SCALED,
)
from pyexec.frontend.irbuild.literals import fits, fold_cast
from pyexec.frontend.irbuild.string_ops import StringOpsBuilder
from pyexec.frontend.irbuild.strings import SUPPORTED_ON_STRINGS, StringBuilder
from pyexec.frontend.promotion import category, promote

if TYPE_CHECKING:
    from pyexec.frontend.irbuild.module import ModuleBuilder
    from pyexec.frontend.source import FunctionSource

BINOPS: dict[type, BinOpKind] = {
    ast.Add: "add", ast.Sub: "sub", ast.Mult: "mul", ast.Div: "truediv", ast.FloorDiv: "floordiv",
    ast.Mod: "mod", ast.Pow: "pow", ast.LShift: "lshift", ast.RShift: "rshift", ast.BitAnd: "bitand",
    ast.BitOr: "bitor", ast.BitXor: "bitxor",
}
SYMBOLS: dict[str, str] = {
    "add": "+", "sub": "-", "mul": "*", "truediv": "/", "floordiv": "//", "mod": "%", "pow": "**",
    "lshift": "<<", "rshift": ">>", "bitand": "&", "bitor": "|", "bitxor": "^",
}
COMPARES: dict[type, CompareOpKind] = {
    ast.Eq: "eq", ast.NotEq: "ne", ast.Lt: "lt", ast.LtE: "le", ast.Gt: "gt", ast.GtE: "ge",
}
_BITWISE = ("lshift", "rshift", "bitand", "bitor", "bitxor")

UNSUPPORTED_EXPRESSIONS: dict[type, str] = {
    ast.List: "a list", ast.Dict: "a dict", ast.Set: "a set",
    ast.ListComp: "a list comprehension", ast.SetComp: "a set comprehension",
    ast.DictComp: "a dict comprehension", ast.GeneratorExp: "a generator expression",
    ast.Lambda: "a lambda", ast.JoinedStr: "an f-string", ast.FormattedValue: "an f-string",
    ast.Slice: "a slice", ast.Starred: "a starred expression",
    ast.Yield: "yield (a generator)", ast.YieldFrom: "yield from (a generator)", ast.Await: "await",
    ast.NamedExpr: "an assignment expression (:=)",
}

COMPONENT = {COMPLEX64: FLOAT32, COMPLEX128: FLOAT64}

ItemFlags = tuple[tuple[bool, bool], ...]
"""Per item of a tuple value: (a Python number, weak in promotion; NumPy's ``bool_``)."""
_TUPLE_USES = ("compiled code uses a tuple as a whole (assign it, pass it, return it, unpack it, compare it "
               "with == or !=) or one item at a time with a constant index (t[0])")


def is_safe(e: Expr) -> bool:
    """Whether evaluating ``e`` can neither fail nor do anything (so it may be skipped or repeated):
    constants and variable reads, and tuples and items of those."""
    if isinstance(e, (Const, Name)):
        return True
    if isinstance(e, TupleItem):
        return is_safe(e.value)
    if isinstance(e, MakeTuple):
        return all(is_safe(i) for i in e.items)
    return False


def same_object(a: Expr, b: Expr) -> bool:
    """Whether CPython would hold the very same object for ``a`` and ``b`` (reads of one variable, or of
    one item of it, or one constant)."""
    if isinstance(a, Name) and isinstance(b, Name):
        return a.var is b.var
    if isinstance(a, TupleItem) and isinstance(b, TupleItem):
        return a.index == b.index and same_object(a.value, b.value)
    if isinstance(a, Const) and isinstance(b, Const):
        return a.type == b.type and repr(a.value) == repr(b.value)
    return False


def has_call(e: Expr) -> bool:
    """Whether ``e`` calls a function (evaluating it twice would run the call twice)."""
    if isinstance(e, Call):
        return True
    for v in vars(e).values():
        for child in v if isinstance(v, list) else [v]:
            if hasattr(child, "loc") and not isinstance(child, (Param, Local, Loc)) and has_call(child):
                return True
    return False


def describe(t: IRType) -> str:
    """A type as a user reads it in a message (``int``, ``float64``, ``str``)."""
    return str(t)


class ExpressionBuilder(ArrayBuilder, StringBuilder, StringOpsBuilder):
    """Types expressions of one function (the statement builder sets the state it reads)."""

    src: FunctionSource
    module: ModuleBuilder
    params: dict[str, Param]
    locals: dict[str, Local]
    local_names: set[str]
    state: set[str] | None
    weak: set[Expr]
    numpy_bools: set[Expr]
    tuple_flags: dict[Expr, ItemFlags]

    # --- small tools ---------------------------------------------------------------------------

    def loc(self, node: ast.AST) -> Loc:
        return self.src.loc(node)

    def error(self, cls: type[CompileError], node: ast.AST, message: str, hint: str | None = None) -> CompileError:
        return self.src.error(cls, node, message, hint)

    def is_weak(self, e: Expr) -> bool:
        return e in self.weak or e.type == INT

    def mark_numpy_bool(self, e: Expr, numpy: bool = True) -> Expr:
        """Note that a bool value is NumPy's ``bool_`` (its arithmetic is NumPy's: ``+`` is a logical or)."""
        if numpy and e.type == BOOL:
            self.numpy_bools.add(e)
        return e

    def mark_weak(self, e: Expr, weak: bool = True) -> Expr:
        if weak:
            self.weak.add(e)
        return e

    def cast(self, e: Expr, t: ScalarT) -> Expr:
        """``e`` converted to ``t`` (a Cast node, or a folded constant when that is exact)."""
        if e.type == t:
            return e
        if isinstance(e, Const) and not isinstance(e.value, str):
            folded = fold_cast(e.value, t)
            if folded is not None:
                return Const(folded, t, e.loc)
        return Cast(e, t, e.loc)

    def convert(self, e: Expr, t: ScalarT, node: ast.AST) -> Expr:
        """An implicit conversion to ``t`` after promotion: a weak integer literal must fit ``t``."""
        if e.type == t:
            return e
        # only a Python int (weak) can be out of range: a folded cast such as int32(300) is a NumPy
        # value, and storing it in another width wraps like NumPy's astype (issue 12)
        if isinstance(e, Const) and e.type == INT and not isinstance(e.value, bool) and t.is_integer:
            if not fits(e.value, t):
                raise self.error(
                    CompileTypeError, node, f"the integer {e.value} does not fit in {t}",
                    f"NumPy raises OverflowError here; convert explicitly ({t}({e.value}) wraps) or use a wider type",
                )
        return self.cast(e, t)

    def arithmetic(self, e: Expr) -> Expr:
        """A bool operand of arithmetic behaves as ``int`` (``True + 1 == 2``)."""
        if e.type == BOOL:
            return self.mark_weak(self.cast(e, INT))
        return e

    def to_bool(self, e: Expr) -> Expr:
        """Truthiness as an explicit cast to bool (``if x:``; a string is true when not empty)."""
        if e.type == BOOL:
            return e
        if e.type == STR:
            return self.str_truth(e)
        assert isinstance(e.type, ScalarT)
        return self.cast(e, BOOL)

    def assign_convert(self, e: Expr, t: ValueT, node: ast.AST, what: str, hint: str | None = None) -> Expr:
        """Convert a value stored into something of type ``t`` (a local, a parameter, a return value).

        Allowed: the same type; bool to anything; int to int, float or complex; float to float or
        complex; complex to complex. Anything else is a CompileTypeError whose hint names the cast.
        """
        s = e.type
        if isinstance(t, TupleT) or isinstance(s, TupleT):
            return self.tuple_convert(e, t, node, what)  # type: ignore[arg-type]
        if t == STR or s == STR:
            if s != t:
                raise self.error(CompileTypeError, node, f"{what} has type {t}; a value of type {s} cannot be "
                                 "stored in it", "a variable keeps the type of its first assignment")
            return e
        if not isinstance(s, ScalarT):
            raise self.error(CompileTypeError, node, f"{what} needs a number, not {describe(s)}")
        if s == t:
            return e
        cs, ct = category(s), category(t)
        if not (cs == 0 or cs == ct or (ct > cs and ct != 0)):
            if ct == 0:
                hint = "use bool(...) to test a value's truth"
            elif cs == 3:
                hint = "use z.real, z.imag or abs(z)"
            else:
                cast = f"use {'int' if t == INT else t}(...) to convert explicitly (it truncates toward zero)"
                hint = cast if hint is None else f"{hint}; or {cast}"
            message = f"{what} has type {t}; a value of type {s} cannot be stored in it"
            raise self.error(CompileTypeError, node, message, hint)
        return self.convert(e, t, node)

    def suggest(self, name: str, candidates: Sequence[str]) -> str | None:
        if name in BY_NAME and name not in candidates:
            return f"import it first: from pyexec import {name}"
        close = difflib.get_close_matches(name, list(dict.fromkeys(candidates)), n=1)
        return f"did you mean '{close[0]}'?" if close else None

    # --- dispatch ------------------------------------------------------------------------------

    def expr(self, node: ast.expr) -> Expr:
        """Type one expression (any IR type, including ``None`` for a call of a None function)."""
        method = _EXPRESSIONS.get(type(node))
        if method is None:
            what = UNSUPPORTED_EXPRESSIONS.get(type(node), f"this expression ({type(node).__name__})")
            raise self.error(UnsupportedSyntaxError, node, f"{what} is not supported in compiled code", JIT_HINT)
        return method(self, node)

    def value(self, node: ast.expr, allow_str: bool = False) -> Expr:
        """Type an expression that must produce a number (or a string, with ``allow_str``)."""
        e = self.any_value(node)
        if isinstance(e.type, TupleT):
            raise self.error(CompileTypeError, node, f"a tuple ({e.type}) cannot be used here", _TUPLE_USES)
        if isinstance(e.type, ArrayT):
            self.refuse_array(e, node)
        if e.type == STR and not allow_str:
            raise self.error(UnsupportedSyntaxError, node, f"'{ast.unparse(node)}' is a str; compiled code does not "
                             "support this use of a string", f"supported on strings: {SUPPORTED_ON_STRINGS}")
        return e

    def any_value(self, node: ast.expr) -> Expr:
        """Type an expression that must produce a value: a number, a tuple or an array."""
        e = self.expr(node)
        if e.type == NONE:
            raise self.error(
                CompileTypeError, node, "this call returns None; its result cannot be used as a value",
                "call it as a statement on its own line",
            )
        return e

    # --- tuples --------------------------------------------------------------------------------

    def flags_of(self, e: Expr) -> ItemFlags:
        """Which items of a tuple value are Python numbers (weak) or NumPy bools."""
        assert isinstance(e.type, TupleT)
        found = self.tuple_flags.get(e)
        if found is None:
            if isinstance(e, Name):
                found = self.module.tuple_var_flags.get(id(e.var))
            elif isinstance(e, Call):
                found = self.module.tuple_returns.get(e.callee)
        return found or tuple((t == INT, False) for t in e.type.items)

    def with_flags(self, e: Expr, flags: ItemFlags) -> Expr:
        self.tuple_flags[e] = flags
        return e

    def tuple_display(self, node: ast.Tuple) -> Expr:
        """``(a, b)``: each item keeps its own type and weakness (the tuple as a whole is not weak)."""
        if not node.elts:
            raise self.error(UnsupportedSyntaxError, node, "the empty tuple is not supported in compiled code",
                             "tuples here hold one or more numbers")
        items = []
        for elt in node.elts:
            if isinstance(elt, ast.Starred):
                raise self.error(UnsupportedSyntaxError, elt, "a starred item in a tuple is not supported", JIT_HINT)
            e = self.any_value(elt)
            if isinstance(e.type, TupleT):
                raise self.error(CompileTypeError, elt, "a tuple inside a tuple is not supported in compiled code",
                                 "compiled tuples hold numbers only; flatten it")
            if not isinstance(e.type, ScalarT):
                raise self.error(UnsupportedSyntaxError, elt, f"a tuple holding a {e.type} value is not supported "
                                 "in compiled code yet (tuples hold numbers)",
                                 f"return or pass the {e.type} value on its own; otherwise {JIT_HINT}")
            items.append(e)
        t = TupleT(tuple(i.type for i in items))  # type: ignore[misc]
        return self.with_flags(MakeTuple(items, t, self.loc(node)),
                               tuple((self.is_weak(i), i in self.numpy_bools) for i in items))

    def item(self, value: Expr, index: int, node: ast.AST) -> Expr:
        """``value[index]`` for a tuple value and a constant index (negative counts from the end)."""
        t = value.type
        assert isinstance(t, TupleT)
        n = len(t.items)
        if not -n <= index < n:
            raise self.error(CompileError, node, f"tuple index out of range (index {index}, {t} has {n} "
                             f"item{'s' if n != 1 else ''})", "CPython raises IndexError here")
        index %= n
        if isinstance(value, MakeTuple) and is_safe(value):
            return value.items[index]  # (a, b)[0] is a: nothing else to evaluate
        weak, numpy = self.flags_of(value)[index]
        e = self.mark_weak(TupleItem(value, index, t.items[index], self.loc(node)), weak)
        return self.mark_numpy_bool(e, numpy)

    def tuple_subscript(self, base: Expr, node: ast.Subscript) -> Expr:
        """``t[k]`` of a tuple value ``base`` (arrays: :meth:`ArrayBuilder.subscript`, which calls this)."""
        index = node.slice
        if isinstance(index, ast.Slice):
            raise self.error(UnsupportedSyntaxError, index, "slicing a tuple is not supported in compiled code",
                             "take the items one by one: (t[0], t[1])")
        sign = 1
        if isinstance(index, ast.UnaryOp) and isinstance(index.op, (ast.USub, ast.UAdd)):
            sign = -1 if isinstance(index.op, ast.USub) else 1
            index = index.operand
        if not (isinstance(index, ast.Constant) and isinstance(index.value, int)):
            raise self.error(UnsupportedSyntaxError, node.slice, "a tuple index must be a constant integer in "
                             "compiled code", "items of a tuple may have different types, so the index must be "
                             "known when compiling; unpack the tuple (a, b = t) or use t[0], t[1]")
        return self.item(base, sign * int(index.value), node)

    def tuple_convert(self, e: Expr, t: ValueT, node: ast.AST, what: str) -> Expr:
        """A tuple value stored into a tuple of ``t``'s type: item by item, as scalars are stored."""
        s = e.type
        if not isinstance(s, TupleT) or not isinstance(t, TupleT):
            raise self.error(CompileTypeError, node, f"{what} has type {t}; a value of type {describe(s)} "
                             "cannot be stored in it")
        if s == t:
            return e
        if len(s.items) != len(t.items):
            raise self.error(CompileTypeError, node, f"{what} has type {t} ({len(t.items)} items); a tuple of "
                             f"{len(s.items)} items ({s}) cannot be stored in it")
        if not (isinstance(e, MakeTuple) or is_safe(e)):
            raise self.error(CompileTypeError, node, f"{what} has type {t}; this {s} value would need its items "
                             "converted", "assign it to a variable first, or convert the items where the tuple "
                             "is built")
        parts = e.items if isinstance(e, MakeTuple) else [self.item(e, i, node) for i in range(len(s.items))]
        items = [self.assign_convert(p, it, node, f"item {i} of {what}") for i, (p, it) in
                 enumerate(zip(parts, t.items))]
        return self.with_flags(MakeTuple(items, t, e.loc), tuple((self.is_weak(i), i in self.numpy_bools)
                                                                 for i in items))

    def tuple_compare(self, ops: list[CompareOpKind], operands: list[Expr], node: ast.Compare) -> Expr:
        """``t == u`` / ``t != u`` item by item, each item pair compared as scalars are."""
        loc = self.loc(node)
        if len(ops) != 1 or ops[0] not in ("eq", "ne"):
            raise self.error(UnsupportedSyntaxError, node, "tuples can only be compared with one == or != in "
                             "compiled code", "compare the items: t[0] < u[0] or (t[0] == u[0] and t[1] < u[1])")
        a, c = operands
        if not (is_safe(a) and is_safe(c)):
            raise self.error(UnsupportedSyntaxError, node, "comparing a tuple that is computed in the comparison "
                             "is not supported", "assign the tuple to a variable first (t = f(x)), then compare")
        eq = ops[0] == "eq"
        if not (isinstance(a.type, TupleT) and isinstance(c.type, TupleT)) or len(a.type.items) != len(c.type.items):
            return Const(not eq, BOOL, loc)  # a tuple never equals a number, nor a tuple of another length
        links = []
        for i in range(len(a.type.items)):
            x, y = self.item(a, i, node), self.item(c, i, node)
            if same_object(x, y):
                # CPython compares tuple items with PyObject_RichCompareBool, which finds an object equal
                # to itself: t == t is True even with a NaN item
                links.append(Const(eq, BOOL, loc))
            else:
                links.append(self.compare_values(ops, [x, y], node))
        for link in links:
            self.numpy_bools.discard(link)  # comparing tuples gives Python's bool, whatever the items
        if len(links) == 1:
            return links[0]
        return BoolOp("and" if eq else "or", links, BOOL, loc)

    def tuple_len(self, arg: Expr, node: ast.Call) -> Expr:
        """``len(t)`` of a tuple ``arg``: its length, a constant (arrays: :meth:`ArrayBuilder.builtin_len`)."""
        if not is_safe(arg):
            raise self.error(UnsupportedSyntaxError, node, "len() of a tuple computed in the call is not supported",
                             "assign the tuple to a variable first")
        return self.mark_weak(Const(len(arg.type.items), INT, self.loc(node)))

    # --- leaves --------------------------------------------------------------------------------

    def constant(self, node: ast.Constant) -> Expr:
        v = node.value
        loc = self.loc(node)
        if isinstance(v, bool):
            return Const(v, BOOL, loc)
        if isinstance(v, int):
            if not fits(v, INT):
                raise self.error(
                    CompileTypeError, node, f"the integer {v} does not fit in 64 bits",
                    "compiled int is a 64-bit integer; big integers need @pyexec.jit or plain Python",
                )
            return self.mark_weak(Const(v, INT, loc))
        if isinstance(v, float):
            return self.mark_weak(Const(v, FLOAT64, loc))
        if isinstance(v, complex):
            return self.mark_weak(Const(v, COMPLEX128, loc))
        if isinstance(v, str):
            return self.str_constant(node)
        if v is None:
            raise self.error(
                UnsupportedSyntaxError, node, "None is not a value in compiled code (only 'return None' in a -> None "
                "function)", JIT_HINT,
            )
        raise self.error(UnsupportedSyntaxError, node, f"{type(v).__name__} constants are not supported", JIT_HINT)

    def name(self, node: ast.Name) -> Expr:
        ident = node.id
        loc = self.loc(node)
        if ident in self.params:
            param = self.params[ident]
            name = self.mark_weak(Name(param, param.type, loc), id(param) in self.module.python_numbers)
            return self.mark_numpy_bool(name, id(param) in self.module.numpy_bool_vars)
        if ident in self.local_names:
            local = self.locals.get(ident)
            if local is None or (self.state is not None and ident not in self.state):
                raise self.error(
                    CompileNameError, node, f"local variable '{ident}' is used before it is assigned",
                    "assign it on every path before this line (Python would raise UnboundLocalError)",
                )
            name = self.mark_weak(Name(local, local.type, loc), id(local) in self.module.python_numbers)
            return self.mark_numpy_bool(name, id(local) in self.module.numpy_bool_vars)
        binding = self.src.env.lookup(ident)
        if binding is None:
            raise self.error(
                CompileNameError, node, f"name '{ident}' is not defined",
                self.suggest(ident, [*self.params, *self.local_names, *self.src.env.names()]),
            )
        return self.global_value(binding, ident, node)

    def global_value(self, binding: Binding, label: str, node: ast.expr) -> Expr:
        """A global (or module attribute) read as a value: only numbers can be."""
        loc = self.loc(node)
        if isinstance(binding, ConstBinding):
            v = binding.value
            if binding.type_name is not None:
                t = BY_NAME[binding.type_name]
                assert isinstance(t, ScalarT)
                folded = fold_cast(v, t)
                return Const(v if folded is None else folded, t, loc)
            if isinstance(v, bool):
                return Const(v, BOOL, loc)
            if isinstance(v, int):
                if not fits(v, INT):
                    raise self.error(
                        CompileTypeError, node, f"the module constant '{label}' = {v} does not fit in 64 bits",
                        "compiled int is a 64-bit integer",
                    )
                return self.mark_weak(Const(v, INT, loc))
            return self.mark_weak(Const(v, FLOAT64 if isinstance(v, float) else COMPLEX128, loc))
        if isinstance(binding, MathFunctionBinding) and binding.name in MATH_CONSTANTS:
            return self.mark_weak(Const(MATH_CONSTANTS[binding.name], FLOAT64, loc))
        if isinstance(binding, TypeBinding):
            raise self.error(
                CompileTypeError, node, f"'{label}' is a type, not a value",
                f"call it to convert a value ({label}(x)) or use it in an annotation",
            )
        if isinstance(binding, (FunctionBinding, BuiltinBinding, MathFunctionBinding, NumpyFunctionBinding)):
            raise self.error(
                UnsupportedSyntaxError, node, f"the function '{label}' cannot be used as a value (only called)",
                JIT_HINT,
            )
        if isinstance(binding, (ModuleBinding, MathModuleBinding)):
            raise self.error(UnsupportedSyntaxError, node, f"the module '{label}' cannot be used as a value", JIT_HINT)
        assert isinstance(binding, OtherBinding)
        if "enclosing function" in binding.description:  # a closure cell: its description gives the reason
            raise self.error(UnsupportedSyntaxError, node, f"'{label}' is {binding.description}", JIT_HINT)
        raise self.error(
            UnsupportedSyntaxError, node,
            f"the global '{label}' is {binding.description}; compiled code reads only numbers (int, float, bool, "
            "complex) from module level", JIT_HINT,
        )

    def global_binding(self, node: ast.expr) -> Binding | None:
        """The binding a ``Name`` or ``module.attr`` chain refers to when it is not a local, else None."""
        if isinstance(node, ast.Name):
            if node.id in self.params or node.id in self.local_names:
                return None
            return self.src.env.lookup(node.id)
        if isinstance(node, ast.Attribute):
            base = self.global_binding(node.value)
            if isinstance(base, MathModuleBinding):
                return MathFunctionBinding(node.attr)
            if isinstance(base, ModuleBinding):
                found = self.src.env.attribute(base, node.attr)
                if found is None:
                    real = base.module if isinstance(base.module, ModuleType) else None
                    if base.name == "numpy" or (real is not None and hasattr(real, node.attr)):
                        # it exists (np.linalg, np.fft, …): compiled code just does not know it
                        raise self.error(
                            UnsupportedSyntaxError, node, f"'{ast.unparse(node)}' is not supported in compiled code",
                            "compiled code knows the NumPy functions listed under Arrays in docs/backends/native.md; "
                            + JIT_HINT,
                        )
                    raise self.error(
                        CompileNameError, node, f"module '{base.name}' has no attribute '{node.attr}'",
                    )
                return found
        return None

    def attribute(self, node: ast.Attribute) -> Expr:
        binding = self.global_binding(node)
        loc = self.loc(node)
        if binding is not None:
            if isinstance(binding, MathFunctionBinding):
                self.check_math_name(binding.name, node)
            return self.global_value(binding, ast.unparse(node), node)
        base = self.any_value(node.value)
        if isinstance(base.type, ArrayT):
            return self.array_attribute(base, node)
        if isinstance(base.type, TupleT):
            raise self.error(UnsupportedSyntaxError, node, f"the attribute '.{node.attr}' of a tuple is not supported "
                             "in compiled code", _TUPLE_USES)
        if base.type == STR:
            raise self.error(UnsupportedSyntaxError, node, f"the attribute '.{node.attr}' of a str is not supported "
                             "in compiled code yet", f"supported on strings: {SUPPORTED_ON_STRINGS}")
        assert isinstance(base.type, ScalarT)
        if node.attr in ("real", "imag"):
            base = self.arithmetic(base)
            assert isinstance(base.type, ScalarT)
            if base.type.is_complex:
                part = Intrinsic(f"complex.{node.attr}", [base], COMPONENT[base.type], loc)  # type: ignore[arg-type]
                return self.mark_weak(part, self.is_weak(base))  # a Python complex's parts are Python floats
            if base.type.is_integer or base.type.is_float:
                if node.attr == "real":
                    return base
                zero = Const(0 if base.type.is_integer else 0.0, base.type, loc)
                return self.mark_weak(zero, self.is_weak(base))
        raise self.error(
            UnsupportedSyntaxError, node, f"the attribute '.{node.attr}' of a {base.type} value is not supported",
            "compiled code knows .real, .imag and .conjugate() of numbers; " + JIT_HINT,
        )

    def check_math_name(self, name: str, node: ast.AST) -> None:
        """A ``math`` name the subset does not know is an error naming the closest one."""
        known = name in MATH_FUNCTIONS or name in MATH_CONSTANTS or name in MATH_SCALED \
            or name in MATH_INTEGER_FUNCTIONS or name in MATH_OTHER
        if known and not hasattr(math, name):  # math.cbrt and math.exp2 are new in Python 3.11
            raise self.error(CompileNameError, node, f"module 'math' has no attribute '{name}' in this Python",
                             "it is new in Python 3.11")
        if known:
            return
        if hasattr(math, name):
            raise self.error(UnsupportedSyntaxError, node, f"math.{name} is not supported in compiled code", JIT_HINT)
        raise self.error(
            CompileNameError, node, f"module 'math' has no attribute '{name}'",
            self.suggest(name, [*MATH_FUNCTIONS, *MATH_CONSTANTS, *MATH_SCALED, *MATH_INTEGER_FUNCTIONS, *MATH_OTHER]),
        )

    # --- operators -----------------------------------------------------------------------------

    def binop(self, node: ast.BinOp) -> Expr:
        op = BINOPS.get(type(node.op))
        left, right = self.any_value(node.left), self.any_value(node.right)
        for side, e in ((node.left, left), (node.right, right)):
            if isinstance(e.type, TupleT):
                raise self.error(CompileTypeError, side, f"a tuple ({e.type}) cannot be used here", _TUPLE_USES)
        if left.type == STR or right.type == STR:
            return self.str_binop(op or "matmul", left, right, node)
        if isinstance(left.type, ArrayT) or isinstance(right.type, ArrayT):
            if op is None:
                return self.matmul(left, right, node, "'@'")
            return self.array_binop(op, left, right, node)
        if op is None:
            raise self.error(UnsupportedSyntaxError, node, "matrix multiplication (@) is not supported on numbers",
                             JIT_HINT)
        return self.arith(op, left, right, node)

    def arith(self, op: BinOpKind, left: Expr, right: Expr, node: ast.AST) -> Expr:
        """The typed ``left <op> right`` with promotion and explicit casts."""
        loc = self.loc(node)
        if op in ("bitand", "bitor", "bitxor") and left.type == BOOL and right.type == BOOL:
            numpy = left in self.numpy_bools or right in self.numpy_bools
            return self.mark_numpy_bool(BinOp(op, left, right, BOOL, loc), numpy)
        if left in self.numpy_bools or right in self.numpy_bools:
            return self.numpy_bool_arith(op, left, right, node)
        left, right = self.arithmetic(left), self.arithmetic(right)
        lt, rt = left.type, right.type
        assert isinstance(lt, ScalarT) and isinstance(rt, ScalarT)
        t, weak = promote(lt, self.is_weak(left), rt, self.is_weak(right))
        bad = (op in _BITWISE and not t.is_integer) or (op in ("floordiv", "mod") and t.is_complex)
        if bad:
            raise self.error(
                CompileTypeError, node,
                f"unsupported operand types for {SYMBOLS[op]}: '{lt}' and '{rt}'",
                "Python raises TypeError here" + (" (bitwise operators need integers)" if op in _BITWISE else ""),
            )
        if op == "truediv" and t.is_integer:
            # the operands meet at their integer type first (a Python int beside a fixed width takes the
            # documented wrapping cast, as for every other operator), then divide as float64
            left, right = self.convert(left, t, node), self.convert(right, t, node)
            t = FLOAT64
        # Python's int ** negative int is a float; NumPy's fixed widths raise ValueError at run time
        # (np.int32(3) ** np.int8(-2): "Integers to negative integer powers are not allowed."),
        # which the lowering does
        if op == "pow" and t == INT and isinstance(right, Const) and isinstance(right.value, int) \
                and right.value < 0:
            raise self.error(
                CompileTypeError, node, "an integer to a negative power is a float in Python",
                "write the base as a float (2.0 ** -1) or convert it with float(...)",
            )
        if op == "pow" and t.is_complex and not weak:
            # a NumPy complex operand: NumPy's power (no exceptions; its own integer-exponent loop)
            args = [self.convert(left, t, node), self.convert(right, t, node)]
            return Intrinsic("complex.numpy_pow", args, t, loc)  # type: ignore[arg-type]
        if op == "truediv" and t == COMPLEX128 and not weak:
            # a NumPy complex128 operand: NumPy's division (through a reciprocal), not Python complex's
            args = [self.convert(left, t, node), self.convert(right, t, node)]
            return Intrinsic("complex.numpy_div", args, t, loc)  # type: ignore[arg-type]
        result = BinOp(op, self.convert(left, t, node), self.convert(right, t, node), t, loc)
        return self.mark_weak(result, weak)

    def numpy_bool_arith(self, op: BinOpKind, left: Expr, right: Expr, node: ast.AST) -> Expr:
        """Arithmetic with a NumPy ``bool_`` operand, as NumPy 2 does it (CPython's answer on NumPy scalars):
        with another bool ``+`` is a logical or and ``*`` a logical and, ``-`` is a TypeError, ``/`` gives
        float64 and ``// % ** << >>`` int8; with a Python int, float or complex the bool is NumPy's
        int64, float64 or complex128; with a NumPy type it is that type."""
        loc = self.loc(node)
        if left.type == BOOL and right.type == BOOL:
            if op in ("add", "mul"):
                kind: BinOpKind = "bitor" if op == "add" else "bitand"
                return self.mark_numpy_bool(BinOp(kind, left, right, BOOL, loc))
            if op == "sub":
                raise self.error(CompileTypeError, node, "numpy boolean subtract, the `-` operator, is not supported "
                                 "(NumPy raises TypeError)", "use ^ (logical xor), or convert with int(...)")
            target = FLOAT64 if op == "truediv" else BY_NAME["int8"]
            assert isinstance(target, ScalarT)
            return self.arith(op, self.cast(left, target), self.cast(right, target), node)
        other = right if left in self.numpy_bools else left
        t = other.type
        assert isinstance(t, ScalarT)
        if self.is_weak(other) or t == INT:
            t = {INT: BY_NAME["int64"], FLOAT64: FLOAT64, COMPLEX128: COMPLEX128}[t]  # NumPy's defaults
            assert isinstance(t, ScalarT)
            other = self.convert(other, t, node)
        if left in self.numpy_bools:
            return self.arith(op, self.cast(left, t), other, node)
        return self.arith(op, other, self.cast(right, t), node)

    def unaryop(self, node: ast.UnaryOp) -> Expr:
        loc = self.loc(node)
        if isinstance(node.op, ast.Not):
            return UnaryOp("not", self.condition(node.operand), BOOL, loc)
        operand_node = node.operand
        if isinstance(node.op, ast.USub) and isinstance(operand_node, ast.Constant) \
                and isinstance(operand_node.value, (int, float, complex)) and not isinstance(operand_node.value, bool):
            v = -operand_node.value
            if isinstance(v, int) and not fits(v, INT):
                raise self.error(CompileTypeError, node, f"the integer {v} does not fit in 64 bits",
                                 "compiled int is a 64-bit integer")
            t = INT if isinstance(v, int) else FLOAT64 if isinstance(v, float) else COMPLEX128
            return self.mark_weak(Const(v, t, loc))
        value = self.any_value(operand_node)
        if isinstance(value.type, TupleT):
            raise self.error(CompileTypeError, operand_node, f"a tuple ({value.type}) cannot be used here", _TUPLE_USES)
        if value.type == STR:
            self.value(operand_node)  # the located error naming the string
        if isinstance(value.type, ArrayT):
            if isinstance(node.op, ast.Invert):
                d = value.type.dtype
                if not (d.is_integer or d.is_bool):
                    raise self.error(CompileTypeError, node, f"ufunc 'invert' not supported for {d} arrays",
                                     "~ needs integer or bool arrays (NumPy raises TypeError)")
                return self.elementwise("invert", [value], node, "'~'")
            if not isinstance(node.op, ast.USub):
                raise self.error(UnsupportedSyntaxError, node, "unary + on an array is not supported in "
                                 "compiled code", f"-a and ~a are; otherwise {JIT_HINT}")
            return self.elementwise("neg", [value], node, "'-'")
        if value in self.numpy_bools:
            # NumPy's bool_: ~ is a logical not, unary - and + are TypeErrors
            if isinstance(node.op, ast.Invert):
                return self.mark_numpy_bool(UnaryOp("not", value, BOOL, loc))
            sign = "-" if isinstance(node.op, ast.USub) else "+"
            raise self.error(CompileTypeError, node, f"the numpy boolean unary {sign} is not supported "
                             "(NumPy raises TypeError)", "use ~ (logical not), or convert with int(...)")
        operand = self.arithmetic(value)
        t = operand.type
        assert isinstance(t, ScalarT)
        if isinstance(node.op, ast.Invert):
            if not t.is_integer:
                raise self.error(CompileTypeError, node, f"bad operand type for unary ~: '{t}'",
                                 "~ needs an integer (Python raises TypeError)")
            return self.mark_weak(UnaryOp("invert", operand, t, loc), self.is_weak(operand))
        kind = "neg" if isinstance(node.op, ast.USub) else "pos"
        return self.mark_weak(UnaryOp(kind, operand, t, loc), self.is_weak(operand))

    def compare(self, node: ast.Compare) -> Expr:
        if any(isinstance(op, (ast.In, ast.NotIn)) for op in node.ops):
            return self.str_compare(node)
        ops: list[CompareOpKind] = []
        for op in node.ops:
            kind = COMPARES.get(type(op))
            if kind is None:
                word = {ast.Is: "is", ast.IsNot: "is not", ast.In: "in", ast.NotIn: "not in"}[type(op)]
                raise self.error(UnsupportedSyntaxError, node, f"the '{word}' comparison is not supported",
                                 "compare numbers with == != < <= > >=; " + JIT_HINT)
            ops.append(kind)
        operands = [self.any_value(n) for n in [node.left, *node.comparators]]
        if any(e.type == STR for e in operands):
            return self.str_compare(node, operands)
        if any(isinstance(e.type, TupleT) for e in operands):
            return self.tuple_compare(ops, operands, node)
        if any(isinstance(e.type, ArrayT) for e in operands):
            if len(ops) != 1:
                raise self.error(UnsupportedSyntaxError, node, "a chained comparison of arrays is ambiguous",
                                 "NumPy raises ValueError (the truth value of an array is ambiguous)")
            return self.elementwise(ops[0], operands, node, "a comparison")
        return self.compare_values(ops, operands, node)

    def compare_values(self, ops: list[CompareOpKind], operands: list[Expr], node: ast.AST) -> Expr:
        """A comparison chain of typed scalar operands."""
        if all(e.type == BOOL for e in operands):
            link_types = [BOOL] * len(ops)
        else:
            operands = [self.arithmetic(e) for e in operands]
            # CPython evaluates a chain link by link (a < b < c is a < b and b < c, b once), so each link
            # has its own type: 16777216 == 16777217 < float32(x) compares the two ints by value
            link_types = [self.link_type(a, b) for a, b in pairwise(operands)]
            for kind, t in zip(ops, link_types):
                if t.is_complex and kind not in ("eq", "ne"):
                    raise self.error(CompileTypeError, node, "complex numbers can only be compared with == and !=",
                                     "compare abs(z) or z.real instead (Python raises TypeError)")
        converted = []
        for i, e in enumerate(operands):
            meets = {link_types[j] for j in (i - 1, i) if 0 <= j < len(ops)}
            t = meets.pop()
            if meets or (e.type == UINT64 and t == INT):
                # a middle operand meeting two link types, or a uint64 compared with an int by value:
                # the backend converts it for each link (IR contract, nodes.Compare)
                converted.append(e)
            else:
                converted.append(self.convert(e, t, node))
        result = Compare(ops, converted, link_types, BOOL, self.loc(node))
        # comparing NumPy values gives NumPy's bool_ (np.int8(3) > 2 is np.True_); Python's give bool
        numpy = (any(t != BOOL for t in link_types) and not all(self.is_weak(e) for e in operands)) \
            or any(e in self.numpy_bools for e in operands)
        return self.mark_numpy_bool(result, numpy)

    def link_type(self, a: Expr, b: Expr) -> ScalarT:
        """The type one comparison ``a < b`` compares in: the promoted type, except that a Python int
        meets a fixed-width integer by value, as NumPy 2 compares them (``np.uint8(189) < 1025590461``,
        ``np.uint64(5) > -1``), where arithmetic would wrap the int into the width."""
        assert isinstance(a.type, ScalarT) and isinstance(b.type, ScalarT)
        t, _ = promote(a.type, self.is_weak(a), b.type, self.is_weak(b))
        weak_int = any(e.type == INT and self.is_weak(e) and not (isinstance(e, Const) and fits(e.value, t))
                       for e in (a, b))  # a literal that fits the width compares the same either way
        if weak_int and t.is_integer and t != INT:
            return INT  # int64 holds both values, except uint64's upper half: that link compares exactly
        return t

    def common(self, values: list[Expr], node: ast.AST) -> tuple[list[Expr], ScalarT, bool]:
        """Values converted to their promoted common type (bools stay bool only if all are bool)."""
        if all(v.type == BOOL for v in values):
            return values, BOOL, False
        values = [self.arithmetic(v) for v in values]
        t = values[0].type
        assert isinstance(t, ScalarT)
        weak = self.is_weak(values[0])
        for v in values[1:]:
            assert isinstance(v.type, ScalarT)
            t, weak = promote(t, weak, v.type, self.is_weak(v))
        return [self.convert(v, t, node) for v in values], t, weak

    def selected(self, values: list[Expr], node: ast.AST, what: str) -> tuple[list[Expr], ScalarT, bool]:
        """Operands of an operation that returns one of them unchanged (``and``/``or`` values,
        ``if``-``else``, ``min``/``max``): Python would hand back that operand with its own type, so
        they must already share one type. Literals adapt to it (``x if c else 0`` with a float ``x``)."""
        variables = [v for v in values if not (isinstance(v, Const) and v in self.weak)]
        if not variables:
            return self.common(values, node)
        t = variables[0].type
        assert isinstance(t, ScalarT)
        for v in variables[1:]:
            if v.type != t:
                first, other = self.python_name(variables[0]), self.python_name(v)
                raise self.error(
                    CompileTypeError, node, f"the operands of {what} have different types ({first} and {other}); "
                    "Python would return one of them unchanged, with its own type",
                    f"convert them to one type explicitly, e.g. {other}(...) or {first}(...)",
                )
        out = [self.assign_convert(v, t, node, f"an operand of {what}") for v in values]
        return out, t, all(self.is_weak(v) for v in values)

    def python_name(self, e: Expr) -> str:
        """The name of a value's type as Python sees it: ``float`` for a weak float64 (a Python float)."""
        t = e.type
        assert isinstance(t, ScalarT)
        if self.is_weak(e) and t in (FLOAT64, COMPLEX128):
            return "float" if t == FLOAT64 else "complex"
        return str(t)

    def condition(self, node: ast.expr) -> Expr:
        """An expression used for its truth (``if``, ``while``, ``assert``, ``not``, an ``if``-``else``
        test): ``and``/``or`` operands are tested one by one, which is exactly their truth in Python."""
        loc = self.loc(node)
        if isinstance(node, ast.BoolOp):
            kind = "and" if isinstance(node.op, ast.And) else "or"
            return BoolOp(kind, [self.condition(v) for v in node.values], BOOL, loc)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            return UnaryOp("not", self.condition(node.operand), BOOL, loc)
        e = self.any_value(node)
        if isinstance(e.type, TupleT):
            if not is_safe(e):
                raise self.error(UnsupportedSyntaxError, node, "the truth of a tuple computed here is not supported",
                                 "assign the tuple to a variable first")
            return Const(True, BOOL, loc)  # a tuple of one or more items is true
        return self.to_bool(e)

    def boolop(self, node: ast.BoolOp) -> Expr:
        kind = "and" if isinstance(node.op, ast.And) else "or"
        values, t, weak = self.selected([self.value(v) for v in node.values], node, f"'{kind}'")
        return self.mark_weak(BoolOp(kind, values, t, self.loc(node)), weak)

    def ifexp(self, node: ast.IfExp) -> Expr:
        test = self.condition(node.test)
        body, orelse = self.any_value(node.body), self.any_value(node.orelse)
        if isinstance(body.type, TupleT) or isinstance(orelse.type, TupleT):
            # Python hands back one of the two tuples unchanged, so they must have one type already
            if body.type != orelse.type:
                raise self.error(CompileTypeError, node, f"the branches of an if-else expression have different "
                                 f"types ({body.type} and {orelse.type}); Python would return one of them "
                                 "unchanged, with its own type", "build both tuples with the same item types")
            flags = tuple((a[0] and c[0], a[1] and c[1]) for a, c in zip(self.flags_of(body), self.flags_of(orelse)))
            return self.with_flags(IfExp(test, body, orelse, body.type, self.loc(node)), flags)  # type: ignore[arg-type]
        if body.type == STR or orelse.type == STR:
            if body.type != orelse.type:
                raise self.error(CompileTypeError, node, f"the branches of an if-else expression have different "
                                 f"types ({body.type} and {orelse.type})", "give both branches one type")
            return IfExp(test, body, orelse, STR, self.loc(node))  # type: ignore[arg-type]
        (body, orelse), t, weak = self.selected([body, orelse], node, "an if-else expression")
        return self.mark_weak(IfExp(test, body, orelse, t, self.loc(node)), weak)

    # --- calls ---------------------------------------------------------------------------------

    def call(self, node: ast.Call) -> Expr:
        func = node.func
        if isinstance(func, ast.Name) and (func.id in self.params or func.id in self.local_names):
            raise self.error(CompileTypeError, func, f"'{func.id}' is a local variable, not a function")
        if isinstance(func, ast.Attribute) and func.attr == "conjugate" and self.global_binding(func.value) is None:
            return self.conjugate(node)
        if isinstance(func, ast.Attribute) and self.global_binding(func.value) is None:
            return self.array_method(node)
        binding = self.global_binding(func)
        label = ast.unparse(func)
        if binding is None:
            if isinstance(func, ast.Name):
                raise self.error(
                    CompileNameError, func, f"name '{func.id}' is not defined",
                    self.suggest(func.id, [*self.src.env.names()]),
                )
            raise self.error(UnsupportedSyntaxError, func, f"calling '{label}' is not supported", JIT_HINT)
        for arg in node.args:
            if isinstance(arg, ast.Starred):
                raise self.error(UnsupportedSyntaxError, arg, "*args in a call is not supported", JIT_HINT)
        for kw in node.keywords:
            if kw.arg is None:
                raise self.error(UnsupportedSyntaxError, kw.value, "**kwargs in a call is not supported", JIT_HINT)
        handler = _CALLS.get(type(binding))
        if handler is None:
            if isinstance(binding, OtherBinding):
                hint = JIT_HINT
                if "imported from" in binding.description:
                    hint = ("a file read statically cannot follow its imports: pass the live functions to "
                            "analyze_functions() instead")
                raise self.error(UnsupportedSyntaxError, func, f"'{label}' is {binding.description}; compiled "
                                 "code cannot call it", hint)
            raise self.error(CompileTypeError, func, f"'{label}' is not a function; it cannot be called")
        return handler(self, binding, node, label)

    def no_keywords(self, node: ast.Call, label: str) -> None:
        if node.keywords:
            raise self.error(UnsupportedSyntaxError, node.keywords[0].value,
                             f"{label}() takes no keyword arguments in compiled code")

    def arity(self, node: ast.Call, label: str, low: int, high: int) -> None:
        n = len(node.args)
        if not low <= n <= high:
            want = str(low) if low == high else f"{low} to {high}" if high < 99 else f"at least {low}"
            raise self.error(CompileTypeError, node, f"{label}() takes {want} arguments ({n} given)")

    def call_type(self, binding: TypeBinding, node: ast.Call, label: str) -> Expr:
        # bool_(x) is NumPy's bool: its arithmetic is NumPy's (bool(x) is Python's)
        return self.mark_numpy_bool(self.call_type_value(binding, node, label), binding.name == "bool_")

    def call_type_value(self, binding: TypeBinding, node: ast.Call, label: str) -> Expr:
        self.no_keywords(node, label)
        target = BY_NAME[binding.name]
        assert isinstance(target, ScalarT)
        loc = self.loc(node)
        if binding.name == "complex" and len(node.args) == 2:
            parts = []
            for a in node.args:
                part = self.value(a)
                assert isinstance(part.type, ScalarT)
                if part.type.is_complex:
                    raise self.error(CompileTypeError, a, "complex(real, imag) with a complex part is not supported",
                                     "pass the float parts: complex(z.real, z.imag)")
                parts.append(self.cast(self.arithmetic(part), FLOAT64))
            return self.mark_weak(Intrinsic("complex.make", parts, COMPLEX128, loc))
        self.arity(node, label, 0, 1)
        weak = binding.name in ("int", "float", "complex")
        if not node.args:
            zero = fold_cast(0, target)
            assert zero is not None
            return self.mark_weak(Const(zero, target, loc), weak)
        arg_node = node.args[0]
        if isinstance(arg_node, ast.Constant) and isinstance(arg_node.value, str):
            raise self.error(UnsupportedSyntaxError, arg_node, f"{label}() of a string is not supported", JIT_HINT)
        big = self.big_literal(arg_node, target)
        if big is not None:
            return big
        arg = self.value(arg_node)
        assert isinstance(arg.type, ScalarT)
        if arg.type.is_complex and not target.is_complex and not target.is_bool:
            raise self.error(CompileTypeError, node, f"cannot convert complex to {label}",
                             "use z.real, z.imag or abs(z)")
        if arg.type == target:
            if not weak:
                # float64(5e-324) is a NumPy float64: strong, although the literal inside was weak
                self.weak.discard(arg)
            return self.mark_weak(arg, weak)
        result = self.cast(arg, target)
        if isinstance(result, Const) or isinstance(result, Cast):
            result.loc = loc
        return self.mark_weak(result, weak)

    def big_literal(self, node: ast.expr, target: ScalarT) -> Expr | None:
        """``uint64(18446744073709551615)``: an integer literal past int64 converted by a NumPy type,
        folded as that type's cast does in CPython (``uint64(2**64 - 1)`` is its maximum, ``int8(2**63)``
        wraps to 0); ``int(...)`` of it stays an error (compiled int is 64-bit)."""
        if not (isinstance(node, ast.Constant) and type(node.value) is int) or fits(node.value, INT) \
                or target == INT:
            return None
        try:
            folded = fold_cast(node.value, target)
        except OverflowError:  # too large for a float
            return None
        return None if folded is None else Const(folded, target, self.loc(node))

    def call_math(self, binding: MathFunctionBinding, node: ast.Call, label: str) -> Expr:
        name = binding.name
        self.check_math_name(name, node.func)
        loc = self.loc(node)
        if name in MATH_CONSTANTS:
            raise self.error(CompileTypeError, node, f"math.{name} is a number, not a function")
        if name == "isclose":
            return self.math_isclose(node, label)
        if name == "prod":
            return self.math_prod(node, label)
        self.no_keywords(node, label)
        if name == "ldexp":
            self.arity(node, label, 2, 2)
            x, i = self.math_arg(node.args[0], label), self.int_arg(node.args[1], label)
            return self.mark_weak(Intrinsic("math.ldexp", [x, i], FLOAT64, loc))
        if name in MATH_INTEGER_FUNCTIONS:
            return self.math_integer(name, node, label)
        if name == "log" and len(node.args) == 2:
            # one intrinsic, so both arguments are evaluated before either logarithm is checked (CPython)
            x, base = (self.math_arg(a, label) for a in node.args)
            return self.mark_weak(Intrinsic("math.log_base", [x, base], FLOAT64, loc))
        if name in MATH_SCALED:
            self.arity(node, label, 1, 1)
            x = self.math_arg(node.args[0], label)
            return self.mark_weak(BinOp("mul", Const(MATH_SCALED[name], FLOAT64, loc), x, FLOAT64, loc))
        sig = MATH_FUNCTIONS[name]
        self.arity(node, label, sig.arity, sig.arity)
        if sig.result == "int":
            arg = self.arithmetic(self.value(node.args[0]))
            assert isinstance(arg.type, ScalarT)
            if arg.type == INT:
                return arg  # int.__floor__ and the like: exact
            if arg.type.is_integer and name == "trunc":
                raise self.error(CompileTypeError, node, f"math.trunc() of a {arg.type} value: NumPy's integers "
                                 "define no __trunc__ (Python raises TypeError)", "use int(x), which is exact")
            # a NumPy integer has no __floor__/__ceil__: CPython converts it to a C double first, so
            # floor(int64(2**53 + 1)) is 2**53 and floor(int64(2**63 - 1)) leaves int64 (OverflowError)
        args = [self.math_arg(a, label) for a in node.args]
        if sig.result == "int":
            return Intrinsic(f"math.{name}", args, INT, loc)  # type: ignore[arg-type]
        if sig.result == "bool":
            return Intrinsic(f"math.{name}", args, BOOL, loc)  # type: ignore[arg-type]
        return self.mark_weak(Intrinsic(f"math.{name}", args, FLOAT64, loc))  # type: ignore[arg-type]

    def math_integer(self, name: str, node: ast.Call, label: str) -> Expr:
        """``math.factorial``/``isqrt``/``comb``/``perm``/``gcd``/``lcm``: Python ints in, a Python int out."""
        low, high = MATH_INTEGER_FUNCTIONS[name]
        self.arity(node, label, low, high)
        loc = self.loc(node)
        args = [self.int_arg(a, label) for a in node.args]
        if name == "perm" and len(args) == 1:
            name = "factorial"  # perm(n) is n! (CPython's message for a negative n is factorial's too)
        if name in ("gcd", "lcm"):
            if not args:
                return self.mark_weak(Const(0 if name == "gcd" else 1, INT, loc))
            if len(args) == 1:
                # gcd(a) == gcd(a, 0) and lcm(a) == lcm(a, 1) == abs(a)
                args.append(Const(0 if name == "gcd" else 1, INT, loc))
        return self.mark_weak(Intrinsic(f"math.{name}", args, INT, loc))  # type: ignore[arg-type]

    def int_arg(self, node: ast.expr, label: str) -> Expr:
        """An argument CPython reads with ``__index__``: a Python int, a bool or a NumPy integer, as int."""
        arg = self.arithmetic(self.value(node))
        assert isinstance(arg.type, ScalarT)
        if not arg.type.is_integer:
            python = "float" if arg.type.is_float else "complex"
            raise self.error(CompileTypeError, node, f"{label}() needs an integer: a '{python}' value cannot be "
                             "interpreted as an integer (Python raises TypeError)",
                             "convert it explicitly with int(...)")
        return self.cast(arg, INT)

    def math_isclose(self, node: ast.Call, label: str) -> Expr:
        """``math.isclose(a, b, *, rel_tol=1e-09, abs_tol=0.0)``."""
        self.arity(node, label, 2, 2)
        values: dict[str, ast.expr | None] = {"rel_tol": None, "abs_tol": None}
        for kw in node.keywords:
            if kw.arg not in values:
                raise self.error(CompileTypeError, kw.value, f"{label}() has no keyword argument '{kw.arg}'",
                                 "it takes rel_tol= and abs_tol=")
            values[kw.arg] = kw.value
        loc = self.loc(node)
        args = [self.math_arg(a, label) for a in node.args]
        for key, default in (("rel_tol", 1e-09), ("abs_tol", 0.0)):
            given = values[key]
            args.append(Const(default, FLOAT64, loc) if given is None else self.math_arg(given, label))
        return Intrinsic("math.isclose", args, BOOL, loc)

    def math_prod(self, node: ast.Call, label: str) -> Expr:
        """``math.prod`` of a tuple or list written out in the call (``math.prod((a, b, c), start=s)``): the
        products ``start * a * b * c`` of Python, left to right. Any other iterable needs @jit."""
        self.arity(node, label, 1, 1)
        start: Expr = self.mark_weak(Const(1, INT, self.loc(node)))
        for kw in node.keywords:
            if kw.arg != "start":
                raise self.error(CompileTypeError, kw.value, f"{label}() has no keyword argument '{kw.arg}'",
                                 "it takes start=")
            start = self.value(kw.value)
        items = node.args[0]
        if not isinstance(items, (ast.Tuple, ast.List)) or any(isinstance(e, ast.Starred) for e in items.elts):
            raise self.error(UnsupportedSyntaxError, items, f"{label}() is supported over a tuple or list written "
                             "in the call, e.g. math.prod((a, b, c))", "for a loop or any other iterable, multiply "
                             "in a for loop; or " + JIT_HINT)
        result = start
        for e in items.elts:
            result = self.arith("mul", result, self.value(e), node)
        return result

    def math_arg(self, node: ast.expr, label: str) -> Expr:
        """A ``math`` function argument: any real number, as float64 (CPython converts it to a C double)."""
        arg = self.value(node)
        assert isinstance(arg.type, ScalarT)
        if arg.type.is_complex:
            raise self.error(CompileTypeError, node, f"{label}() needs a real number, not {arg.type}",
                             "cmath functions need @pyexec.jit (Numba)")
        return self.cast(arg, FLOAT64)

    def call_builtin(self, binding: BuiltinBinding, node: ast.Call, label: str) -> Expr:
        method = _BUILTINS.get(binding.name)
        if method is None:
            raise self.error(UnsupportedSyntaxError, node, f"the builtin {binding.name}() is not supported in "
                             "compiled code", JIT_HINT)
        return method(self, node, binding.name)

    def builtin_abs(self, node: ast.Call, label: str) -> Expr:
        self.no_keywords(node, label)
        self.arity(node, label, 1, 1)
        arg = self.arithmetic(self.value(node.args[0]))
        t = arg.type
        assert isinstance(t, ScalarT)
        if t.is_complex:
            return self.mark_weak(Intrinsic("complex.abs", [arg], COMPONENT[t], self.loc(node)), t == COMPLEX128)
        return self.mark_weak(Intrinsic("abs", [arg], t, self.loc(node)), self.is_weak(arg))

    def builtin_minmax(self, node: ast.Call, label: str) -> Expr:
        self.no_keywords(node, label)
        if len(node.args) < 2:
            raise self.error(UnsupportedSyntaxError, node, f"{label}() of an iterable is not supported",
                             f"pass two or more numbers: {label}(a, b)")
        values, t, weak = self.selected([self.value(a) for a in node.args], node, f"{label}()")
        if t.is_complex:
            raise self.error(CompileTypeError, node, f"{label}() cannot compare complex numbers")
        return self.mark_weak(Intrinsic(label, values, t, self.loc(node)), weak)  # type: ignore[arg-type]

    def builtin_round(self, node: ast.Call, label: str) -> Expr:
        self.no_keywords(node, label)
        self.arity(node, label, 1, 2)
        arg = self.arithmetic(self.value(node.args[0]))
        t = arg.type
        assert isinstance(t, ScalarT)
        loc = self.loc(node)
        if t.is_complex:
            raise self.error(CompileTypeError, node, "round() of a complex number is not defined")
        if len(node.args) == 1:
            if t.is_integer:
                return self.cast(arg, INT)
            return Intrinsic("round", [self.cast(arg, FLOAT64)], INT, loc)
        if t.is_integer:
            raise self.error(UnsupportedSyntaxError, node, "round(int, ndigits) is not supported",
                             "round a float, or use // and * for integers")
        digits = self.arithmetic(self.value(node.args[1]))
        assert isinstance(digits.type, ScalarT)
        if not digits.type.is_integer:
            raise self.error(CompileTypeError, node.args[1], "round() ndigits must be an integer")
        args = [self.cast(arg, FLOAT64), self.cast(digits, INT)]
        return self.mark_weak(Intrinsic("round_ndigits", args, FLOAT64, loc))

    def builtin_pow(self, node: ast.Call, label: str) -> Expr:
        self.no_keywords(node, label)
        if len(node.args) == 3:
            return self.pow_mod(node, label)
        self.arity(node, label, 2, 2)
        return self.arith("pow", self.value(node.args[0]), self.value(node.args[1]), node)

    def pow_mod(self, node: ast.Call, label: str) -> Expr:
        """``pow(base, exp, mod)``: Python ints only (CPython raises TypeError for floats and NumPy integers)."""
        args = []
        for a in node.args:
            arg = self.arithmetic(self.value(a))
            if arg.type != INT:
                raise self.error(CompileTypeError, a, f"pow() with a modulus needs Python ints, not {arg.type} "
                                 "(Python raises TypeError)", "convert the arguments with int(...)")
            args.append(arg)
        return self.mark_weak(Intrinsic("pow_mod", args, INT, self.loc(node)))

    def builtin_divmod(self, node: ast.Call, label: str) -> Expr:
        """``divmod(a, b)`` as a value: the tuple ``(a // b, a % b)``. Its operands are evaluated twice,
        so they may not call functions (a fault repeats in the first evaluation, in CPython's order)."""
        self.no_keywords(node, label)
        self.arity(node, label, 2, 2)
        a, b = self.value(node.args[0]), self.value(node.args[1])
        if has_call(a) or has_call(b):
            raise self.error(UnsupportedSyntaxError, node, "divmod() of a function call's result is only supported "
                             "in 'q, r = divmod(a, b)'", "assign the operands to variables first")
        q = self.arith("floordiv", a, b, node)
        r = self.arith("mod", a, b, node)
        loc = self.loc(node)
        return self.with_flags(MakeTuple([q, r], TupleT((q.type, r.type)), loc),  # type: ignore[arg-type]
                               ((self.is_weak(q), False), (self.is_weak(r), False)))

    def builtin_statement_only(self, node: ast.Call, label: str) -> Expr:
        if label == "print":
            raise self.error(UnsupportedSyntaxError, node, "print() returns None; its result cannot be used",
                             "call print(...) as a statement on its own line")
        raise self.error(UnsupportedSyntaxError, node, "range() is only supported in 'for i in range(...)'",
                         JIT_HINT)

    def call_function(self, binding: FunctionBinding, node: ast.Call, label: str) -> Expr:
        evaluated: dict[int, Expr] = {}  # arguments typed before the callee is chosen (built once)

        def argument_types(src: FunctionSource) -> list[ArgumentType | None]:
            typed = self.module.typed_by_arguments(src)
            names = [a.arg for a in [*src.node.args.posonlyargs, *src.node.args.args]]
            given: list[ast.expr | None] = [*node.args[:len(names)], *[None] * (len(names) - len(node.args))]
            for kw in node.keywords:
                if kw.arg in names and given[names.index(kw.arg)] is None:
                    given[names.index(kw.arg)] = kw.value
            types: list[ArgumentType | None] = []
            defaults = [None] * (len(names) - len(src.node.args.defaults)) + list(src.node.args.defaults)
            for arg_node, by_argument, default in zip(given, typed, defaults):
                value = _literal(default)
                if by_argument and arg_node is None and isinstance(value, (int, float, complex)):
                    # a missing argument: its default's type, as Numba types it
                    types.append(ArgumentType(_default_type(value), isinstance(value, (float, complex))))
                    continue
                if not by_argument or arg_node is None:
                    types.append(None)
                    continue
                value = evaluated[id(arg_node)] = self.any_value(arg_node)
                t = value.type
                if isinstance(t, ScalarT):
                    types.append(ArgumentType(t, self.is_weak(value) and (t.is_float or t.is_complex),
                                              value in self.numpy_bools))
                else:
                    types.append(ArgumentType(t) if isinstance(t, (ArrayT, StrT)) else None)
            return types

        name = self.module.callee(binding.ref, node, self.src, argument_types)
        params, defaults = self.module.parameters(name)
        args: list[Expr | None] = [None] * len(params)
        if len(node.args) > len(params):
            raise self.error(CompileTypeError, node,
                             f"{label}() takes {len(params)} arguments ({len(node.args)} given)")
        nodes: list[ast.expr | None] = [None] * len(params)
        for i, a in enumerate(node.args):
            nodes[i] = a
        by_name = {p.name: p.index for p in params}
        keyword_order = []
        for kw in node.keywords:
            assert kw.arg is not None
            index = by_name.get(kw.arg)
            if index is None:
                raise self.error(CompileTypeError, kw.value, f"{label}() has no parameter '{kw.arg}'",
                                 self.suggest(kw.arg, list(by_name)))
            if nodes[index] is not None:
                raise self.error(CompileTypeError, kw.value, f"{label}() got two values for '{kw.arg}'")
            nodes[index] = kw.value
            keyword_order.append(index)
        if keyword_order != sorted(keyword_order) and any(
            isinstance(n, ast.Call) for kw in node.keywords for n in ast.walk(kw.value)
        ):
            raise self.error(UnsupportedSyntaxError, node, "keyword arguments containing calls must be given in "
                             "parameter order", "reorder the keyword arguments to match the definition")
        for i, p in enumerate(params):
            arg_node = nodes[i]
            if arg_node is None:
                if defaults[i] is None:
                    raise self.error(CompileTypeError, node, f"{label}() is missing the argument '{p.name}'")
                default = self.cast(self.mark_weak(Const(defaults[i], _default_type(defaults[i]), self.loc(node))),
                                    p.type)
                args[i] = default
                continue
            what = f"parameter '{p.name}' of {label}()"
            value = evaluated[id(arg_node)] if id(arg_node) in evaluated else self.any_value(arg_node)
            if isinstance(p.type, ArrayT):
                args[i] = self.store_array(p.type, value, arg_node, what)
                continue
            if isinstance(value.type, ArrayT):
                self.refuse_array(value, arg_node)
            args[i] = self.assign_convert(value, p.type, arg_node, what)
        ret = self.module.return_type(name, node, self.src)
        call = Call(name, [a for a in args if a is not None], ret, self.loc(node))
        return self.mark_weak(call, name in self.module.python_returns)

    def conjugate(self, node: ast.Call) -> Expr:
        func = node.func
        assert isinstance(func, ast.Attribute)
        if node.args or node.keywords:
            raise self.error(CompileTypeError, node, "conjugate() takes no arguments")
        base = self.arithmetic(self.value(func.value))
        assert isinstance(base.type, ScalarT)
        if base.type.is_complex:
            conj = Intrinsic("complex.conjugate", [base], base.type, self.loc(node))
            return self.mark_weak(conj, self.is_weak(base))  # a Python complex's conjugate is a Python complex
        return base


def _literal(node: ast.expr | None) -> object:
    """The value of a literal default (``-1``, ``2.5``), or None."""
    try:
        return ast.literal_eval(node) if node is not None else None
    except (ValueError, TypeError, SyntaxError, RecursionError):
        return None


def _default_type(value: object) -> ScalarT:
    if isinstance(value, bool):
        return BOOL
    if isinstance(value, int):
        return INT
    if isinstance(value, float):
        return FLOAT64
    return COMPLEX128


_EXPRESSIONS: dict[type, Callable[[ExpressionBuilder, ast.expr], Expr]] = {
    ast.Constant: ExpressionBuilder.constant,  # type: ignore[dict-item]
    ast.Name: ExpressionBuilder.name,  # type: ignore[dict-item]
    ast.Attribute: ExpressionBuilder.attribute,  # type: ignore[dict-item]
    ast.BinOp: ExpressionBuilder.binop,  # type: ignore[dict-item]
    ast.UnaryOp: ExpressionBuilder.unaryop,  # type: ignore[dict-item]
    ast.Compare: ExpressionBuilder.compare,  # type: ignore[dict-item]
    ast.BoolOp: ExpressionBuilder.boolop,  # type: ignore[dict-item]
    ast.IfExp: ExpressionBuilder.ifexp,  # type: ignore[dict-item]
    ast.Call: ExpressionBuilder.call,  # type: ignore[dict-item]
    ast.Tuple: ExpressionBuilder.tuple_display,  # type: ignore[dict-item]
    ast.Subscript: ExpressionBuilder.subscript,  # type: ignore[dict-item]
    ast.JoinedStr: ExpressionBuilder.fstring,  # type: ignore[dict-item]
}

_CALLS: dict[type, Callable[..., Expr]] = {
    TypeBinding: ExpressionBuilder.call_type,
    MathFunctionBinding: ExpressionBuilder.call_math,
    BuiltinBinding: ExpressionBuilder.call_builtin,
    FunctionBinding: ExpressionBuilder.call_function,
    NumpyFunctionBinding: ExpressionBuilder.call_numpy,
}

_BUILTINS: dict[str, Callable[[ExpressionBuilder, ast.Call, str], Expr]] = {
    "abs": ExpressionBuilder.builtin_abs,
    "min": ExpressionBuilder.builtin_minmax,
    "max": ExpressionBuilder.builtin_minmax,
    "round": ExpressionBuilder.builtin_round,
    "len": ExpressionBuilder.builtin_len,
    "ord": ExpressionBuilder.builtin_ord,
    "str": ExpressionBuilder.builtin_str,
    "repr": ExpressionBuilder.builtin_repr,
    "format": ExpressionBuilder.builtin_format,
    "chr": ExpressionBuilder.builtin_chr,
    "pow": ExpressionBuilder.builtin_pow,
    "divmod": ExpressionBuilder.builtin_divmod,
    "print": ExpressionBuilder.builtin_statement_only,
    "range": ExpressionBuilder.builtin_statement_only,
}
