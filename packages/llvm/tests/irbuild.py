"""Small constructors for hand-built typed IR in tests (the frontend builds the same nodes from source)."""

from __future__ import annotations

from pyexec.frontend.ir import nodes as n
from pyexec.frontend.ir import types as t

LOC = n.Loc("test.py", 1, 0)


def param(name: str, typ: t.ScalarT, index: int) -> n.Param:
    return n.Param(name, typ, index, LOC)


def local(name: str, typ: t.ScalarT) -> n.Local:
    return n.Local(name, typ, LOC)


def const(value: object, typ: t.IRType) -> n.Const:
    return n.Const(value, typ, LOC)


def name(var: n.Variable) -> n.Name:
    return n.Name(var, var.type, LOC)


def binop(op: str, a: n.Expr, b: n.Expr) -> n.BinOp:
    return n.BinOp(op, a, b, a.type, LOC)


def unary(op: str, a: n.Expr) -> n.UnaryOp:
    return n.UnaryOp(op, a, t.BOOL if op == "not" else a.type, LOC)


def compare(ops: list[str], operands: list[n.Expr]) -> n.Compare:
    return n.Compare(ops, operands, [o.type for o in operands[:-1]], t.BOOL, LOC)


def cast(value: n.Expr, typ: t.ScalarT) -> n.Cast:
    return n.Cast(value, typ, LOC)


def call(callee: str, args: list[n.Expr], typ: t.ScalarT | t.NoneT) -> n.Call:
    return n.Call(callee, args, typ, LOC)


def intrinsic(name_: str, args: list[n.Expr], typ: t.ScalarT) -> n.Intrinsic:
    return n.Intrinsic(name_, args, typ, LOC)


def ret(value: n.Expr | None) -> n.Return:
    return n.Return(value, LOC)


def assign(var: n.Variable, value: n.Expr) -> n.Assign:
    return n.Assign(var, value, LOC)


def function(fname: str, params: list[n.Param], return_type: t.ScalarT | t.NoneT, body: list[n.Stmt],
             locals_: list[n.Local] | None = None) -> n.Function:
    return n.Function(fname, params, return_type, locals_ or [], body, LOC)


def module(*functions: n.Function) -> n.Module:
    return n.Module({f.name: f for f in functions}, "test.py")


def binary_function(op: str, typ: t.ScalarT, result: t.ScalarT | None = None) -> n.Module:
    """``def f(a, b): return a <op> b`` over ``typ``."""
    a, b = param("a", typ, 0), param("b", typ, 1)
    expr = n.BinOp(op, name(a), name(b), result or typ, LOC)
    return module(function("f", [a, b], result or typ, [ret(expr)]))
