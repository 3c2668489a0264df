"""Constants converted by a NumPy type are NumPy values, not Python literals (issue 12 items 2 and 4):
storing one in another width wraps as NumPy's ``astype`` does, a ``uint64`` literal may use its whole range,
and a fixed-width power with a negative constant exponent is left to run time, where NumPy raises ValueError."""

from __future__ import annotations

import numpy as np
import pytest

import pyexec.frontend as fe

HEADER = "from pyexec import int8, int32, int64, uint8, uint32, uint64, float32\n"


def body_of(source: str, name: str = "f") -> str:
    module = fe.analyze_source(HEADER + source)
    return fe.print_function(module.functions[name])


def test_a_folded_cast_stored_in_another_width_wraps_like_numpy_astype():
    text = body_of("def f() -> int:\n    v: uint8 = int32(300)\n    return int(v)\n")
    assert f"{int(np.int32(300).astype(np.uint8))}:uint8" in text


def test_a_folded_cast_returned_as_another_width_wraps():
    text = body_of("def f() -> uint32:\n    return int64(-7)\n")
    assert f"{int(np.int64(-7).astype(np.uint32))}:uint32" in text


def test_a_folded_uint64_passed_to_an_int64_parameter_wraps():
    source = "def g(x: int64) -> int64:\n    return x\ndef f() -> int64:\n    return g(uint64(-2147483648))\n"
    module = fe.analyze_source(HEADER + source)
    expected = int(np.uint64(2**64 - 2**31).astype(np.int64))
    assert f"call g<int64>({expected}:int64)" in fe.print_function(module.functions["f"])


def test_a_python_int_literal_out_of_range_is_still_refused():
    with pytest.raises(fe.CompileTypeError) as info:
        body_of("def f() -> int:\n    v: uint8 = 300\n    return int(v)\n")
    assert "300 does not fit in uint8" in str(info.value)


@pytest.mark.parametrize(("call", "expected"), [
    ("uint64(18446744073709551615)", "18446744073709551615:uint64"),
    ("uint64(9223372036854775808)", "9223372036854775808:uint64"),
    ("int64(18446744073709551615)", "-1:int64"),
    ("int8(9223372036854775808)", "0:int8"),
    ("uint8(18446744073709551615)", "255:uint8"),
])
def test_an_integer_literal_past_int64_converts_like_the_numpy_type(call, expected):
    name = call.split("(")[0]
    assert expected in body_of(f"def f() -> {name}:\n    return {call}\n")


def test_int_of_a_literal_past_int64_is_still_refused():
    with pytest.raises(fe.CompileTypeError) as info:
        body_of("def f() -> int:\n    return int(18446744073709551615)\n")
    assert "does not fit in 64 bits" in str(info.value)


def test_a_fixed_width_power_with_a_negative_constant_exponent_compiles():
    # NumPy raises ValueError when it runs (np.int32(3) ** np.int8(-2)); the compiler must not refuse it
    text = body_of("def f(x: int32) -> int32:\n    return x ** int8(-2)\n")
    assert "pow<int32>" in text
    text = body_of("def f(x: int8) -> int8:\n    return x ** -1\n")
    assert "pow<int8>" in text


def test_a_python_int_to_a_negative_constant_power_is_still_refused():
    with pytest.raises(fe.CompileTypeError) as info:
        body_of("def f(x: int) -> int:\n    return x ** -1\n")
    assert "negative power" in str(info.value)
