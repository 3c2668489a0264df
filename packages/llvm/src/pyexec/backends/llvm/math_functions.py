"""The ``math`` functions that are algorithms rather than one libm call, as LLVM IR, for every target.

``math.gamma``/``lgamma`` follow CPython's own method (Modules/mathmodule.c: a Lanczos sum with N=13,
g=6.024680040776729583740234375, the reflection formula for negative arguments, exact values for small
integers), so they give CPython's results wherever ``exp``/``log``/``pow``/``sin``/``cos`` give the C
library's. The integer functions (``factorial``, ``isqrt``, ``comb``, ``perm``, ``gcd``, ``lcm``,
three-argument ``pow``) compute exactly in 64/128-bit integers and report a result outside int64 as
OverflowError. Complex ``**`` follows CPython's ``complex_pow``: repeated squaring for an integral
exponent of at most 100 in magnitude, the polar form otherwise, ZeroDivisionError for ``0`` to a negative
or complex power, OverflowError when a part of the result is infinite.

Each algorithm is an internal helper function of the module (``pyexec.math.*``), defined on first use,
that returns its value and a status (0: no error); the caller turns a status into the exception, so the
helpers need no error state. A table maps each IR intrinsic to its lowering.

Example:
    >>> sorted(MATH_INTRINSICS)[:3]
    ['complex.make', 'math.comb', 'math.factorial']
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING

from llvmlite import ir

from pyexec.backends.llvm import runtime as rt
from pyexec.frontend.ir import nodes as n

if TYPE_CHECKING:
    from pyexec.backends.llvm.lowering.function import FunctionLowering

I1 = ir.IntType(1)
I32 = ir.IntType(32)
I64 = ir.IntType(64)
I128 = ir.IntType(128)
F64 = ir.DoubleType()

INT64_MAX = (1 << 63) - 1

# The Lanczos approximation CPython's math.gamma and math.lgamma use (N = 13): numerator and
# denominator coefficients of the sum as a rational function, g, and Gamma(1) .. Gamma(23).
LANCZOS_G = 6.024680040776729583740234375
LANCZOS_G_MINUS_HALF = 5.524680040776729583740234375
LANCZOS_NUM = (
    23531376880.410759688572007674451636754734846804940, 42919803642.649098768957899047001988850926355848959,
    35711959237.355668049440185451547166705960488635843, 17921034426.037209699919755754458931112671403265390,
    6039542586.3520280050642916443072979210699388420708, 1439720407.3117216736632230727949123939715485786772,
    248874557.86205415651146038641322942321632125127801, 31426415.585400194380614231628318205362874684987640,
    2876370.6289353724412254090516208496135991145378768, 186056.26539522349504029498971604569928220784236328,
    8071.6720023658162106380029022722506138218516325024, 210.82427775157934587250973392071336271166969580291,
    2.5066282746310002701649081771338373386264310793408,
)
LANCZOS_DEN = (0.0, 39916800.0, 120543840.0, 150917976.0, 105258076.0, 45995730.0, 13339535.0, 2637558.0,
               357423.0, 32670.0, 1925.0, 66.0, 1.0)
GAMMA_OF_INTEGERS = tuple(float(math.factorial(k - 1)) for k in range(1, 24))
LOG_PI = 1.144729885849400174143427351353058711647

# statuses the helpers return
OK, DOMAIN, RANGE, THIRD = 0, 1, 2, 3


def f64(x: float) -> ir.Constant:
    return ir.Constant(F64, x)


class _Helper:
    """Builds one helper function: an IRBuilder positioned in it, with small tools for its body."""

    def __init__(self, low: FunctionLowering, fn: ir.Function) -> None:
        self.low = low
        self.fn = fn
        self.b = ir.IRBuilder(fn.append_basic_block("entry"))

    def libm(self, name: str, *args: ir.Value) -> ir.Value:
        ty = args[0].type
        symbol = name if ty == F64 else name + "f"
        return self.b.call(self.low.owner.external(symbol, ty, [ty] * len(args)), list(args))

    def llvm(self, name: str, *args: ir.Value) -> ir.Value:
        ty = args[0].type
        suffix = "f64" if ty == F64 else "f32" if isinstance(ty, ir.FloatType) else f"i{ty.width}"
        return self.b.call(self.low.owner.external(f"{name}.{suffix}", ty, [ty] * len(args)), list(args))

    def ret(self, *values: ir.Value) -> None:
        """Return ``values`` packed in the helper's struct."""
        ty = self.fn.function_type.return_type
        packed = ir.Constant(ty, ir.Undefined)
        for i, v in enumerate(values):
            packed = self.b.insert_value(packed, v, i)
        self.b.ret(packed)

    def return_if(self, cond: ir.Value, *values: ir.Value) -> None:
        with self.b.if_then(cond):
            self.ret(*values)

    def var(self, value: ir.Value, name: str) -> ir.AllocaInstr:
        slot = self.b.alloca(value.type, name=name)
        self.b.store(value, slot)
        return slot

    def loop(self, cond: Callable[[], ir.Value], body: Callable[[], None]) -> None:
        """``while cond(): body()`` over stack slots (the optimiser promotes them to registers)."""
        head, loop_body, done = (self.fn.append_basic_block(x) for x in ("head", "body", "done"))
        self.b.branch(head)
        self.b.position_at_end(head)
        self.b.cbranch(cond(), loop_body, done)
        self.b.position_at_end(loop_body)
        body()
        self.b.branch(head)
        self.b.position_at_end(done)

    def is_finite(self, x: ir.Value) -> ir.Value:
        return self.b.fcmp_ordered("<", self.llvm("llvm.fabs", x), ir.Constant(x.type, math.inf))

    def is_inf(self, x: ir.Value) -> ir.Value:
        return self.b.fcmp_ordered("==", self.llvm("llvm.fabs", x), ir.Constant(x.type, math.inf))


