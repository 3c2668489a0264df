"""Bounds checks hoisted out of innermost range loops, so the loop's body runs unchecked and vectorises.

A ``for i in range(start, stop, step)`` loop whose body has no loop of its own is examined for the array
elements it reads and writes: ``a[e0, e1, …]`` where ``a`` is an array variable the body never assigns
and every index is *affine* in the loop variable: ``i + c``, ``i - c`` or ``c``, with ``c`` built by
``+``/``-`` from integer constants, ``len(x)``/``x.shape[k]`` and variables the body never assigns (the
loop variable included: assigning it in the body disqualifies the loop). Such an index takes its extreme
values at the first and the last iteration, so one test before the loop decides whether every iteration's
index is inside its axis (``0 <= index < extent``, no negative index either). When all are, the loop
runs a copy of its body where those accesses are unchecked; otherwise (or when computing an index would
overflow) it runs the ordinary body, whose checks raise IndexError at the same iteration, with the same
message and after the same side effects as always. Either way the program does exactly what it did;
only the test before the loop is new. Accesses the analysis does not cover keep their checks in both
copies.

Example:
    >>> from pyexec.frontend.ir import nodes as n
    >>> hoistable_accesses(n.ForRange(None, None, None, None, [], [], None))
    []
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from llvmlite import ir

from pyexec.frontend.ir import nodes as n
from pyexec.frontend.ir.types import ArrayT, ScalarT

if TYPE_CHECKING:
    from pyexec.backends.llvm.lowering.function import FunctionLowering

VERSIONING_MIN_TRIPS = 8
"""With ``boundscheck=False``, a loop of fewer iterations skips the test and runs its ordinary body."""
I1 = ir.IntType(1)
I64 = ir.IntType(64)
Access = n.GetItem | n.SetItem


def _is_int64(t: object) -> bool:
    return isinstance(t, ScalarT) and t.is_integer and not t.is_bool and t.info.bits == 64 and t.info.signed


def _walk(nodes: list[object]) -> list[object]:
    """Every statement and expression under ``nodes`` (variables and locations excluded)."""
    out: list[object] = []
    stack = list(nodes)
    while stack:
        node = stack.pop()
        out.append(node)
        for value in vars(node).values():
            items = value if isinstance(value, list) else [value]
            stack.extend(v for v in items if hasattr(v, "loc") and not isinstance(v, (n.Param, n.Local, n.Loc)))
    return out


def _invariant(e: n.Expr, assigned: set[int]) -> bool:
    """An integer expression the loop cannot change and whose evaluation cannot raise (its additions are
    redone with overflow detection by the test before the loop)."""
    if isinstance(e, n.Const):
        return _is_int64(e.type) and type(e.value) is int
    if isinstance(e, n.Name):
        return _is_int64(e.type) and id(e.var) not in assigned
    if isinstance(e, n.ArrayShape):
        return isinstance(e.array, n.Name) and id(e.array.var) not in assigned
    if isinstance(e, n.Cast):
        return _is_int64(e.type) and _is_int64(e.value.type) and _invariant(e.value, assigned)
    if isinstance(e, n.BinOp) and e.op in ("add", "sub"):
        return _is_int64(e.type) and _invariant(e.left, assigned) and _invariant(e.right, assigned)
    return False


def _affine(e: n.Expr, var: n.Variable, assigned: set[int]) -> bool:
    """``e`` is ``var + c``, ``var - c``, ``c + var`` or an invariant ``c``."""
    if _invariant(e, assigned):
        return True
    if isinstance(e, n.Name):
        return e.var is var
    if isinstance(e, n.Cast):
        return _is_int64(e.type) and _is_int64(e.value.type) and _affine(e.value, var, assigned)
    if isinstance(e, n.BinOp) and e.op in ("add", "sub") and _is_int64(e.type):
        if e.op == "add" and _invariant(e.left, assigned):
            return _affine(e.right, var, assigned)
        return _affine(e.left, var, assigned) and _invariant(e.right, assigned)
    return False


def hoistable_accesses(s: n.ForRange) -> list[Access]:
    """The element accesses of an innermost range loop whose bounds one test before the loop can decide
    (empty when the loop does not qualify)."""
    if s.zipped or s.var is None or not _is_int64(s.var.type):
        return []
    found = _walk(s.body)
    if any(isinstance(x, (n.ForRange, n.While)) for x in found):
        return []  # only innermost loops: an outer loop's copy would double every loop inside it
    assigned = {id(x.target) for x in found if isinstance(x, n.Assign)}
    if id(s.var) in assigned:
        return []
    out: list[Access] = []
    for x in found:
        if not isinstance(x, (n.GetItem, n.SetItem)) or not x.boundscheck:
            continue
        t = x.array.type
        if not (isinstance(t, ArrayT) and isinstance(x.array, n.Name) and id(x.array.var) not in assigned
                and len(x.indices) == t.ndim):
            continue
        if all(_affine(i, s.var, assigned) for i in x.indices):
            out.append(x)
    return out


class _Values:
    """Values of affine expressions at one iteration, computed before the loop with overflow detection."""

    def __init__(self, lowering: FunctionLowering, var: n.Variable, at: ir.Value) -> None:
        self.low = lowering
        self.var = var
        self.at = at
        self.overflow: ir.Value = ir.Constant(I1, 0)

    def value(self, e: n.Expr) -> ir.Value:
        b = self.low.b
        if isinstance(e, n.Name) and e.var is self.var:
            return self.at
        if isinstance(e, n.Cast):
            return self.value(e.value)
        if isinstance(e, n.BinOp):
            left, right = self.value(e.left), self.value(e.right)
            name = "llvm.sadd.with.overflow" if e.op == "add" else "llvm.ssub.with.overflow"
            pair = b.call(self.low.intrinsic_fn(name, ir.LiteralStructType([I64, I1]), [I64, I64], [I64]),
                          [left, right])
            self.overflow = b.or_(self.overflow, b.extract_value(pair, 1))
            return b.extract_value(pair, 0)
        return self.low.expr(e)  # a constant, an unassigned variable, a shape: pure and cannot raise


def all_in_bounds(lowering: FunctionLowering, s: n.ForRange, accesses: list[Access], start: ir.Value,
                  step: ir.Value, count: ir.Value) -> ir.Value:
    """Whether every index of ``accesses`` lies inside its axis at every iteration of the loop (true for
    an empty loop): the test at the first and the last iteration."""
    from pyexec.backends.llvm.lowering.arrays import SHAPE, STRIDES, element_size

    b = lowering.b
    last = b.add(start, b.mul(b.sub(count, I64(1)), step))  # a value of the range: exact in wrapping arithmetic
    ends = [_Values(lowering, s.var, start), _Values(lowering, s.var, last)]
    ok: ir.Value = ir.Constant(I1, 1)
    arrays: dict[int, ir.Value] = {}
    for x in accesses:
        assert isinstance(x.array, n.Name)
        desc = arrays.get(id(x.array.var))
        if desc is None:
            desc = arrays[id(x.array.var)] = lowering.expr(x.array)
        item = element_size(x.array.type.dtype)  # type: ignore[union-attr]
        for axis in range(len(x.indices)):  # strides in whole elements (NumPy allows any byte stride)
            stride = b.extract_value(desc, [STRIDES, axis])
            ok = b.and_(ok, b.icmp_unsigned("==", b.and_(stride, I64(item - 1)), I64(0)))
        for axis, index in enumerate(x.indices):
            extent = b.extract_value(desc, [SHAPE, axis])
            for end in ends:
                ok = b.and_(ok, b.icmp_unsigned("<", end.value(index), extent))
    for end in ends:
        ok = b.and_(ok, b.not_(end.overflow))
    return b.or_(b.icmp_unsigned("==", count, I64(0)), ok)


__all__ = ["VERSIONING_MIN_TRIPS", "all_in_bounds", "hoistable_accesses"]
