# ruff: noqa  (golden input: data for the frontend, not project code)
def pick(a: int, b: int, c: float) -> float:
    x = a and b
    y = float(a) or c
    if a and c or not b:
        return x + y
    return y if c > 0 else 0
