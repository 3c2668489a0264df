# ruff: noqa  (golden input: data for the frontend, not project code)
def countdown(n: int) -> int:
    total = 0
    for i in range(n, 0, -2):
        total += i
    return total
