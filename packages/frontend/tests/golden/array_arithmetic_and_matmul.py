# ruff: noqa  (golden input: data for the frontend, not project code)
import numpy as np
from pyexec import float64, int32


def blend(a: float64[:, :], b: float64[:], w: float) -> float64[:, ::1]:
    return a * w + (1.0 - w) * b - a / 2


def positive(a: int32[:]) -> int:
    return int((a > 0).sum()) + int(np.abs(-a).max())


def power(a: float64[:, ::1], n: int) -> float64[:, ::1]:
    r = np.eye(a.shape[0])
    for _ in range(n):
        r = r @ a
    return r + np.dot(a[0], a[:, 0])
