"""JIT figures measured side by side in one run, and (optionally) the Nuitka executable's build.

    python benchmarks/jit.py              fib(30) vs CPython; sum of 1M floats vs sum() and numpy.sum
    python benchmarks/jit.py --nuitka     also: build time and size of the seed's greeter executable
    python benchmarks/jit.py --repeat 9   more repetitions (medians are reported)

Every figure is a median of the repetitions; the JIT is warmed up (compiled) before timing,
and its first-call compile time is reported separately.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any


def median_seconds(func: Callable[..., Any], *args: Any, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        func(*args)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def fib(n: int) -> int:
    if n <= 1:
        return n
    return fib(n - 1) + fib(n - 2)


def fib_jit(n: int) -> int:
    if n <= 1:
        return n
    return fib_jit(n - 1) + fib_jit(n - 2)


def array_sum(arr):
    total = 0.0
    for i in range(len(arr)):
        total += arr[i]
    return total


def table(title: str, rows: list[tuple[str, float]], baseline: str) -> None:
    base = dict(rows)[baseline]
    print(f"\n{title}")
    print(f"  {'implementation':<28}{'median':>12}{'vs ' + baseline:>22}")
    for name, seconds in rows:
        print(f"  {name:<28}{seconds * 1e3:>10.3f}ms{base / seconds:>21.1f}x")


def bench_jit(repeat: int) -> None:
    import numpy as np

    from pyexec.backends.jit import jit

    # The recursive call must reach the compiled function, so it names a global bound to the JIT function.
    global fib_jit
    fib_jit = jit(fib_jit)
    start = time.perf_counter()
    assert fib_jit(30) == fib(30)
    compile_fib = time.perf_counter() - start
    table("fib(30), recursive", [
        ("CPython", median_seconds(fib, 30, repeat=max(3, repeat // 2))),
        ("pyexec.jit (Numba)", median_seconds(fib_jit, 30, repeat=repeat)),
    ], "CPython")

    arr = np.random.default_rng(0).random(1_000_000)
    sum_jit = jit(array_sum)
    start = time.perf_counter()
    sum_jit(arr)
    compile_sum = time.perf_counter() - start
    table("sum of 1,000,000 float64", [
        ("builtin sum()", median_seconds(sum, arr, repeat=max(3, repeat // 2))),
        ("numpy.sum", median_seconds(np.sum, arr, repeat=repeat)),
        ("pyexec.jit loop (Numba)", median_seconds(sum_jit, arr, repeat=repeat)),
    ], "builtin sum()")
    print(f"\nfirst call (compile + run): fib {compile_fib * 1e3:.0f} ms, array_sum {compile_sum * 1e3:.0f} ms")


GREETER = '''
def greet(name: str) -> str:
    return f"Hello, {name}!"
'''


def bench_nuitka() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "bench_greeter.py").write_text(textwrap.dedent(GREETER))
        code = ("import sys, time; sys.path.insert(0, '.'); from bench_greeter import greet; "
                "from pyexec.backends.nuitka import aot_compile; t = time.perf_counter(); "
                "p = aot_compile(greet, 'greeter'); print(time.perf_counter() - t, p.stat().st_size)")
        env = {**os.environ, "PYEXEC_CACHE_DIR": str(folder / "cache")}  # a cold cache: a real build
        out = subprocess.run([sys.executable, "-c", code], cwd=folder, env=env, capture_output=True, text=True,
                             check=True).stdout.split()
        build_seconds, size = float(out[0]), int(out[1])
        start = time.perf_counter()
        run = subprocess.run([str(folder / "greeter"), "Alice"], capture_output=True, text=True, check=True)
        first_run = time.perf_counter() - start
        assert run.stdout == "Hello, Alice!\n"
        cached = subprocess.run([sys.executable, "-c", code.replace("'greeter'", "'greeter2'")], cwd=folder,
                                env=env, capture_output=True, text=True, check=True).stdout.split()
        print("\nNuitka executable of the original API's greeter example (onefile)")
        print(f"  build time (cold cache)      {build_seconds:8.1f} s")
        print(f"  rebuild (cached)             {float(cached[0]):8.3f} s")
        print(f"  executable size              {size / 1e6:8.1f} MB")
        print(f"  ./greeter Alice (wall time)  {first_run * 1e3:8.0f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=7, help="repetitions per measurement (median reported)")
    parser.add_argument("--nuitka", action="store_true", help="also build the greeter with Nuitka (minutes)")
    args = parser.parse_args()
    print(f"Python {sys.version.split()[0]} on {sys.platform}, {os.cpu_count()} CPUs")
    bench_jit(args.repeat)
    if args.nuitka:
        bench_nuitka()


if __name__ == "__main__":
    main()
