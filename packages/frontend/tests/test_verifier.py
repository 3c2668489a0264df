"""The verifier rejects IR that breaks an invariant of ``pyexec.frontend.ir.nodes``, naming the rule."""

from __future__ import annotations

from collections.abc import Callable

import pytest

import pyexec.frontend as fe
from pyexec.frontend.ir import nodes as ir
from pyexec.frontend.ir.types import BOOL, COMPLEX128, FLOAT64, INT, INT8, NONE, STR, UINT8

L = ir.Loc("hand.py", 1, 0)


def _module(body: Callable[[ir.Param, ir.Local], list[ir.Stmt]], ret: object = INT) -> ir.Module:
    x = ir.Param("x", INT, 0, L)
    y = ir.Local("y", FLOAT64, L)
    fn = ir.Function("f", [x], ret, [y], [], L)  # type: ignore[arg-type]
    fn.body = body(x, y)
    return ir.Module({"f": fn}, "hand.py")


def c(v: object, t: object = INT) -> ir.Const:
    return ir.Const(v, t, L)  # type: ignore[arg-type]


def name(var: ir.Param | ir.Local) -> ir.Name:
    return ir.Name(var, var.type, L)


BROKEN: dict[str, tuple[Callable[[ir.Param, ir.Local], list[ir.Stmt]], str]] = {
    "assign without cast": (lambda x, y: [ir.Assign(y, name(x), L), ir.Return(name(x), L)], "expected float64"),
    "binop operand types differ": (
        lambda x, y: [ir.Return(ir.BinOp("add", name(x), c(1.0, FLOAT64), INT, L), L)], "right operand of add"),
    "truediv on ints": (lambda x, y: [ir.Return(ir.BinOp("truediv", name(x), c(2), INT, L), L)], "truediv on int"),
    "if test not bool": (lambda x, y: [ir.If(name(x), [], [], L), ir.Return(name(x), L)], "if test"),
    "break outside loop": (lambda x, y: [ir.Break(L), ir.Return(name(x), L)], "outside a loop"),
    "unknown callee": (lambda x, y: [ir.Return(ir.Call("g", [], INT, L), L)], "not in the module"),
    "wrong argument count": (lambda x, y: [ir.Return(ir.Call("f", [], INT, L), L)], "passes 0 arguments"),
    "constant out of range": (lambda x, y: [ir.Return(ir.Cast(c(300, UINT8), INT, L), L)], "is not a uint8"),
    "undeclared variable": (
        lambda x, y: [ir.Return(name(ir.Param("z", INT, 0, L)), L)], "is not a parameter or local"),
    "return type mismatch": (lambda x, y: [ir.Return(c(1, INT8), L)], "return value has type int8"),
    "missing return value": (lambda x, y: [ir.Return(None, L)], "returns nothing"),
    "compare link type": (
        lambda x, y: [ir.Return(ir.Cast(ir.Compare(["lt"], [name(x), c(True, BOOL)], [INT], BOOL, L), INT, L), L)],
        "right operand of link 0 is bool"),
    "compare converts complex to real": (
        lambda x, y: [ir.Return(ir.Cast(ir.Compare(["eq"], [c(1j, COMPLEX128), name(y)], [FLOAT64], BOOL, L),
                                        INT, L), L)], "left operand of link 0 is complex128"),
    "unknown intrinsic": (lambda x, y: [ir.Return(ir.Intrinsic("math.zeta", [name(x)], INT, L), L)],  # type: ignore[arg-type]
                          "unknown intrinsic"),
    "math on an int": (lambda x, y: [ir.Return(ir.Intrinsic("math.floor", [name(x)], INT, L), L)], "cannot give"),
    "range bound type": (
        lambda x, y: [ir.ForRange(x, c(0), c(1.0, FLOAT64), c(1), [], [], L), ir.Return(name(x), L)], "range stop"),
    "missing location": (lambda x, y: [ir.Return(ir.Const(1, INT, None), L)], "missing source location"),  # type: ignore[arg-type]
}


@pytest.mark.parametrize("case", list(BROKEN))
def test_verifier_rejects_broken_ir(case: str) -> None:
    body, fragment = BROKEN[case]
    with pytest.raises(fe.IRVerifyError) as info:
        fe.verify_module(_module(body))
    assert fragment in str(info.value)
    assert "function 'f'" in str(info.value)


def test_verifier_accepts_well_formed_hand_built_ir() -> None:
    module = _module(lambda x, y: [
        ir.Assign(y, ir.Cast(name(x), FLOAT64, L), L),
        ir.While(ir.Compare(["gt"], [name(y), c(0.0, FLOAT64)], [FLOAT64], BOOL, L),
                 [ir.Assign(y, ir.BinOp("sub", name(y), c(1.0, FLOAT64), FLOAT64, L), L), ir.Break(L)], [], L),
        ir.Print([ir.Const("y =", STR, L), name(y)], " ", "\n", L),
        ir.Return(ir.Intrinsic("math.floor", [name(y)], INT, L), L),
    ])
    fe.verify_module(module)


def test_a_none_function_may_not_return_a_value() -> None:
    with pytest.raises(fe.IRVerifyError):
        fe.verify_module(_module(lambda x, y: [ir.Return(name(x), L)], ret=NONE))
