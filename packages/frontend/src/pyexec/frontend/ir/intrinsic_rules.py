"""The typing rule of each IR intrinsic: how many arguments, and what result type.

Rules: ``same`` (one numeric, non-complex type in and out; abs/min/max), ``float``/``int``/``bool``
(float64 arguments; math functions), ``round_ndigits`` (float64, int → float64), ``component``
(a complex argument → its float part type), ``complex`` (complex arguments of one type → that type;
``complex.numpy_div`` is NumPy's complex division, which rounds differently from CPython's ``/``, and
``complex.numpy_pow`` NumPy's complex power, which raises nothing),
``int_int`` (Python ``int`` arguments → ``int``: factorial, isqrt, comb, perm, gcd, lcm, three-argument pow),
``isclose`` (a, b, rel_tol, abs_tol as float64 → bool), ``ldexp`` (float64, int → float64),
``make_complex`` (float64 real and imaginary parts → complex128: ``complex(re, im)``).
An arity of -1 means two or more.

Example:
    >>> INTRINSIC_NAMES["math.floor"], INTRINSIC_NAMES["max"]
    ((1, 'int'), (-1, 'same'))
"""

from __future__ import annotations

INTRINSIC_NAMES: dict[str, tuple[int, str]] = {
    "abs": (1, "same"), "min": (-1, "same"), "max": (-1, "same"),
    "round": (1, "int"), "round_ndigits": (2, "round_ndigits"),
    **{f"math.{n}": (1, "float") for n in (
        "sqrt", "exp", "log", "log2", "log10", "log1p", "expm1", "sin", "cos", "tan", "asin", "acos", "atan",
        "sinh", "cosh", "tanh", "fabs", "asinh", "acosh", "atanh", "cbrt", "exp2", "erf", "erfc", "gamma", "lgamma")},
    **{f"math.{n}": (1, "int") for n in ("floor", "ceil", "trunc")},
    **{f"math.{n}": (1, "bool") for n in ("isnan", "isinf", "isfinite")},
    **{f"math.{n}": (2, "float") for n in ("atan2", "hypot", "pow", "fmod", "copysign", "remainder")},
    "math.ldexp": (2, "ldexp"),
    "math.log_base": (2, "float"),
    "math.factorial": (1, "int_int"), "math.isqrt": (1, "int_int"), "math.comb": (2, "int_int"),
    "math.perm": (2, "int_int"), "math.gcd": (-1, "int_int"), "math.lcm": (-1, "int_int"),
    "pow_mod": (3, "int_int"),
    "math.isclose": (4, "isclose"),
    "complex.make": (2, "make_complex"),
    "complex.real": (1, "component"), "complex.imag": (1, "component"), "complex.abs": (1, "component"),
    "complex.conjugate": (1, "complex"),
    "complex.numpy_div": (2, "complex"), "complex.numpy_pow": (2, "complex"),
}
