# ruff: noqa  (golden input: data for the frontend, not project code)
import math as m
from math import sqrt as root, pi

def circle(r: float) -> float:
    return pi * r * r + m.e + m.inf - root(r) + m.tau
