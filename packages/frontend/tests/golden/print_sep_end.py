# ruff: noqa  (golden input: data for the frontend, not project code)
def report(a: int, b: float, c: bool, z: complex) -> None:
    print(a, b, c, z, sep=" | ", end="!\n")
    print()
