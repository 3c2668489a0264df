# ruff: noqa  (golden input: data for the frontend, not project code)
from pyexec import int32

def declared(n: int32) -> int32:
    acc: int32
    acc = 0
    for i in range(n):
        acc += i
    return acc
