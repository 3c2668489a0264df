# ruff: noqa  (golden input: data for the frontend, not project code)
def bits(a: int, b: int) -> int:
    return (a & b) | (a ^ b) | (a << 2) | (b >> 1)