def helper(low: FunctionLowering, name: str, ret: list[ir.Type], args: list[ir.Type],
           build: Callable[[_Helper], None]) -> ir.Function:
    """The module's helper ``pyexec.math.<name>``, built by ``build`` the first time it is needed."""
    full = f"pyexec.math.{name}"
    module = low.owner.module
    existing = module.globals.get(full)
    if existing is not None:
        return existing
    result: ir.Type = ir.LiteralStructType(ret) if len(ret) > 1 else ret[0]
    fn = ir.Function(module, ir.FunctionType(result, args), full)
    fn.linkage = "internal"
    build(_Helper(low, fn))
    return fn


def call_checked(low: FunctionLowering, fn: ir.Function, args: list[ir.Value],
                 errors: dict[int, tuple[int, str]]) -> list[ir.Value]:
    """Call a helper returning (values..., status); each status in ``errors`` raises its (kind, message)."""
    b = low.b
    packed = b.call(fn, args)
    count = len(fn.function_type.return_type.elements)
    status = b.extract_value(packed, count - 1)
    for code, (kind, message) in errors.items():
        low.fail_if(b.icmp_unsigned("==", status, I32(code)), kind, message)
    return [b.extract_value(packed, i) for i in range(count - 1)]


# --- gamma and lgamma ---------------------------------------------------------------------------------


def _sinpi(h: _Helper, x: ir.Value) -> ir.Value:
    """sin(pi * x) for finite x, exact at integers and half-integers (CPython's ``m_sinpi``)."""
    b = h.b
    y = b.frem(h.llvm("llvm.fabs", x), f64(2.0))
    twice = b.fmul(f64(2.0), y)
    whole = h.llvm("llvm.trunc", twice)  # round half away from zero of a value in [0, 4): exact steps
    whole = b.select(b.fcmp_ordered(">=", b.fsub(twice, whole), f64(0.5)), b.fadd(whole, f64(1.0)), whole)
    k = b.fptosi(whole, I32)
    pi = f64(math.pi)
    sin_arg = b.select(b.icmp_signed("==", k, I32(0)), b.fmul(pi, y),
                       b.select(b.icmp_signed("==", k, I32(2)), b.fmul(pi, b.fsub(f64(1.0), y)),
                                b.fmul(pi, b.fsub(y, f64(2.0)))))
    cos_arg = b.select(b.icmp_signed("==", k, I32(1)), b.fmul(pi, b.fsub(y, f64(0.5))),
                       b.fmul(pi, b.fsub(y, f64(1.5))))
    odd = b.icmp_signed("!=", b.and_(k, I32(1)), I32(0))
    cos_value = h.libm("cos", cos_arg)
    cos_value = b.select(b.icmp_signed("==", k, I32(3)), b.fneg(cos_value), cos_value)
    r = b.select(odd, cos_value, h.libm("sin", sin_arg))
    return b.fmul(h.llvm("llvm.copysign", f64(1.0), x), r)


def _lanczos_sum(h: _Helper, x: ir.Value) -> ir.Value:
    """The Lanczos sum for x > 0 as a rational function: in x below 5, in 1/x above (no overflow)."""
    b = h.b
    num, den = f64(0.0), f64(0.0)
    for c_num, c_den in zip(reversed(LANCZOS_NUM), reversed(LANCZOS_DEN)):
        num = b.fadd(b.fmul(num, x), f64(c_num))
        den = b.fadd(b.fmul(den, x), f64(c_den))
    num_big, den_big = f64(0.0), f64(0.0)
    for c_num, c_den in zip(LANCZOS_NUM, LANCZOS_DEN):
        num_big = b.fadd(b.fdiv(num_big, x), f64(c_num))
        den_big = b.fadd(b.fdiv(den_big, x), f64(c_den))
    small = b.fcmp_ordered("<", x, f64(5.0))
    return b.fdiv(b.select(small, num, num_big), b.select(small, den, den_big))


