"""The oracle: a generated program run by CPython on NumPy scalars, with pyexec's documented ``int`` rules.

``Program.oracle_source()`` calls ``_bin``/``_unary``/``_chain`` for operators, and the names of casts,
builtins and ``math`` resolve to the versions below. Each runs the operation in CPython, then applies
what docs/frontend.md and docs/backends/native.md promise where CPython alone has no answer:

- ``int`` is 64 bits: a result outside int64 raises OverflowError (``overflow="check"``) or wraps
  (``overflow="wrap"``); ``int(x)``, ``round``, ``math.floor`` … raise OverflowError in both modes.
- any division or modulo by zero raises ZeroDivisionError (NumPy would warn and return inf/0);
  ``int ** negative`` raises ValueError (ZeroDivisionError for a zero base, as in CPython); float
  ``**`` is C's ``pow`` (inf, not OverflowError) except ``0.0 ** negative`` (ZeroDivisionError) and
  ``negative ** fractional`` (ValueError).
- the documented differences from NumPy: an ``int`` meeting a fixed width is converted with a wrapping cast;
  ``int`` with ``float`` (arithmetic, ``/``, comparisons) converts the int to float64 first.
- a float cast to a fixed-width integer out of its range (NaN and inf included) has no defined value in any
  backend: the call is ``Undefined`` and not compared.

Example:
    >>> outcome = run_oracle("def f0(p1: int) -> int:\\n    return _bin('*', p1, p1)\\n", "f0", ["int"], [2**40])
    >>> outcome.kind, outcome.value
    ('raise', 'OverflowError')
"""

from __future__ import annotations

import contextlib
import io
import math
import operator
import signal
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np

import pyexec.types as pt

MODE = {"overflow": "check"}
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1


class Undefined(Exception):
    """The call's result is not defined by pyexec's semantics (not compared)."""


class OracleTimeout(Exception):
    """CPython took longer than the per-call limit (the call is not compared)."""


def _int_result(v: int) -> int:
    if INT64_MIN <= v <= INT64_MAX:
        return v
    if MODE["overflow"] == "wrap":
        return _wrap(v, 64, True)
    raise OverflowError("int overflow")


def _checked_int(v: int) -> int:
    """A conversion to ``int`` (``int(x)``, ``round``, ``math.floor``): OverflowError in both modes."""
    if INT64_MIN <= v <= INT64_MAX:
        return v
    raise OverflowError("int too large")


def _wrap(v: int, bits: int, signed: bool) -> int:
    v &= (1 << bits) - 1
    if signed and v >= 1 << (bits - 1):
        v -= 1 << bits
    return v


def _is_pyint(x: Any) -> bool:
    return type(x) is int


def _to_dtype(x: int, like: np.generic) -> np.generic:
    info = np.iinfo(like.dtype)
    return like.dtype.type(_wrap(x, info.bits, info.min < 0))


def _coerce(a: Any, b: Any) -> tuple[Any, Any]:
    """The documented differences: a Python int meeting a NumPy int wraps into it; with a float it is float64."""
    if _is_pyint(a) and isinstance(b, np.integer):
        a = _to_dtype(a, b)
    elif _is_pyint(b) and isinstance(a, np.integer):
        b = _to_dtype(b, a)
    elif _is_pyint(a) and type(b) is float:
        a = float(a)
    elif _is_pyint(b) and type(a) is float:
        b = float(b)
    # NEP 50: a Python number meeting a NumPy float or complex takes its type first (5e-324 → float32 0.0)
    if isinstance(b, (np.floating, np.complexfloating)) and type(a) in (int, float, complex) and \
            not (type(a) is complex and isinstance(b, np.floating)):
        a = b.dtype.type(a)
    elif isinstance(a, (np.floating, np.complexfloating)) and type(b) in (int, float, complex) and \
            not (type(b) is complex and isinstance(a, np.floating)):
        b = a.dtype.type(b)
    return a, b


def _is_zero(b: Any) -> bool:
    return bool(b == 0)


