# ruff: noqa  (golden input: data for the frontend, not project code)
import math

def logs(x: float) -> float:
    return math.log(x, 2) + math.degrees(x) + math.radians(x)