def _build_gamma(h: _Helper) -> None:
    b = h.b
    (x,) = h.fn.args
    nan, inf = f64(math.nan), f64(math.inf)
    finite = h.is_finite(x)
    with b.if_then(b.not_(finite)):
        h.return_if(b.fcmp_unordered("uno", x, x), x, I32(OK))
        h.return_if(b.fcmp_ordered(">", x, f64(0.0)), x, I32(OK))
        h.ret(nan, I32(DOMAIN))
    h.return_if(b.fcmp_ordered("==", x, f64(0.0)), h.llvm("llvm.copysign", inf, x), I32(DOMAIN))
    integral = b.fcmp_ordered("==", x, h.llvm("llvm.floor", x))
    with b.if_then(integral):
        h.return_if(b.fcmp_ordered("<", x, f64(0.0)), nan, I32(DOMAIN))
        with b.if_then(b.fcmp_ordered("<=", x, f64(len(GAMMA_OF_INTEGERS)))):
            table = ir.Constant(ir.ArrayType(F64, len(GAMMA_OF_INTEGERS)), [f64(v) for v in GAMMA_OF_INTEGERS])
            g = ir.GlobalVariable(h.low.owner.module, table.type, "pyexec.math.gamma_integral")
            g.linkage = "internal"
            g.global_constant = True
            g.initializer = table
            index = b.sub(b.fptosi(x, I32), I32(1))
            value = b.load(b.gep(g, [I32(0), index], inbounds=True), typ=F64)
            h.ret(value, I32(OK))
    absx = h.llvm("llvm.fabs", x)
    with b.if_then(b.fcmp_ordered("<", absx, f64(1e-20))):
        r = b.fdiv(f64(1.0), x)
        h.ret(r, b.select(h.is_inf(r), I32(RANGE), I32(OK)))
    with b.if_then(b.fcmp_ordered(">", absx, f64(200.0))):
        h.return_if(b.fcmp_ordered("<", x, f64(0.0)), b.fdiv(f64(0.0), _sinpi(h, x)), I32(OK))
        h.ret(inf, I32(RANGE))
    gmh = f64(LANCZOS_G_MINUS_HALF)
    y = b.fadd(absx, gmh)
    # the rounding error of absx + (g - 1/2), kept as a correction: the same two orders as CPython
    z_big = b.fsub(b.fsub(y, absx), gmh)
    z_small = b.fsub(b.fsub(y, gmh), absx)
    z = b.select(b.fcmp_ordered(">", absx, gmh), z_big, z_small)
    z = b.fdiv(b.fmul(z, f64(LANCZOS_G)), y)
    near = b.fcmp_ordered("<", absx, f64(140.0))
    power = h.libm("pow", y, b.fsub(absx, f64(0.5)))
    half_power = h.libm("pow", y, b.fsub(b.fdiv(absx, f64(2.0)), f64(0.25)))
    with b.if_else(b.fcmp_ordered("<", x, f64(0.0))) as (negative, positive):
        with negative:
            r = b.fdiv(b.fdiv(f64(-math.pi), _sinpi(h, absx)), absx)
            r = b.fdiv(b.fmul(r, h.libm("exp", y)), _lanczos_sum(h, absx))
            r = b.fsub(r, b.fmul(z, r))
            r_neg = b.select(near, b.fdiv(r, power), b.fdiv(b.fdiv(r, half_power), half_power))
            neg_block = b.block
        with positive:
            r = b.fdiv(_lanczos_sum(h, absx), h.libm("exp", y))
            r = b.fadd(r, b.fmul(z, r))
            r_pos = b.select(near, b.fmul(r, power), b.fmul(b.fmul(r, half_power), half_power))
            pos_block = b.block
    r = b.phi(F64)
    r.add_incoming(r_neg, neg_block)
    r.add_incoming(r_pos, pos_block)
    h.ret(r, b.select(h.is_inf(r), I32(RANGE), I32(OK)))


def _build_lgamma(h: _Helper) -> None:
    b = h.b
    (x,) = h.fn.args
    inf = f64(math.inf)
    with b.if_then(b.not_(h.is_finite(x))):
        h.return_if(b.fcmp_unordered("uno", x, x), x, I32(OK))
        h.ret(inf, I32(OK))
    integral = b.fcmp_ordered("==", x, h.llvm("llvm.floor", x))
    with b.if_then(b.and_(integral, b.fcmp_ordered("<=", x, f64(2.0)))):
        h.return_if(b.fcmp_ordered("<=", x, f64(0.0)), inf, I32(DOMAIN))
        h.ret(f64(0.0), I32(OK))
    absx = h.llvm("llvm.fabs", x)
    h.return_if(b.fcmp_ordered("<", absx, f64(1e-20)), b.fneg(h.libm("log", absx)), I32(OK))
    r = b.fsub(h.libm("log", _lanczos_sum(h, absx)), f64(LANCZOS_G))
    shifted = b.fsub(b.fadd(absx, f64(LANCZOS_G)), f64(0.5))
    r = b.fadd(r, b.fmul(b.fsub(absx, f64(0.5)), b.fsub(h.libm("log", shifted), f64(1.0))))
    with b.if_then(b.fcmp_ordered("<", x, f64(0.0))):
        reflected = b.fsub(f64(LOG_PI), h.libm("log", h.llvm("llvm.fabs", _sinpi(h, absx))))
        reflected = b.fsub(b.fsub(reflected, h.libm("log", absx)), r)
        h.ret(reflected, b.select(h.is_inf(reflected), I32(RANGE), I32(OK)))
    h.ret(r, b.select(h.is_inf(r), I32(RANGE), I32(OK)))


_DOMAIN_RANGE = {DOMAIN: (rt.VALUE, "math domain error"), RANGE: (rt.OVERFLOW, "math range error")}


def lower_gamma(low: FunctionLowering, e: n.Intrinsic, args: list[ir.Value]) -> ir.Value:
    """``math.gamma``/``math.lgamma`` (float64)."""
    name = e.name.removeprefix("math.")
    fn = helper(low, name, [F64, I32], [F64], _build_gamma if name == "gamma" else _build_lgamma)
    return call_checked(low, fn, args, _DOMAIN_RANGE)[0]


# --- integer functions --------------------------------------------------------------------------------


def _overflow(name: str) -> tuple[int, str]:
    return rt.OVERFLOW, f"int overflow: the result of {name} does not fit in 64 bits"


def _build_factorial(h: _Helper) -> None:
    b = h.b
    (n_,) = h.fn.args
    h.return_if(b.icmp_signed("<", n_, I64(0)), I64(0), I32(DOMAIN))
    result = h.var(I64(1), "result")
    i = h.var(I64(2), "i")

    def step() -> None:
        pair = b.call(h.low.intrinsic_fn("llvm.smul.with.overflow", ir.LiteralStructType([I64, I1]), [I64, I64],
                                         [I64]), [b.load(result), b.load(i)])
        h.return_if(b.extract_value(pair, 1), I64(0), I32(RANGE))  # 21! and beyond: stops at once
        b.store(b.extract_value(pair, 0), result)
        b.store(b.add(b.load(i), I64(1)), i)

    h.loop(lambda: b.icmp_signed("<=", b.load(i), n_), step)
    h.ret(b.load(result), I32(OK))


