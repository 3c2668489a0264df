# ruff: noqa  (golden input: data for the frontend, not project code)
def pick(a: int, b: int, c: float) -> float:
    x = a and b
    y = a or c
    return x + y
