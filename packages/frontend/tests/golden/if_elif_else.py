# ruff: noqa  (golden input: data for the frontend, not project code)
def sign(x: int) -> int:
    if x > 0:
        return 1
    elif x < 0:
        return -1
    else:
        return 0
