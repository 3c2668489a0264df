"""Casts between scalar types (the IR's explicit conversions): float/int conversions, resizing, complex."""

from __future__ import annotations

import math

from llvmlite import ir

from pyexec.backends.llvm import runtime as rt
from pyexec.backends.llvm.errors import UnsupportedConstructError
from pyexec.backends.llvm.lowering.types import F64, I64, llvm_type
from pyexec.frontend.ir import nodes as n
from pyexec.frontend.ir.types import FLOAT32, FLOAT64, ScalarT

_FLOAT_OF_COMPLEX: dict[int, ScalarT] = {64: FLOAT32, 128: FLOAT64}


class CastLowering:
    """The ``Cast`` node of :class:`~.function.FunctionLowering` (a mixin)."""

    def expr_Cast(self, e: n.Cast) -> ir.Value:
        v = self.expr(e.value)
        return self.cast(v, e.value.type, e.type)

    def cast(self, v: ir.Value, src: ScalarT, dst: ScalarT) -> ir.Value:
        b = self.b
        dty = llvm_type(dst)
        if dst.is_bool:
            return self.truth(v, src)
        if dst.is_complex:
            if src.is_complex:
                part = dty.elements[0]
                re, im = (self.float_resize(b.extract_value(v, i), part) for i in (0, 1))
                return self.make_complex(re, im, dty)
            re = self.cast(v, src, _FLOAT_OF_COMPLEX[dst.bits])
            return self.make_complex(re, ir.Constant(dty.elements[0], 0.0), dty)
        if src.is_complex:
            raise UnsupportedConstructError(f"cannot convert complex to {dst}")
        if dst.is_float:
            if src.is_float:
                return self.float_resize(v, dty)
            if src.is_bool or not src.info.signed:
                return b.uitofp(v, dty)
            return b.sitofp(v, dty)
        # to an integer type
        if src.is_float:
            if dst.checked:
                return self.float_to_int_checked(v)
            return self.float_to_int_wrapping(v, dst)
        if dst.checked and src.kind == "uint" and src.bits == 64:
            self.fail_if(b.icmp_signed("<", v, I64(0)), rt.OVERFLOW, "uint64 value too large to convert to int")
        return self.int_resize(v, src, dty)

    def float_resize(self, v: ir.Value, ty: ir.Type) -> ir.Value:
        if v.type == ty:
            return v
        return self.b.fpext(v, ty) if isinstance(ty, ir.DoubleType) else self.b.fptrunc(v, ty)

    def float_to_int_checked(self, v: ir.Value) -> ir.Value:
        b = self.b
        v = self.float_resize(v, F64)
        self.fail_if(b.fcmp_unordered("uno", v, v), rt.VALUE, "cannot convert float NaN to integer")
        self.fail_if(b.fcmp_ordered("==", self.call_intrinsic("llvm.fabs", v), ir.Constant(F64, math.inf)),
                     rt.OVERFLOW, "cannot convert float infinity to integer")
        t = self.call_intrinsic("llvm.trunc", v)
        out = b.or_(b.fcmp_ordered(">=", t, ir.Constant(F64, 2.0**63)),
                    b.fcmp_ordered("<", t, ir.Constant(F64, -(2.0**63))))
        self.fail_if(out, rt.OVERFLOW, "float too large to convert to a 64-bit int")
        return b.fptosi(t, I64)

    def float_to_int_wrapping(self, v: ir.Value, dst: ScalarT) -> ir.Value:
        # NumPy's route (through a 64-bit integer, then wrapping); saturating conversions keep
        # NaN and out-of-range values defined on every target.
        b = self.b
        v = self.float_resize(v, F64)
        signed = self.b.call(self.intrinsic_fn("llvm.fptosi.sat", I64, [F64], [I64, F64]), [v])
        if dst.kind == "uint" and dst.bits == 64:
            unsigned = self.b.call(self.intrinsic_fn("llvm.fptoui.sat", I64, [F64], [I64, F64]), [v])
            wide = b.select(b.fcmp_ordered(">=", v, ir.Constant(F64, 2.0**63)), unsigned, signed)
        else:
            wide = signed
        return b.trunc(wide, ir.IntType(dst.bits)) if dst.bits < 64 else wide
