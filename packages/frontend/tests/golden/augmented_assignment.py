# ruff: noqa  (golden input: data for the frontend, not project code)
def aug(a: int, b: int) -> int:
    x = a
    x += b
    x -= 1
    x *= 2
    x //= 3
    x %= 7
    x **= 2
    x <<= 1
    x >>= 1
    x &= 255
    x |= 1
    x ^= 3
    return x
