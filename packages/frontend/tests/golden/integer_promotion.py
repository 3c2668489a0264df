# ruff: noqa  (golden input: data for the frontend, not project code)
from pyexec import int8, int32, uint32, int64, uint64

def promote(a: int8, b: int32, c: uint32, d: int64, e: uint64) -> float:
    p = a + a
    q = a + b
    r = b + c
    s = d + e
    return p + q + r + s
