"""Run the math cases of issue 15 compiled with ``aot`` against CPython, in threads with small stacks.

Run by test_math_special_functions.py in a child process, so that a crash fails that test instead of ending
the run. Prints ``ok``, or one line per case where compiled code and CPython disagree.

The rule: the same value (floats by ``repr``, so -0.0 and every bit count: compiled code calls the same C library
as CPython, and gamma/lgamma are CPython's own algorithm), or the same exception type and message. Where CPython's
int result leaves int64, compiled code raises OverflowError (documented). NumPy's complex power outside its
integer-exponent loop is C's ``cpow``, which compiled code approximates as exp(b * log(a)): there a relative
difference of 1e-12 (complex128) or 1e-5 (complex64) is allowed.
"""

from __future__ import annotations

import math
import sys
import threading
import warnings
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))

import math_programs as mp

from pyexec.backends.llvm import aot

INF, NAN = math.inf, math.nan
FLOATS = [0.0, -0.0, 0.5, -0.5, 1.0, 2.0, -1.0, -2.5, 3.7, 5.0, 23.0, 24.0, 100.5, -100.5, 141.3, -141.3, 171.5,
          -170.5, 200.0, -250.5, 1e-25, -1e-25, 1e-320, -1e-320, 1e308, -1e308, INF, -INF, NAN, 0.999999, 1.0000001,
          1025.0, -1075.0, 2000.0]
COMPLEX = [0j, 1 + 1j, -2.5 + 0.5j, 3 - 4j, 1e-3 + 2j, complex(-0.0, 1.0), 1e200 + 1e200j, 1e-200j, 2 + 0j,
           complex(INF, 0.0), complex(0.0, NAN)]
EXPONENTS = [0j, 1 + 0j, 2 + 0j, 3 + 0j, -1 + 0j, -2 + 0j, 5 + 0j, -7 + 0j, 0.5 + 0j, 1 + 1j, -0.3 + 2j, 100 + 0j,
             101 + 0j, -100 + 0j, 2000.5 + 0j, 1j]
BIG = 2**63 - 1

