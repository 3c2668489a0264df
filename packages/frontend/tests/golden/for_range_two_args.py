# ruff: noqa  (golden input: data for the frontend, not project code)
def sum_range(start: int, end: int) -> int:
    total: int = 0
    for i in range(start, end):
        total = total + i
    return total
