"""Native backend (``aot``) figures, measured side by side in one run.

    python benchmarks/native.py              everything (a few minutes)
    python benchmarks/native.py --quick      fewer repeats, smaller CPython runs
    python benchmarks/native.py --repeat 7   more repetitions (medians are reported)

Kernels: fib(30) recursive, a loop sum to 10^8, counting primes below 200,000 by trial division,
Mandelbrot escape counts over a 400x400 grid — pyexec ``aot`` (checked ``int``, the default, and
``overflow="wrap"``) against CPython, Numba's ``njit`` and the same kernels in C (``gcc -O2``, in
benchmarks/native_c/kernels.c, called through ctypes: one call per run, so its overhead is nil).
Then: first-call latency in a fresh process (aot without and with the disk cache, vs Numba), the
per-call overhead against ``operator.add``, Numba and a Python function, and compile time as a
module grows to 10, 100 and 1000 functions. Ratios are what to read: this machine is shared.
"""

from __future__ import annotations

import argparse
import ctypes
import operator
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
import timeit
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent


def fib(n: int) -> int:
    if n <= 1:
        return n
    return fib(n - 1) + fib(n - 2)


def loop_sum(n: int) -> int:
    s = 0
    for i in range(n):
        s += i
    return s


def is_prime(n: int) -> bool:
    if n < 2:
        return False
    if n % 2 == 0:
        return n == 2
    i = 3
    while i * i <= n:
        if n % i == 0:
            return False
        i += 2
    return True


def count_primes(n: int) -> int:
    count = 0
    for k in range(n):
        if is_prime(k):
            count += 1
    return count


def mandelbrot(width: int, height: int, max_iter: int) -> int:
    total = 0
    for py in range(height):
        for px in range(width):
            cr = -2.0 + 3.0 * px / width
            ci = -1.5 + 3.0 * py / height
            zr = 0.0
            zi = 0.0
            i = 0
            while i < max_iter and zr * zr + zi * zi <= 4.0:
                t = zr * zr - zi * zi + cr
                zi = 2.0 * zr * zi + ci
                zr = t
                i += 1
            total += i
    return total


def add(a: int, b: int) -> int:
    return a + b


KERNELS = {
    # name: (function, full-size args, CPython args, CPython scale factor)
    "fib(30)": (fib, (30,), (30,), 1),
    "loop sum to 10^8": (loop_sum, (10**8,), (10**6,), 100),
    "primes below 200,000": (count_primes, (200_000,), (200_000,), 1),
    "mandelbrot 400x400, 200 iters": (mandelbrot, (400, 400, 200), (100, 100, 200), 16),
}