def _float_pow(a: Any, b: Any) -> Any:
    if _is_zero(a) and b < 0:
        raise ZeroDivisionError("0.0 cannot be raised to a negative power")
    if math.isfinite(a) and a < 0 and math.isfinite(b) and float(b) != math.floor(float(b)):
        raise ValueError("negative number cannot be raised to a fractional power")
    if type(a) is float and type(b) is float:
        # C's pow (CPython's math.pow calls it), with inf instead of OverflowError; not np.power, whose
        # SIMD loops may round the last bit differently from the C library
        try:
            return math.pow(a, b)
        except OverflowError:
            odd = float(b).is_integer() and abs(b) < 2**53 and int(b) % 2 == 1
            return -math.inf if a < 0 and odd else math.inf
    return a**b


def _int_pow(a: int, b: int) -> int:
    if b < 0 and a == 0:
        raise ZeroDivisionError("0.0 cannot be raised to a negative power")  # CPython's own exception
    if b < 0:
        raise ValueError("integer to a negative power")
    if MODE["overflow"] == "wrap":
        return _wrap(pow(a, b, 1 << 64), 64, True)
    if abs(a) >= 2 and b > 64:
        raise OverflowError("int overflow")
    return _int_result(a**b)


_OPS = {"+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv,
        "//": operator.floordiv, "%": operator.mod, "&": operator.and_, "|": operator.or_, "^": operator.xor,
        "<<": operator.lshift, ">>": operator.rshift}


def _bin(op: str, a: Any, b: Any) -> Any:
    a, b = _coerce(a, b)
    if op in ("/", "//", "%") and _is_zero(b):
        raise ZeroDivisionError("division by zero")
    both_int = _is_pyint(a) and _is_pyint(b)
    if op == "**":
        if both_int:
            return _int_pow(a, b)
        if isinstance(a, np.integer) and isinstance(b, (np.integer, int)):
            # NumPy refuses a negative exponent only when the result is an integer (uint64 ** int32 is float64)
            if b < 0 and np.issubdtype(np.result_type(a, b), np.integer):
                raise ValueError("Integers to negative integer powers are not allowed.")
            return a**b
        return _float_pow(a, b)
    if both_int and op in ("<<", ">>"):
        if b < 0:
            raise ValueError("negative shift count")
        if op == ">>":
            return a >> min(b, 64)
        if a == 0:
            return 0
        if b >= 64:
            if MODE["overflow"] == "wrap":
                return 0
            raise OverflowError("int overflow")
        return _int_result(a << b)
    if both_int and op == "/":
        return float(a) / float(b)  # the int is converted to float64 first (documented)
    r = _OPS[op](a, b)
    return _int_result(r) if _is_pyint(r) else r


def _unary(op: str, a: Any) -> Any:
    r = {"-": operator.neg, "+": operator.pos, "~": operator.invert}[op](a)
    return _int_result(r) if _is_pyint(r) else r


def _chain(ops: list[str], *thunks: Any) -> bool:
    cmp = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge, "==": operator.eq,
           "!=": operator.ne}
    left = thunks[0]()
    for op, thunk in zip(ops, thunks[1:]):
        right = thunk()
        if (_is_pyint(left) and isinstance(right, np.integer)) or (_is_pyint(right) and isinstance(left, np.integer)):
            a, b = int(left), int(right)  # NumPy 2 compares a Python int with a NumPy integer by value
        else:
            a, b = _coerce(left, right)
        if _is_pyint(a) and isinstance(b, np.floating):
            a = np.float64(a) if b.dtype == np.float64 else b.dtype.type(a)
        if not cmp[op](a, b):
            return False
        left = right
    return True


def _to_fixed(name: str) -> Any:
    cast = getattr(pt, name)
    info = np.iinfo(np.dtype(name))

    def convert(x: Any) -> Any:
        if isinstance(x, (float, np.floating)):
            if not math.isfinite(x) or not (info.min <= math.trunc(float(x)) <= info.max):
                raise Undefined(f"{name}({x!r}) is out of range")
            return cast(math.trunc(float(x)))
        return cast(int(x))

    return convert


def _to_int(x: Any) -> int:
    return _checked_int(int(x))  # int(uint64 >= 2**63) is outside int64: OverflowError


def _abs(x: Any) -> Any:
    r = abs(x)
    return _int_result(r) if _is_pyint(r) else r


