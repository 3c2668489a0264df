# ruff: noqa  (golden input: data for the frontend, not project code)
def casts(x: float, n: int, z: complex) -> float:
    a = int(x)
    b = float(n)
    c = bool(n)
    d = complex(x)
    e = int()
    return a + b + c + d.real + e
