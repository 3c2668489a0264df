# ruff: noqa  (golden input: data for the frontend, not project code)
def misc(a: int, b: float) -> float:
    x = abs(a) + abs(b)
    y = min(float(a), b, 3) + max(a, 2)
    z = round(b) + round(b, 2)
    return x + y + z