def _build_comb(h: _Helper) -> None:
    """C(n, i+1) = C(n, i) * (n-i) / (i+1), exact in 64 bits: with g = gcd(C(n, i), i+1), (i+1)/g divides
    n-i. C(n, i) grows at least like 2**i for i <= n/2, so the loop ends within 64 steps when the result
    leaves int64. (No 128-bit division: neither MCJIT nor wasm has compiler-rt's.)"""
    b = h.b
    n_, k = h.fn.args
    h.return_if(b.icmp_signed("<", n_, I64(0)), I64(0), I32(DOMAIN))
    h.return_if(b.icmp_signed("<", k, I64(0)), I64(0), I32(THIRD))
    h.return_if(b.icmp_signed(">", k, n_), I64(0), I32(OK))
    other = b.sub(n_, k)
    k = b.select(b.icmp_signed("<", other, k), other, k)
    gcd = helper(h.low, "gcd_u64", [I64], [I64, I64], _build_gcd_u64)
    result = h.var(I64(1), "result")
    i = h.var(I64(0), "i")
    smul = h.low.intrinsic_fn("llvm.smul.with.overflow", ir.LiteralStructType([I64, I1]), [I64, I64], [I64])

    def step() -> None:
        iv, r = b.load(i), b.load(result)
        d = b.add(iv, I64(1))
        g = b.call(gcd, [r, d])
        pair = b.call(smul, [b.udiv(r, g), b.udiv(b.sub(n_, iv), b.udiv(d, g))])
        h.return_if(b.extract_value(pair, 1), I64(0), I32(RANGE))
        b.store(b.extract_value(pair, 0), result)
        b.store(d, i)

    h.loop(lambda: b.icmp_signed("<", b.load(i), k), step)
    h.ret(b.load(result), I32(OK))


def _build_perm(h: _Helper) -> None:
    b = h.b
    n_, k = h.fn.args
    h.return_if(b.icmp_signed("<", n_, I64(0)), I64(0), I32(DOMAIN))
    h.return_if(b.icmp_signed("<", k, I64(0)), I64(0), I32(THIRD))
    h.return_if(b.icmp_signed(">", k, n_), I64(0), I32(OK))
    result = h.var(I64(1), "result")
    i = h.var(I64(0), "i")

    def step() -> None:
        iv = b.load(i)
        pair = b.call(h.low.intrinsic_fn("llvm.smul.with.overflow", ir.LiteralStructType([I64, I1]), [I64, I64],
                                         [I64]), [b.load(result), b.sub(n_, iv)])
        h.return_if(b.extract_value(pair, 1), I64(0), I32(RANGE))
        b.store(b.extract_value(pair, 0), result)
        b.store(b.add(iv, I64(1)), i)

    h.loop(lambda: b.icmp_signed("<", b.load(i), k), step)
    h.ret(b.load(result), I32(OK))


def _build_isqrt(h: _Helper) -> None:
    b = h.b
    (n_,) = h.fn.args
    h.return_if(b.icmp_signed("<", n_, I64(0)), I64(0), I32(DOMAIN))
    # the double square root is within one of the answer; one step each way makes it exact
    r = b.fptoui(h.llvm("llvm.sqrt", b.sitofp(n_, F64)), I64)
    limit = I64(3037000499)  # isqrt(2**63 - 1)
    r = b.select(b.icmp_unsigned(">", r, limit), limit, r)
    r = b.select(b.icmp_unsigned(">", b.mul(r, r), n_), b.sub(r, I64(1)), r)
    up = b.add(r, I64(1))
    r = b.select(b.icmp_unsigned("<=", b.mul(up, up), n_), up, r)
    h.ret(r, I32(OK))


def _build_gcd_u64(h: _Helper) -> None:
    b = h.b
    a0, c0 = h.fn.args
    a, c = h.var(a0, "a"), h.var(c0, "c")

    def step() -> None:
        av, cv = b.load(a), b.load(c)
        b.store(cv, a)
        b.store(b.urem(av, cv), c)

    h.loop(lambda: b.icmp_unsigned("!=", b.load(c), I64(0)), step)
    b.ret(b.load(a))


def _magnitude(b: ir.IRBuilder, v: ir.Value) -> ir.Value:
    """|v| of an int64 as an unsigned 64-bit value (|-2**63| is 2**63)."""
    return b.select(b.icmp_signed("<", v, I64(0)), b.neg(v), v)


def lower_gcd_lcm(low: FunctionLowering, e: n.Intrinsic, args: list[ir.Value]) -> ir.Value:
    """``math.gcd``/``math.lcm`` of two or more ints, in unsigned 64 bits (the result must fit int64)."""
    b = low.b
    gcd = helper(low, "gcd_u64", [I64], [I64, I64], _build_gcd_u64)
    values = [_magnitude(b, v) for v in args]
    result = values[0]
    overflow: ir.Value = ir.Constant(I1, 0)
    umul = low.intrinsic_fn("llvm.umul.with.overflow", ir.LiteralStructType([I64, I1]), [I64, I64], [I64])
    for v in values[1:]:
        g = b.call(gcd, [result, v])
        if e.name == "math.gcd":
            result = g
        else:
            safe_g = b.select(b.icmp_unsigned("==", g, I64(0)), I64(1), g)
            pair = b.call(umul, [b.udiv(result, safe_g), v])
            overflow = b.or_(overflow, b.extract_value(pair, 1))
            result = b.extract_value(pair, 0)
    overflow = b.or_(overflow, b.icmp_unsigned(">", result, I64(INT64_MAX)))
    if e.name == "math.lcm":
        # any zero makes the lcm 0, however large the others (CPython computes them exactly)
        zero = ir.Constant(I1, 0)
        for v in values:
            zero = b.or_(zero, b.icmp_unsigned("==", v, I64(0)))
        overflow = b.and_(overflow, b.not_(zero))
        result = b.select(zero, I64(0), result)
    low.fail_if(overflow, *_overflow(f"{e.name}()"))
    return result


