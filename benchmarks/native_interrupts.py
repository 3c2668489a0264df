"""What the KeyboardInterrupt polls of ``aot`` code cost, measured side by side in one run.

    python benchmarks/native_interrupts.py              (about a minute)
    python benchmarks/native_interrupts.py --repeat 11

In-process code polls one flag (a relaxed load and a branch) at every loop head and on entry to
every recursive function, so Ctrl-C raises KeyboardInterrupt in the caller (docs/backends/native.md).
This compares the kernels of benchmarks/native.py built as ``aot`` builds them (polls on) with the
same build whose polls are taken out (``FunctionLowering.poll_interrupt`` emptied: a measurement
build, not an option), in both overflow modes; then the per-call overhead of ``aot add(3, 4)``
against ``operator.add``. Medians of interleaved repeats; read the ratios, the machine is shared.
"""

from __future__ import annotations

import argparse
import operator
import statistics
import sys
import time
import timeit
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import native as kernels

from pyexec.backends.llvm import aot
from pyexec.backends.llvm.lowering import FunctionLowering

CASES = {
    "fib(27)": ("fib", (27,)),
    "loop sum to 10^7": ("loop_sum", (10**7,)),
    "primes below 100,000": ("count_primes", (100_000,)),
    "mandelbrot 200x200, 200 iters": ("mandelbrot", (200, 200, 200)),
}


def build(overflow: str, polls: bool) -> dict[str, Callable[..., Any]]:
    """The kernels compiled with or without the interrupt polls (no disk cache: both really build)."""
    original = FunctionLowering.poll_interrupt
    if not polls:
        FunctionLowering.poll_interrupt = lambda self: None  # type: ignore[method-assign]
    try:
        funcs: dict[str, Callable[..., Any]] = {}
        for name in ("fib", "loop_sum", "is_prime", "count_primes", "mandelbrot"):
            funcs[name] = aot(getattr(kernels, name), overflow=overflow, cache=False)
        for fn_name, call_args in CASES.values():
            funcs[fn_name](*call_args)  # compiled and warm
        return funcs
    finally:
        FunctionLowering.poll_interrupt = original  # type: ignore[method-assign]


def median_pair(a: Callable[[], Any], b: Callable[[], Any], repeat: int) -> tuple[float, float]:
    ta, tb = [], []
    for _ in range(repeat):
        for fn, out in ((a, ta), (b, tb)):
            start = time.perf_counter()
            fn()
            out.append(time.perf_counter() - start)
    return statistics.median(ta), statistics.median(tb)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    print(f"pyexec aot interrupt polls (Python {sys.version.split()[0]}, repeat={args.repeat}, medians)\n")
    print(f"  {'kernel':32} {'mode':6} {'polls on':>10} {'polls off':>10} {'on / off':>9}")
    for overflow in ("check", "wrap"):
        on, off = build(overflow, True), build(overflow, False)
        for label, (fn_name, call_args) in CASES.items():
            with_polls, without = on[fn_name], off[fn_name]
            t_on, t_off = median_pair(lambda f=with_polls, a=call_args: f(*a), lambda f=without, a=call_args: f(*a),
                                      args.repeat)
            print(f"  {label:32} {overflow:6} {t_on:9.4f}s {t_off:9.4f}s {t_on / t_off:8.2f}x")
    add = aot(kernels.add, cache=False)
    add(1, 2)
    g = operator.add
    t_aot = [min(timeit.repeat("add(3, 4)", globals={"add": add}, number=10**6, repeat=3)) for _ in range(args.repeat)]
    t_op = [min(timeit.repeat("g(3, 4)", globals={"g": g}, number=10**6, repeat=3)) for _ in range(args.repeat)]
    a, o = statistics.median(t_aot) * 1e3, statistics.median(t_op) * 1e3
    print(f"\n  per call (timeit, ns): aot add {a:.1f}, operator.add {o:.1f}, ratio {a / o:.2f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
