# ruff: noqa  (golden input: data for the frontend, not project code)
from pyexec import bool_, float64, int32, uint8


def total(a: float64[:]) -> float:
    t = 0.0
    for x in a:
        t += x
    return t


def bump(b: int32[:, ::1], k: int) -> int:
    n, m = b.shape
    for i in range(n):
        for j in range(m):
            b[i, j] += k
    b[0, -1] = 2.5
    return b.size + b.ndim + len(b) + b.shape[-1]


def flags(c: bool_[::1], d: uint8[:]) -> bool:
    c[0] = d[1] > 3
    d[len(d) - 1] = True
    return c[0] and c[-1]

