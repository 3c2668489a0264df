# ruff: noqa  (golden input: data for the frontend, not project code)
def scale(x: float, factor: float = 2.0, offset: int = 1) -> float:
    return x * factor + offset

def use_scale(x: float) -> float:
    return scale(x) + scale(x, offset=3) + scale(factor=0.5, x=x)
