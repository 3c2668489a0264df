# ruff: noqa  (golden input: data for the frontend, not project code)
from pyexec import uint8, float32, int16

def weak(u: uint8, f: float32, i: int16, n: int) -> float32:
    a = u + 1
    b = f * 2.5
    c = i * f
    d = f + n
    e = u * 2
    return b + c + d
