# ruff: noqa  (golden input: data for the frontend, not project code)
def digits(n: int, base: int) -> int:
    q, r = divmod(n, base)
    return q + r
