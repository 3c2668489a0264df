# ruff: noqa  (golden input: data for the frontend, not project code)
from pyexec import int32, uint8

def clamp_color(value: int32) -> uint8:
    if value < 0:
        return uint8(0)
    if value > 255:
        return uint8(255)
    return uint8(value)