def _build_mul_mod(h: _Helper) -> None:
    """``x * y % m`` for x, y < m <= 2**63 by doubling and adding (each sum stays below 2**64)."""
    b = h.b
    x0, y0, m = h.fn.args

    def add_mod(u: ir.Value, v: ir.Value) -> ir.Value:
        s_ = b.add(u, v)
        return b.select(b.icmp_unsigned(">=", s_, m), b.sub(s_, m), s_)

    result, x, y = h.var(I64(0), "result"), h.var(x0, "x"), h.var(y0, "y")

    def step() -> None:
        yv, xv = b.load(y), b.load(x)
        odd = b.icmp_unsigned("!=", b.and_(yv, I64(1)), I64(0))
        b.store(b.select(odd, add_mod(b.load(result), xv), b.load(result)), result)
        b.store(add_mod(xv, xv), x)
        b.store(b.lshr(yv, I64(1)), y)

    h.loop(lambda: b.icmp_unsigned("!=", b.load(y), I64(0)), step)
    b.ret(b.load(result))


def _build_pow_mod(h: _Helper) -> None:
    """CPython's ``pow(a, b, m)`` for ints: the sign of the result is the modulus's; a negative exponent
    takes the inverse of the base (extended Euclid). Unsigned 64-bit values: |m| <= 2**63."""
    b = h.b
    base0, exp0, mod0 = h.fn.args
    h.return_if(b.icmp_signed("==", mod0, I64(0)), I64(0), I32(DOMAIN))
    negative_out = b.icmp_signed("<", mod0, I64(0))
    m = _magnitude(b, mod0)
    h.return_if(b.icmp_unsigned("==", m, I64(1)), I64(0), I32(OK))
    mul_mod = helper(h.low, "mul_mod", [I64], [I64, I64, I64], _build_mul_mod)
    # base mod m in [0, m): |base| <= 2**63 and m <= 2**63, so an unsigned remainder of |base| does it
    rest = b.urem(_magnitude(b, base0), m)
    flip = b.and_(b.icmp_signed("<", base0, I64(0)), b.icmp_unsigned("!=", rest, I64(0)))
    base = h.var(b.select(flip, b.sub(m, rest), rest), "base")
    negative_exp = b.icmp_signed("<", exp0, I64(0))
    with b.if_then(negative_exp):
        # the inverse x of base modulo m (base * x == 1), or none when gcd(base, m) != 1; the
        # remainders are unsigned 64-bit, the coefficients (at most m in magnitude) signed 128-bit
        a, c = h.var(b.load(base), "a"), h.var(m, "c")
        x, y = h.var(ir.Constant(I128, 1), "x"), h.var(ir.Constant(I128, 0), "y")

        def step() -> None:
            av, cv = b.load(a), b.load(c)
            q = b.udiv(av, cv)
            b.store(cv, a)
            b.store(b.urem(av, cv), c)
            xv, yv = b.load(x), b.load(y)
            b.store(yv, x)
            b.store(b.sub(xv, b.mul(b.zext(q, I128), yv)), y)

        h.loop(lambda: b.icmp_unsigned("!=", b.load(c), I64(0)), step)
        h.return_if(b.icmp_unsigned("!=", b.load(a), I64(1)), I64(0), I32(RANGE))
        xv = b.load(x)
        xv = b.select(b.icmp_signed("<", xv, ir.Constant(I128, 0)), b.add(xv, b.zext(m, I128)), xv)
        b.store(b.trunc(xv, I64), base)
    exp = b.select(negative_exp, b.neg(exp0), exp0)  # -(-2**63) is 2**63 as unsigned
    result, power, e = h.var(I64(1), "result"), h.var(b.load(base), "power"), h.var(exp, "e")

    def square_step() -> None:
        ev = b.load(e)
        odd = b.icmp_unsigned("!=", b.and_(ev, I64(1)), I64(0))
        with b.if_then(odd):
            b.store(b.call(mul_mod, [b.load(result), b.load(power), m]), result)
        b.store(b.call(mul_mod, [b.load(power), b.load(power), m]), power)
        b.store(b.lshr(ev, I64(1)), e)

    h.loop(lambda: b.icmp_unsigned("!=", b.load(e), I64(0)), square_step)
    r = b.load(result)
    r = b.select(b.and_(negative_out, b.icmp_unsigned("!=", r, I64(0))), b.sub(r, m), r)
    h.ret(r, I32(OK))


def lower_integer(low: FunctionLowering, e: n.Intrinsic, args: list[ir.Value]) -> ir.Value:
    """``math.factorial``/``isqrt``/``comb``/``perm`` and ``pow(a, b, m)``: CPython's errors, int64 results."""
    name = e.name.removeprefix("math.")
    builders = {"factorial": _build_factorial, "isqrt": _build_isqrt, "comb": _build_comb, "perm": _build_perm,
                "pow_mod": _build_pow_mod}
    fn = helper(low, name, [I64, I32], [I64] * len(args), builders[name])
    errors = {
        "factorial": {DOMAIN: (rt.VALUE, "factorial() not defined for negative values"),
                      RANGE: _overflow("math.factorial()")},
        "isqrt": {DOMAIN: (rt.VALUE, "isqrt() argument must be nonnegative")},
        "comb": {DOMAIN: (rt.VALUE, "n must be a non-negative integer"),
                 THIRD: (rt.VALUE, "k must be a non-negative integer"), RANGE: _overflow("math.comb()")},
        "perm": {DOMAIN: (rt.VALUE, "n must be a non-negative integer"),
                 THIRD: (rt.VALUE, "k must be a non-negative integer"), RANGE: _overflow("math.perm()")},
        "pow_mod": {DOMAIN: (rt.VALUE, "pow() 3rd argument cannot be 0"),
                    RANGE: (rt.VALUE, "base is not invertible for the given modulus")},
    }[name]
    return call_checked(low, fn, args, errors)[0]


# --- remainder and ldexp -----------------------------------------------------------------------------


