# ruff: noqa  (golden input: data for the frontend, not project code)
def first_square_above(n: int) -> int:
    while True:
        k = n * n
        break
    return k
