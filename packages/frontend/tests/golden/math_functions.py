# ruff: noqa  (golden input: data for the frontend, not project code)
import math

def funcs(x: float, n: int) -> float:
    a = math.sqrt(x) + math.exp(x) + math.log(x) + math.sin(n)
    b = math.floor(x) + math.ceil(x) + math.trunc(x)
    c = math.isnan(x) or math.isinf(x)
    d = math.atan2(x, 1.0) + math.hypot(x, n)
    return a + b + d
