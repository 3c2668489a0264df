# ruff: noqa  (golden input: data for the frontend, not project code)
def count_to_ten() -> int:
    total: int = 0
    for i in range(10):
        total = total + i
    return total
