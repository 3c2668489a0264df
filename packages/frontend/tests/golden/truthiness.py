# ruff: noqa  (golden input: data for the frontend, not project code)
def truth(n: int, f: float, z: complex) -> int:
    if n:
        return 1
    if not f:
        return 2
    while z:
        z = z - 1
    return 0
