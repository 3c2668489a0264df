"""Builtins and math functions (``Intrinsic`` nodes): one table from the intrinsic's name to its lowering."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING

from llvmlite import ir

from pyexec.backends.llvm import runtime as rt
from pyexec.backends.llvm.errors import UnsupportedConstructError
from pyexec.backends.llvm.lowering.types import F64, I64, llvm_type
from pyexec.backends.llvm.math_functions import MATH_INTRINSICS
from pyexec.frontend.ir import nodes as n
from pyexec.frontend.ir.types import INT64

if TYPE_CHECKING:
    from pyexec.backends.llvm.lowering.function import FunctionLowering


class IntrinsicLowering:
    """Builtins and math functions of :class:`~.function.FunctionLowering` (a mixin)."""

    def expr_Intrinsic(self, e: n.Intrinsic) -> ir.Value:
        handler = _INTRINSICS.get(e.name)
        if handler is None:
            raise UnsupportedConstructError(f"{e.loc}: intrinsic {e.name!r} is not supported by the native backend")
        return handler(self, e, [self.expr(a) for a in e.args])

    def libm(self, name: str, *args: ir.Value) -> ir.Value:
        ty = args[0].type
        symbol = name + ("f" if isinstance(ty, ir.FloatType) else "")
        fn = self.owner.external(symbol, ty, [ty] * len(args))
        return self.b.call(fn, list(args))

    def math_1(self, name: str, x: ir.Value, can_overflow: bool) -> ir.Value:
        """CPython's ``math_1``: NaN from a non-NaN is a domain error; inf from a finite is a range error."""
        b = self.b
        r = self.call_intrinsic("llvm.sqrt", x) if name == "sqrt" else self.libm(name, x)
        self.fail_if(b.and_(b.fcmp_unordered("uno", r, r), b.fcmp_ordered("ord", x, x)), rt.VALUE,
                     "math domain error")
        inf_from_finite = b.and_(b.not_(self.is_finite(r)), b.fcmp_ordered("ord", r, r))
        inf_from_finite = b.and_(inf_from_finite, self.is_finite(x))
        self.fail_if(inf_from_finite, rt.OVERFLOW if can_overflow else rt.VALUE,
                     "math range error" if can_overflow else "math domain error")
        return r

    def complex_numpy_div(self, e: n.Intrinsic, args: list[ir.Value]) -> ir.Value:
        """``/`` with a NumPy complex128 operand: NumPy's division loop, as complex64's always is."""
        a, c = args
        b = self.b
        parts = (b.extract_value(a, 0), b.extract_value(a, 1), b.extract_value(c, 0), b.extract_value(c, 1))
        return self.complex_div_numpy(*parts, a.type)

    def math_log_base(self, e: n.Intrinsic, args: list[ir.Value]) -> ir.Value:
        """CPython's ``math.log(x, base)``: both arguments evaluated, then ``log(x)``, then ``log(base)``
        (each with its domain check), then the division (a zero ``log(base)`` is ZeroDivisionError)."""
        x, base = args
        num = self.math_1("log", x, False)
        den = self.math_1("log", base, False)
        self.fail_if(self.b.fcmp_ordered("==", den, ir.Constant(den.type, 0.0)), rt.ZERO_DIVISION,
                     "float division by zero")
        return self.b.fdiv(num, den)

    def int_abs(self, e: n.Intrinsic, args: list[ir.Value]) -> ir.Value:
        (v,) = args
        t = e.args[0].type
        if t.is_complex:
            return self.complex_abs(v)
        if t.is_float:
            return self.call_intrinsic("llvm.fabs", v)
        if t.is_bool or not t.info.signed:
            return self.int_resize(v, t, llvm_type(e.type))
        if t.checked and self.checked:
            self.fail_if(self.b.icmp_signed("==", v, I64(INT64.info.min_value)), rt.OVERFLOW,
                         "int overflow: abs(x) does not fit in 64 bits")
        neg = self.b.icmp_signed("<", v, ir.Constant(v.type, 0))
        return self.b.select(neg, self.b.neg(v), v)

    def complex_abs(self, v: ir.Value) -> ir.Value:
        re, im = self.b.extract_value(v, 0), self.b.extract_value(v, 1)
        r = self.libm("hypot", re, im)
        overflow = self.b.and_(self.b.and_(self.is_finite(re), self.is_finite(im)), self.b.not_(self.is_finite(r)))
        overflow = self.b.and_(overflow, self.b.fcmp_ordered("ord", r, r))
        self.fail_if(overflow, rt.OVERFLOW, "absolute value too large")
        return r

    def extreme(self, e: n.Intrinsic, args: list[ir.Value]) -> ir.Value:
        # builtins.min/max keep the first extreme value: replace only on a strict comparison
        t = e.type
        sym = "<" if e.name == "min" else ">"
        cur = args[0]
        for v in args[1:]:
            if t.is_float:
                better = self.b.fcmp_ordered(sym, v, cur)
            elif t.info.signed and not t.is_bool:
                better = self.b.icmp_signed(sym, v, cur)
            else:
                better = self.b.icmp_unsigned(sym, v, cur)
            cur = self.b.select(better, v, cur)
        return cur

    def round_to_int(self, e: n.Intrinsic, args: list[ir.Value]) -> ir.Value:
        (v,) = args
        src = e.args[0].type
        if not src.is_float:
            return self.cast(v, src, e.type)
        mode = {"round": "llvm.roundeven", "math.floor": "llvm.floor", "math.ceil": "llvm.ceil",
                "math.trunc": "llvm.trunc"}[e.name]
        r = self.call_intrinsic(mode, v)
        return self.cast(r, src, e.type)

    def round_ndigits(self, e: n.Intrinsic, args: list[ir.Value]) -> ir.Value:
        x, digits = args
        src = e.args[0].type
        if not src.is_float:
            raise UnsupportedConstructError(f"{e.loc}: round(x, ndigits) is supported for floats only")
        digits = self.int_resize(digits, e.args[1].type, I64)
        fn = self.owner.external("pyexec_round_ndigits", F64, [F64, I64])
        r = self.b.call(fn, [self.float_resize(x, F64), digits])
        return self.float_resize(r, llvm_type(e.type))

    def math_pow(self, e: n.Intrinsic, args: list[ir.Value]) -> ir.Value:
        """CPython's ``math.pow``: finite inputs giving NaN are a domain error, inf a range error
        (a domain error for ``0.0 ** negative``)."""
        b = self.b
        x, y = args
        r = self.call_intrinsic("llvm.pow", x, y)
        finite_in = b.and_(self.is_finite(x), self.is_finite(y))
        self.fail_if(b.and_(finite_in, b.fcmp_unordered("uno", r, r)), rt.VALUE, "math domain error")
        inf_out = b.and_(finite_in, b.not_(self.is_finite(r)))
        inf_out = b.and_(inf_out, b.fcmp_ordered("ord", r, r))
        x_zero = b.fcmp_ordered("==", x, ir.Constant(x.type, 0.0))
        self.fail_if(b.and_(inf_out, x_zero), rt.VALUE, "math domain error")
        self.fail_if(inf_out, rt.OVERFLOW, "math range error")
        return r

    def math_fmod(self, e: n.Intrinsic, args: list[ir.Value]) -> ir.Value:
        b = self.b
        x, y = args
        y_inf_x_finite = b.and_(b.not_(self.is_finite(y)), b.fcmp_ordered("ord", y, y))
        y_inf_x_finite = b.and_(y_inf_x_finite, self.is_finite(x))
        r = b.frem(x, y)
        no_nan_in = b.and_(b.fcmp_ordered("ord", x, x), b.fcmp_ordered("ord", y, y))
        self.fail_if(b.and_(b.not_(y_inf_x_finite), b.and_(no_nan_in, b.fcmp_unordered("uno", r, r))), rt.VALUE,
                     "math domain error")
        return b.select(y_inf_x_finite, x, r)

    def float_predicate(self, e: n.Intrinsic, args: list[ir.Value]) -> ir.Value:
        (x,) = args
        if e.name == "math.isnan":
            return self.b.fcmp_unordered("uno", x, x)
        if e.name == "math.isfinite":
            return self.is_finite(x)
        return self.b.fcmp_ordered("==", self.call_intrinsic("llvm.fabs", x), ir.Constant(x.type, math.inf))

    def complex_part(self, e: n.Intrinsic, args: list[ir.Value]) -> ir.Value:
        (v,) = args
        if e.name == "complex.real":
            return self.b.extract_value(v, 0)
        if e.name == "complex.imag":
            return self.b.extract_value(v, 1)
        if e.name == "complex.abs":
            return self.complex_abs(v)
        return self.make_complex(self.b.extract_value(v, 0), self.b.fneg(self.b.extract_value(v, 1)), v.type)


