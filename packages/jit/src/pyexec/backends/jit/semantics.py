"""CPython's semantics where Numba's differ: the operations ``jit`` substitutes, as Numba overloads.

Each function here is plain Python (it runs as written when called outside compiled code) and
has a Numba overload that compiles it with pyexec's rules: fixed widths narrower than 64 bits
compute in NumPy's result type and wrap (``int8 + int8`` is int8), ``int`` is a 64-bit integer that never
wraps silently (``+ - * // **``, ``-x``, ``abs``, ``<<`` raise OverflowError outside int64), a
negative shift count raises ValueError, ``int ** negative int`` raises ValueError (as ``aot``), a
shift by 64 or more gives what CPython gives, ``math`` functions raise CPython's ValueError
("math domain error") and OverflowError ("math range error"), and ``math.fmod``,
``math.log(x, base)`` and ``float(bool)``, which Numba lacks, exist. Operands that are not
integers (floats, arrays, …) keep Numba's own implementation.

:mod:`pyexec.backends.jit.pipeline` rewrites the operators and calls of a jitted function into
calls of these; nothing here changes Numba for code compiled without ``pyexec.jit``.

Example:
    >>> from pyexec.backends.jit import jit
    >>> @jit
    ... def shift(a: int, b: int) -> int:
    ...     return a >> b
    >>> shift(-5, 70)
    -1
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable
from typing import Any

import numpy as np
from numba import njit, types
from numba.extending import intrinsic, overload

INT64_MIN = -(2**63)
INT64_MAX = 2**63 - 1
NEGATIVE_POWER = "integer ** negative integer: the result would be a float; cast the base to float"

# --- int64 arithmetic that raises instead of wrapping -------------------------------------------


def _overflow_intrinsic(builder_method: str) -> Callable[..., Any]:
    @intrinsic
    def with_overflow(typingctx: Any, a: Any, b: Any) -> Any:
        signature = types.Tuple((types.int64, types.boolean))(types.int64, types.int64)

        def codegen(context: Any, builder: Any, sig: Any, args: Any) -> Any:
            pair = getattr(builder, builder_method)(args[0], args[1])
            return context.make_tuple(builder, sig.return_type,
                                      [builder.extract_value(pair, 0), builder.extract_value(pair, 1)])

        return signature, codegen

    return with_overflow


_add_overflow = _overflow_intrinsic("sadd_with_overflow")
_sub_overflow = _overflow_intrinsic("ssub_with_overflow")
_mul_overflow = _overflow_intrinsic("smul_with_overflow")


def _is_signed_int(t: Any) -> bool:
    # A bool is a Python int too (True << -1 raises, True + True is 2).
    return (isinstance(t, types.Integer) and t.signed) or isinstance(t, types.Boolean)


def _is_int(t: Any) -> bool:
    return isinstance(t, types.Integer)


def _python_ints(a: Any, b: Any) -> bool:
    """Both operands are signed integers: Numba computes them in int64, which is pyexec's ``int``."""
    return _is_signed_int(a) and _is_signed_int(b)


def add(a: Any, b: Any) -> Any:
    """``a + b``; for two signed integers, OverflowError outside int64."""
    return a + b


def sub(a: Any, b: Any) -> Any:
    """``a - b``; for two signed integers, OverflowError outside int64."""
    return a - b


def mul(a: Any, b: Any) -> Any:
    """``a * b``; for two signed integers, OverflowError outside int64."""
    return a * b


def _uint64_mix(a: Any, b: Any) -> str | None:
    """How NumPy combines a uint64 with another integer: ``"uint"`` (with an unsigned or a Python literal),
    ``"float"`` (with a signed integer), or None when no uint64 is involved (Numba types all three as int64)."""
    if not (_is_int(a) and _is_int(b)):
        return None
    if not any(isinstance(t, types.Integer) and not t.signed and t.bitwidth == 64 for t in (a, b)):
        return None
    other = b if (not a.signed and a.bitwidth == 64) else a
    if not other.signed or isinstance(other, types.IntegerLiteral):
        return "uint"
    return "float"


