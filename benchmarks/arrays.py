"""Array kernels measured side by side in one run: pyexec ``aot`` against Numba, NumPy, C (gcc -O2) and CPython.

    python benchmarks/arrays.py              all kernels, medians of 5 runs
    python benchmarks/arrays.py --repeat 9   more repetitions
    python benchmarks/arrays.py --quick      smaller inputs (a smoke run)

Kernels: the original API's ``array_sum`` (an index loop over 10**7 float64), a ``for x in a`` loop, ``a.sum()``,
a dot product, a 2-D 5-point stencil (512×512, 100 sweeps) and a naive triple-loop matmul (256×256), each with
the same Python source compiled by every tool; C is the same loop written in C, compiled with gcc -O2 and
called through ctypes. First-call compile latency (no disk cache) is reported against Numba's. Figures are
measured, never asserted; a tool that is missing is reported as such.
"""

from __future__ import annotations

import argparse
import ctypes
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from pyexec.types import float64


def array_sum(arr):
    total = 0.0
    for i in range(len(arr)):
        total += arr[i]
    return total


def loop_sum(a: float64[::1]) -> float:
    t = 0.0
    for x in a:
        t += x
    return t


def method_sum(a: float64[::1]) -> float:
    return a.sum()


def dot(a: float64[::1], b: float64[::1]) -> float:
    t = 0.0
    for i in range(len(a)):
        t += a[i] * b[i]
    return t


