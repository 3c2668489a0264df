# ruff: noqa  (golden input: data for the frontend, not project code)
from pyexec import uint8, int8, int16, uint64

def wraps(x: int) -> int:
    a = uint8(300)
    b = int8(200)
    c = int16(x)
    d = uint64(-1)
    return int(a) + int(b) + int(c) + int(d)
