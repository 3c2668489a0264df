# ruff: noqa  (golden input: data for the frontend, not project code)
def checked(x: int) -> int:
    assert x >= 0, "x must be non-negative"
    assert x < 100
    return x
