# ruff: noqa  (golden input: data for the frontend, not project code)
def compare(a: int, b: int) -> bool:
    eq = a == b
    ne = a != b
    lt = a < b
    le = a <= b
    gt = a > b
    ge = a >= b
    return eq
