# ruff: noqa: F841, B007, UP034  (the fuzzer's reproducers of issue 12, kept verbatim)
"""Guarded operations inside loops: each faults for some arguments (division by zero, a negative shift
count, NaN or infinity to int, a negative power, a math domain error) and is skipped for others.

The optimiser must neither run a guarded operation early (a hoisted division by zero is SIGFPE) nor
reach one that Python skips (LLVM 22 rewrote a loop exit so that a `continue` no longer skipped the
`%`, issue 12). ``CASES`` lists (function, arguments) pairs; CPython is the oracle for each.
"""

import math

from pyexec.types import float64, int8, int16, int64, uint8, uint32, uint64


def d1(x: uint8) -> int:
    for i in range(6):
        y = int8(1) ** int8(2)
        assert 3 % x <= uint8(i)
    return 0


def f1(p0: int64, p1: float64, p2: bool, p3: int16) -> uint8:
    for i1 in range(1, ((-1) % int(p3))):
        for i2 in range(1, min((-i1), 3)):
            pass
        else:
            if ((p1 + int8(i1)) >= int8(1)):
                continue
        v9: int = (uint32((False and p2)) % (uint32(i1) ** uint32(9)))
    return (255 // ((uint8(p3) if p1 else uint8(0)) if (p1 >= p1) else uint8(p3)))


def f1_wrong_sum(p1: float, p3: int) -> int:
    # found by a loop fuzzer with the old lowering: -O2 summed iterations that `continue` skips
    stop = (-1) % p3
    total = 0
    for i1 in range(1, stop):
        for i2 in range(1, min((-i1), 3)):
            pass
        else:
            if p1 + int8(i1) >= int8(1):
                continue
        total += int(int8(i1) % int8(p3))
        if i1 > 4:
            break
    return total


def f1_while(p1: float, p3: int) -> int:
    # f1's shape with a while loop: the exit test is the program's own comparison
    i1 = 1
    stop = (-1) % p3
    total = 0
    while i1 < stop:
        total += -i1
        if p1 + int8(i1) >= int8(1):
            i1 += 1
            continue
        total += int(uint32(0) % (uint32(i1) ** uint32(9)))
        i1 += 1
    return total


def invariant_udiv(x: uint64, n: int) -> int:
    s = 0
    for i in range(n):
        if i > 2:
            s += int(uint64(1000) // x)
    return s


def invariant_int_mod(x: int, n: int) -> int:
    s = 0
    for i in range(n):
        assert 7 % x <= i
        s += i
    return s


def invariant_sdiv_by_minus_one(a: int8, d: int8, n: int) -> int:
    s = 0
    for i in range(n):
        if i == 3:
            s += int(a // d) + int(a % d)
    return s


def int_floordiv_overflow(a: int, d: int, n: int) -> int:
    s = 0
    for i in range(n):
        if i >= 2:
            s += a // d
    return s


def guarded_shift(x: int, k: int, n: int) -> int:
    s = 0
    for i in range(n):
        if i >= 2:
            s += (x << k) + (x >> k)
    return s


def narrow_shift(x: int16, k: int16, n: int) -> int:
    s = 0
    for i in range(n):
        if i >= 1:
            s += int(x << k)
    return s


def narrow_shift_right(x: int16, k: int16, n: int) -> int:
    s = 0
    for i in range(n):
        if i >= 1:
            s += int(x >> k)
    return s


def float_to_int_in_loop(f: float, n: int) -> int:
    s = 0
    for i in range(n):
        if i == 4:
            s += int(f)
    return s


def float_to_fixed_in_loop(f: float, n: int) -> int:
    s = 0
    for i in range(n):
        if i == 2:
            s += int(int8(f))
    return s


def negative_power(b: int, e: int, n: int) -> int:
    s = 0
    for i in range(n):
        if i >= 3:
            s += b ** e
    return s


def math_domain(x: float, n: int) -> float:
    s = 0.0
    for i in range(n):
        if i == 2:
            s += math.sqrt(x) + math.log(x + 1.0)
    return s


def float_division(x: float, y: float, n: int) -> float:
    s = 0.0
    for i in range(n):
        if i >= 1:
            s += x / y + x // y + x % y
    return s


def break_before_division(x: int, n: int) -> int:
    s = 0
    i = 0
    while True:
        if i >= n:
            break
        s += 100 // (x - i)
        i += 1
    return s


CASES = [
    ("d1", (0,)), ("d1", (1,)), ("d1", (3,)), ("d1", (2,)),
    ("f1", (1, 1.0, True, 7)), ("f1", (1, 0.5, False, 7)), ("f1", (1, 1.0, True, -1)), ("f1", (0, -3.0, True, 9)),
    ("f1_wrong_sum", (-3.0, 9)), ("f1_wrong_sum", (2.5, 40)), ("f1_wrong_sum", (-1.0, 5)),
    ("f1_wrong_sum", (1.0, 100)),
    ("f1_while", (1.0, 7)), ("f1_while", (-3.0, 9)), ("f1_while", (1.0, -1)),
    ("invariant_udiv", (0, 2)), ("invariant_udiv", (0, 5)), ("invariant_udiv", (7, 5)),
    ("invariant_int_mod", (0, 0)), ("invariant_int_mod", (0, 3)), ("invariant_int_mod", (7, 9)),
    ("invariant_int_mod", (-2, 4)), ("invariant_int_mod", (1, 4)),
    ("invariant_sdiv_by_minus_one", (-128, -1, 5)), ("invariant_sdiv_by_minus_one", (-128, 0, 3)),
    ("invariant_sdiv_by_minus_one", (-128, 0, 5)), ("invariant_sdiv_by_minus_one", (77, -3, 5)),
    ("int_floordiv_overflow", (-(2**63), -1, 2)), ("int_floordiv_overflow", (-(2**63), -1, 3)),
    ("int_floordiv_overflow", (5, 0, 2)), ("int_floordiv_overflow", (5, 0, 4)),
    ("guarded_shift", (3, -1, 2)), ("guarded_shift", (3, -1, 3)), ("guarded_shift", (3, 70, 2)),
    ("guarded_shift", (1, 62, 3)), ("guarded_shift", (0, 200, 3)),
    ("narrow_shift", (3, -1, 1)), ("narrow_shift", (3, -1, 2)), ("narrow_shift", (3, 20, 3)),
    ("narrow_shift_right", (-3, -1, 2)), ("narrow_shift_right", (3, -5, 2)), ("narrow_shift_right", (-300, 3, 2)),
    ("narrow_shift_right", (-3, 16, 2)),
    ("float_to_int_in_loop", (math.nan, 4)), ("float_to_int_in_loop", (math.nan, 5)),
    ("float_to_int_in_loop", (math.inf, 5)), ("float_to_int_in_loop", (1e300, 5)), ("float_to_int_in_loop", (-2.5, 5)),
    ("float_to_fixed_in_loop", (math.nan, 2)), ("float_to_fixed_in_loop", (300.7, 3)),
    ("float_to_fixed_in_loop", (-1e300, 3)),
    ("negative_power", (2, -1, 3)), ("negative_power", (2, -1, 4)), ("negative_power", (0, -1, 4)),
    ("negative_power", (3, 5, 5)),
    ("math_domain", (-4.0, 2)), ("math_domain", (-4.0, 3)), ("math_domain", (-1.0, 3)), ("math_domain", (4.0, 3)),
    ("float_division", (1.0, 0.0, 1)), ("float_division", (1.0, 0.0, 2)), ("float_division", (7.5, -2.0, 3)),
    ("break_before_division", (3, 3)), ("break_before_division", (3, 4)), ("break_before_division", (10, 4)),
]

# Where pyexec's documented contract (docs/semantics.md) departs from CPython on these arguments:
# `int` is 64-bit (leaving int64 is OverflowError when checked, wraps with overflow="wrap"),
# and `int ** negative int` raises ValueError (a non-zero base).
CONTRACT = {
    ("int_floordiv_overflow", (-(2**63), -1, 3)): {"check": ("raises", "OverflowError"), "wrap": ("value", -(2**63))},
    ("float_to_int_in_loop", (1e300, 5)): {"check": ("raises", "OverflowError"), "wrap": ("raises", "OverflowError")},
    ("negative_power", (2, -1, 4)): {"check": ("raises", "ValueError"), "wrap": ("raises", "ValueError")},
}
# (`0 ** -1` is no departure: it raises ZeroDivisionError, as in CPython.)
