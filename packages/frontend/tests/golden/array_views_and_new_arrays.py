# ruff: noqa  (golden input: data for the frontend, not project code)
import numpy as np
from pyexec import float64, int32


def grid(n: int, m: int) -> float64[:, ::1]:
    g = np.zeros((n, m))
    for row in g:
        row[::2] = 1.0
    g[0] = np.arange(0.0, m, 1.0).sum()
    return g


def stats(a: int32[:, :]) -> float:
    c = a[:, 1].copy()
    return a.T[0].mean() + c.max() + np.argmin(a[1:-1])


def same(a: float64[:]) -> float64[:]:
    b = a
    return b[::-1]


def counts(n: int) -> int:
    t = 0
    for x in np.arange(n):
        t += x
    f = np.full(n, 7, dtype=np.uint8)
    return int(t) + len(np.ones_like(f))
