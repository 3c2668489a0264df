# ruff: noqa  (golden input: data for the frontend, not project code)
def between(lo: int, x: float, hi: int) -> bool:
    return lo <= x < hi
