"""Reduced fuzzer findings (2026-11-29) that the frontend decides, against CPython on NumPy scalars."""

from __future__ import annotations

import math

import numpy as np
import pytest

import pyexec.frontend as fe


def test_math_trunc_of_a_numpy_integer_is_a_type_error_as_in_cpython():
    with pytest.raises(TypeError):
        math.trunc(np.int64(3))
    with pytest.raises(fe.CompileTypeError) as info:
        fe.analyze_source("import math\nfrom pyexec import int64\ndef f(x: int64) -> int:\n    return math.trunc(x)\n")
    assert "math.trunc()" in str(info.value)


def test_math_floor_of_a_numpy_integer_goes_through_float64_but_of_an_int_stays_exact():
    source = ("import math\nfrom pyexec import int64\n"
              "def f(x: int64, n: int) -> int:\n    return math.floor(x) + math.floor(n)\n")
    text = fe.print_function(fe.analyze_source(source).functions["f"])
    assert "math.floor<int>(cast<float64>(x))" in text
    assert "math.floor<int>(n)" not in text


def test_a_folded_float64_cast_of_a_float_literal_is_strong():
    source = "from pyexec import float32, float64\ndef f(x: float32):\n    return x % float64(5e-324)\n"
    assert str(fe.analyze_source(source).functions["f"].return_type) == "float64"
    assert type(np.float32(0) % np.float64(5e-324)) is np.float64


def test_an_int_or_a_float_stored_into_an_int64_array_is_verified_ir():
    # fuzz seed 55 (array programs): ``a[0] = -n`` into an int64 array built a SetItem of type int, which the
    # verifier refused; the float literal of ``b[0] = 2.5`` is NumPy's int() and range check (FitInt)
    source = ("from pyexec import int64, uint32\n"
              "def f(a: int64[:], b: uint32[:], n: int, x: float) -> None:\n"
              "    a[0] = -n\n    a[1] = x\n    b[0] = -72.5\n")
    module = fe.analyze_source(source)
    fe.verify_module(module)
    printed = fe.print_module(module)
    assert "fit<uint32>((-72.5):float64)" in printed or "fit<uint32>(-72.5:float64)" in printed, printed
