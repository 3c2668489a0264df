# ruff: noqa  (golden input: data for the frontend, not project code)
def half(x: int):
    return x / 2

def use_half(x: int) -> float:
    return half(x) + 1
