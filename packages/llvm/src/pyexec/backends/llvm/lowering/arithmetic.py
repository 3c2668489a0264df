"""Scalar arithmetic: comparisons, truth, ``and``/``or``, ``x if c else y``, unary and binary operators on
int, float and complex, with Python's (or NumPy's) rules for overflow, division and powers."""

from __future__ import annotations

import math

from llvmlite import ir

from pyexec.backends.llvm import runtime as rt
from pyexec.backends.llvm.errors import UnsupportedConstructError
from pyexec.backends.llvm.lowering.strings import own_branch
from pyexec.backends.llvm.lowering.types import I1, I64, llvm_type
from pyexec.backends.llvm.math_functions import lower_complex_pow
from pyexec.frontend.ir import nodes as n
from pyexec.frontend.ir.types import INT64, ScalarT

_BINOP_SYMBOLS = {"add": "+", "sub": "-", "mul": "*", "lshift": "<<", "pow": "**"}


class ArithmeticLowering:
    """Scalar operators of :class:`~.function.FunctionLowering` (a mixin)."""

    def expr_IfExp(self, e: n.IfExp) -> ir.Value:
        cond = self.expr(e.test)
        then, other, done = self.new_block("ifexp.then"), self.new_block("ifexp.else"), self.new_block("ifexp.end")
        self.b.cbranch(cond, then, other)
        self.b.position_at_end(then)
        a = self.expr(e.body)
        own_branch(self, e.body, a)
        then_end = self.b.block
        self.b.branch(done)
        self.b.position_at_end(other)
        c = self.expr(e.orelse)
        own_branch(self, e.orelse, c)
        other_end = self.b.block
        self.b.branch(done)
        self.b.position_at_end(done)
        phi = self.b.phi(llvm_type(e.type))
        phi.add_incoming(a, then_end)
        phi.add_incoming(c, other_end)
        return phi

    def expr_BoolOp(self, e: n.BoolOp) -> ir.Value:
        done = self.new_block(f"{e.op}.end")
        incoming = []
        for i, value in enumerate(e.values):
            v = self.expr(value)
            if i == len(e.values) - 1:
                incoming.append((v, self.b.block))
                self.b.branch(done)
                break
            truth = self.truth(v, e.type)
            nxt = self.new_block(f"{e.op}.next")
            incoming.append((v, self.b.block))
            if e.op == "and":
                self.b.cbranch(truth, nxt, done)
            else:
                self.b.cbranch(truth, done, nxt)
            self.b.position_at_end(nxt)
        self.b.position_at_end(done)
        phi = self.b.phi(llvm_type(e.type))
        for v, block in incoming:
            phi.add_incoming(v, block)
        return phi

    def expr_Compare(self, e: n.Compare) -> ir.Value:
        left = self.expr(e.operands[0])
        types = [o.type for o in e.operands]
        if len(e.ops) == 1:
            return self.link(e.ops[0], left, types[0], self.expr(e.operands[1]), types[1], e.link_types[0])
        done = self.new_block("cmp.end")
        incoming = []
        for i, op in enumerate(e.ops):
            right = self.expr(e.operands[i + 1])
            result = self.link(op, left, types[i], right, types[i + 1], e.link_types[i])
            incoming.append((result, self.b.block))
            if i == len(e.ops) - 1:
                self.b.branch(done)
            else:
                nxt = self.new_block("cmp.next")
                self.b.cbranch(result, nxt, done)
                self.b.position_at_end(nxt)
            left = right
        self.b.position_at_end(done)
        phi = self.b.phi(I1)
        for v, block in incoming:
            phi.add_incoming(v, block)
        return phi

    def link(self, op: str, a: ir.Value, ta: ScalarT, c: ir.Value, tc: ScalarT, t: ScalarT) -> ir.Value:
        """One link of a comparison chain in type ``t``, converting an operand of another type as
        :class:`nodes.Compare` says: integers by value (widened to i65 when uint64 meets a signed
        integer, so that every value of both compares exactly), anything else as a cast."""
        if ta == tc == t:
            return self.compare(op, a, c, t)
        if t.is_integer and ta.is_integer and tc.is_integer:
            sym = {"eq": "==", "ne": "!=", "lt": "<", "le": "<=", "gt": ">", "ge": ">="}[op]
            wide = ir.IntType(65)
            a, c = (self.b.sext(v, wide) if ty.info.signed else self.b.zext(v, wide)
                    for v, ty in ((a, ta), (c, tc)))
            return self.b.icmp_signed(sym, a, c)
        return self.compare(op, self.cast(a, ta, t), self.cast(c, tc, t), t)

    def compare(self, op: str, a: ir.Value, c: ir.Value, t: ScalarT) -> ir.Value:
        sym = {"eq": "==", "ne": "!=", "lt": "<", "le": "<=", "gt": ">", "ge": ">="}[op]
        if t.is_complex:
            if op not in ("eq", "ne"):
                raise UnsupportedConstructError(f"complex numbers have no order ({sym})")
            parts = [self.b.fcmp_ordered("==", self.b.extract_value(a, i), self.b.extract_value(c, i))
                     for i in (0, 1)]
            same = self.b.and_(*parts)
            return same if op == "eq" else self.b.not_(same)
        if t.is_float:
            if op == "ne":
                return self.b.fcmp_unordered("!=", a, c)
            return self.b.fcmp_ordered(sym, a, c)
        if t.info.signed and not t.is_bool:
            return self.b.icmp_signed(sym, a, c)
        return self.b.icmp_unsigned(sym, a, c)

    def truth(self, v: ir.Value, t: ScalarT) -> ir.Value:
        """Python truthiness as an ``i1``."""
        if t.is_bool:
            return v
        if t.is_float:
            return self.b.fcmp_unordered("!=", v, ir.Constant(v.type, 0.0))
        if t.is_complex:
            zero = ir.Constant(v.type.elements[0], 0.0)
            return self.b.or_(self.b.fcmp_unordered("!=", self.b.extract_value(v, 0), zero),
                              self.b.fcmp_unordered("!=", self.b.extract_value(v, 1), zero))
        return self.b.icmp_unsigned("!=", v, ir.Constant(v.type, 0))

    # --- unary and binary operators --------------------------------------------------------------

    def expr_UnaryOp(self, e: n.UnaryOp) -> ir.Value:
        v = self.expr(e.operand)
        t = e.type
        if e.op == "pos":
            return v
        if e.op == "not":
            return self.b.not_(self.truth(v, e.operand.type))
        if e.op == "invert":
            return self.b.not_(v)
        if t.is_complex:
            return self.make_complex(self.b.fneg(self.b.extract_value(v, 0)), self.b.fneg(self.b.extract_value(v, 1)),
                                     v.type)
        if t.is_float:
            return self.b.fneg(v)
        if t.checked and self.checked:
            self.fail_if(self.b.icmp_signed("==", v, I64(INT64.info.min_value)), rt.OVERFLOW,
                         "int overflow: -x does not fit in 64 bits")
        return self.b.neg(v)

    def expr_BinOp(self, e: n.BinOp) -> ir.Value:
        a, c = self.expr(e.left), self.expr(e.right)
        t = e.type
        if t.is_complex:
            return self.complex_binop(e.op, a, c, t)
        if t.is_float:
            return self.float_binop(e.op, a, c)
        if e.op == "pow":
            return self.int_pow(a, c, t, e.right.type)
        return self.int_binop(e.op, a, c, t)

    def checked_arith(self, op: str, a: ir.Value, c: ir.Value) -> ir.Value:
        fn = self.intrinsic_fn(f"llvm.s{op}.with.overflow", ir.LiteralStructType([I64, I1]), [I64, I64], [I64])
        pair = self.b.call(fn, [a, c])
        self.fail_if(self.b.extract_value(pair, 1), rt.OVERFLOW,
                     f"int overflow: the result of {_BINOP_SYMBOLS[op]} does not fit in 64 bits")
        return self.b.extract_value(pair, 0)

    def int_binop(self, op: str, a: ir.Value, c: ir.Value, t: ScalarT) -> ir.Value:
        b = self.b
        checked = t.checked and self.checked
        if op in ("add", "sub", "mul"):
            if checked:
                return self.checked_arith(op, a, c)
            return {"add": b.add, "sub": b.sub, "mul": b.mul}[op](a, c)
        if op in ("bitand", "bitor", "bitxor"):
            return {"bitand": b.and_, "bitor": b.or_, "bitxor": b.xor}[op](a, c)
        if op in ("floordiv", "mod"):
            return self.int_floordiv_mod(op, a, c, t, checked)
        if op in ("lshift", "rshift"):
            return self.int_shift(op, a, c, t, checked)
        if op == "truediv":
            raise UnsupportedConstructError("'/' on integers must be cast to float by the frontend")
        raise UnsupportedConstructError(f"integer operator {op!r}")

    def int_floordiv_mod(self, op: str, a: ir.Value, c: ir.Value, t: ScalarT, checked: bool) -> ir.Value:
        b = self.b
        ty = a.type
        zero = ir.Constant(ty, 0)
        message = "integer division or modulo by zero" if op == "floordiv" else "integer modulo by zero"
        self.fail_if(b.icmp_unsigned("==", c, zero), rt.ZERO_DIVISION, message)
        if not t.info.signed or t.is_bool:
            safe = self.total_divisor(c, ())
            return b.udiv(a, safe) if op == "floordiv" else b.urem(a, safe)
        minus_one = ir.Constant(ty, -1)
        is_m1 = b.icmp_signed("==", c, minus_one)
        if op == "floordiv" and checked:
            self.fail_if(b.and_(is_m1, b.icmp_signed("==", a, ir.Constant(ty, t.info.min_value))), rt.OVERFLOW,
                         "int overflow: the result of // does not fit in 64 bits")
        # x // -1 is -x (wrapping for fixed-width types); dividing by 1 instead keeps sdiv defined.
        safe = self.total_divisor(c, (-1,))
        q = b.sdiv(a, safe)
        r = b.srem(a, safe)
        adjust = b.and_(b.icmp_signed("!=", r, zero), b.icmp_signed("<", b.xor(r, c), zero))
        if op == "floordiv":
            q = b.sub(q, b.zext(adjust, ty))
            return b.select(is_m1, b.neg(a), q)
        r = b.add(r, b.select(adjust, c, zero))
        return b.select(is_m1, zero, r)

    def total_divisor(self, c: ir.Value, also: tuple[int, ...]) -> ir.Value:
        """The divisor ``c`` with 0 (and the values in ``also``) replaced by 1, so that the division
        instruction itself is never undefined behaviour, wherever the optimiser moves it.

        The zero test that raises ZeroDivisionError is not enough on its own: LLVM 22's
        IndVarSimplify rewrites a loop exit that depends on a loop-invariant ``urem``/``udiv`` as a
        first-iteration test and expands the division in the loop preheader, above that test
        (issue 12: SIGFPE at -O1/-O2). A plain ``select`` would not survive either: under the zero
        test LLVM folds it away. So the divisor first passes through an empty inline ``asm``, which
        LLVM cannot see through (it emits no instruction, on x86-64 and wasm32 alike); the select
        on its result stays, and the division is by a non-zero value on every path.
        """
        if isinstance(c, ir.Constant) and c.constant not in (0, *also):
            return c  # a constant divisor keeps LLVM's strength reduction (x // 10 as a multiply)
        b = self.b
        opaque = b.asm(ir.FunctionType(c.type, [c.type]), "", "=r,0", [c], side_effect=False)
        bad = b.icmp_unsigned("==", opaque, ir.Constant(c.type, 0))
        for value in also:
            bad = b.or_(bad, b.icmp_unsigned("==", opaque, ir.Constant(c.type, value)))
        return b.select(bad, ir.Constant(c.type, 1), opaque)

    def int_shift(self, op: str, a: ir.Value, c: ir.Value, t: ScalarT, checked: bool) -> ir.Value:
        b = self.b
        ty = a.type
        bits = ir.Constant(ty, t.bits)
        zero = ir.Constant(ty, 0)
        if t.checked:
            self.fail_if(b.icmp_signed("<", c, zero), rt.VALUE, "negative shift count")
        # NumPy's npy_lshift/npy_rshift: a count that is negative or at least the width (compared
        # unsigned, so a negative count is huge) gives 0, or -1 for a negative value shifted right
        too_far = b.icmp_unsigned(">=", c, bits)
        safe = b.select(too_far, zero, c)
        if op == "rshift":
            if t.info.signed:
                fill = b.ashr(a, ir.Constant(ty, t.bits - 1))
                return b.select(too_far, fill, b.ashr(a, safe))
            return b.select(too_far, zero, b.lshr(a, safe))
        shifted = b.shl(a, safe)
        if checked:
            lost = b.or_(b.and_(too_far, b.icmp_signed("!=", a, zero)),
                         b.and_(b.not_(too_far), b.icmp_signed("!=", b.ashr(shifted, safe), a)))
            self.fail_if(lost, rt.OVERFLOW, "int overflow: the result of << does not fit in 64 bits")
        return b.select(too_far, zero, shifted)

    def int_pow(self, base: ir.Value, exp: ir.Value, t: ScalarT, exp_t: ScalarT) -> ir.Value:
        """Exponentiation by squaring; the base is squared only while exponent bits remain, so a
        checked square overflows only when the result would too."""
        b = self.b
        ty = base.type
        zero, one = ir.Constant(ty, 0), ir.Constant(ty, 1)
        if exp.type != ty:
            if exp_t.info.signed and not exp_t.is_bool:
                self.refuse_negative_exponent(base, exp, t)
            exp = self.int_resize(exp, exp_t, ty) if exp.type.width <= ty.width else self.clamp_exponent(exp, ty)
        elif exp_t.info.signed and not exp_t.is_bool:
            self.refuse_negative_exponent(base, exp, t)
        mul = (lambda x, y: self.checked_arith("mul", x, y)) if t.checked and self.checked else b.mul
        pre = b.block
        head, odd_block, square_block, latch, done = (
            self.new_block(x) for x in ("pow.head", "pow.odd", "pow.square", "pow.next", "pow.end"))
        b.branch(head)
        b.position_at_end(head)
        result = b.phi(ty, name="pow.result")
        power = b.phi(ty, name="pow.power")
        e = b.phi(ty, name="pow.exp")
        result.add_incoming(one, pre)
        power.add_incoming(base, pre)
        e.add_incoming(exp, pre)
        b.cbranch(b.icmp_unsigned("!=", e, zero), odd_block, done)
        b.position_at_end(odd_block)
        is_odd = b.icmp_unsigned("!=", b.and_(e, one), zero)
        with b.if_then(is_odd):
            multiplied = mul(result, power)
            multiplied_in = b.block
        new_result = b.phi(ty)
        new_result.add_incoming(multiplied, multiplied_in)
        new_result.add_incoming(result, odd_block)
        rest = b.lshr(e, one)
        b.cbranch(b.icmp_unsigned("!=", rest, zero), square_block, latch)
        after_odd = b.block
        b.position_at_end(square_block)
        squared = mul(power, power)
        squared_in = b.block
        b.branch(latch)
        b.position_at_end(latch)
        new_power = b.phi(ty)
        new_power.add_incoming(squared, squared_in)
        new_power.add_incoming(power, after_odd)
        result.add_incoming(new_result, latch)
        power.add_incoming(new_power, latch)
        e.add_incoming(rest, latch)
        b.branch(head)
        b.position_at_end(done)
        return result

    def refuse_negative_exponent(self, base: ir.Value, exp: ir.Value, t: ScalarT) -> None:
        """``int ** negative``: Python's ``int`` raises ZeroDivisionError for a zero base, as CPython
        does (``0 ** -1``), and ValueError otherwise (CPython would return a float); the fixed-width
        types raise ValueError like NumPy's scalars."""
        negative = self.b.icmp_signed("<", exp, ir.Constant(exp.type, 0))
        if t.checked:
            zero_base = self.b.icmp_unsigned("==", base, ir.Constant(base.type, 0))
            self.fail_if(self.b.and_(negative, zero_base), rt.ZERO_DIVISION, "0.0 cannot be raised to a negative power")
        self.fail_if(negative, rt.VALUE, _NEGATIVE_POW if t.checked else _NUMPY_NEGATIVE_POW)

    def clamp_exponent(self, exp: ir.Value, ty: ir.IntType) -> ir.Value:
        """Narrow a wider exponent: values past the narrow type's range behave like its maximum bit count."""
        limit = ir.Constant(exp.type, (1 << (ty.width - 1)) - 1)
        big = self.b.icmp_unsigned(">", exp, limit)
        return self.b.trunc(self.b.select(big, limit, exp), ty)

    def int_resize(self, v: ir.Value, src: ScalarT, ty: ir.IntType) -> ir.Value:
        if v.type.width > ty.width:
            return self.b.trunc(v, ty)
        if v.type.width < ty.width:
            return self.b.sext(v, ty) if src.info.signed and not src.is_bool else self.b.zext(v, ty)
        return v

    def float_binop(self, op: str, a: ir.Value, c: ir.Value) -> ir.Value:
        b = self.b
        ty = a.type
        zero = ir.Constant(ty, 0.0)
        if op in ("add", "sub", "mul"):
            return {"add": b.fadd, "sub": b.fsub, "mul": b.fmul}[op](a, c)
        if op == "truediv":
            self.fail_if(b.fcmp_ordered("==", c, zero), rt.ZERO_DIVISION, "float division by zero")
            return b.fdiv(a, c)
        if op in ("floordiv", "mod"):
            self.fail_if(b.fcmp_ordered("==", c, zero), rt.ZERO_DIVISION,
                         "float floor division by zero" if op == "floordiv" else "float modulo")
            return self.float_divmod(a, c)[0 if op == "floordiv" else 1]
        if op == "pow":
            self.fail_if(b.and_(b.fcmp_ordered("==", a, zero), b.fcmp_ordered("<", c, zero)), rt.ZERO_DIVISION,
                         "0.0 cannot be raised to a negative power")
            finite_negative = b.and_(b.fcmp_ordered("<", a, zero), self.is_finite(a))
            fractional = b.and_(self.is_finite(c), b.fcmp_unordered("!=", c, self.call_intrinsic("llvm.floor", c)))
            self.fail_if(b.and_(finite_negative, fractional), rt.VALUE,
                         "negative number cannot be raised to a fractional power")
            return self.call_intrinsic("llvm.pow", a, c)
        raise UnsupportedConstructError(f"float operator {op!r}")

    def float_divmod(self, vx: ir.Value, wx: ir.Value) -> tuple[ir.Value, ir.Value]:
        """CPython's ``float_divmod`` (Objects/floatobject.c), step for step: floor quotient and modulo."""
        b = self.b
        ty = vx.type
        zero = ir.Constant(ty, 0.0)
        mod = b.frem(vx, wx)
        div = b.fdiv(b.fsub(vx, mod), wx)
        mod_nonzero = b.fcmp_unordered("!=", mod, zero)
        signs_differ = b.xor(b.fcmp_ordered("<", wx, zero), b.fcmp_ordered("<", mod, zero))
        fix = b.and_(mod_nonzero, signs_differ)
        mod = b.select(fix, b.fadd(mod, wx), mod)
        div = b.select(fix, b.fsub(div, ir.Constant(ty, 1.0)), div)
        mod = b.select(mod_nonzero, mod, self.call_intrinsic("llvm.copysign", zero, wx))
        floordiv = self.call_intrinsic("llvm.floor", div)
        floordiv = b.select(b.fcmp_ordered(">", b.fsub(div, floordiv), ir.Constant(ty, 0.5)),
                            b.fadd(floordiv, ir.Constant(ty, 1.0)), floordiv)
        div_nonzero = b.fcmp_unordered("!=", div, zero)
        floordiv = b.select(div_nonzero, floordiv, self.call_intrinsic("llvm.copysign", zero, b.fdiv(vx, wx)))
        return floordiv, mod

    def complex_binop(self, op: str, a: ir.Value, c: ir.Value, t: ScalarT) -> ir.Value:
        b = self.b
        ar, ai = b.extract_value(a, 0), b.extract_value(a, 1)
        cr, ci = b.extract_value(c, 0), b.extract_value(c, 1)
        if op == "add":
            return self.make_complex(b.fadd(ar, cr), b.fadd(ai, ci), a.type)
        if op == "sub":
            return self.make_complex(b.fsub(ar, cr), b.fsub(ai, ci), a.type)
        if op == "mul":
            return self.make_complex(b.fsub(b.fmul(ar, cr), b.fmul(ai, ci)),
                                     b.fadd(b.fmul(ar, ci), b.fmul(ai, cr)), a.type)
        if op == "truediv":
            if t.bits == 64:  # complex64 is always NumPy's: its division, not CPython's
                return self.complex_div_numpy(ar, ai, cr, ci, a.type)
            return self.complex_div(ar, ai, cr, ci, a.type)
        if op == "pow" and t.bits == 128:  # Python's complex (the frontend refuses NumPy's complex **)
            return lower_complex_pow(self, a, c)
        raise UnsupportedConstructError(f"complex operator {op!r} is not supported by the native backend")

    def complex_div(self, ar: ir.Value, ai: ir.Value, br: ir.Value, bi: ir.Value, ty: ir.Type) -> ir.Value:
        """CPython's ``_Py_c_quot`` (Objects/complexobject.c): Smith's method, the same branches."""
        b = self.b
        fty = ar.type
        zero = ir.Constant(fty, 0.0)
        abs_br = self.call_intrinsic("llvm.fabs", br)
        abs_bi = self.call_intrinsic("llvm.fabs", bi)
        both_zero = b.and_(b.fcmp_ordered("==", br, zero), b.fcmp_ordered("==", bi, zero))
        self.fail_if(both_zero, rt.ZERO_DIVISION, "complex division by zero")
        first = b.fcmp_ordered(">=", abs_br, abs_bi)
        # |br| >= |bi|
        ratio1 = b.fdiv(bi, br)
        denom1 = b.fadd(br, b.fmul(bi, ratio1))
        r1 = b.fdiv(b.fadd(ar, b.fmul(ai, ratio1)), denom1)
        i1 = b.fdiv(b.fsub(ai, b.fmul(ar, ratio1)), denom1)
        # |bi| > |br|
        ratio2 = b.fdiv(br, bi)
        denom2 = b.fadd(b.fmul(br, ratio2), bi)
        r2 = b.fdiv(b.fadd(b.fmul(ar, ratio2), ai), denom2)
        i2 = b.fdiv(b.fsub(b.fmul(ai, ratio2), ar), denom2)
        # NaN in the divisor's parts: CPython returns nan+nanj
        nan = ir.Constant(fty, math.nan)
        has_nan = b.fcmp_unordered("uno", abs_br, abs_bi)
        re = b.select(has_nan, nan, b.select(first, r1, r2))
        im = b.select(has_nan, nan, b.select(first, i1, i2))
        return self.make_complex(re, im, ty)

    def complex_div_numpy(self, ar: ir.Value, ai: ir.Value, br: ir.Value, bi: ir.Value, ty: ir.Type) -> ir.Value:
        """NumPy's complex division loop (umath ``@TYPE@_divide``), operation for operation: Smith's
        method through a reciprocal ``scl`` (CPython divides instead, which rounds differently)."""
        b = self.b
        fty = ar.type
        zero, one = ir.Constant(fty, 0.0), ir.Constant(fty, 1.0)
        both_zero = b.and_(b.fcmp_ordered("==", br, zero), b.fcmp_ordered("==", bi, zero))
        self.fail_if(both_zero, rt.ZERO_DIVISION, "complex division by zero")
        first = b.fcmp_ordered(">=", self.call_intrinsic("llvm.fabs", br), self.call_intrinsic("llvm.fabs", bi))
        # |br| >= |bi|
        rat1 = b.fdiv(bi, br)
        scl1 = b.fdiv(one, b.fadd(br, b.fmul(bi, rat1)))
        r1 = b.fmul(b.fadd(ar, b.fmul(ai, rat1)), scl1)
        i1 = b.fmul(b.fsub(ai, b.fmul(ar, rat1)), scl1)
        # otherwise (NaN parts included, as in NumPy)
        rat2 = b.fdiv(br, bi)
        scl2 = b.fdiv(one, b.fadd(bi, b.fmul(br, rat2)))
        r2 = b.fmul(b.fadd(b.fmul(ar, rat2), ai), scl2)
        i2 = b.fmul(b.fsub(b.fmul(ai, rat2), ar), scl2)
        return self.make_complex(b.select(first, r1, r2), b.select(first, i1, i2), ty)

    def make_complex(self, re: ir.Value, im: ir.Value, ty: ir.Type) -> ir.Value:
        v = self.b.insert_value(ir.Constant(ty, ir.Undefined), re, 0)
        return self.b.insert_value(v, im, 1)

    def is_finite(self, x: ir.Value) -> ir.Value:
        return self.b.fcmp_ordered("<", self.call_intrinsic("llvm.fabs", x), ir.Constant(x.type, math.inf))

    def call_intrinsic(self, name: str, *args: ir.Value) -> ir.Value:
        ty = args[0].type
        return self.b.call(self.intrinsic_fn(name, ty, [ty] * len(args), [ty]), list(args))


_NEGATIVE_POW = "integer ** negative integer: the result would be a float; cast the base to float"
_NUMPY_NEGATIVE_POW = "Integers to negative integer powers are not allowed."  # NumPy's ValueError, word for word
