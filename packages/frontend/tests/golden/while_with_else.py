# ruff: noqa  (golden input: data for the frontend, not project code)
def find(n: int) -> int:
    i = 0
    while i < n:
        if i * i > n:
            break
        i += 1
    else:
        i = -1
    return i