# math.cbrt and math.exp2 are new in Python 3.11: before, neither CPython nor the frontend has them
CASES: dict[str, list[tuple]] = {
    **{name: [(x,) for x in FLOATS] for name in
       ("gamma", "lgamma", "erf", "erfc", "asinh", "acosh", "atanh", "cbrt", "exp2") if hasattr(math, name)},
    "remainder": [(x, y) for x in [*FLOATS[::2], 9.0, 12.0, 13.0, -7.5] for y in [*FLOATS[::3], 3.0, 5.0, 2.5]],
    "ldexp": [(x, i) for x in FLOATS[::2] for i in (0, 1, -1, 1024, -1074, -1075, 2**31, -(2**31) - 1, 2**62)],
    "factorial": [(0,), (1,), (5,), (20,), (21,), (-1,), (-(2**63),), (1000,)],
    "isqrt": [(0,), (1,), (15,), (16,), (-1,), (BIG,), (2**62,), (2**62 - 1,), ((2**31) ** 2 - 1,), (10**18,)],
    "comb": [(5, 2), (5, 7), (-1, 2), (3, -1), (-1, -1), (0, 0), (62, 31), (66, 33), (68, 34), (70, 35),
             (10**18, 2), (10**18, 3), (BIG, 1), (BIG, BIG - 1), (4_294_967_296, 2), (3_037_000_500, 2)],
    "perm": [(5, 2), (5, 7), (-1, 2), (3, -1), (0, 0), (20, 20), (21, 21), (10**9, 2), (10**9, 3), (BIG, 1)],
    "perm1": [(0,), (5,), (20,), (21,), (-3,)],
    "gcd0": [()],
    "gcd1": [(0,), (-12,), (-(2**63),)],
    "gcd3": [(0, 0, 0), (12, 18, 27), (-4, 6, 0), (-(2**63), 0, 0), (-(2**63), 0, 6), (-(2**63), -(2**63), 3),
             (BIG, BIG, BIG), (7, -21, 14)],
    "lcm0": [()],
    "lcm3": [(0, 5, 7), (4, 6, 10), (2**40, 3**20, 0), (2**40, 3**20, 5), (-4, 6, 1), (-(2**63), 1, 1),
             (2**62, 2, 1), (2**62, -(2**62), 3), (BIG, BIG, 1)],
    "isclose": [(1.0, 1.0, -1.0, 0.0), (1.0, 1.0, 0.0, -1.0), (1.0, 1.0 + 1e-10, 1e-9, 0.0), (1.0, 1.1, 1e-9, 0.2),
                (INF, INF, 1e-9, 0.0), (INF, 1.0, 1e-9, 1e308), (NAN, NAN, 1e-9, 0.0), (-INF, INF, 1.0, INF),
                (0.0, 1e-300, 0.0, 0.0), (0.0, -0.0, 0.0, 0.0)],
    "isclose_default": [(1.0, 1.0 + 1e-10), (1.0, 1.0 + 1e-8), (0.0, 1e-300), (NAN, 1.0)],
    "prod": [(2, 3.5, 4), (0, INF, 1), (-1, -0.0, 1)],
    "prod_ints": [(2, 5), (2**20, 2**20), (2**31, 2**31)],
    "make_complex": [(1.5, 2), (-0.0, -3), (INF, 0), (NAN, 1)],
    "pow_mod": [(3, 4, 5), (3, 2, 0), (3, -1, 6), (3, -1, 7), (3, -2, -7), (2, -1, 1), (0, -1, 1), (0, -1, -1),
                (-5, 3, 7), (2, 10**18, 10**9 + 7), (123456789, 987654321, -(2**63)), (7, -1, BIG), (5, 0, 3),
                (0, 0, -4), (-(2**63), -(2**63) + 1, BIG), (BIG, BIG, BIG - 1), (10, -3, 2**61 - 1), (4, -1, 8)],
    "complex_pow": [(a, b) for a in COMPLEX for b in EXPONENTS],
    "complex_square": [(z,) for z in COMPLEX],
    "complex_inverse_cube": [(z,) for z in COMPLEX],
    # finite bases: C's cpow of an infinite or NaN base follows Annex G's special cases (documented)
    "numpy_complex_pow": [(np.complex128(a), np.complex128(b)) for a in COMPLEX[:-2] for b in EXPONENTS],
    "numpy_complex64_pow": [(np.complex64(a), np.complex64(b)) for a in COMPLEX[:6] for b in EXPONENTS],
    "run_countdown": [(0,), (50,)],
}


def outcome(fn, *args):
    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            return "value", fn(*args)
    except (ArithmeticError, ValueError) as exc:
        return type(exc).__name__, str(exc)


def _close(want: complex, got: complex, rel: float) -> bool:
    if want == got or (np.isnan(want) and np.isnan(got)):
        return True
    if not (np.isfinite(want) and np.isfinite(got)):
        return False
    return abs(complex(want) - complex(got)) <= rel * abs(complex(want))


def agrees(name: str, want: tuple, got: tuple) -> bool:
    if want[0] == "value" and isinstance(want[1], int) and not isinstance(want[1], bool) \
            and not -(2**63) <= want[1] < 2**63:
        return got[0] == "OverflowError"
    if want[0] != got[0]:
        return False
    if want[0] != "value":
        return want[1] == got[1]
    if name == "numpy_complex_pow":
        return _close(want[1], got[1], 1e-12)
    if name == "numpy_complex64_pow":
        return _close(want[1], got[1], 1e-5)
    return type(want[1]) is type(got[1]) and repr(want[1]) == repr(got[1])


def run(compiled: dict, problems: list[str]) -> None:
    for name, cases in CASES.items():
        for args in cases:
            want, got = outcome(getattr(mp, name), *args), outcome(compiled[name], *args)
            if not agrees(name, want, got):
                problems.append(f"{name}{args}: CPython {want}, compiled {got}")


def main() -> int:
    compiled = {name: aot(getattr(mp, name)) for name in CASES}
    threading.stack_size(256 << 10)  # small stacks: the helpers must not need a big one
    problems: list[list[str]] = [[] for _ in range(4)]
    threads = [threading.Thread(target=run, args=(compiled, p)) for p in problems]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    lines = sorted(set(line for p in problems for line in p))
    print("\n".join(lines) if lines else "ok")
    return 1 if lines else 0


if __name__ == "__main__":
    sys.exit(main())
