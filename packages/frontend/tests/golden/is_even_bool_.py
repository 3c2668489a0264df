# ruff: noqa  (golden input: data for the frontend, not project code)
from pyexec import bool_

def is_even(n: int) -> bool_:
    return bool_(n % 2 == 0)