def _math(name: str, can_overflow: bool = False) -> Callable[[FunctionLowering, n.Intrinsic, list], ir.Value]:
    return lambda self, e, args: self.math_1(name, args[0], can_overflow)


def _plain(fn: str) -> Callable[[FunctionLowering, n.Intrinsic, list], ir.Value]:
    return lambda self, e, args: self.libm(fn, *args)


def _llvm(fn: str) -> Callable[[FunctionLowering, n.Intrinsic, list], ir.Value]:
    return lambda self, e, args: self.call_intrinsic(fn, *args)


_INTRINSICS: dict[str, Callable[[FunctionLowering, n.Intrinsic, list], ir.Value]] = {
    "abs": IntrinsicLowering.int_abs,
    "min": IntrinsicLowering.extreme,
    "max": IntrinsicLowering.extreme,
    "round": IntrinsicLowering.round_to_int,
    "round_ndigits": IntrinsicLowering.round_ndigits,
    "math.sqrt": _math("sqrt"),
    "math.exp": _math("exp", True),
    "math.expm1": _math("expm1", True),
    "math.log": _math("log"),
    "math.log2": _math("log2"),
    "math.log10": _math("log10"),
    "math.log1p": _math("log1p"),
    "math.sin": _math("sin"),
    "math.cos": _math("cos"),
    "math.tan": _math("tan"),
    "math.asin": _math("asin"),
    "math.acos": _math("acos"),
    "math.atan": _plain("atan"),
    "math.atan2": _plain("atan2"),
    "math.sinh": _math("sinh", True),
    "math.cosh": _math("cosh", True),
    "math.tanh": _plain("tanh"),
    "math.asinh": _plain("asinh"),
    "math.acosh": _math("acosh"),
    "math.atanh": _math("atanh"),
    "math.cbrt": _plain("cbrt"),
    "math.exp2": _math("exp2", True),
    "math.erf": _plain("erf"),
    "math.erfc": _plain("erfc"),
    "math.floor": IntrinsicLowering.round_to_int,
    "math.ceil": IntrinsicLowering.round_to_int,
    "math.trunc": IntrinsicLowering.round_to_int,
    "math.fabs": _llvm("llvm.fabs"),
    "math.hypot": _plain("hypot"),
    "math.pow": IntrinsicLowering.math_pow,
    "math.fmod": IntrinsicLowering.math_fmod,
    "math.log_base": IntrinsicLowering.math_log_base,
    "complex.numpy_div": IntrinsicLowering.complex_numpy_div,
    "math.copysign": _llvm("llvm.copysign"),
    "math.isnan": IntrinsicLowering.float_predicate,
    "math.isinf": IntrinsicLowering.float_predicate,
    "math.isfinite": IntrinsicLowering.float_predicate,
    "complex.real": IntrinsicLowering.complex_part,
    "complex.imag": IntrinsicLowering.complex_part,
    "complex.conjugate": IntrinsicLowering.complex_part,
    "complex.abs": IntrinsicLowering.complex_part,
    **MATH_INTRINSICS,
}
"""Intrinsic name → its lowering (a table, not a chain of ifs)."""