def _build_remainder(h: _Helper) -> None:
    """CPython's ``m_remainder``: the IEEE remainder through ``fmod`` of the magnitudes, halfway cases to the
    even multiple (every step exact); NaN from non-NaN arguments is the caller's domain error."""
    b = h.b
    x, y = h.fn.args
    zero = f64(0.0)

    def return_if(cond: ir.Value, value: ir.Value) -> None:
        with b.if_then(cond):
            b.ret(value)

    with b.if_then(b.and_(h.is_finite(x), h.is_finite(y))):
        return_if(b.fcmp_ordered("==", y, zero), f64(math.nan))
        absx, absy = h.llvm("llvm.fabs", x), h.llvm("llvm.fabs", y)
        m = b.frem(absx, absy)
        c = b.fsub(absy, m)
        halfway = b.fsub(m, b.fmul(f64(2.0), b.frem(b.fmul(f64(0.5), b.fsub(absx, m)), absy)))
        r = b.select(b.fcmp_ordered("<", m, c), m, b.select(b.fcmp_ordered(">", m, c), b.fneg(c), halfway))
        b.ret(b.fmul(h.llvm("llvm.copysign", f64(1.0), x), r))
    return_if(b.fcmp_unordered("uno", x, x), x)
    return_if(b.fcmp_unordered("uno", y, y), y)
    return_if(h.is_inf(x), f64(math.nan))
    b.ret(x)


def lower_remainder(low: FunctionLowering, e: n.Intrinsic, args: list[ir.Value]) -> ir.Value:
    """``math.remainder(x, y)``: NaN from arguments that are not NaN is ``ValueError("math domain error")``."""
    b = low.b
    x, y = args
    r = b.call(helper(low, "remainder", [F64], [F64, F64], _build_remainder), [x, y])
    no_nan_in = b.and_(b.fcmp_ordered("ord", x, x), b.fcmp_ordered("ord", y, y))
    low.fail_if(b.and_(no_nan_in, b.fcmp_unordered("uno", r, r)), rt.VALUE, "math domain error")
    return r


def lower_ldexp(low: FunctionLowering, e: n.Intrinsic, args: list[ir.Value]) -> ir.Value:
    """CPython's ``math.ldexp(x, i)``: x itself when zero or not finite; an exponent past C's int range is
    0 (below) or inf (above); C's ``ldexp`` otherwise; an infinite result is ``OverflowError``."""
    b = low.b
    x, i = args
    int_max, int_min = (1 << 31) - 1, -(1 << 31)
    clamped = b.select(b.icmp_signed(">", i, I64(int_max)), I64(int_max),
                       b.select(b.icmp_signed("<", i, I64(int_min)), I64(int_min), i))
    r = b.call(low.owner.external("ldexp", F64, [F64, I32]), [x, b.trunc(clamped, I32)])
    special = b.or_(b.fcmp_ordered("==", x, f64(0.0)), b.not_(low.is_finite(x)))
    big = b.icmp_signed(">", i, I64(int_max))
    low.fail_if(b.and_(b.not_(special), b.or_(big, b.fcmp_ordered("==", low.call_intrinsic("llvm.fabs", r),
                                                                 f64(math.inf)))),
                rt.OVERFLOW, "math range error")
    small = b.icmp_signed("<", i, I64(int_min))
    r = b.select(small, low.call_intrinsic("llvm.copysign", f64(0.0), x), r)
    return b.select(special, x, r)


# --- isclose and complex ----------------------------------------------------------------------------


def lower_isclose(low: FunctionLowering, e: n.Intrinsic, args: list[ir.Value]) -> ir.Value:
    """CPython's ``math.isclose``: equal, or both finite and the difference within either tolerance."""
    b = low.b
    a, c, rel_tol, abs_tol = args
    zero = f64(0.0)
    low.fail_if(b.or_(b.fcmp_ordered("<", rel_tol, zero), b.fcmp_ordered("<", abs_tol, zero)), rt.VALUE,
                "tolerances must be non-negative")
    fabs = low.call_intrinsic
    diff = fabs("llvm.fabs", b.fsub(c, a))
    close = b.or_(b.fcmp_ordered("<=", diff, fabs("llvm.fabs", b.fmul(rel_tol, c))),
                  b.fcmp_ordered("<=", diff, fabs("llvm.fabs", b.fmul(rel_tol, a))))
    close = b.or_(close, b.fcmp_ordered("<=", diff, abs_tol))
    infinite = b.or_(b.fcmp_ordered("==", fabs("llvm.fabs", a), f64(math.inf)),
                     b.fcmp_ordered("==", fabs("llvm.fabs", c), f64(math.inf)))
    return b.or_(b.fcmp_ordered("==", a, c), b.and_(b.not_(infinite), close))


def lower_complex_make(low: FunctionLowering, e: n.Intrinsic, args: list[ir.Value]) -> ir.Value:
    """``complex(re, im)`` of two floats."""
    return low.make_complex(args[0], args[1], ir.LiteralStructType([F64, F64]))


