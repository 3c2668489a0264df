# ruff: noqa  (golden input: data for the frontend, not project code)
def ratio(a: int, b: int) -> float:
    return a / b
