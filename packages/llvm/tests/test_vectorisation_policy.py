"""What the -O2 pipeline (pyexec.backends.llvm.optimize) vectorises: loops, not straight-line code.

Packing straight-line statements into vectors (LLVM's SLP vectoriser) is off, as in Numba's default: on
n-body's row updates (three elements a row, inner loops of 0 to 4 iterations) its shuffles and horizontal
adds cost about 8% of the kernel, and no array benchmark gained from it. Results do not depend on it."""

from __future__ import annotations

import numpy as np

from pyexec.backends.llvm import aot
from pyexec.types import float64


def row_update(pos: float64[:, ::1], vel: float64[:, ::1], i: int, j: int, dt: float) -> float:
    dx = pos[i, 0] - pos[j, 0]
    dy = pos[i, 1] - pos[j, 1]
    d2 = dx * dx + dy * dy
    vel[i, 0] -= dx * dt
    vel[i, 1] -= dy * dt
    return d2


def scale(a: float64[::1], out: float64[::1], c: float) -> None:
    for k in range(a.shape[0]):
        out[k] = a[k] * c


def test_straight_line_row_updates_are_not_packed_into_vectors_and_match_python():
    f = aot(row_update, boundscheck=False, cache=False)
    assert "x double>" not in f.inspect_llvm(optimized=True)
    pos, vel = np.arange(6.0).reshape(3, 2) ** 1.5, np.ones((3, 2))
    mine, theirs = vel.copy(), vel.copy()
    assert f(pos, mine, 0, 2, 0.5) == row_update(pos, theirs, 0, 2, 0.5)
    assert np.array_equal(mine, theirs)


def test_a_loop_over_elements_still_vectorises():
    f = aot(scale, boundscheck=False, cache=False)
    assert "x double>" in f.inspect_llvm(optimized=True)  # SSE2 / NEON at least: <2 x double>
    a = np.arange(37.0)
    out = np.empty_like(a)
    f(a, out, 1.5)
    assert np.array_equal(out, a * 1.5)