def median_seconds(func: Callable[..., Any], args: tuple, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        func(*args)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def c_kernels(tmp: Path) -> dict[str, Callable[..., Any]] | None:
    gcc = shutil.which("gcc") or shutil.which("cc")
    if gcc is None:
        return None
    lib = tmp / "kernels.so"
    subprocess.run([gcc, "-O2", "-shared", "-fPIC", str(HERE / "native_c" / "kernels.c"), "-o", str(lib)], check=True)
    so = ctypes.CDLL(str(lib))
    out = {}
    for name, argc in (("fib", 1), ("loop_sum", 1), ("count_primes", 1), ("mandelbrot", 3)):
        fn = getattr(so, name)
        fn.restype = ctypes.c_int64
        fn.argtypes = [ctypes.c_int64] * argc
        out[name] = fn
    return out


def numba_kernels() -> dict[str, Callable[..., Any]] | None:
    try:
        import numba
    except ImportError:
        return None
    njit = numba.njit(cache=False)
    nb_is_prime = njit(is_prime.__code__ and is_prime)
    glob = {"is_prime": nb_is_prime}
    count = numba.njit(_rebind(count_primes, glob))
    fib_nb = numba.njit(_rebind(fib, {}))
    fib_nb.py_func.__globals__["fib"] = fib_nb
    return {"fib": fib_nb, "loop_sum": njit(loop_sum), "count_primes": count, "mandelbrot": njit(mandelbrot),
            "add": njit(add)}


def _rebind(func: Callable[..., Any], extra: dict[str, Any]) -> Callable[..., Any]:
    """A copy of ``func`` whose globals see ``extra`` (compiled callees) instead of the Python ones."""
    import types

    return types.FunctionType(func.__code__, {**func.__globals__, **extra}, func.__name__)


def aot_kernels(overflow: str) -> dict[str, Callable[..., Any]]:
    from pyexec.backends.llvm import aot

    return {f.__name__: aot(f, overflow=overflow, cache=False) for f in (fib, loop_sum, count_primes, mandelbrot, add)}


def interleaved_medians(impls: dict[str, tuple[Callable[..., Any], tuple, int]], repeat: int) -> dict[str, float]:
    """Median seconds per implementation, the repeats interleaved (a, b, c, a, b, c, ...) so that the
    shared machine's load drifts affect every implementation alike. Values: (function, args, scale)."""
    times: dict[str, list[float]] = {k: [] for k in impls}
    for _ in range(repeat):
        for key, (fn, args, scale) in impls.items():
            start = time.perf_counter()
            fn(*args)
            times[key].append((time.perf_counter() - start) * scale)
    return {k: statistics.median(v) for k, v in times.items()}


def kernel_table(repeat: int, quick: bool) -> None:
    tmp = Path(tempfile.mkdtemp(prefix="pyexec-bench-"))
    c = c_kernels(tmp)
    nb = numba_kernels()
    check, wrap = aot_kernels("check"), aot_kernels("wrap")
    columns = ("C", "wrap", "check", "numba", "cpython")
    print("\nKernels (median seconds of interleaved repeats; ratio = C time / this time: 1.00 is C speed, "
          "higher is faster)")
    print(f"  {'kernel':<31}{'C gcc -O2':>11}{'aot wrap':>11}{'aot check':>11}{'Numba':>11}{'CPython':>11}")
    for label, (py, args, py_args, scale) in KERNELS.items():
        name = py.__name__
        expected = check[name](*args)
        assert wrap[name](*args) == expected
        impls: dict[str, tuple[Callable[..., Any], tuple, int]] = {}
        if c is not None:
            assert c[name](*args) == expected, (label, c[name](*args), expected)
            impls["C"] = (c[name], args, 1)
        impls["wrap"] = (wrap[name], args, 1)
        impls["check"] = (check[name], args, 1)
        if nb is not None:
            nb[name](*args)  # compile
            impls["numba"] = (nb[name], args, 1)
        row = interleaved_medians(impls, repeat)
        row["cpython"] = interleaved_medians({"cpython": (py, py_args, scale)}, 1 if quick else 3)["cpython"]
        base = row.get("C", row["wrap"])
        print(f"  {label:<31}" + "".join(f"{row[k]:>10.4f}s" if k in row else f"{'n/a':>11}" for k in columns))
        print(f"  {'  ratio vs C':<31}" + "".join(_ratio(base, row[k]) if k in row else f"{'':>11}" for k in columns))
    for label, (_, _, py_args, scale) in KERNELS.items():
        if scale != 1:
            print(f"  note: {label}: CPython timed on {py_args} and scaled x{scale}")


def _ratio(base: float, t: float) -> str:
    if t < base / 1000:
        return f"{'>1000x':>11}"
    return f"{base / t:>10.2f}x"


FRESH = """
import sys, time
sys.path.insert(0, {here!r})
t0 = time.perf_counter()
{setup}
t1 = time.perf_counter()
f(20)
t2 = time.perf_counter()
print(t1 - t0, t2 - t1)
"""


def first_call_latency(repeat: int) -> None:
    cache = tempfile.mkdtemp(prefix="pyexec-bench-cache-")
    aot_setup = "from pyexec.backends.llvm import aot\nfrom native import fib\nf = aot(fib)"
    setups = {
        "aot, no cache": (aot_setup, {"PYEXEC_NO_CACHE": "1"}),
        "aot, disk cache warm": (aot_setup, {"PYEXEC_NO_CACHE": "0"}),
        "Numba njit": ("import numba\nfrom native import fib\nf = numba.njit(fib)\nfib.__globals__['fib'] = f", {}),
    }
    print("\nFirst call in a fresh process: fib(20) including compilation (median of runs; import time apart)")
    print(f"  {'':<24}{'import':>12}{'first call':>14}{'vs Numba':>12}")
    results = {}
    for label, (setup, env) in setups.items():
        runs = []
        for i in range(repeat + (1 if "warm" in label else 0)):
            environ = {**os.environ, "PYEXEC_CACHE_DIR": cache, **env}
            out = subprocess.run([sys.executable, "-c", FRESH.format(here=str(HERE), setup=setup)], capture_output=True,
                                 text=True, env=environ, check=True).stdout.split()
            if "warm" in label and i == 0:
                continue  # the first run fills the cache
            runs.append((float(out[0]), float(out[1])))
        results[label] = (statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs))
    numba_first = results["Numba njit"][1]
    for label, (imp, first) in results.items():
        print(f"  {label:<24}{imp * 1e3:>10.1f}ms{first * 1e3:>12.1f}ms{numba_first / first:>11.1f}x")


