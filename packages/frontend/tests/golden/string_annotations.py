# ruff: noqa  (golden input: data for the frontend, not project code)
from __future__ import annotations
from pyexec import uint16

def f(x: "uint16", y: int) -> "float":
    return x + y
