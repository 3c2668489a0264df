"""Free variables of nested functions are compile-time constants, as in Numba.

This file has no ``from __future__ import annotations`` on purpose: a nested function's annotations are
then evaluated where it is defined, so names imported inside the enclosing function resolve.
"""

import pyexec.frontend as fe


def test_types_imported_in_the_enclosing_function_resolve_in_annotations_and_calls() -> None:
    def factory():
        from pyexec.types import int32, uint8

        def clamp(v: int32) -> uint8:
            return uint8(v)

        return clamp

    text = fe.print_module(fe.analyze_functions([factory()]))
    assert "def clamp(v: int32) -> uint8:" in text


def test_the_frozen_value_is_in_the_ir_so_in_the_cache_key():
    def factory(k):
        def f(x: int) -> int:
            return x * k

        return f

    three, five = (fe.print_module(fe.analyze_functions([factory(k)])) for k in (3, 5))
    assert "3:int" in three and "5:int" in five and three != five
