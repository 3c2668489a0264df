# ruff: noqa  (golden input: data for the frontend, not project code)
def chained(n: int) -> int:
    a = b = n * 2
    return a + b
