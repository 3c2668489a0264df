# ruff: noqa  (golden input: data for the frontend, not project code)
def factorial(n: int) -> int:
    if n <= 1:
        return 1
    return n * factorial(n - 1)

def combos(n: int, k: int) -> int:
    return factorial(n) // (factorial(k) * factorial(n - k))
