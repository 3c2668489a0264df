# ruff: noqa  (golden input: data for the frontend, not project code)
def powers(a: int, b: int, f: float) -> float:
    return pow(a, b) + pow(f, 0.5) + a ** 2 + f ** 2
