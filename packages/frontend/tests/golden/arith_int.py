# ruff: noqa  (golden input: data for the frontend, not project code)
def arith(a: int, b: int) -> int:
    return a + b - a * b + a // b + a % b + a ** b
