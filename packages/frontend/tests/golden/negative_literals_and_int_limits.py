# ruff: noqa  (golden input: data for the frontend, not project code)
def limits(x: int) -> int:
    lo = -9223372036854775808
    hi = 9223372036854775807
    return x if lo < x < hi else 0
