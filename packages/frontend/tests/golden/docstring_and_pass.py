# ruff: noqa  (golden input: data for the frontend, not project code)
def doc(x: int) -> int:
    """Return x unchanged."""
    pass
    if x > 0:
        pass
    return x
