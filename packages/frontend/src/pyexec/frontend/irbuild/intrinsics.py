"""The builtins and ``math`` functions of the subset: their IR intrinsic and argument/result kinds.

Example:
    >>> MATH_FUNCTIONS["sqrt"], MATH_FUNCTIONS["floor"], MATH_FUNCTIONS["atan2"]
    (MathSig(arity=1, result='float'), MathSig(arity=1, result='int'), MathSig(arity=2, result='float'))
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class MathSig:
    """A ``math`` function: how many float64 arguments, and whether it returns float, int or bool."""

    arity: int
    result: str


MATH_FUNCTIONS: dict[str, MathSig] = {
    **{n: MathSig(1, "float") for n in (
        "sqrt", "exp", "log", "log2", "log10", "log1p", "expm1", "sin", "cos", "tan", "asin", "acos",
        "atan", "sinh", "cosh", "tanh", "fabs", "asinh", "acosh", "atanh", "cbrt", "exp2", "erf", "erfc", "gamma",
        "lgamma")},
    **{n: MathSig(1, "int") for n in ("floor", "ceil", "trunc")},
    **{n: MathSig(1, "bool") for n in ("isnan", "isinf", "isfinite")},
    **{n: MathSig(2, "float") for n in ("atan2", "hypot", "pow", "fmod", "copysign", "remainder")},
}
"""``math`` functions of floats that map onto one IR intrinsic ``math.<name>``."""

MATH_INTEGER_FUNCTIONS: dict[str, tuple[int, int]] = {
    "factorial": (1, 1), "isqrt": (1, 1), "comb": (2, 2), "perm": (1, 2), "gcd": (0, 99), "lcm": (0, 99),
}
"""``math`` functions of Python ints (least and most arguments; 99 is any number): int arguments, an int result."""

MATH_OTHER: frozenset[str] = frozenset({"isclose", "prod", "ldexp"})
"""``math`` functions with a signature of their own (keywords, an iterable)."""

MATH_SCALED: dict[str, float] = {"degrees": 180.0 / math.pi, "radians": math.pi / 180.0}
"""``math.degrees``/``radians``: CPython multiplies by exactly these constants."""

MATH_CONSTANTS: dict[str, float] = {"pi": math.pi, "e": math.e, "tau": math.tau, "inf": math.inf, "nan": math.nan}
"""``math`` constants, folded in as float64 constants."""