def _round(x: Any, n: Any = None) -> Any:
    if n is None:
        return _checked_int(round(float(x)))
    return round(float(x), n)  # CPython's correctly rounded round(x, n)


def _divmod(a: Any, b: Any) -> tuple[Any, Any]:
    return _bin("//", a, b), _bin("%", a, b)


def _pow(a: Any, b: Any) -> Any:
    return _bin("**", a, b)


class _Math:
    """``math`` with ``floor``/``ceil``/``trunc`` range-checked like pyexec's ``int``."""

    def __getattr__(self, name: str) -> Any:
        return getattr(math, name)

    @staticmethod
    def floor(x: Any) -> int:
        return _checked_int(math.floor(x))

    @staticmethod
    def ceil(x: Any) -> int:
        return _checked_int(math.ceil(x))

    @staticmethod
    def trunc(x: Any) -> int:
        return _checked_int(math.trunc(x))


def namespace() -> dict[str, Any]:
    """The globals an oracle program runs in."""
    ns: dict[str, Any] = {"_bin": _bin, "_unary": _unary, "_chain": _chain, "math": _Math(), "int": _to_int,
                          "abs": _abs, "round": _round, "divmod": _divmod, "pow": _pow,
                          "float": float, "bool": bool, "complex": complex, "np": np}
    for name in ("int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64"):
        ns[name] = _to_fixed(name)
    for name in ("float32", "float64", "complex64", "complex128"):
        ns[name] = getattr(np, name)
    return ns


def make_array(spec: dict[str, Any]) -> np.ndarray:
    """The array an argument spec describes (JSON: ``{"dtype", "shape", "view", "data"}``), made afresh.

    ``view`` says how the array the function gets is laid out: ``"c"`` C-contiguous, ``"rev"`` reversed along
    every axis, ``"step"`` every other row of an array twice as long, ``"T"`` the transpose of a C-contiguous
    array, ``"f"`` Fortran order. ``data`` holds the base array's elements in C order."""
    dtype = np.bool_ if spec["dtype"] == "bool" else np.dtype(spec["dtype"])
    shape, view = list(spec["shape"]), spec["view"]
    base_shape = list(shape)
    if view == "step":
        base_shape[0] *= 2
    elif view == "T":
        base_shape.reverse()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        base = np.array(spec["data"], dtype=dtype).reshape(base_shape)
    if view == "rev":
        return base[(slice(None, None, -1),) * base.ndim]
    if view == "step":
        return base[::2]
    if view == "T":
        return base.T
    if view == "f":
        return np.asfortranarray(base)
    return base


def materialize(value: Any) -> Any:
    """An argument as JSON carries it, made into what the caller passes (arrays from their spec)."""
    return make_array(value) if isinstance(value, dict) else value


def argument_state(args: list[Any]) -> list[Any]:
    """The caller's arrays after a call (compared too: compiled code writes into them in place)."""
    return [encode_value(a) for a in args if isinstance(a, np.ndarray)]


def convert_argument(annotation: str, value: Any) -> Any:
    """The value CPython's caller would pass: NumPy scalars for fixed widths, Python numbers otherwise."""
    if isinstance(value, dict):
        return make_array(value)
    if annotation in ("int", "float", "bool", "complex"):
        return value
    if annotation.startswith(("int", "uint")):
        return getattr(pt, annotation)(value)
    return getattr(np, annotation)(value)


@dataclass
class Outcome:
    """What a call did: ``kind`` is ``"return"`` (``value`` the result), ``"raise"`` (``value`` the exception
    type's name), ``"undefined"`` or ``"timeout"``; ``stdout`` is what it printed."""

    kind: str
    value: Any
    stdout: str = ""
    detail: str = ""
    arrays: list[Any] | None = None

    def to_json(self) -> list[Any]:
        """``[kind, value, stdout, detail, arrays]``; the detail (an exception's message) is shown, not compared;
        ``arrays`` is the caller's array arguments after the call (encoded), compared."""
        return [self.kind, encode_value(self.value) if self.kind == "return" else self.value, self.stdout,
                self.detail, self.arrays or []]


