# ruff: noqa  (golden input: data for the frontend, not project code)
import numpy as np
import pyexec

def g(x: np.float32, y: pyexec.int32) -> np.float64:
    return x + pyexec.int32(y)
