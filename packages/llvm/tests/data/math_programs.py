"""The functions test_math_special_functions.py compiles: the rest of ``math`` and the builtins of issue 15.

Each is plain Python: CPython runs it as the oracle, ``aot`` compiles the same source.
"""

import math

from pyexec import complex64, complex128


def gamma(x: float) -> float:
    return math.gamma(x)


def lgamma(x: float) -> float:
    return math.lgamma(x)


def erf(x: float) -> float:
    return math.erf(x)


def erfc(x: float) -> float:
    return math.erfc(x)


def asinh(x: float) -> float:
    return math.asinh(x)


def acosh(x: float) -> float:
    return math.acosh(x)


def atanh(x: float) -> float:
    return math.atanh(x)


def cbrt(x: float) -> float:
    return math.cbrt(x)


def exp2(x: float) -> float:
    return math.exp2(x)


def remainder(x: float, y: float) -> float:
    return math.remainder(x, y)


def ldexp(x: float, i: int) -> float:
    return math.ldexp(x, i)


def factorial(n: int) -> int:
    return math.factorial(n)


def isqrt(n: int) -> int:
    return math.isqrt(n)


def comb(n: int, k: int) -> int:
    return math.comb(n, k)


def perm(n: int, k: int) -> int:
    return math.perm(n, k)


def perm1(n: int) -> int:
    return math.perm(n)


def gcd0() -> int:
    return math.gcd()


def gcd1(a: int) -> int:
    return math.gcd(a)


def gcd3(a: int, b: int, c: int) -> int:
    return math.gcd(a, b, c)


def lcm0() -> int:
    return math.lcm()


def lcm3(a: int, b: int, c: int) -> int:
    return math.lcm(a, b, c)


def isclose(a: float, b: float, rel_tol: float, abs_tol: float) -> bool:
    return math.isclose(a, b, rel_tol=rel_tol, abs_tol=abs_tol)


def isclose_default(a: float, b: float) -> bool:
    return math.isclose(a, b)


def prod(a: int, b: float, c: int) -> float:
    return math.prod((a, b, c))


def prod_ints(a: int, b: int) -> int:
    return math.prod([a, b, 3], start=a)


def make_complex(re: float, im: int) -> complex:
    return complex(re, im)


def pow_mod(a: int, b: int, m: int) -> int:
    return pow(a, b, m)


def complex_pow(a: complex, b: complex) -> complex:
    return a ** b


def complex_square(z: complex) -> complex:
    return z ** 2


def complex_inverse_cube(z: complex) -> complex:
    return z ** -3


def numpy_complex_pow(a: complex128, b: complex128) -> complex128:
    return a ** b


def numpy_complex64_pow(a: complex64, b: complex64) -> complex64:
    return a ** b


def countdown(n: int):
    if n > 0:
        countdown(n - 1)


def run_countdown(n: int) -> int:
    countdown(n)
    return n


def assert_with_values(x: int, y: float) -> int:
    assert x > 0, y * 2
    assert x != 5, x
    assert x != 6, x > 3
    assert x != 7, complex(y, x)
    assert x != 8, math.gamma(y)
    assert x != 9, "a string literal"
    assert x != 10
    return x
