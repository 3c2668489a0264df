"""Typing statements: locals and their types, control flow, and Python's "assigned before use" rule.

The builder walks a function's body once, in source order. A local's type is fixed where it is
first assigned (or declared, ``x: int32``). The set of locals certainly assigned at each point
(``state``; ``None`` where the code is unreachable) lets it reject reads Python would fail with
UnboundLocalError, and find a function that can end without returning its value.

Example:
    >>> from pyexec.frontend import analyze_source
    >>> m = analyze_source("def f(n: int) -> float:\\n    t = 0.0\\n    for i in range(n):\\n        t += i\\n"
    ...                    "    return t\\n")
    >>> [(l.name, str(l.type)) for l in m.functions["f"].locals]
    [('t', 'float64'), ('i', 'int')]
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from typing import TYPE_CHECKING

from pyexec.frontend.diagnostics import JIT_HINT, CompileError, CompileTypeError, UnsupportedSyntaxError
from pyexec.frontend.environment import BuiltinBinding
from pyexec.frontend.ir.nodes import (
    ArrayShape,
    Assert,
    Assign,
    Break,
    Const,
    Continue,
    Expr,
    ExprStmt,
    ForRange,
    Function,
    If,
    Local,
    Name,
    Param,
    Print,
    Return,
    Stmt,
    While,
    ZipRange,
)
from pyexec.frontend.ir.types import INT, NONE, STR, ArrayT, NoneT, ScalarT, StrT, TupleT, ValueT
from pyexec.frontend.irbuild.annotations import annotation_type, item_flags, names_numpy_bool, names_python_number
from pyexec.frontend.irbuild.expressions import BINOPS, ExpressionBuilder, ItemFlags

if TYPE_CHECKING:
    from pyexec.frontend.irbuild.module import ModuleBuilder
    from pyexec.frontend.source import FunctionSource

State = set[str] | None

UNSUPPORTED_STATEMENTS: dict[type, str] = {
    ast.FunctionDef: "a nested function", ast.AsyncFunctionDef: "a nested async function",
    ast.ClassDef: "a class definition", ast.Try: "try/except", ast.Raise: "raise (exceptions)",
    ast.With: "a with statement", ast.AsyncWith: "async with", ast.AsyncFor: "async for",
    ast.Import: "an import inside a function", ast.ImportFrom: "an import inside a function",
    ast.Global: "a global statement", ast.Nonlocal: "a nonlocal statement", ast.Delete: "del",
}
if hasattr(ast, "Match"):
    UNSUPPORTED_STATEMENTS[ast.Match] = "a match statement"
if hasattr(ast, "TryStar"):
    UNSUPPORTED_STATEMENTS[ast.TryStar] = "try/except*"


def _copy(state: State) -> State:
    return None if state is None else set(state)


def merge(*states: State) -> State:
    """The locals assigned on every path that reaches a join point (unreachable paths don't count)."""
    live = [s for s in states if s is not None]
    if not live:
        return None
    out = set(live[0])
    for s in live[1:]:
        out &= s
    return out


class FunctionBuilder(ExpressionBuilder):
    """Builds one :class:`Function` of the IR from its source."""

    def __init__(self, module: ModuleBuilder, src: FunctionSource, params: list[Param],
                 return_type: ValueT | NoneT | None) -> None:
        self.module = module
        self.src = src
        self.param_list = params
        self.params = {p.name: p for p in params}
        self.return_type = return_type
        self.locals: dict[str, Local] = {}
        self.local_list: list[Local] = []
        self.local_names = {
            n.id for n in ast.walk(src.node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)
        } - set(self.params)
        self.state: State = set()
        self.weak: set[Expr] = set()
        self.numpy_bools: set[Expr] = set()
        self.tuple_flags: dict[Expr, ItemFlags] = {}
        self.loops: list[list[State]] = []
        self.returns: list[tuple[Return, ast.Return]] = []
        self.temp_count = 0

    # --- the function --------------------------------------------------------------------------

    def build(self) -> Function:
        node = self.src.node
        body_nodes = node.body
        docstring = ast.get_docstring(node, clean=True)
        if docstring is not None:
            body_nodes = body_nodes[1:]
        body = self.block(body_nodes)
        return_type = self.finish_returns()
        if self.state is not None and not isinstance(return_type, NoneT):
            raise self.error(
                CompileTypeError, node, f"function '{node.name}' can reach its end without returning a value "
                f"of type {return_type} (Python would return None)", "add a return statement on every path",
            )
        return Function(node.name, self.param_list, return_type, self.local_list, body, self.loc(node), docstring)

    def finish_returns(self) -> ValueT | NoneT:
        if self.return_type is not None:
            return self.return_type
        with_value = [(r, n) for r, n in self.returns if r.value is not None]
        bare = [(r, n) for r, n in self.returns if r.value is None]
        if not with_value:
            return NONE
        if bare:
            raise self.error(
                CompileTypeError, bare[0][1], f"function '{self.src.node.name}' returns a value on some paths and "
                "nothing on others", "return a value on every path, or annotate the return type",
            )
        if self.state is not None:
            raise self.error(
                CompileTypeError, self.src.node, f"function '{self.src.node.name}' can reach its end without "
                "returning a value (Python would return None)", "add a return statement on every path",
            )
        values = [r.value for r, _ in with_value if r.value is not None]
        first = values[0]
        if any(isinstance(v.type, ArrayT) for v in values):
            for r, n in with_value:
                assert r.value is not None
                self.store_array(first.type, r.value, n, f"the return value of {self.src.node.name}()")  # type: ignore[arg-type]
            return first.type  # type: ignore[return-value]
        t: ValueT
        if any(v.type == STR for v in values):
            t = STR
        elif any(isinstance(v.type, TupleT) for v in values):
            t = self.common_tuple(values, [n for _, n in with_value])
        else:
            _, t, _ = self.common(values, self.src.node)
        for r, n in with_value:
            assert r.value is not None
            r.value = self.assign_convert(r.value, t, n, f"the return value of {self.src.node.name}()")
        return t

    def common_tuple(self, values: list[Expr], nodes: list[ast.Return]) -> TupleT:
        """The return type of a function that returns tuples and has no annotation: one type on every path."""
        first = values[0].type
        for v, node in zip(values, nodes):
            if v.type != first:
                raise self.error(CompileTypeError, node, f"function '{self.src.node.name}' returns {first} on one "
                                 f"path and {v.type} on another", f"annotate the return type, e.g. -> {first}")
        assert isinstance(first, TupleT)
        self.module.tuple_returns.setdefault(self.src.node.name, self.flags_of(values[0]))
        return first

    # --- blocks and small tools ----------------------------------------------------------------

    def block(self, stmts: list[ast.stmt]) -> list[Stmt]:
        out: list[Stmt] = []
        for s in stmts:
            method = _STATEMENTS.get(type(s))
            if method is None:
                what = UNSUPPORTED_STATEMENTS.get(type(s), f"this statement ({type(s).__name__})")
                raise self.error(UnsupportedSyntaxError, s, f"{what} is not supported in compiled code", JIT_HINT)
            out.extend(method(self, s))
        return out

    def new_local(self, name: str, t: ValueT, node: ast.AST, synthetic: bool = False) -> Local:
        local = Local(name, t, self.loc(node), synthetic)
        if not synthetic:
            self.locals[name] = local
        self.local_list.append(local)
        return local

    def temp(self, value: Expr, node: ast.AST) -> tuple[Local, Assign]:
        """A synthetic local holding ``value`` (evaluated once, now)."""
        taken = set(self.params) | self.local_names
        while f"_tmp{self.temp_count}" in taken:
            self.temp_count += 1
        name = f"_tmp{self.temp_count}"
        self.temp_count += 1
        assert isinstance(value.type, (ScalarT, TupleT, ArrayT, StrT))
        local = self.new_local(name, value.type, node, synthetic=True)
        if isinstance(value.type, TupleT):
            self.module.tuple_var_flags[id(local)] = self.flags_of(value)
        return local, Assign(local, value, self.loc(node))

    def read(self, var: Local | Param, node: ast.AST) -> Name:
        return Name(var, var.type, self.loc(node))

    def assigned(self, name: str) -> None:
        if self.state is not None:
            self.state.add(name)

    def store(self, name: str, value: Expr, node: ast.AST, target: ast.AST) -> Assign:
        """``name = value``: the local is created with the value's type on its first assignment."""
        var: Local | Param | None = self.params.get(name) or self.locals.get(name)
        if var is None:
            if not isinstance(value.type, (ScalarT, TupleT, ArrayT, StrT)):
                raise self.error(CompileTypeError, node, "this value cannot be stored in a variable")
            var = self.new_local(name, value.type, target)
            if isinstance(value.type, StrT):
                pass
            elif isinstance(value.type, TupleT):
                self.module.tuple_var_flags[id(var)] = self.flags_of(value)
            elif self.is_weak(value) and (value.type.is_float or value.type.is_complex):
                self.module.python_numbers.add(id(var))  # x = 0.5: x holds a Python float (weak)
            if value in self.numpy_bools:
                self.module.numpy_bool_vars.add(id(var))  # b = x8 > 0: b holds NumPy's bool_
        elif isinstance(var.type, ArrayT) or isinstance(value.type, ArrayT):
            kind = "parameter" if isinstance(var, Param) else "local"
            value = self.store_array(var.type, value, node, f"the {kind} '{name}'")
        else:
            kind = "parameter" if isinstance(var, Param) else "local"
            value = self.assign_convert(
                value, var.type, node, f"the {kind} '{name}'",
                hint=f"a variable keeps the type of its first assignment; declare it with the wider type "
                f"where it is first assigned (e.g. '{name}: float = 0') or convert the value",
            )
        self.assigned(name)
        return Assign(var, value, self.loc(node))

    def target_name(self, target: ast.expr) -> str:
        if isinstance(target, ast.Name):
            return target.id
        what = {ast.Subscript: "an item (x[i] = ...)", ast.Attribute: "an attribute (x.a = ...)",
                ast.Starred: "a starred target"}.get(type(target), "this target")
        raise self.error(UnsupportedSyntaxError, target, f"assigning to {what} is not supported", JIT_HINT)

    # --- statements ----------------------------------------------------------------------------

    def stmt_assign(self, node: ast.Assign) -> list[Stmt]:
        if len(node.targets) == 1 and isinstance(node.targets[0], ast.Tuple):
            return self.tuple_assign(node.targets[0], node.value, node)
        for t in node.targets:
            if not isinstance(t, ast.Subscript):
                self.target_name(t)
        value = self.any_value(node.value)
        if len(node.targets) == 1:
            return [self.assign_target(node.targets[0], value, node)]
        local, first = self.temp(value, node)
        return [first, *(self.assign_target(t, self.read(local, node), node) for t in node.targets)]

    def assign_target(self, target: ast.expr, value: Expr, node: ast.AST) -> Stmt:
        """``target = value`` for a name or an array element."""
        if isinstance(target, ast.Subscript):
            return self.assign_item(target, value, node)
        return self.store(self.target_name(target), value, node, target)

    def tuple_assign(self, target: ast.Tuple, value_node: ast.expr, node: ast.AST) -> list[Stmt]:
        names = [self.target_name(t) for t in target.elts]
        if isinstance(value_node, ast.Tuple) and not any(isinstance(e, ast.Starred) for e in value_node.elts):
            self.check_unpack(len(names), len(value_node.elts), value_node)
        shaped = self.shape_of(value_node) if isinstance(value_node, ast.Attribute) else None
        if shaped is not None:
            return self.unpack_shape(names, target, *shaped, node)
        if isinstance(value_node, ast.Tuple) and len(value_node.elts) == len(names):
            out: list[Stmt] = []
            held: list[Expr] = []
            for elt in value_node.elts:
                e = self.any_value(elt)
                if isinstance(e, Const):
                    held.append(e)
                    continue
                local, assign = self.temp(e, elt)
                out.append(assign)
                held.append(self.mark_weak(self.read(local, elt), self.is_weak(e)))
            out += [self.store(n, h, node, t) for n, h, t in zip(names, held, target.elts)]
            return out
        if isinstance(value_node, ast.Call) and isinstance(self.global_binding(value_node.func), BuiltinBinding) \
                and getattr(self.global_binding(value_node.func), "name", None) == "divmod" and len(names) == 2:
            if len(value_node.args) != 2 or value_node.keywords:
                raise self.error(CompileTypeError, value_node, "divmod() takes exactly 2 arguments")
            a = self.value(value_node.args[0])
            b = self.value(value_node.args[1])
            ta, assign_a = self.temp(a, value_node.args[0])
            tb, assign_b = self.temp(b, value_node.args[1])
            ra = self.mark_weak(self.read(ta, value_node), self.is_weak(a))
            rb = self.mark_weak(self.read(tb, value_node), self.is_weak(b))
            q = self.arith("floordiv", ra, rb, value_node)
            r = self.arith("mod", ra, rb, value_node)
            return [assign_a, assign_b, self.store(names[0], q, node, target.elts[0]),
                    self.store(names[1], r, node, target.elts[1])]
        value = self.any_value(value_node)
        if not isinstance(value.type, TupleT):
            raise self.error(CompileTypeError, value_node, f"cannot unpack a {value.type} value (Python raises "
                             "TypeError)", "unpack a tuple: a, b = t")
        self.check_unpack(len(names), len(value.type.items), value_node)
        # the tuple is evaluated once, into a temporary, then its items are assigned left to right
        local, first = self.temp(value, value_node)
        held = self.read(local, value_node)
        return [first, *(self.store(n, self.item(held, i, t), node, t) for i, (n, t) in
                         enumerate(zip(names, target.elts)))]

    def check_unpack(self, want: int, have: int, node: ast.AST) -> None:
        """Unpacking a tuple of a known length into ``want`` names: CPython's ValueError is certain."""
        if want != have:
            what = (f"too many values to unpack (expected {want})" if have > want
                    else f"not enough values to unpack (expected {want}, got {have})")
            raise self.error(CompileError, node, what, "CPython raises ValueError here")

    def stmt_annassign(self, node: ast.AnnAssign) -> list[Stmt]:
        name = self.target_name(node.target)
        t = annotation_type(node.annotation, self.src, allow_none=False)
        assert not isinstance(t, NoneT)
        existing = self.params.get(name) or self.locals.get(name)
        if existing is not None and existing.type != t:
            raise self.error(
                CompileTypeError, node, f"'{name}' already has type {existing.type}; it cannot be redeclared as {t}",
                "a variable keeps one type; use a new name",
            )
        if existing is None:
            local = self.new_local(name, t, node.target)
            flags = item_flags(node.annotation, self.src)
            if flags is not None:
                self.module.tuple_var_flags[id(local)] = flags
            if names_python_number(node.annotation, self.src):
                self.module.python_numbers.add(id(local))
            elif names_numpy_bool(node.annotation, self.src):
                self.module.numpy_bool_vars.add(id(local))
        if node.value is None:
            return []
        return [self.store(name, self.any_value(node.value), node, node.target)]

    def stmt_augassign(self, node: ast.AugAssign) -> list[Stmt]:
        op = BINOPS.get(type(node.op))
        if op is None:
            raise self.error(UnsupportedSyntaxError, node, "matrix multiplication (@=) is not supported", JIT_HINT)
        if isinstance(node.target, ast.Subscript):
            return self.augassign_item(node, op)
        name = self.target_name(node.target)
        assert isinstance(node.target, ast.Name)
        current = self.name(node.target)
        if isinstance(current.type, TupleT):
            raise self.error(UnsupportedSyntaxError, node, f"augmented assignment to a tuple ('{name}') is not "
                             "supported in compiled code", "tuples have a fixed length here; build a new tuple")
        if current.type == STR:
            # s += t: the lowering appends in place when the local holds the only reference
            other = self.any_value(node.value)
            if isinstance(other.type, (TupleT, ArrayT)):
                other = self.value(node.value)
            value = self.str_binop(op, current, other, node)  # type: ignore[arg-type]
            return [self.store(name, value, node, node.target)]
        value = self.arith(op, current, self.value(node.value), node)
        return [self.store(name, value, node, node.target)]

    def unpack_shape(self, names: list[str], target: ast.Tuple, base: Expr, t: ArrayT, node: ast.AST) -> list[Stmt]:
        """``n, m = a.shape``: one extent per name (as many names as axes, as Python's unpacking needs)."""
        if len(names) != t.ndim:
            raise self.error(CompileTypeError, node, f"a {t.ndim}-D array's shape has {t.ndim} items, not "
                             f"{len(names)}", "Python raises ValueError here (too many/not enough values to unpack)")
        out: list[Stmt] = []
        if not isinstance(base, Name):
            local, assign = self.temp(base, target)
            out.append(assign)
            base = self.read(local, target)
        loc = self.loc(node)
        for k, (name, elt) in enumerate(zip(names, target.elts)):
            out.append(self.store(name, self.mark_weak(ArrayShape(base, k, INT, loc)), node, elt))
        return out

    def stmt_if(self, node: ast.If) -> list[Stmt]:
        test = self.condition(node.test)
        before = _copy(self.state)
        body = self.block(node.body)
        after_body = self.state
        self.state = before
        orelse = self.block(node.orelse)
        self.state = merge(after_body, self.state)
        return [If(test, body, orelse, self.loc(node))]

    def stmt_while(self, node: ast.While) -> list[Stmt]:
        test = self.condition(node.test)
        infinite = isinstance(test, Const) and test.value is True
        before = _copy(self.state)
        self.loops.append([])
        body = self.block(node.body)
        breaks = self.loops.pop()
        self.state = None if infinite else before
        orelse = self.block(node.orelse)
        self.state = merge(self.state, *breaks)
        return [While(test, body, orelse, self.loc(node))]

    def stmt_for(self, node: ast.For) -> list[Stmt]:
        it = node.iter
        binding = self.global_binding(it.func) if isinstance(it, ast.Call) else None
        if binding == BuiltinBinding("enumerate"):
            return self.for_enumerate(node)
        if binding == BuiltinBinding("zip"):
            return self.for_zip(node)
        if binding != BuiltinBinding("range"):
            return self.for_array(node)
        assert isinstance(it, ast.Call)
        name = self.target_name(node.target)
        var, start, stop, step = self.range_parts(it, name, node.target)
        return self.range_loop(node, var, start, stop, step, [], [name])

    def is_range(self, node: ast.expr) -> bool:
        return isinstance(node, ast.Call) and self.global_binding(node.func) == BuiltinBinding("range")

    def loop_targets(self, node: ast.For, count: int, what: str) -> list[str]:
        """The names of ``for a, b in zip(...)``: a tuple of distinct names, one per value."""
        target = node.target
        if not isinstance(target, ast.Tuple):
            raise self.error(UnsupportedSyntaxError, target, f"the items of {what} must be unpacked in the for "
                             "target in compiled code", f"write for {', '.join('abcdefgh'[:count])} in {what}")
        names = [self.target_name(t) for t in target.elts]
        self.check_unpack(len(names), count, target)
        if len(set(names)) != len(names):
            raise self.error(UnsupportedSyntaxError, target, "the same name twice in a for target is not supported",
                             "use distinct names")
        return names

    def range_parts(self, it: ast.Call, name: str, target: ast.AST) -> tuple[Local | Param, Expr, Expr, Expr]:
        """The loop variable of ``for name in range(...)`` and the range's start, stop and step in its type."""
        if it.keywords or not 1 <= len(it.args) <= 3 or any(isinstance(a, ast.Starred) for a in it.args):
            raise self.error(CompileTypeError, it, "range() takes 1 to 3 positional arguments")
        args = [self.arithmetic(self.value(a)) for a in it.args]
        for a, a_node in zip(args, it.args):
            assert isinstance(a.type, ScalarT)
            if not a.type.is_integer:
                raise self.error(CompileTypeError, a_node, f"range() needs integers, not {a.type}",
                                 "convert with int(...)")
        var = self.loop_variable(name, target, "range() gives integers")
        t = var.type
        assert isinstance(t, ScalarT)
        what = f"the loop variable '{name}'"
        conv = [self.assign_convert(a, t, n, what) for a, n in zip(args, it.args)]
        loc = self.loc(it)
        if len(conv) == 1:
            return var, Const(0, t, loc), conv[0], Const(1, t, loc)
        if len(conv) == 2:
            return var, conv[0], conv[1], Const(1, t, loc)
        return var, conv[0], conv[1], conv[2]

    def loop_variable(self, name: str, target: ast.AST, why: str) -> Local | Param:
        var: Local | Param | None = self.params.get(name) or self.locals.get(name)
        if var is None:
            # range() yields Python ints whatever its arguments' types, so a new loop variable is an int;
            # a variable declared before the loop (i: int32) keeps its declared type.
            return self.new_local(name, INT, target)
        if not (isinstance(var.type, ScalarT) and var.type.is_integer):
            raise self.error(CompileTypeError, target, f"the loop variable '{name}' has type {var.type}; "
                             f"{why}", "use a new name for the loop variable")
        return var

    def for_enumerate(self, node: ast.For) -> list[Stmt]:
        """``for i, x in enumerate(range(...), start)``: a range loop with a counter beside it."""
        it = node.iter
        assert isinstance(it, ast.Call)
        start_node: ast.expr | None = it.args[1] if len(it.args) == 2 else None
        for kw in it.keywords:
            if kw.arg != "start" or start_node is not None:
                raise self.error(CompileTypeError, kw.value, "enumerate() takes an iterable and start")
            start_node = kw.value
        if not 1 <= len(it.args) <= 2:
            raise self.error(CompileTypeError, it, "enumerate() takes an iterable and start")
        index_name, name = self.loop_targets(node, 2, "enumerate(...)")
        target = node.target
        assert isinstance(target, ast.Tuple)
        first, var, start, stop, step, element = self.loop_iterable(it.args[0], name, target.elts[1], node,
                                                                    "enumerate()")
        loc = self.loc(it)
        counter_start: Expr = Const(0, INT, loc)
        if start_node is not None:
            counter_start = self.arithmetic(self.value(start_node))
            assert isinstance(counter_start.type, ScalarT)
            if not counter_start.type.is_integer:
                raise self.error(CompileTypeError, start_node, f"enumerate() start must be an integer, not "
                                 f"{counter_start.type}", "convert with int(...)")
        counter = self.loop_variable(index_name, target.elts[0], "enumerate() counts in integers")
        assert isinstance(counter.type, ScalarT)
        counter_start = self.assign_convert(counter_start, counter.type, start_node or it,
                                            f"the loop variable '{index_name}'")
        zipped = [ZipRange(counter, counter_start, None, Const(1, counter.type, loc), loc)]
        return [*first, *self.range_loop(node, var, start, stop, step, zipped, [index_name, name],
                                         [element] if element else [])]

    def loop_iterable(self, it: ast.expr, name: str, target: ast.AST, node: ast.For, what: str) -> tuple[
            list[Stmt], Local | Param, Expr, Expr, Expr, Callable[[], Stmt] | None]:
        """One iterable of ``enumerate``/``zip``: a ``range(...)`` (its loop variable and bounds), or an array
        (held once in a synthetic local, walked by a synthetic index; ``element()`` assigns the current element
        or row to ``name`` at the top of the body). Returns the statements to run before the loop too."""
        if self.is_range(it):
            assert isinstance(it, ast.Call)
            var, start, stop, step = self.range_parts(it, name, target)
            return [], var, start, stop, step, None
        array = self.any_value(it)
        if not isinstance(array.type, ArrayT):
            raise self.error(UnsupportedSyntaxError, it, f"{what} is only supported over range(...) and arrays in "
                             f"compiled code, not {array.type}", JIT_HINT)
        held, first = self.temp(array, it)
        index = self.synthetic_local(INT, it)
        loc = self.loc(it)
        n = ArrayShape(self.read(held, it), 0, INT, loc)
        return ([first], index, Const(0, INT, loc), n, Const(1, INT, loc),
                lambda: self.store(name, self.array_element(held, index, it), node, target))

    def for_zip(self, node: ast.For) -> list[Stmt]:
        """``for x, y in zip(range(...), range(...))``: range loops in step, ending with the shortest."""
        it = node.iter
        assert isinstance(it, ast.Call)
        if it.keywords:
            raise self.error(UnsupportedSyntaxError, it.keywords[0].value, "zip() keywords (strict=) are not "
                             "supported in compiled code", JIT_HINT)
        if len(it.args) < 2:
            raise self.error(UnsupportedSyntaxError, it, "zip() is only supported over two or more ranges or arrays",
                             JIT_HINT)
        names = self.loop_targets(node, len(it.args), "zip(...)")
        target = node.target
        assert isinstance(target, ast.Tuple)
        parts = [self.loop_iterable(a, n, t, node, "zip()") for a, n, t in zip(it.args, names, target.elts)]
        _, var, start, stop, step, _ = parts[0]
        zipped = [ZipRange(v, a, b, c, self.loc(r)) for (_, v, a, b, c, _), r in zip(parts[1:], it.args[1:])]
        before = [s for p in parts for s in p[0]]
        return [*before, *self.range_loop(node, var, start, stop, step, zipped, names,
                                          [p[5] for p in parts if p[5] is not None])]

    def range_loop(self, node: ast.For, var: Local | Param, start: Expr, stop: Expr, step: Expr,
                   zipped: list[ZipRange], names: list[str],
                   prefix: list[Callable[[], Stmt]] | None = None) -> list[Stmt]:
        before = _copy(self.state)
        self.state = None if before is None else before | set(names)
        self.loops.append([])
        body = [*(make() for make in prefix or []), *self.block(node.body)]
        breaks = self.loops.pop()
        self.state = before
        orelse = self.block(node.orelse)
        self.state = merge(self.state, *breaks)
        return [ForRange(var, start, stop, step, body, orelse, self.loc(node), zipped)]

    def stmt_break(self, node: ast.Break) -> list[Stmt]:
        if not self.loops:
            raise self.error(CompileError, node, "'break' outside a loop", "Python rejects this too")
        self.loops[-1].append(_copy(self.state))
        self.state = None
        return [Break(self.loc(node))]

    def stmt_continue(self, node: ast.Continue) -> list[Stmt]:
        if not self.loops:
            raise self.error(CompileError, node, "'continue' outside a loop", "Python rejects this too")
        self.state = None
        return [Continue(self.loc(node))]

    def stmt_return(self, node: ast.Return) -> list[Stmt]:
        fname = self.src.node.name
        value: Expr | None = None
        if node.value is not None and not (isinstance(node.value, ast.Constant) and node.value.value is None):
            value = self.any_value(node.value)
        rt = self.return_type
        if isinstance(rt, NoneT) and value is not None:
            raise self.error(CompileTypeError, node, f"function '{fname}' is declared -> None but returns a value",
                             "change the return annotation or drop the value")
        if isinstance(rt, ArrayT):
            if value is None:
                raise self.error(CompileTypeError, node, f"function '{fname}' must return a {rt} array here")
            value = self.store_array(rt, value, node, f"the return value of {fname}()")
        elif isinstance(rt, (ScalarT, TupleT, StrT)):
            if value is None:
                raise self.error(CompileTypeError, node, f"function '{fname}' must return a value of type {rt} here",
                                 "return a value (compiled code cannot return None from a typed function)")
            value = self.assign_convert(value, rt, node, f"the return value of {fname}()")
        stmt = Return(value, self.loc(node))
        self.returns.append((stmt, node))
        self.state = None
        return [stmt]

    def stmt_expr(self, node: ast.Expr) -> list[Stmt]:
        v = node.value
        if isinstance(v, ast.Constant) and (isinstance(v.value, str) or v.value is Ellipsis):
            return []
        if isinstance(v, ast.Call) and self.global_binding(v.func) == BuiltinBinding("print"):
            return [self.print_call(v)]
        return [ExprStmt(self.expr(v), self.loc(node))]

    def print_call(self, node: ast.Call) -> Print:
        args: list[Expr] = []
        for a in node.args:
            if isinstance(a, ast.Starred):
                raise self.error(UnsupportedSyntaxError, a, "print(*args) is not supported", JIT_HINT)
            args.append(self.value(a, allow_str=True))
        options = {"sep": " ", "end": "\n"}
        for kw in node.keywords:
            if kw.arg not in options:
                raise self.error(UnsupportedSyntaxError, kw.value, f"print({kw.arg or '**'}=...) is not supported",
                                 "compiled print() takes only sep= and end= (string literals)")
            if isinstance(kw.value, ast.Constant) and kw.value.value is None:
                continue
            if not (isinstance(kw.value, ast.Constant) and isinstance(kw.value.value, str)):
                raise self.error(UnsupportedSyntaxError, kw.value, f"print({kw.arg}=...) must be a string literal")
            options[kw.arg] = kw.value.value
        return Print(args, options["sep"], options["end"], self.loc(node))

    def stmt_assert(self, node: ast.Assert) -> list[Stmt]:
        test = self.condition(node.test)
        message: str | Expr | None = None
        if node.msg is not None:
            if isinstance(node.msg, ast.Constant) and isinstance(node.msg.value, str):
                message = node.msg.value
            else:
                # any number (int, float, bool, complex, NumPy scalars): its str(), evaluated only on failure
                message = self.value(node.msg)
        return [Assert(test, message, self.loc(node))]

    def stmt_pass(self, node: ast.Pass) -> list[Stmt]:
        return []


_STATEMENTS: dict[type, Callable[[FunctionBuilder, ast.stmt], list[Stmt]]] = {
    ast.Assign: FunctionBuilder.stmt_assign,  # type: ignore[dict-item]
    ast.AnnAssign: FunctionBuilder.stmt_annassign,  # type: ignore[dict-item]
    ast.AugAssign: FunctionBuilder.stmt_augassign,  # type: ignore[dict-item]
    ast.If: FunctionBuilder.stmt_if,  # type: ignore[dict-item]
    ast.While: FunctionBuilder.stmt_while,  # type: ignore[dict-item]
    ast.For: FunctionBuilder.stmt_for,  # type: ignore[dict-item]
    ast.Break: FunctionBuilder.stmt_break,  # type: ignore[dict-item]
    ast.Continue: FunctionBuilder.stmt_continue,  # type: ignore[dict-item]
    ast.Return: FunctionBuilder.stmt_return,  # type: ignore[dict-item]
    ast.Expr: FunctionBuilder.stmt_expr,  # type: ignore[dict-item]
    ast.Assert: FunctionBuilder.stmt_assert,  # type: ignore[dict-item]
    ast.Pass: FunctionBuilder.stmt_pass,  # type: ignore[dict-item]
}
