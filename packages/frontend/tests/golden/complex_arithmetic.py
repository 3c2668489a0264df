# ruff: noqa  (golden input: data for the frontend, not project code)
def mandel_step(z: complex, c: complex) -> float:
    w = z * z + c
    v = w.conjugate() - 1j
    return abs(v) + w.real + w.imag