def _narrow_result(a: Any, b: Any) -> Any:
    """NumPy's result type (a NumPy scalar class) for two integers when it is narrower than 64 bits, else None.

    ``int8 + int8`` is int8 and ``uint8 + int8`` int16, as NumPy computes; a literal is weak (``x + 1``
    keeps ``x``'s type). Numba would compute all of them in 64 bits.
    """
    if isinstance(a, types.Boolean) and _is_int(b) and not isinstance(b, types.IntegerLiteral):
        a = b  # NumPy: bool with an integer takes the integer's type (True - uint32(3) is uint32)
    elif isinstance(b, types.Boolean) and _is_int(a) and not isinstance(a, types.IntegerLiteral):
        b = a
    if not (_is_int(a) and _is_int(b)):
        return None
    a_literal, b_literal = isinstance(a, types.IntegerLiteral), isinstance(b, types.IntegerLiteral)
    if a_literal and b_literal:
        return None
    if a_literal:
        dtype = np.dtype(str(b))
    elif b_literal:
        dtype = np.dtype(str(a))
    else:
        dtype = np.result_type(np.dtype(str(a)), np.dtype(str(b)))
    return dtype.type if dtype.itemsize < 8 else None


def _checked(intrinsic_fn: Callable[..., Any], symbol: str, generic: Callable[..., Any]) -> Callable[..., Any]:
    message = f"int overflow: the result of {symbol} does not fit in 64 bits"

    def typer(a, b):
        narrow = _narrow_result(a, b)
        if narrow is not None:
            return lambda a, b: narrow(generic(a, b))  # exact in 64 bits, then wrapped like NumPy
        if _python_ints(a, b):
            def impl(a, b):
                value, overflow = intrinsic_fn(np.int64(a), np.int64(b))
                if overflow:
                    raise OverflowError(message)
                return value
            return impl
        mix = _uint64_mix(a, b)
        if mix == "uint":
            return lambda a, b: generic(np.uint64(a), np.uint64(b))
        if mix == "float":
            return lambda a, b: generic(np.float64(a), np.float64(b))
        return lambda a, b: generic(a, b)

    return typer


_generic_add = njit(lambda a, b: a + b)
_generic_sub = njit(lambda a, b: a - b)
_generic_mul = njit(lambda a, b: a * b)
# prefer_literal: a Python literal beside a uint64 is weak (NumPy 2 keeps uint64), a variable is not.
overload(add, prefer_literal=True)(_checked(_add_overflow, "+", _generic_add))
overload(sub, prefer_literal=True)(_checked(_sub_overflow, "-", _generic_sub))
overload(mul, prefer_literal=True)(_checked(_mul_overflow, "*", _generic_mul))


def floordiv(a: Any, b: Any) -> Any:
    """``a // b``; ``-2**63 // -1`` raises OverflowError (its quotient is outside int64)."""
    return a // b


