# ruff: noqa  (golden input: data for the frontend, not project code)
def is_prime(n: int) -> bool:
    if n < 2:
        return False
    for d in range(2, n):
        if d * d > n:
            break
        if n % d != 0:
            continue
        return False
    else:
        pass
    return True