def call_overhead(repeat: int) -> None:
    check = aot_kernels("check")["add"]
    wrap = aot_kernels("wrap")["add"]
    check(1, 2)
    wrap(1, 2)
    nb = numba_kernels()
    rows = [("operator.add", operator.add), ("aot add (check)", check), ("aot add (wrap)", wrap)]
    if nb is not None:
        nb["add"](1, 2)
        rows.append(("Numba njit add", nb["add"]))
    rows.append(("Python function add", add))
    number = 500_000
    empty = min(timeit.repeat("pass", number=number, repeat=repeat)) / number
    raws: dict[str, list[float]] = {label: [] for label, _ in rows}
    for _ in range(repeat * 2):  # interleaved, best of all rounds
        for label, fn in rows:
            raws[label].append(timeit.timeit("f(3, 4)", globals={"f": fn}, number=number) / number)
    print("\nPer-call overhead: f(3, 4) from Python, best of repeats; 'timeit' includes timeit's own loop, "
          f"'net' subtracts it ({empty * 1e9:.1f} ns)")
    print(f"  {'callable':<24}{'timeit ns':>10}{'vs op.add':>11}{'net ns':>9}{'vs op.add':>11}")
    base = None
    for label, _fn in rows:
        raw = min(raws[label])
        net = raw - empty
        base = base or (raw, net)
        print(f"  {label:<24}{raw * 1e9:>10.1f}{raw / base[0]:>10.2f}x{net * 1e9:>9.1f}{net / base[1]:>10.2f}x")


def module_compile_time(sizes: list[int]) -> None:
    from pyexec.backends.llvm.inprocess import build_native_module
    from pyexec.frontend import analyze_source

    print("\nCompile time as the module grows (frontend + lowering + O2 + machine code + load; no cache;"
          " functions call each other in chains of ten, each one an entry point)")
    print(f"  {'functions':>10}{'frontend':>12}{'native':>12}{'per function':>15}")
    for n in sizes:
        lines = []
        for i in range(n):
            callee = f"f{i - 1}(x) + " if i % 10 else ""  # calls in chains of ten
            lines.append(f"def f{i}(x: int) -> int:\n    y = x * {i + 1} + 3\n    if y > 100:\n        y = y // 2\n"
                         f"    return {callee}y\n")
        source = "\n".join(lines)
        t0 = time.perf_counter()
        module = analyze_source(source, f"gen{n}.py")
        t1 = time.perf_counter()
        build_native_module(module, list(module.functions), use_cache=False)
        t2 = time.perf_counter()
        print(f"  {n:>10}{(t1 - t0) * 1e3:>10.1f}ms{(t2 - t1) * 1e3:>10.1f}ms{(t2 - t0) / n * 1e3:>13.2f}ms")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    repeat = 3 if args.quick else args.repeat
    os.environ.setdefault("PYEXEC_NO_CACHE", "1")
    print(textwrap.dedent(f"""\
        pyexec native backend benchmarks (Python {sys.version.split()[0]}, repeat={repeat})"""))
    kernel_table(repeat, args.quick)
    call_overhead(repeat)
    first_call_latency(3 if args.quick else repeat)
    module_compile_time([10, 100] if args.quick else [10, 100, 1000])
    return 0


if __name__ == "__main__":
    sys.exit(main())
