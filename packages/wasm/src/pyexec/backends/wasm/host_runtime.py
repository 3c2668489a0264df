"""What a pyexec wasm module imports from its host, and the Python implementations the loader provides.

Every import is a function of module ``env``: pyexec's runtime functions (``pyexec_print_*``,
``pyexec_round_ndigits``, see :mod:`pyexec.backends.llvm.runtime`) and the libm functions lowered code
calls. Python's ``math`` computes the libm functions here, with C's results where ``math`` raises
instead (``log(0)`` is ``-inf``, ``exp(1000)`` is ``inf``, a domain error is NaN): the lowered code
checks those results itself to raise Python's exceptions, exactly as it does over the C library.

Example:
    >>> HOST_FUNCTIONS["pow"]
    (('f64', 'f64'), ('f64',))
    >>> c_libm("log", 0.0)
    -inf
    >>> format_float(1e16), format_float(0.1), format_float(-0.0)
    ('1e+16', '0.1', '-0.0')
"""

from __future__ import annotations

import math
import struct
from collections.abc import Callable

from pyexec.backends.llvm.runtime import EXTERNAL_FUNCTIONS, LIBM_FUNCTIONS

_C_TO_WASM = {
    "int64_t": "i64", "uint64_t": "i64", "int32_t": "i32", "uint32_t": "i32", "double": "f64", "float": "f32",
    "const char *": "i32", "void": None,
}

_BINARY_LIBM = {"atan2", "hypot", "pow", "fmod", "copysign", "fmin", "fmax", "nextafter", "remainder"}
_EXTRA_LIBM = ("round", "trunc", "floor", "ceil", "exp2", "cbrt", "asinh", "acosh", "atanh", "erf", "erfc",
               "tgamma", "lgamma", "copysign", "remainder", "nextafter", "fmin", "fmax")


def _runtime_signatures() -> dict[str, tuple[tuple[str, ...], tuple[str, ...]]]:
    table: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {}
    for name, (ret, params) in EXTERNAL_FUNCTIONS.items():
        wasm_ret = _C_TO_WASM[ret]
        table[name] = (tuple(_C_TO_WASM[p] for p in params), (wasm_ret,) if wasm_ret else ())  # type: ignore[misc]
    for base in (*LIBM_FUNCTIONS, *_EXTRA_LIBM):
        arity = 2 if base in _BINARY_LIBM else 1
        table[base] = (("f64",) * arity, ("f64",))
        table[base + "f"] = (("f32",) * arity, ("f32",))
    table["ldexp"] = (("f64", "i32"), ("f64",))
    table["ldexpf"] = (("f32", "i32"), ("f32",))
    table["fma"] = (("f64",) * 3, ("f64",))
    table["fmaf"] = (("f32",) * 3, ("f32",))
    return table


HOST_FUNCTIONS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = _runtime_signatures()
"""Every function a pyexec wasm module may import from ``env``: name → (parameter types, result types)."""

_LOG_POLES = {"log": 0.0, "log2": 0.0, "log10": 0.0, "log1p": -1.0}
_MATH_NAMES = {"tgamma": "gamma", "exp2": None, "round": None, "fma": None, "cbrt": None, "ldexp": "ldexp"}


def _round_half_away(x: float) -> float:
    if math.isinf(x) or math.isnan(x):
        return x
    ax = abs(x)
    r = math.floor(ax)
    if ax - r >= 0.5:  # exact: the fractional part of a float is representable
        r += 1
    return math.copysign(float(r), x)


def _python_libm(name: str) -> Callable[..., float]:
    base = name[:-1] if name.endswith("f") and name[:-1] in HOST_FUNCTIONS else name
    special: dict[str, Callable[..., float]] = {
        "exp2": lambda x: math.pow(2.0, x),
        "round": _round_half_away,
        "fma": lambda a, b, c: a * b + c,
        # math.cbrt is new in Python 3.11 (before it, the compiled code cannot call cbrt: the frontend refuses it)
        "cbrt": getattr(math, "cbrt", lambda x: math.copysign(abs(x) ** (1.0 / 3.0), x)),
        "fmin": lambda a, b: b if math.isnan(a) else a if math.isnan(b) else min(a, b),
        "fmax": lambda a, b: b if math.isnan(a) else a if math.isnan(b) else max(a, b),
        "nextafter": math.nextafter,
    }
    if base in special:
        return special[base]
    return getattr(math, _MATH_NAMES.get(base) or base)


def c_libm(name: str, *args: float) -> float:
    """``name(*args)`` with C's results: where Python's ``math`` raises, the value C returns.

    Example:
        >>> c_libm("pow", -2.0, 1025.0), c_libm("fmod", 1.0, 0.0)
        (-inf, nan)
    """
    base = name[:-1] if name.endswith("f") and name[:-1] in HOST_FUNCTIONS else name
    fn = _python_libm(name)
    try:
        return float(fn(*args))
    except ValueError:
        x = args[0]
        if base in _LOG_POLES and x == _LOG_POLES[base]:
            return -math.inf
        if base == "pow" and x == 0.0 and args[1] < 0:
            odd = args[1] == math.floor(args[1]) and math.fmod(args[1], 2.0) != 0
            return math.copysign(math.inf, x) if odd else math.inf
        if base in ("lgamma", "tgamma") and x == math.floor(x) and x <= 0:
            return math.inf
        return math.nan
    except OverflowError:
        x = args[0]
        if base == "pow":
            y = args[1]
            odd = y == math.floor(y) and math.fmod(y, 2.0) != 0
            if abs(x) < 1.0:  # 0 < |x| < 1 with a large negative y
                return math.copysign(math.inf, x) if odd and x < 0 else math.inf
            return -math.inf if x < 0 and odd else math.inf
        if base in ("sinh", "ldexp"):
            return math.copysign(math.inf, x)
        return math.inf


