"""A corpus of annotated functions, run by ``pyexec.compile`` in one mode (or by CPython) in this process.

``python compile_mode_corpus.py MODE`` with MODE ``development`` (the JIT), ``production`` (aot)
or ``cpython`` (the functions as written, the oracle) prints one JSON line per case: its outcome
(a value, normalised so that ``numpy.int8(-56)`` and ``-56`` compare equal, or the name of the
exception raised) and whether 4 threads with small stacks calling it again got the same.
``test_compile_modes_agree.py`` runs each mode in its own child process and compares them; a
line ``start CASE`` before each call names the culprit if a backend kills the process.
"""

from __future__ import annotations

import json
import math
import os
import sys
import threading
from typing import Any

import numpy as np

from pyexec.types import float32, int8, int64, uint8, uint64

# --- the corpus ------------------------------------------------------------------------------


def add_int8(a: int8, b: int8) -> int8:
    return a + b


def avg_int8(a: int8, b: int8) -> int8:
    return (a + b) // int8(2)


def mul_int8_positive(a: int8, b: int8) -> bool:
    return a * b > int8(0)


def add_int8_int(a: int8, n: int) -> int:
    return a + n


def int8_mixed(a: int8, b: uint8) -> int:
    return (a * b + a // int8(3)) << 2


def shl_int8(a: int8, b: int8) -> int8:
    return a << b


def wrap_to_uint8(x: int) -> uint8:
    return uint8(x)


def add_int(a: int, b: int) -> int:
    return a + b


def mul_int(a: int, b: int) -> int:
    return a * b


def neg_int(a: int) -> int:
    return -a


def abs_int(a: int) -> int:
    return abs(a)


def floordiv_int(a: int, b: int) -> int:
    return a // b


def mod_int(a: int, b: int) -> int:
    return a % b


def truediv_int(a: int, b: int) -> float:
    return a / b


def pow_int(a: int, b: int) -> int:
    return a**b


def rshift_int(a: int, b: int) -> int:
    return a >> b


def lshift_int(a: int, b: int) -> int:
    return a << b


def big_literal() -> int:
    return 2**63


def uint64_max() -> uint64:
    return uint64(18446744073709551615)


def add_uint64_int64(a: uint64, b: int64) -> float:
    return a + b


def add_uint64_literal(a: uint64) -> uint64:
    return a + 1


def pow_float(a: float, b: float) -> float:
    return a**b


def floordiv_float(a: float, b: float) -> float:
    return a // b


def mod_float(a: float, b: float) -> float:
    return a % b


def add_float32(a: float32, b: float32) -> float32:
    return a + b


def float32_with_literals(x: float32) -> float32:
    return x * 0.7 + 0.1 if x < 0.5 else x / 3.0


def fmod(a: float, b: float) -> float:
    return math.fmod(a, b)


def log_base(x: float, base: float) -> float:
    return math.log(x, base)


def log(x: float) -> float:
    return math.log(x)


def sqrt(x: float) -> float:
    return math.sqrt(x)


def exp(x: float) -> float:
    return math.exp(x)


def asin(x: float) -> float:
    return math.asin(x)


def math_pow(a: float, b: float) -> float:
    return math.pow(a, b)


def floor(x: float) -> int:
    return math.floor(x)


def int_of_float(x: float) -> int:
    return int(x)


def round_float(x: float) -> int:
    return round(x)


def float_of_bool(b: bool) -> float:
    return float(b)


def truthy_float(x: float) -> int:
    if x:
        return 1
    return 0


def fib(n: int) -> int:
    if n <= 1:
        return n
    return fib(n - 1) + fib(n - 2)


def collatz_steps(n: int) -> int:
    steps = 0
    while n != 1:
        n = n // 2 if n % 2 == 0 else 3 * n + 1
        steps += 1
    return steps


def range_sum(start: int, stop: int, step: int) -> int:
    total = 0
    for i in range(start, stop, step):
        if i % 3 == 0:
            continue
        if i > 50:
            break
        total += i
    return total


def chained(a: int, b: int, c: int) -> bool:
    return a < b <= c and not a == c


def min_max(a: float, b: float, c: float) -> float:
    return max(a, b, c) - min(a, b, c)


def mandelbrot(c: complex, max_iter: int) -> int:
    z = 0j
    for i in range(max_iter):
        if abs(z) > 2.0:
            return i
        z = z * z + c
    return max_iter


# --- cases: (id, function, arguments) --------------------------------------------------------

CASES: list[tuple[str, Any, tuple[Any, ...]]] = [
    ("add_int8_wraps", add_int8, (int8(100), int8(100))),
    ("add_int8_python_int_out_of_range", add_int8, (300, 1)),
    ("avg_int8_intermediate_wraps", avg_int8, (int8(100), int8(100))),
    ("mul_int8_intermediate_wraps", mul_int8_positive, (int8(16), int8(16))),
    ("add_int8_int_variable", add_int8_int, (int8(100), 100)),
    ("int8_uint8_promote_to_int16", int8_mixed, (int8(-100), uint8(200))),
    ("shl_int8_past_width", shl_int8, (int8(1), int8(10))),
    ("wrap_to_uint8", wrap_to_uint8, (300,)),
    ("add_int_small", add_int, (2, 3)),
    ("add_int_overflow", add_int, (2**62, 2**62)),
    ("mul_int_overflow", mul_int, (2**62, 4)),
    ("neg_int_min", neg_int, (-(2**63),)),
    ("abs_int_min", abs_int, (-(2**63),)),
    ("floordiv_int_floors", floordiv_int, (-7, 2)),
    ("floordiv_int_min_by_minus_one", floordiv_int, (-(2**63), -1)),
    ("floordiv_int_by_zero", floordiv_int, (1, 0)),
    ("mod_int_sign_of_divisor", mod_int, (-7, 2)),
    ("mod_int_min_by_minus_one", mod_int, (-(2**63), -1)),
    ("truediv_int_by_zero", truediv_int, (1, 0)),
    ("pow_int", pow_int, (3, 39)),
    ("pow_int_negative_exponent", pow_int, (2, -1)),
    ("pow_int_overflow", pow_int, (3, 40)),
    ("rshift_negative_count", rshift_int, (1, -1)),
    ("rshift_past_width", rshift_int, (-5, 70)),
    ("lshift_fits", lshift_int, (3, 61)),
    ("lshift_overflow", lshift_int, (1, 63)),
    ("big_literal", big_literal, ()),
    ("uint64_max_literal", uint64_max, ()),
    ("add_uint64_int64_is_float", add_uint64_int64, (uint64(2**63), int64(1))),
    ("add_uint64_literal_stays_uint64", add_uint64_literal, (uint64(2**63),)),
    ("pow_float", pow_float, (2.0, 0.5)),
    ("pow_float_zero_to_negative", pow_float, (0.0, -1.0)),
    ("pow_float_overflow", pow_float, (10.0, 400.0)),
    ("floordiv_float", floordiv_float, (-7.5, 2.0)),
    ("mod_float_by_zero", mod_float, (5.0, -0.0)),
    ("add_float32", add_float32, (float32(0.1), float32(0.2))),
    ("float32_literal_is_weak", float32_with_literals, (float32(1 / 3),)),
    ("float32_literal_comparison", float32_with_literals, (float32(0.5),)),
    ("fmod", fmod, (5.5, 2.0)),
    ("fmod_by_zero", fmod, (1.0, 0.0)),
    ("fmod_by_inf", fmod, (-3.0, math.inf)),
    ("log_base", log_base, (8.0, 2.0)),
    ("log_base_one", log_base, (8.0, 1.0)),
    ("log_base_negative", log_base, (-1.0, 2.0)),
    ("log_zero", log, (0.0,)),
    ("sqrt_negative", sqrt, (-1.0,)),
    ("exp_overflow", exp, (1000.0,)),
    ("asin_domain", asin, (2.0,)),
    ("math_pow_domain", math_pow, (-1.0, 0.5)),
    ("math_pow_overflow", math_pow, (10.0, 400.0)),
    ("floor_nan", floor, (math.nan,)),
    ("floor_too_big", floor, (1e300,)),
    ("floor", floor, (-2.5,)),
    ("int_of_float_inf", int_of_float, (math.inf,)),
    ("int_of_float_truncates", int_of_float, (-2.7,)),
    ("round_half_even", round_float, (2.5,)),
    ("round_nan", round_float, (math.nan,)),
    ("float_of_bool", float_of_bool, (True,)),
    ("truthy_nan", truthy_float, (math.nan,)),
    ("fib", fib, (20,)),
    ("collatz_steps", collatz_steps, (27,)),
    ("range_negative_step", range_sum, (40, -10, -7)),
    ("chained_comparison", chained, (1, 2, 2)),
    ("min_max", min_max, (3.0, -1.5, 2.0)),
    ("mandelbrot", mandelbrot, (0.3 + 0.5j, 100)),
]


# --- running one mode ------------------------------------------------------------------------


def normalise(value: Any) -> list[Any]:
    """A JSON-comparable outcome: NumPy scalars and Python numbers of the same value compare equal."""
    if isinstance(value, (bool, np.bool_)):
        return ["bool", bool(value)]
    if isinstance(value, (int, np.integer)):
        return ["int", int(value)]
    if isinstance(value, (float, np.floating)):
        return ["float", repr(float(value))]  # repr keeps nan, inf and the sign of zero
    if isinstance(value, (complex, np.complexfloating)):
        return ["complex", repr(complex(value))]
    return ["other", repr(value)]


def outcome(func: Any, args: tuple[Any, ...]) -> list[Any]:
    try:
        return ["ok", normalise(func(*args))]
    except Exception as exc:  # the exception's type is the outcome being compared
        return ["raises", type(exc).__name__]


def same_from_threads(func: Any, args: tuple[Any, ...], expected: list[Any], threads: int = 4) -> bool:
    """Whether ``threads`` threads with 512 KiB stacks calling ``func`` at once all get ``expected``."""
    results: list[list[Any]] = []
    old = threading.stack_size(512 * 1024)
    try:
        workers = [threading.Thread(target=lambda: results.append(outcome(func, args))) for _ in range(threads)]
    finally:
        threading.stack_size(old)
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    return len(results) == threads and all(r == expected for r in results)


def main(mode: str) -> None:
    if mode != "cpython":
        os.environ["PYEXEC_MODE"] = mode
        import pyexec

        compiled = {id(f): pyexec.compile(f) for _, f, _ in CASES}
        # Recursive functions call themselves through the module global: make it the compiled one.
        globals()["fib"] = compiled[id(fib)]
    else:
        compiled = {id(f): f for _, f, _ in CASES}
    import warnings

    warnings.simplefilter("ignore")  # NumPy's overflow warnings in the CPython run
    for case, func, args in CASES:
        print(json.dumps({"start": case}), flush=True)
        got = outcome(compiled[id(func)], args)
        threads_agree = same_from_threads(compiled[id(func)], args, got)
        print(json.dumps({"case": case, "outcome": got, "threads_agree": threads_agree}), flush=True)


if __name__ == "__main__":
    main(sys.argv[1])
