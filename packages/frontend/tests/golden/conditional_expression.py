# ruff: noqa  (golden input: data for the frontend, not project code)
def abs_value(x: int) -> int:
    return x if x >= 0 else -x
