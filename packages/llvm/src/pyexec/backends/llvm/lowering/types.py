"""The LLVM types of IR types, at run time and at the C boundary, and constants of them."""

from __future__ import annotations

from llvmlite import ir

from pyexec.backends.llvm.errors import NativeBuildError
from pyexec.backends.llvm.lowering.arrays import array_type
from pyexec.frontend.ir.types import ArrayT, IRType, NoneT, ScalarT, StrT, TupleT

I1 = ir.IntType(1)
I8 = ir.IntType(8)
I32 = ir.IntType(32)
I64 = ir.IntType(64)
F32 = ir.FloatType()
F64 = ir.DoubleType()
PTR = ir.PointerType()

OVERFLOW_MODES = ("check", "wrap")


def llvm_type(t: IRType) -> ir.Type:
    """The LLVM register type of an IR type (``i1`` for bool, a two-float struct for complex, a literal
    struct of the items' types for a tuple: a value in registers, no heap block, no reference count; an
    array's descriptor, :func:`.arrays.array_type`).

    Example:
        >>> from pyexec.frontend.ir.types import FLOAT64
        >>> str(llvm_type(FLOAT64))
        'double'
    """
    if isinstance(t, NoneT):
        return ir.VoidType()
    if isinstance(t, TupleT):
        return ir.LiteralStructType([llvm_type(i) for i in t.items])
    if isinstance(t, ArrayT):
        return array_type(t)
    if isinstance(t, StrT):
        return PTR  # the block's data (lowering.strings)
    assert isinstance(t, ScalarT)
    if t.is_complex:
        part = F32 if t.bits == 64 else F64
        return ir.LiteralStructType([part, part])
    if t.is_bool:
        return I1
    if t.is_float:
        return F32 if t.bits == 32 else F64
    return ir.IntType(t.bits)


def abi_type(t: ScalarT | NoneT) -> ir.Type:
    """The type of a value at the C boundary of an entry point (``bool`` is a byte there)."""
    if isinstance(t, ScalarT) and t.is_bool:
        return I8
    return llvm_type(t)


def impl_name(name: str) -> str:
    """The LLVM symbol of a function's body (internal to the module)."""
    return f"pyexec.impl.{name}"


def _type_suffix(t: ir.Type) -> str:
    if isinstance(t, ir.IntType):
        return f"i{t.width}"
    return "f32" if isinstance(t, ir.FloatType) else "f64"


def constant(value: object, t: ScalarT) -> ir.Constant:
    """An LLVM constant of IR type ``t`` holding the Python value ``value``.

    Example:
        >>> from pyexec.frontend.ir.types import INT
        >>> str(constant(-1, INT))
        'i64 -1'
    """
    ty = llvm_type(t)
    if t.is_complex:
        c = complex(value)
        part = ty.elements[0]
        return ir.Constant(ty, [ir.Constant(part, c.real), ir.Constant(part, c.imag)])
    if t.is_float:
        return ir.Constant(ty, float(value))
    if t.is_bool:
        return ir.Constant(ty, int(bool(value)))
    v = int(value)
    lo, hi = t.info.min_value, t.info.max_value
    if not lo <= v <= hi:
        raise NativeBuildError(f"constant {v} does not fit in {t}")
    return ir.Constant(ty, v)