def stencil(u: float64[:, ::1], v: float64[:, ::1], sweeps: int) -> float:
    n, m = u.shape
    for _ in range(sweeps):
        for i in range(1, n - 1):
            for j in range(1, m - 1):
                v[i, j] = 0.25 * (u[i - 1, j] + u[i + 1, j] + u[i, j - 1] + u[i, j + 1])
        for i in range(1, n - 1):
            for j in range(1, m - 1):
                u[i, j] = v[i, j]
    return u[n // 2, m // 2]


def matmul(a: float64[:, ::1], b: float64[:, ::1], c: float64[:, ::1]) -> None:
    n, k = a.shape
    m = b.shape[1]
    for i in range(n):
        for j in range(m):
            t = 0.0
            for p in range(k):
                t += a[i, p] * b[p, j]
            c[i, j] = t


C_SOURCE = r"""
#include <stdint.h>
double loop_sum(const double *a, int64_t n) { double t = 0; for (int64_t i = 0; i < n; i++) t += a[i]; return t; }
double dot(const double *a, const double *b, int64_t n) {
    double t = 0; for (int64_t i = 0; i < n; i++) t += a[i] * b[i]; return t; }
double stencil(double *u, double *v, int64_t n, int64_t m, int64_t sweeps) {
    for (int64_t s = 0; s < sweeps; s++) {
        for (int64_t i = 1; i < n - 1; i++) for (int64_t j = 1; j < m - 1; j++)
            v[i*m+j] = 0.25 * (u[(i-1)*m+j] + u[(i+1)*m+j] + u[i*m+j-1] + u[i*m+j+1]);
        for (int64_t i = 1; i < n - 1; i++) for (int64_t j = 1; j < m - 1; j++) u[i*m+j] = v[i*m+j];
    }
    return u[(n/2)*m + m/2];
}
void matmul(const double *a, const double *b, double *c, int64_t n, int64_t k, int64_t m) {
    for (int64_t i = 0; i < n; i++) for (int64_t j = 0; j < m; j++) {
        double t = 0; for (int64_t p = 0; p < k; p++) t += a[i*k+p] * b[p*m+j]; c[i*m+j] = t; }
}
"""


def median_seconds(func: Callable[..., Any], *args: Any, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        func(*args)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def c_library(tmp: Path) -> ctypes.CDLL | None:
    cc = shutil.which("gcc") or shutil.which("cc")
    if cc is None:
        return None
    src, lib = tmp / "kernels.c", tmp / "kernels.so"
    src.write_text(C_SOURCE)
    subprocess.run([cc, "-O2", "-shared", "-fPIC", str(src), "-o", str(lib)], check=True)
    dll = ctypes.CDLL(str(lib))
    p, i64 = ctypes.c_void_p, ctypes.c_int64
    for name, args in (("loop_sum", [p, i64]), ("dot", [p, p, i64]), ("stencil", [p, p, i64, i64, i64]),
                       ("matmul", [p, p, p, i64, i64, i64])):
        getattr(dll, name).argtypes = args
        getattr(dll, name).restype = None if name == "matmul" else ctypes.c_double
    return dll


def numba_or_none() -> Any:
    try:
        import numba
    except ImportError:
        return None
    return numba


def table(title: str, rows: list[tuple[str, float | None]], baseline: str) -> None:
    base = dict(rows).get(baseline)
    print(f"\n{title}")
    print(f"  {'implementation':<32}{'median':>12}{'time / ' + baseline:>24}")
    for name, seconds in rows:
        if seconds is None:
            print(f"  {name:<32}{'(not available)':>12}")
            continue
        ratio = f"{seconds / base:>23.2f}x" if base else ""
        print(f"  {name:<32}{seconds * 1e3:>10.3f}ms{ratio}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    r = args.repeat
    from pyexec.backends.llvm import aot

    numba = numba_or_none()
    n_sum = 10**6 if args.quick else 10**7
    grid, sweeps, size = (128, 10, 64) if args.quick else (512, 100, 256)
    rng = np.random.default_rng(0)
    a, b = rng.random(n_sum), rng.random(n_sum)
    u0 = rng.random((grid, grid))
    ma, mb = rng.random((size, size)), rng.random((size, size))
    with tempfile.TemporaryDirectory() as tmp:
        c = c_library(Path(tmp))

        compile_rows: list[tuple[str, float | None]] = []
        start = time.perf_counter()
        fresh = aot(array_sum, cache=False)
        fresh(a[:10])
        compile_rows.append(("pyexec aot (array_sum)", time.perf_counter() - start))
        if numba is not None:
            start = time.perf_counter()
            numba.njit(array_sum)(a[:10])
            compile_rows.append(("numba.njit (array_sum)", time.perf_counter() - start))
        table("first call (compile) latency", compile_rows, "pyexec aot (array_sum)")

        def row(name: str, fn: Callable[..., Any] | None, *fargs: Any) -> tuple[str, float | None]:
            if fn is None:
                return (name, None)
            fn(*fargs)  # warm (compile)
            return (name, median_seconds(fn, *fargs, repeat=r))

        nj = (lambda f: numba.njit(f)) if numba is not None else (lambda f: None)
        table(f"sum of {n_sum:,} float64", [
            row("pyexec aot array_sum (index loop)", aot(array_sum), a),
            row("pyexec aot array_sum, no boundscheck", aot(array_sum, boundscheck=False), a),
            row("pyexec aot for x in a", aot(loop_sum), a),
            row("pyexec aot a.sum()", aot(method_sum), a),
            row("numba array_sum", nj(array_sum), a),
            row("numpy.sum", np.sum, a),
            row("C gcc -O2 loop", (lambda x: c.loop_sum(x.ctypes.data, len(x))) if c else None, a),
            row("CPython array_sum", array_sum if args.quick else None, a),
        ], "C gcc -O2 loop" if c else "numpy.sum")
        table(f"dot product of {n_sum:,} float64", [
            row("pyexec aot", aot(dot), a, b),
            row("pyexec aot boundscheck=False", aot(dot, boundscheck=False), a, b),
            row("numba", nj(dot), a, b),
            row("numpy.dot", np.dot, a, b),
            row("C gcc -O2", (lambda x, y: c.dot(x.ctypes.data, y.ctypes.data, len(x))) if c else None, a, b),
        ], "C gcc -O2" if c else "numpy.dot")
        u, v = u0.copy(), u0.copy()
        table(f"5-point stencil {grid}x{grid}, {sweeps} sweeps", [
            row("pyexec aot", aot(stencil), u, v, sweeps),
            row("pyexec aot boundscheck=False", aot(stencil, boundscheck=False), u, v, sweeps),
            row("numba", nj(stencil), u, v, sweeps),
            row("C gcc -O2", (lambda x, y, s: c.stencil(x.ctypes.data, y.ctypes.data, grid, grid, s)) if c else None,
                u, v, sweeps),
        ], "C gcc -O2" if c else "pyexec aot")
        out = np.zeros((size, size))
        table(f"naive matmul {size}x{size}", [
            row("pyexec aot", aot(matmul), ma, mb, out),
            row("pyexec aot boundscheck=False", aot(matmul, boundscheck=False), ma, mb, out),
            row("numba", nj(matmul), ma, mb, out),
            row("numpy @ (BLAS)", np.matmul, ma, mb),
            row("C gcc -O2", (lambda x, y, z: c.matmul(x.ctypes.data, y.ctypes.data, z.ctypes.data, size, size, size))
                if c else None, ma, mb, out),
        ], "C gcc -O2" if c else "pyexec aot")
    print(f"\nPython {sys.version.split()[0]}, NumPy {np.__version__}" +
          (f", Numba {numba.__version__}" if numba is not None else ", no Numba"))


if __name__ == "__main__":
    main()
