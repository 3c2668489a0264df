# ruff: noqa  (golden input: data for the frontend, not project code)
from pyexec import complex64, float32, int32

def cmix(z: complex64, f: float32, i: int32) -> complex:
    a = z * f
    b = z + i
    c = z * 2.0
    d = z * 1j
    return a + b + c + d
