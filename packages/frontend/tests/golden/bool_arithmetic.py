# ruff: noqa  (golden input: data for the frontend, not project code)
def bools(a: bool, b: bool, n: int) -> int:
    x = a + b
    y = a & b
    z = a | (n > 0)
    return x + y + z
