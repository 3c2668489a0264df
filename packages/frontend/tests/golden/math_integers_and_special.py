import math


def special(x: float, y: float) -> float:
    return math.gamma(x) + math.lgamma(y) + math.erf(x) + math.erfc(y) + math.asinh(x) \
        + math.remainder(x, y) + math.ldexp(x, 3)


def factorials(n: int) -> int:
    return math.factorial(n) + math.perm(n)


def combinations(n: int, k: int) -> int:
    return math.comb(n, k)


def permutations(n: int, k: int) -> int:
    return math.perm(n, k)


def divisors(n: int, k: int) -> int:
    return math.isqrt(abs(n)) + math.gcd() + math.gcd(n) + math.gcd(n, k, 6) + math.lcm(n, k) + pow(n, k, 7)


def close(a: float, b: float) -> bool:
    return math.isclose(a, b) and math.isclose(a, b, rel_tol=0.5, abs_tol=1e-3)


def powers(z: complex, re: float, im: int) -> complex:
    return complex(re, im) ** 2 + z ** z + math.prod((z, re, im))


def checked(n: int):
    assert n >= 0, n * 2
    if 0 < n < 50:
        checked(n - 1)