def _build_complex_pow(h: _Helper) -> None:
    b = h.b
    ar, ai, br, bi = h.fn.args
    zero, one = f64(0.0), f64(1.0)
    integral = b.and_(b.fcmp_ordered("==", bi, zero), b.fcmp_ordered("==", br, h.llvm("llvm.floor", br)))
    integral = b.and_(integral, b.fcmp_ordered("<=", h.llvm("llvm.fabs", br), f64(100.0)))

    def finish(re: ir.Value, im: ir.Value) -> None:
        h.ret(re, im, b.select(b.or_(h.is_inf(re), h.is_inf(im)), I32(RANGE), I32(OK)))

    with b.if_then(integral):
        count = b.fptosi(br, I64)
        k = b.select(b.icmp_signed("<", count, I64(0)), b.neg(count), count)
        rr, ri, pr, pi, mask = (h.var(v, name) for v, name in
                                ((one, "rr"), (zero, "ri"), (ar, "pr"), (ai, "pi"), (I64(1), "mask")))

        def step() -> None:
            xr, xi, yr, yi = b.load(rr), b.load(ri), b.load(pr), b.load(pi)
            odd = b.icmp_unsigned("!=", b.and_(k, b.load(mask)), I64(0))
            b.store(b.select(odd, b.fsub(b.fmul(xr, yr), b.fmul(xi, yi)), xr), rr)
            b.store(b.select(odd, b.fadd(b.fmul(xr, yi), b.fmul(xi, yr)), xi), ri)
            b.store(b.fsub(b.fmul(yr, yr), b.fmul(yi, yi)), pr)
            b.store(b.fadd(b.fmul(yr, yi), b.fmul(yi, yr)), pi)
            b.store(b.shl(b.load(mask), I64(1)), mask)

        h.loop(lambda: b.icmp_signed("<=", b.load(mask), k), step)
        with b.if_then(b.icmp_signed(">", count, I64(0))):
            finish(b.load(rr), b.load(ri))
        # 1 / p, CPython's complex division; p == 0 is the ZeroDivisionError of 0 ** -n
        pr_, pi_ = b.load(rr), b.load(ri)
        abs_r, abs_i = h.llvm("llvm.fabs", pr_), h.llvm("llvm.fabs", pi_)
        h.return_if(b.and_(b.fcmp_ordered(">=", abs_r, abs_i), b.fcmp_ordered("==", abs_r, zero)),
                    zero, zero, I32(DOMAIN))
        ratio1 = b.fdiv(pi_, pr_)
        denom1 = b.fadd(pr_, b.fmul(pi_, ratio1))
        q1r = b.fdiv(b.fadd(one, b.fmul(zero, ratio1)), denom1)
        q1i = b.fdiv(b.fsub(zero, b.fmul(one, ratio1)), denom1)
        ratio2 = b.fdiv(pr_, pi_)
        denom2 = b.fadd(b.fmul(pr_, ratio2), pi_)
        q2r = b.fdiv(b.fadd(b.fmul(one, ratio2), zero), denom2)
        q2i = b.fdiv(b.fsub(b.fmul(zero, ratio2), one), denom2)
        first = b.fcmp_ordered(">=", abs_r, abs_i)
        second = b.fcmp_ordered(">=", abs_i, abs_r)
        nan = f64(math.nan)
        finish(b.select(first, q1r, b.select(second, q2r, nan)), b.select(first, q1i, b.select(second, q2i, nan)))
    base_zero = b.and_(b.fcmp_ordered("==", ar, zero), b.fcmp_ordered("==", ai, zero))
    with b.if_then(base_zero):
        bad = b.or_(b.fcmp_unordered("!=", bi, zero), b.fcmp_ordered("<", br, zero))
        h.ret(zero, zero, b.select(bad, I32(DOMAIN), I32(OK)))
    vabs = h.libm("hypot", ar, ai)
    length = h.libm("pow", vabs, br)
    at = h.libm("atan2", ai, ar)
    phase = b.fmul(at, br)
    complex_exp = b.fcmp_unordered("!=", bi, zero)
    length = b.select(complex_exp, b.fdiv(length, h.libm("exp", b.fmul(at, bi))), length)
    phase = b.select(complex_exp, b.fadd(phase, b.fmul(bi, h.libm("log", vabs))), phase)
    # the C library's cos and sin of an infinite phase set errno to EDOM, which CPython reports as this
    # ZeroDivisionError ((inf+0j) ** 1j raises it)
    h.return_if(h.is_inf(phase), zero, zero, I32(DOMAIN))
    finish(b.fmul(length, h.libm("cos", phase)), b.fmul(length, h.libm("sin", phase)))


def lower_complex_pow(low: FunctionLowering, a: ir.Value, c: ir.Value) -> ir.Value:
    """``a ** c`` of Python complex numbers (CPython's ``complex_pow``)."""
    b = low.b
    fn = helper(low, "complex_pow", [F64, F64, I32], [F64] * 4, _build_complex_pow)
    parts = [b.extract_value(a, 0), b.extract_value(a, 1), b.extract_value(c, 0), b.extract_value(c, 1)]
    re, im = call_checked(low, fn, parts, {DOMAIN: (rt.ZERO_DIVISION, "0.0 to a negative or complex power"),
                                           RANGE: (rt.OVERFLOW, "complex exponentiation")})
    return low.make_complex(re, im, a.type)


