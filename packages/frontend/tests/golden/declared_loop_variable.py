# ruff: noqa  (golden input: data for the frontend, not project code)
from pyexec import int32, uint8


def sum_small(n: int32) -> int32:
    i: int32
    total: int32 = 0
    for i in range(n):
        total += i
    return total


def loop_over_narrow_bound(n: uint8) -> int:
    total = 0
    for i in range(n):
        total += i * 1000000
    return total
