# ruff: noqa  (golden input: data for the frontend, not project code)
from pyexec import float32

def distance(x1: float32, y1: float32, x2: float32, y2: float32) -> float32:
    dx: float32 = x2 - x1
    dy: float32 = y2 - y1
    return float32((dx * dx + dy * dy) ** 0.5)