# --- formatting values as CPython's str() does -------------------------------------------------


def format_float(x: float) -> str:
    """``str(x)`` of a Python float (its shortest round-tripping repr).

    Example:
        >>> format_float(1.5e-5)
        '1.5e-05'
    """
    return repr(float(x))


FLOAT32_POSITIONAL = (1e-4, 1e6)
"""NumPy prints a float32 positionally when ``1e-4 <= |x| < 1e6`` (and 0), else in scientific notation."""


def format_float32(x: float) -> str:
    """``str`` of a NumPy float32: the shortest decimal that rounds to the same float32, laid out as NumPy
    does (positional for ``1e-4 <= |x| < 1e6``, else ``1.5e+06``).

    Example:
        >>> format_float32(0.10000000149011612), format_float32(1e7), format_float32(123456.0)
        ('0.1', '1e+07', '123456.0')
    """
    if math.isnan(x) or math.isinf(x) or x == 0:
        return repr(float(x))
    target = struct.pack("<f", x)
    precision = 9  # always enough for a float32
    for digits in range(1, 10):
        try:
            if struct.pack("<f", float(f"{x:.{digits}g}")) == target:
                precision = digits
                break
        except OverflowError:  # a short decimal near FLT_MAX can round past it (3e+38 is fine, 3.4028236e+38 not)
            continue
    low, high = FLOAT32_POSITIONAL
    if low <= abs(x) < high:
        return repr(float(f"{x:.{precision}g}"))
    mantissa, _, exponent = f"{x:.{precision - 1}e}".partition("e")
    if "." in mantissa:
        mantissa = mantissa.rstrip("0").rstrip(".")
    return f"{mantissa}e{exponent}"


def to_float32(x: float) -> float:
    """``x`` rounded to a float32 as C's ``(float)`` cast does: beyond FLT_MAX it is an infinity.

    Example:
        >>> to_float32(1e39), to_float32(0.1)
        (inf, 0.10000000149011612)
    """
    try:
        return struct.unpack("<f", struct.pack("<f", x))[0]
    except OverflowError:
        return math.copysign(math.inf, x)


def format_complex(re: float, im: float) -> str:
    """``str(complex(re, im))``.

    Example:
        >>> format_complex(1.0, -2.0), format_complex(0.0, 3.0)
        ('(1-2j)', '3j')
    """
    return str(complex(re, im))


def format_complex64(re: float, im: float) -> str:
    """``str`` of a complex64 (each part printed as a float32)."""
    def part(x: float) -> str:
        text = format_float32(x)
        return text[:-2] if text.endswith(".0") else text

    if re == 0 and math.copysign(1.0, re) > 0:
        return part(im) + "j"
    sign = "-" if math.copysign(1.0, im) < 0 and not math.isnan(im) else "+"
    return f"({part(re)}{sign}{part(abs(im))}j)"


def round_ndigits(x: float, ndigits: int) -> float:
    """Python's ``round(x, ndigits)`` for a float (correctly rounded, half to even).

    Example:
        >>> round_ndigits(2.675, 2), round_ndigits(0.125, 2)
        (2.67, 0.12)
    """
    if math.isnan(x) or math.isinf(x):
        return x
    return float(round(x, ndigits))


def float_digits(x: float, mode: int, n: int, single: int) -> tuple[str, int]:
    """``pyexec_float_digits`` for compiled formatting: the decimal digits of a finite ``x >= 0`` and the
    position of the point (``x ≈ 0.<digits> * 10**decpt``), from Python's own formatting (correctly
    rounded, ties to even): mode 0 the shortest round trip (of the float32 when ``single``), mode 2
    ``n`` significant digits, mode 3 ``n`` digits after the point.

    Example:
        >>> float_digits(0.125, 3, 2, 0), float_digits(1e16, 0, 0, 0), float_digits(0.1, 0, 0, 1)
        (('12', 0), ('1', 17), ('1', 0))
    """
    from decimal import Decimal

    if x == 0:
        return "0", 1
    if mode == 0:
        if single:
            import numpy as np

            text = np.format_float_scientific(np.float32(x), unique=True)
        else:
            text = repr(x)
    elif mode == 2:
        text = format(x, f".{max(n, 1) - 1}e")
    else:
        text = format(x, f".{n}f")
    _, digit_tuple, exponent = Decimal(text).as_tuple()
    digits = "".join(map(str, digit_tuple)).lstrip("0")
    if not digits:
        return "0", 1
    return digits, len(digits) + int(exponent)