def encode_value(v: Any) -> list[Any]:
    """A JSON form that compares exactly: floats by bit pattern (any NaN is one NaN); an array as its dtype,
    shape and elements in C order; a tuple as its items."""
    if isinstance(v, np.ndarray):
        return ["array", str(v.dtype), list(v.shape), [encode_value(x) for x in v.ravel().tolist()]]
    if isinstance(v, tuple):
        return ["tuple", [encode_value(x) for x in v]]
    if isinstance(v, (bool, np.bool_)):
        return ["bool", bool(v)]
    if isinstance(v, (int, np.integer)):
        return ["int", int(v)]
    if isinstance(v, (float, np.floating)):
        return ["float", _float_bits(float(v))]
    if isinstance(v, (complex, np.complexfloating)):
        c = complex(v)
        return ["complex", _float_bits(c.real), _float_bits(c.imag)]
    return ["other", repr(v)]


def _float_bits(f: float) -> str:
    return "nan" if math.isnan(f) else float.hex(f) if f != 0 else ("-0" if math.copysign(1, f) < 0 else "0")


def _bits_value(b: str) -> float:
    return math.nan if b == "nan" else -0.0 if b == "-0" else 0.0 if b == "0" else float.fromhex(b)


def close(expected: Any, actual: Any, tol: float | None = None) -> bool:
    """Encoded values equal, floats within a tight relative tolerance: 2**-40 for float64, 2**-18 for the
    elements of a float32 array and for two floats that are both float32 values (so 0.0 equals -0.0). NaN
    equals NaN; an infinity must be the same infinity. For programs whose float sums, min/max, matrix
    products and transcendental ufuncs NumPy computes in another order or with other SIMD code than
    compiled code documents (``Program.loose``)."""
    if not (isinstance(expected, list) and isinstance(actual, list)):
        return bool(expected == actual)
    if expected[:1] == actual[:1] == ["float"] and len(expected) == len(actual) == 2:
        a, b = _bits_value(expected[1]), _bits_value(actual[1])
        if math.isnan(a) or math.isnan(b) or math.isinf(a) or math.isinf(b):
            return bool(expected[1] == actual[1])
        if tol is None:
            single = float(np.float32(a)) == a and float(np.float32(b)) == b
            tol = 2.0**-18 if single else 2.0**-40
        return abs(a - b) <= tol * max(abs(a), abs(b)) or abs(a - b) < 1e-300
    if expected[:1] == actual[:1] == ["array"] and len(expected) == len(actual) == 4:
        tol = 2.0**-18 if expected[1] == "float32" else 2.0**-40
        return expected[1:3] == actual[1:3] and close(expected[3], actual[3], tol)
    return len(expected) == len(actual) and all(close(x, y, tol) for x, y in zip(expected, actual))


def _on_alarm(signum: int, frame: Any) -> None:
    raise OracleTimeout


def run_oracle(oracle_source: str, entry: str, annotations: list[str], args: list[Any], *,
               overflow: str = "check", timeout: float = 2.0) -> Outcome:
    """Run the entry function of an oracle program on ``args`` (Python values) in this process."""
    MODE["overflow"] = overflow
    ns = namespace()
    exec(compile(oracle_source, "<oracle>", "exec"), ns)  # generated code is the point
    out = io.StringIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        call_args = [convert_argument(a, v) for a, v in zip(annotations, args)]
    previous = signal.signal(signal.SIGALRM, _on_alarm)
    signal.setitimer(signal.ITIMER_REAL, timeout)
    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"), contextlib.redirect_stdout(out):
            warnings.simplefilter("ignore")
            value = ns[entry](*call_args)
        return Outcome("return", value, out.getvalue(), arrays=argument_state(call_args))
    except OracleTimeout:
        return Outcome("timeout", None, out.getvalue())
    except Undefined as exc:
        return Outcome("undefined", str(exc), out.getvalue())
    except RecursionError:
        return Outcome("undefined", "CPython's recursion limit", out.getvalue())
    except Exception as exc:  # every exception type is an outcome to compare
        return Outcome("raise", type(exc).__name__, out.getvalue(), str(exc)[:300], argument_state(call_args))
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
