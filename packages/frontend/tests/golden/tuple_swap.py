# ruff: noqa  (golden input: data for the frontend, not project code)
def swap_sum(a: int, b: int) -> int:
    a, b = b, a
    return a - b
