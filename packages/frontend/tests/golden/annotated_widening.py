# ruff: noqa  (golden input: data for the frontend, not project code)
def widen(n: int) -> float:
    total: float = 0
    total = n
    return total
