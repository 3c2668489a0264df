"""Array kernels measured side by side in one run: pyexec ``aot`` against Numba, NumPy, C (gcc -O2) and CPython.

    python benchmarks/arrays.py              all kernels, medians of 5 runs
    python benchmarks/arrays.py --repeat 9   more repetitions
    python benchmarks/arrays.py --quick      smaller inputs (a smoke run)
    python benchmarks/arrays.py --cpu        the least process CPU time of the runs instead of the median wall
                                             time: steadier on a busy shared machine (set OPENBLAS_NUM_THREADS=1,
                                             or BLAS's threads add up)

Kernels: the original API's ``array_sum`` (an index loop over 10**7 float64), a ``for x in a`` loop, ``a.sum()``,
a dot product, a 2-D 5-point stencil (512×512, 100 sweeps), a naive triple-loop matmul and ``a @ b`` (256×256),
and n-body (5 bodies, 10**5 steps of the benchmarks game's advance), each with the same Python source
compiled by every tool; C is the same loop written in C, compiled with gcc -O2 and called through ctypes.
First-call compile latency (no disk cache) is reported against Numba's. Figures are measured,
never asserted; a tool that is missing is reported as such.
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


def matmul_operator(a: float64[:, ::1], b: float64[:, ::1]) -> float64[:, ::1]:
    return a @ b


def nbody(pos: float64[:, ::1], vel: float64[:, ::1], mass: float64[::1], steps: int, dt: float) -> float:
    """The benchmarks game's ``advance`` over ``steps`` steps; returns the energy at the end."""
    n = pos.shape[0]
    for _ in range(steps):
        for i in range(n):
            for j in range(i + 1, n):
                dx = pos[i, 0] - pos[j, 0]
                dy = pos[i, 1] - pos[j, 1]
                dz = pos[i, 2] - pos[j, 2]
                d2 = dx * dx + dy * dy + dz * dz
                mag = dt / (d2 * d2 ** 0.5)
                mi, mj = mass[i] * mag, mass[j] * mag
                vel[i, 0] -= dx * mj
                vel[i, 1] -= dy * mj
                vel[i, 2] -= dz * mj
                vel[j, 0] += dx * mi
                vel[j, 1] += dy * mi
                vel[j, 2] += dz * mi
        for i in range(n):
            pos[i, 0] += dt * vel[i, 0]
            pos[i, 1] += dt * vel[i, 1]
            pos[i, 2] += dt * vel[i, 2]
    e = 0.0
    for i in range(n):
        e += 0.5 * mass[i] * (vel[i, 0] ** 2 + vel[i, 1] ** 2 + vel[i, 2] ** 2)
        for j in range(i + 1, n):
            dx = pos[i, 0] - pos[j, 0]
            dy = pos[i, 1] - pos[j, 1]
            dz = pos[i, 2] - pos[j, 2]
            e -= mass[i] * mass[j] / (dx * dx + dy * dy + dz * dz) ** 0.5
    return e


def solar_system() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The Sun and the four giant planets as in the benchmarks game (AU, AU/day scaled to years, solar masses)."""
    pi, days = 3.141592653589793, 365.24
    solar = 4 * pi * pi
    bodies = [
        ([0.0, 0.0, 0.0], [0.0, 0.0, 0.0], solar),
        ([4.84143144246472090e+00, -1.16032004402742839e+00, -1.03622044471123109e-01],
         [1.66007664274403694e-03, 7.69901118419740425e-03, -6.90460016972063023e-05], 9.54791938424326609e-04),
        ([8.34336671824457987e+00, 4.12479856412430479e+00, -4.03523417114321381e-01],
         [-2.76742510726862411e-03, 4.99852801234917238e-03, 2.30417297573763929e-05], 2.85885980666130812e-04),
        ([1.28943695621391310e+01, -1.51111514016986312e+01, -2.23307578892655734e-01],
         [2.96460137564761618e-03, 2.37847173959480950e-03, -2.96589568540237556e-05], 4.36624404335156298e-05),
        ([1.53796971148509165e+01, -2.59193146099879641e+01, 1.79258772950371181e-01],
         [2.68067772490389322e-03, 1.62824170038242295e-03, -9.51592254519715870e-05], 5.15138902046611451e-05),
    ]
    pos = np.array([p for p, _, _ in bodies])
    vel = np.array([v for _, v, _ in bodies]) * days
    mass = np.array([m for _, _, m in bodies]) * np.array([1.0] + [solar] * 4)
    vel[0] = -(vel * mass[:, None]).sum(axis=0) / solar  # offset the Sun's momentum
    return pos, vel, mass


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
#include <math.h>
double nbody(double *pos, double *vel, const double *mass, int64_t n, int64_t steps, double dt) {
    for (int64_t s = 0; s < steps; s++) {
        for (int64_t i = 0; i < n; i++) for (int64_t j = i + 1; j < n; j++) {
            double dx = pos[3*i] - pos[3*j], dy = pos[3*i+1] - pos[3*j+1], dz = pos[3*i+2] - pos[3*j+2];
            double d2 = dx*dx + dy*dy + dz*dz, mag = dt / (d2 * sqrt(d2));
            double mi = mass[i] * mag, mj = mass[j] * mag;
            vel[3*i] -= dx*mj; vel[3*i+1] -= dy*mj; vel[3*i+2] -= dz*mj;
            vel[3*j] += dx*mi; vel[3*j+1] += dy*mi; vel[3*j+2] += dz*mi;
        }
        for (int64_t i = 0; i < n; i++) for (int k = 0; k < 3; k++) pos[3*i+k] += dt * vel[3*i+k];
    }
    double e = 0;
    for (int64_t i = 0; i < n; i++) {
        e += 0.5 * mass[i] * (vel[3*i]*vel[3*i] + vel[3*i+1]*vel[3*i+1] + vel[3*i+2]*vel[3*i+2]);
        for (int64_t j = i + 1; j < n; j++) {
            double dx = pos[3*i] - pos[3*j], dy = pos[3*i+1] - pos[3*j+1], dz = pos[3*i+2] - pos[3*j+2];
            e -= mass[i] * mass[j] / sqrt(dx*dx + dy*dy + dz*dz);
        }
    }
    return e;
}
"""


