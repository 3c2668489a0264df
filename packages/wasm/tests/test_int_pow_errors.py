"""``int ** negative`` in wasm: the same lowering and error kinds as ``aot`` (CPython for ``0 ** -1``)."""

from __future__ import annotations

import pytest

from pyexec.backends.wasm import compile_ir_module, load
from pyexec.frontend import analyze_source

SOURCE = '''
from pyexec.types import int32

def power(a: int, b: int) -> int:
    return a ** b

def power32(a: int32, b: int32) -> int32:
    return a ** b
'''


@pytest.fixture(scope="module")
def mod():
    return load(compile_ir_module(analyze_source(SOURCE, "pow_cases.py"), optimize=2).wasm)


def test_zero_to_a_negative_int_power_raises_zero_division_error_like_cpython(mod):
    with pytest.raises(ZeroDivisionError, match=r"0\.0 cannot be raised to a negative power"):
        mod.power(0, -1)
    assert mod.power(0, 0) == 1 and mod.power(-3, 3) == -27


def test_a_nonzero_int_to_a_negative_power_raises_value_error(mod):
    with pytest.raises(ValueError):
        mod.power(2, -1)  # CPython gives 0.5: a float, which an int function cannot return


def test_fixed_width_zero_to_a_negative_power_raises_value_error_like_numpy(mod):
    with pytest.raises(ValueError):
        mod.power32(0, -1)
