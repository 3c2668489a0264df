# ruff: noqa  (golden input: data for the frontend, not project code)
LIMIT = 100
SCALE = 2.5
DEBUG = False
UNIT = 1j

def clip(x: int) -> float:
    if DEBUG:
        return 0.0
    y = x if x < LIMIT else LIMIT
    return y * SCALE + (UNIT * UNIT).real