CPU_TIME = False
"""``--cpu``: measure process CPU time and keep the least of the runs (set by main)."""


def median_seconds(func: Callable[..., Any], *args: Any, repeat: int) -> float:
    clock = time.process_time if CPU_TIME else time.perf_counter
    times = []
    for _ in range(repeat):
        start = clock()
        func(*args)
        times.append(clock() - start)
    return min(times) if CPU_TIME else statistics.median(times)


def c_library(tmp: Path) -> ctypes.CDLL | None:
    cc = shutil.which("gcc") or shutil.which("cc")
    if cc is None:
        return None
    src, lib = tmp / "kernels.c", tmp / "kernels.so"
    src.write_text(C_SOURCE)
    subprocess.run([cc, "-O2", "-shared", "-fPIC", str(src), "-o", str(lib), "-lm"], check=True)
    dll = ctypes.CDLL(str(lib))
    p, i64 = ctypes.c_void_p, ctypes.c_int64
    for name, args in (("loop_sum", [p, i64]), ("dot", [p, p, i64]), ("stencil", [p, p, i64, i64, i64]),
                       ("matmul", [p, p, p, i64, i64, i64]),
                       ("nbody", [p, p, p, i64, i64, ctypes.c_double])):
        getattr(dll, name).argtypes = args
        getattr(dll, name).restype = None if name == "matmul" else ctypes.c_double
    return dll


def c_nbody(c: ctypes.CDLL, body: tuple[np.ndarray, ...], steps: int) -> float:
    pos, vel, mass = (x.copy() for x in body)  # held here so the buffers outlive the call
    return c.nbody(pos.ctypes.data, vel.ctypes.data, mass.ctypes.data, len(mass), steps, 0.01)


def numba_or_none() -> Any:
    try:
        import numba
    except ImportError:
        return None
    return numba


def table(title: str, rows: list[tuple[str, float | None]], baseline: str) -> None:
    base = dict(rows).get(baseline)
    print(f"\n{title}")
    print(f"  {'implementation':<32}{'least cpu' if CPU_TIME else 'median':>12}{'time / ' + baseline:>24}")
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
    parser.add_argument("--cpu", action="store_true", help="least process CPU time instead of median wall time")
    args = parser.parse_args()
    global CPU_TIME
    CPU_TIME = args.cpu
    r = args.repeat
    from pyexec.backends.llvm import aot

    numba = numba_or_none()
    n_sum = 10**6 if args.quick else 10**7
    grid, sweeps, size = (128, 10, 64) if args.quick else (512, 100, 256)
    steps = 1000 if args.quick else 10**5
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
        table(f"a @ b, {size}x{size} float64", [
            row("pyexec aot a @ b", aot(matmul_operator), ma, mb),
            row("numba a @ b", nj(matmul_operator), ma, mb),
            row("numpy @ (BLAS)", np.matmul, ma, mb),
        ], "numpy @ (BLAS)")
        body = solar_system()

        def fresh_bodies(fn: Callable[..., Any] | None) -> Callable[..., Any] | None:
            # every run starts from the same state, so every tool integrates the same orbits
            return None if fn is None else (lambda s: fn(*(x.copy() for x in body), s, 0.01))

        energies = {"C gcc -O2": c_nbody(c, body, steps)} if c else {}
        for name, fn in (("pyexec aot", aot(nbody)), ("numba", nj(nbody))):
            if fn is not None:
                energies[name] = fn(*(x.copy() for x in body), steps, 0.01)
        print(f"\nn-body energies after {steps:,} steps: " + ", ".join(f"{k} {v:.9f}" for k, v in energies.items()))
        table(f"n-body, 5 bodies, {steps:,} steps", [
            row("pyexec aot", fresh_bodies(aot(nbody)), steps),
            row("pyexec aot boundscheck=False", fresh_bodies(aot(nbody, boundscheck=False)), steps),
            row("numba", fresh_bodies(nj(nbody)), steps),
            row("C gcc -O2", (lambda s: c_nbody(c, body, s)) if c else None, steps),
            row("CPython", fresh_bodies(nbody) if args.quick else None, steps),
        ], "C gcc -O2" if c else "pyexec aot")
    print(f"\nPython {sys.version.split()[0]}, NumPy {np.__version__}" +
          (f", Numba {numba.__version__}" if numba is not None else ", no Numba"))


if __name__ == "__main__":
    main()