def _build_numpy_complex_pow(h: _Helper) -> None:
    """NumPy's complex power (``npy_cpow``): exact special cases for the exponents 0, 1, 2, 3, repeated
    squaring below 100 in magnitude (a negative one then divides 1 by NumPy's quotient), NaN for 0 to a
    negative or complex power, and otherwise exp(b * log(a)) as C's ``cpow`` computes it."""
    b = h.b
    ar, ai, br, bi = h.fn.args
    ty = ar.type
    zero, one, nan = ir.Constant(ty, 0.0), ir.Constant(ty, 1.0), ir.Constant(ty, math.nan)

    def mul(xr: ir.Value, xi: ir.Value, yr: ir.Value, yi: ir.Value) -> tuple[ir.Value, ir.Value]:
        return b.fsub(b.fmul(xr, yr), b.fmul(xi, yi)), b.fadd(b.fmul(xr, yi), b.fmul(xi, yr))

    h.return_if(b.and_(b.fcmp_ordered("==", br, zero), b.fcmp_ordered("==", bi, zero)), one, zero)
    with b.if_then(b.and_(b.fcmp_ordered("==", ar, zero), b.fcmp_ordered("==", ai, zero))):
        positive_real = b.fcmp_ordered(">", br, zero)  # NumPy 2: 0 ** b is 0 when b.real > 0, else nan
        h.ret(b.select(positive_real, zero, nan), b.select(positive_real, zero, nan))
    in_range = b.and_(b.fcmp_ordered(">", br, ir.Constant(ty, -100.0)), b.fcmp_ordered("<", br, ir.Constant(ty, 100.0)))
    integral = b.and_(b.fcmp_ordered("==", bi, zero), b.fcmp_ordered("==", br, h.llvm("llvm.trunc", br)))
    with b.if_then(b.and_(integral, in_range)):
        count = b.fptosi(br, I64)
        h.return_if(b.icmp_signed("==", count, I64(1)), ar, ai)
        sr, si = mul(ar, ai, ar, ai)
        h.return_if(b.icmp_signed("==", count, I64(2)), sr, si)
        h.return_if(b.icmp_signed("==", count, I64(3)), *mul(ar, ai, sr, si))
        k = b.select(b.icmp_signed("<", count, I64(0)), b.neg(count), count)
        rr, ri, pr, pi, mask = (h.var(v, name) for v, name in
                                ((one, "rr"), (zero, "ri"), (ar, "pr"), (ai, "pi"), (I64(1), "mask")))

        def step() -> None:
            odd = b.icmp_unsigned("!=", b.and_(k, b.load(mask)), I64(0))
            xr, xi = b.load(rr), b.load(ri)
            nr, ni = mul(xr, xi, b.load(pr), b.load(pi))
            b.store(b.select(odd, nr, xr), rr)
            b.store(b.select(odd, ni, xi), ri)
            b.store(b.shl(b.load(mask), I64(1)), mask)
            with b.if_then(b.icmp_signed(">=", k, b.load(mask))):
                yr, yi = b.load(pr), b.load(pi)
                qr, qi = mul(yr, yi, yr, yi)
                b.store(qr, pr)
                b.store(qi, pi)

        h.loop(lambda: b.icmp_signed(">=", k, b.load(mask)), step)
        xr, xi = b.load(rr), b.load(ri)
        h.return_if(b.icmp_signed(">", count, I64(0)), xr, xi)
        # 1 / x, NumPy's way (a reciprocal scale); 1 / 0 is inf or nan, as NumPy gives
        abs_r, abs_i = h.llvm("llvm.fabs", xr), h.llvm("llvm.fabs", xi)
        first = b.fcmp_ordered(">=", abs_r, abs_i)
        both_zero = b.and_(b.fcmp_ordered("==", abs_r, zero), b.fcmp_ordered("==", abs_i, zero))
        h.return_if(both_zero, b.fdiv(one, abs_r), b.fdiv(zero, abs_i))
        rat1 = b.fdiv(xi, xr)
        scl1 = b.fdiv(one, b.fadd(xr, b.fmul(xi, rat1)))
        rat2 = b.fdiv(xr, xi)
        scl2 = b.fdiv(one, b.fadd(xi, b.fmul(xr, rat2)))
        q1r, q1i = b.fmul(b.fadd(one, b.fmul(zero, rat1)), scl1), b.fmul(b.fsub(zero, b.fmul(one, rat1)), scl1)
        q2r, q2i = b.fmul(b.fadd(b.fmul(one, rat2), zero), scl2), b.fmul(b.fsub(b.fmul(zero, rat2), one), scl2)
        h.ret(b.select(first, q1r, q2r), b.select(first, q1i, q2i))
    # cpow(a, b) = cexp(b * clog(a))
    lr, li = h.libm("log", h.libm("hypot", ar, ai)), h.libm("atan2", ai, ar)
    er, ei = mul(br, bi, lr, li)
    scale = h.libm("exp", er)
    # C's cexp(-inf + iy) is +-0 +- 0i even when y is not finite (where 0 * cos(y) would be nan)
    h.return_if(b.and_(b.fcmp_ordered("==", er, ir.Constant(ty, -math.inf)), b.not_(h.is_finite(ei))), zero, zero)
    h.return_if(b.fcmp_ordered("==", ei, zero), scale, ei)  # cexp(x + 0i) is exp(x) + 0i, even when exp(x) is inf
    h.ret(b.fmul(scale, h.libm("cos", ei)), b.fmul(scale, h.libm("sin", ei)))


def lower_numpy_complex_pow(low: FunctionLowering, e: n.Intrinsic, args: list[ir.Value]) -> ir.Value:
    """``a ** c`` with a NumPy complex operand (complex64 or complex128): NumPy's result, no exception."""
    b = low.b
    a, c = args
    ty = a.type.elements[0]
    name = "numpy_complex_pow" if ty == F64 else "numpy_complex_pow_f32"
    fn = helper(low, name, [ty, ty], [ty] * 4, _build_numpy_complex_pow)
    parts = [b.extract_value(a, 0), b.extract_value(a, 1), b.extract_value(c, 0), b.extract_value(c, 1)]
    packed = b.call(fn, parts)
    return low.make_complex(b.extract_value(packed, 0), b.extract_value(packed, 1), a.type)


MATH_INTRINSICS: dict[str, Callable[[FunctionLowering, n.Intrinsic, list], ir.Value]] = {
    "math.gamma": lower_gamma,
    "math.lgamma": lower_gamma,
    "math.factorial": lower_integer,
    "math.isqrt": lower_integer,
    "math.comb": lower_integer,
    "math.perm": lower_integer,
    "pow_mod": lower_integer,
    "math.gcd": lower_gcd_lcm,
    "math.lcm": lower_gcd_lcm,
    "math.isclose": lower_isclose,
    "math.remainder": lower_remainder,
    "math.ldexp": lower_ldexp,
    "complex.make": lower_complex_make,
    "complex.numpy_pow": lower_numpy_complex_pow,
}
"""Intrinsic name → its lowering, for the functions of this module (``lowering.intrinsics`` merges it in its table)."""