@overload(floordiv, prefer_literal=True)
def _floordiv(a, b):
    narrow = _narrow_result(a, b)
    if narrow is not None:
        return lambda a, b: narrow(a // b)  # int8(-128) // int8(-1) wraps to -128, as NumPy
    if _python_ints(a, b):
        def impl(a, b):
            if b == -1 and a == INT64_MIN:
                raise OverflowError("int overflow: the result of // does not fit in 64 bits")
            return a // b
        return impl
    return lambda a, b: a // b


def mod(a: Any, b: Any) -> Any:
    """``a % b``; ``x % -1`` is 0 for every int64 (the machine's remainder traps on ``-2**63 % -1``)."""
    return a % b


@overload(mod, prefer_literal=True)
def _mod(a, b):
    narrow = _narrow_result(a, b)
    if narrow is not None:
        return lambda a, b: narrow(a % b)
    if _python_ints(a, b):
        def impl(a, b):
            if b == -1:
                return np.int64(0)
            return a % b
        return impl
    return lambda a, b: a % b


def neg(a: Any) -> Any:
    """``-a``; ``-(-2**63)`` raises OverflowError."""
    return -a


def _narrow_type(a: Any) -> Any:
    """The NumPy scalar class of an integer type narrower than 64 bits (not a literal), else None."""
    if isinstance(a, types.Integer) and not isinstance(a, types.IntegerLiteral) and a.bitwidth < 64:
        return np.dtype(str(a)).type
    return None


@overload(neg)
def _neg(a):
    narrow = _narrow_type(a)
    if narrow is not None:
        return lambda a: narrow(-np.int64(a))  # -int8(-128) is int8(-128), as NumPy
    if _is_signed_int(a):
        def impl(a):
            if a == INT64_MIN:
                raise OverflowError("int overflow: -x does not fit in 64 bits")
            return -np.int64(a)
        return impl
    return lambda a: -a


def absolute(a: Any) -> Any:
    """``abs(a)``; ``abs(-2**63)`` raises OverflowError."""
    return abs(a)


@overload(absolute)
def _absolute(a):
    narrow = _narrow_type(a)
    if narrow is not None:
        return lambda a: narrow(abs(np.int64(a)))
    if _is_signed_int(a):
        def impl(a):
            if a == INT64_MIN:
                raise OverflowError("int overflow: abs(x) does not fit in 64 bits")
            return abs(np.int64(a))
        return impl
    return lambda a: abs(a)


def power(a: Any, b: Any) -> Any:
    """``a ** b``; for integers as pyexec's ``int`` (ValueError for a negative exponent, OverflowError past int64)."""
    return a**b


@overload(power, prefer_literal=True)
def _power(a, b):
    narrow = _narrow_result(a, b)
    if narrow is not None:
        def narrow_impl(a, b):
            if b < 0:
                raise ValueError(NEGATIVE_POWER)
            # Wrapping 64-bit products are exact modulo 2**64, so the narrow result is NumPy's.
            result = np.int64(1)
            base = np.int64(a)
            e = np.int64(b)
            while e > 0:
                if e & 1:
                    result = result * base
                base = base * base
                e >>= 1
            return narrow(result)
        return narrow_impl
    if _python_ints(a, b):
        def impl(a, b):
            if b < 0:
                raise ValueError(NEGATIVE_POWER)
            result = np.int64(1)
            base = np.int64(a)
            e = np.int64(b)
            while True:
                if e & 1:
                    result, overflow = _mul_overflow(result, base)
                    if overflow:
                        raise OverflowError("int overflow: the result of ** does not fit in 64 bits")
                e >>= 1
                if e == 0:
                    return result
                base, overflow = _mul_overflow(base, base)
                if overflow:
                    raise OverflowError("int overflow: the result of ** does not fit in 64 bits")
        return impl
    if isinstance(a, types.Float) and isinstance(b, (types.Float, types.Integer)):
        def float_impl(a, b):
            if a == 0.0 and b < 0:
                raise ZeroDivisionError("0.0 cannot be raised to a negative power")
            result = a**b
            if math.isinf(result) and math.isfinite(a) and math.isfinite(b):
                raise OverflowError("(34, 'Numerical result out of range')")
            return result
        return float_impl
    return lambda a, b: a**b


def rshift(a: Any, b: Any) -> Any:
    """``a >> b``: ValueError for a negative count; a count of 64 or more gives 0 or -1."""
    return a >> b


def lshift(a: Any, b: Any) -> Any:
    """``a << b``: ValueError for a negative count; for ``int``, OverflowError past int64."""
    return a << b


@overload(rshift, prefer_literal=True)
def _rshift(a, b):
    narrow = _narrow_result(a, b)
    if narrow is not None:
        def narrow_impl(a, b):
            if b < 0:
                raise ValueError("negative shift count")
            if b >= 64:
                return narrow(-1 if a < 0 else 0)
            return narrow(np.int64(a) >> np.int64(b))
        return narrow_impl
    if _python_ints(a, b):
        def impl(a, b):
            if b < 0:
                raise ValueError("negative shift count")
            if b >= 64:
                return np.int64(-1) if a < 0 else np.int64(0)
            return np.int64(a) >> np.int64(b)
        return impl
    if _is_int(a) and _is_int(b):
        # A fixed width with an unsigned operand: NumPy's rule (a count outside the width shifts everything out).
        def fixed_impl(a, b):
            r = a >> b
            if b < 0 or b >= 64:
                r = r ^ r
                if a < 0:
                    r = r - 1
            return r
        return fixed_impl
    return lambda a, b: a >> b


@overload(lshift, prefer_literal=True)
def _lshift(a, b):
    narrow = _narrow_result(a, b)
    if narrow is not None:
        def narrow_impl(a, b):
            if b < 0:
                raise ValueError("negative shift count")
            if b >= 64:
                return narrow(0)
            return narrow(np.int64(a) << np.int64(b))  # bits past the width fall off, as NumPy
        return narrow_impl
    if _python_ints(a, b):
        def impl(a, b):
            if b < 0:
                raise ValueError("negative shift count")
            x = np.int64(a)
            if x == 0:
                return x
            if b >= 64 or (x << np.int64(b)) >> np.int64(b) != x:
                raise OverflowError("int overflow: the result of << does not fit in 64 bits")
            return x << np.int64(b)
        return impl
    if _is_int(a) and _is_int(b):
        def fixed_impl(a, b):
            r = a << b
            if b < 0 or b >= 64:
                r = r ^ r
            return r
        return fixed_impl
    return lambda a, b: a << b


def returned_int(x: Any) -> Any:
    """The value a function declared ``-> int`` returns: an unsigned value past int64 raises OverflowError,
    a float is truncated as ``int(x)`` does (NaN and inf raise)."""
    return x


@overload(returned_int)
def _returned_int(x):
    if isinstance(x, types.Float):
        return lambda x: _checked_trunc(x)  # NaN, inf and floats past int64 raise instead of giving garbage
    if isinstance(x, types.Integer) and not x.signed and x.bitwidth == 64:
        def impl(x):
            if x > np.uint64(INT64_MAX):
                raise OverflowError("int overflow: the returned value does not fit in 64 bits")
            return np.int64(x)
        return impl
    return lambda x: x


# --- conversions to int: NaN and inf raise, results outside int64 raise ------------------------


def _to_int_checked_factory(convert: Callable[[float], float]) -> Callable[..., Any]:
    @njit
    def impl(x):
        if math.isnan(x):
            raise ValueError("cannot convert float NaN to integer")
        if math.isinf(x):
            raise OverflowError("cannot convert float infinity to integer")
        y = convert(x)
        if not (-9.223372036854775808e18 <= y < 9.223372036854775808e18):
            raise OverflowError("int overflow: the float does not fit in 64 bits")
        return np.int64(y)
    return impl


_checked_trunc = _to_int_checked_factory(njit(lambda x: np.trunc(x)))


def _float_to_int_overload(python_fn: Callable[..., Any], convert: Callable[[float], float]) -> Callable[..., Any]:
    checked = _to_int_checked_factory(njit(convert))

    def typer(x):
        if isinstance(x, types.Float):
            return lambda x: checked(x)
        return lambda x: python_fn(x)

    return typer


def floor(x: Any) -> Any:
    """``math.floor``: an int64; NaN raises ValueError, inf and values past int64 OverflowError."""
    return math.floor(x)


def ceil(x: Any) -> Any:
    """``math.ceil``, checked like :func:`floor`."""
    return math.ceil(x)


def trunc(x: Any) -> Any:
    """``math.trunc``, checked like :func:`floor`."""
    return math.trunc(x)


def to_int(x: Any) -> Any:
    """``int(x)``: a float is truncated and checked like :func:`floor`."""
    return int(x)


overload(floor)(_float_to_int_overload(math.floor, lambda x: np.floor(x)))
overload(ceil)(_float_to_int_overload(math.ceil, lambda x: np.ceil(x)))
overload(trunc)(_float_to_int_overload(math.trunc, lambda x: np.trunc(x)))
overload(to_int)(_float_to_int_overload(int, lambda x: np.trunc(x)))


def round_(x: Any, ndigits: Any = None) -> Any:
    """``round(x)`` (half to even, checked like :func:`floor`) and ``round(x, n)`` as Numba computes it."""
    return round(x, ndigits)


_rint = njit(lambda x: np.rint(x))  # rounds half to even, as round() does
_checked_round = _to_int_checked_factory(_rint)


@overload(round_)
def _round(x, ndigits=None):
    if isinstance(x, types.Float) and (ndigits is None or isinstance(ndigits, (types.NoneType, types.Omitted))):
        def impl(x, ndigits=None):
            return _checked_round(x)
        return impl
    if ndigits is None or isinstance(ndigits, (types.NoneType, types.Omitted)):
        return lambda x, ndigits=None: round(x)
    return lambda x, ndigits=None: round(x, ndigits)


def to_float(x: Any) -> Any:
    """``float(x)``; Numba lacks ``float(bool)``."""
    return float(x)


@overload(to_float)
def _to_float(x):
    if isinstance(x, types.Boolean):
        return lambda x: 1.0 if x else 0.0
    return lambda x: float(x)


# --- math: CPython's errors, and the functions Numba lacks --------------------------------------

# CPython's math_1: a NaN from a non-NaN argument is a domain error; an infinity from a finite
# argument is a range error (OverflowError) for functions that can overflow, else a domain error.
_MATH_CAN_OVERFLOW = {
    "sqrt": False, "exp": True, "expm1": True, "log": False, "log2": False, "log10": False, "log1p": False,
    "sin": False, "cos": False, "tan": False, "asin": False, "acos": False, "atan": False,
    "sinh": True, "cosh": True, "tanh": False, "asinh": False, "acosh": False, "atanh": False,
    "fabs": False, "exp2": True, "cbrt": False, "erf": False, "erfc": False, "gamma": True, "lgamma": True,
}


def _libm_function(c_name: str) -> Callable[..., Any]:
    """The C library's ``double c_name(double)``, callable from compiled code (CPython's math calls the same)."""

    @intrinsic
    def call(typingctx: Any, x: Any) -> Any:
        from llvmlite import ir as llvm_ir
        from numba.core import cgutils

        def codegen(context: Any, builder: Any, sig: Any, args: Any) -> Any:
            double = llvm_ir.DoubleType()
            fn = cgutils.get_or_insert_function(builder.module, llvm_ir.FunctionType(double, [double]), c_name)
            return builder.call(fn, args)

        return types.float64(types.float64), codegen

    return call


_LIBM_EQUIVALENT = {"cbrt": _libm_function("cbrt"), "exp2": _libm_function("exp2")}
"""``math`` functions Numba lacks (Python 3.11's cbrt and exp2), calling the libm function CPython calls."""

_POLES_ARE_DOMAIN_ERRORS = {"gamma", "lgamma"}
"""CPython raises ValueError at the poles (0, -1, -2, …), where libm returns inf."""


def _math_1(name: str, can_overflow: bool) -> Callable[..., Any]:
    python_math_fn = getattr(math, name)
    libm_fn = _LIBM_EQUIVALENT.get(name)
    numba_fn = python_math_fn if libm_fn is None else njit(lambda x: libm_fn(np.float64(x)))
    poles = name in _POLES_ARE_DOMAIN_ERRORS

    def python_fn(x: Any) -> Any:
        return python_math_fn(x)

    python_fn.__name__ = python_fn.__qualname__ = f"math_{name}"
    python_fn.__doc__ = f"``math.{name}`` with CPython's ValueError/OverflowError."

    @overload(python_fn)
    def _typer(x):
        if not isinstance(x, (types.Float, types.Integer, types.Boolean)):
            return None

        def impl(x):
            if poles and x <= 0 and math.isfinite(x) and math.floor(x) == x:
                raise ValueError("math domain error")
            r = numba_fn(x)
            if math.isnan(r):
                if not math.isnan(x):
                    raise ValueError("math domain error")
            elif math.isinf(r) and math.isfinite(x):
                if can_overflow:
                    raise OverflowError("math range error")
                raise ValueError("math domain error")
            return r
        return impl

    return python_fn


MATH_1 = {name: _math_1(name, overflows) for name, overflows in _MATH_CAN_OVERFLOW.items() if hasattr(math, name)}
"""``math`` functions of one argument, each checked as CPython checks it."""


def fmod(x: Any, y: Any) -> Any:
    """``math.fmod`` (Numba has none): ValueError for ``fmod(x, 0)`` and ``fmod(inf, y)``, as CPython."""
    return math.fmod(x, y)


@overload(fmod)
def _fmod(x, y):
    def impl(x, y):
        a = np.float64(x)
        b = np.float64(y)
        if math.isinf(b) and math.isfinite(a):
            return a
        r = np.fmod(a, b)
        if math.isnan(r) and not math.isnan(a) and not math.isnan(b):
            raise ValueError("math domain error")
        return r
    return impl


def log(x: Any, *base: Any) -> Any:
    """``math.log(x)`` and ``math.log(x, base)`` (Numba lacks the base), with CPython's errors."""
    return math.log(x, *base)


_checked_log = MATH_1["log"]


@overload(log)
def _log(x, *base):
    if not base:
        return lambda x, *base: _checked_log(x)

    def impl(x, *base):
        num = _checked_log(x)
        den = _checked_log(base[0])
        if den == 0.0:
            raise ZeroDivisionError("float division by zero")
        return num / den
    return impl


def pow_(x: Any, y: Any) -> Any:
    """``math.pow`` with CPython's ValueError (``pow(-1, 0.5)``, ``pow(0, -1)``) and OverflowError."""
    return math.pow(x, y)


@overload(pow_)
def _pow(x, y):
    def impl(x, y):
        a = np.float64(x)
        b = np.float64(y)
        r = math.pow(a, b)
        if math.isnan(r):
            if not math.isnan(a) and not math.isnan(b):
                raise ValueError("math domain error")
        elif math.isinf(r) and math.isfinite(a) and math.isfinite(b):
            if a == 0.0:
                raise ValueError("math domain error")
            raise OverflowError("math range error")
        return r
    return impl


# --- a Python float literal is weak beside float32 (NumPy 2) -----------------------------------


def _weak_float(base: Callable[..., Any], symbol: str) -> Callable[..., Any]:
    def python_fn(a: Any, b: Any) -> Any:
        return base(a, b)

    python_fn.__name__ = python_fn.__qualname__ = f"weak_float_{base.__name__}"
    python_fn.__doc__ = f"``a {symbol} b`` where one operand is a float literal: beside float32 it is a float32."

    @overload(python_fn)
    def _typer(a, b):
        if {type(a), type(b)} == {types.Float} and {a.bitwidth, b.bitwidth} == {32, 64}:
            return lambda a, b: base(np.float32(a), np.float32(b))
        return lambda a, b: base(a, b)

    return python_fn


WEAK_FLOAT_OPERATORS: dict[Any, Callable[..., Any]] = {}
"""Operators whose replacement differs when an operand is a float literal (filled below)."""


# --- what the pipeline substitutes ---------------------------------------------------------------

BINARY_OPERATORS: dict[Any, Callable[..., Any]] = {
    operator.add: add, operator.iadd: add,
    operator.sub: sub, operator.isub: sub,
    operator.mul: mul, operator.imul: mul,
    operator.floordiv: floordiv, operator.ifloordiv: floordiv,
    operator.mod: mod, operator.imod: mod,
    operator.pow: power, operator.ipow: power,
    operator.rshift: rshift, operator.irshift: rshift,
    operator.lshift: lshift, operator.ilshift: lshift,
}
"""Binary (and augmented) operators whose Numba semantics differ from pyexec's, and their replacements."""

for _op, _symbol in ((operator.truediv, "/"), (operator.itruediv, "/"), (operator.lt, "<"), (operator.le, "<="),
                     (operator.gt, ">"), (operator.ge, ">="), (operator.eq, "=="), (operator.ne, "!=")):
    WEAK_FLOAT_OPERATORS[_op] = _weak_float(_op, _symbol)
for _op, _replacement in BINARY_OPERATORS.items():
    WEAK_FLOAT_OPERATORS[_op] = _weak_float(_replacement, _op.__name__)

UNARY_OPERATORS: dict[Any, Callable[..., Any]] = {operator.neg: neg}
"""Unary operators whose Numba semantics differ, and their replacements."""

CALLS: dict[Any, Callable[..., Any]] = {
    abs: absolute, float: to_float, int: to_int, round: round_,
    math.floor: floor, math.ceil: ceil, math.trunc: trunc,
    math.fmod: fmod, math.log: log, math.pow: pow_,
    **{getattr(math, name): fn for name, fn in MATH_1.items() if name != "log"},
}
"""Functions (by identity) whose calls the pipeline redirects to pyexec's implementation."""
