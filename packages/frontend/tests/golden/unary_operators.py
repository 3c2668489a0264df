# ruff: noqa  (golden input: data for the frontend, not project code)
def unary(x: int, f: float, flag: bool) -> int:
    a = -x
    b = +x
    c = ~x
    d = not flag
    e = -f
    return a + b + c
