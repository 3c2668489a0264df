"""The Python loader: argument checks, result conversion, the error state, print, traps, bad files."""

from __future__ import annotations

import math

import pytest

from pyexec.backends.wasm import WasmLoadError, compile_ir_module, load
from pyexec.frontend import analyze_source

SOURCE = '''
from pyexec.types import int8, uint8, uint64, int32, float32

def div(a: int, b: int) -> int:
    return a // b

def narrow(a: int8, b: uint8) -> int8:
    return a + int8(b)

def unsigned(a: uint64) -> uint64:
    return a * uint64(3)

def small(a: int32) -> int32:
    return a - int32(1)

def half(x: float32) -> float32:
    return x / float32(2.0)

def both(a: bool, b: bool) -> bool:
    return a and not b

def show(x: int, y: float) -> None:
    print("x =", x, "y =", y, x > 0)

def forever(n: int) -> int:
    return forever(n + 1) * 2

def fact(n: int) -> int:
    if n <= 1:
        return 1
    return n * fact(n - 1)

def check(x: int) -> int:
    assert x > 0, "x must be positive"
    return x
'''


@pytest.fixture(scope="module")
def mod():
    module = analyze_source(SOURCE, "loader_cases.py")
    return load(compile_ir_module(module, optimize=2).wasm)


def test_functions_are_attributes_and_return_python_numbers(mod):
    assert mod.div(7, 2) == 3 and mod.div(-7, 2) == -4
    assert isinstance(mod.half(3.0), float) and mod.half(3.0) == 1.5
    assert mod.both(True, False) is True and mod.both(True, True) is False


def test_fixed_width_results_wrap_like_numpy(mod):
    assert mod.narrow(100, 100) == -56
    assert mod.unsigned(2**63) == (3 * 2**63) % 2**64
    assert mod.small(-(2**31)) == 2**31 - 1


def test_division_by_zero_raises_zero_division_error_with_pythons_message(mod):
    with pytest.raises(ZeroDivisionError, match="integer division or modulo by zero"):
        mod.div(1, 0)
    assert mod.div(9, 3) == 3  # the error state is cleared by the next call


def test_assertion_error_carries_the_message(mod):
    with pytest.raises(AssertionError, match="x must be positive"):
        mod.check(-1)


def test_arguments_are_range_checked(mod):
    with pytest.raises(OverflowError, match=r"narrow\(\) argument 'a'=200 is out of range for int8"):
        mod.narrow(200, 1)
    with pytest.raises(OverflowError, match="out of range for int"):
        mod.div(2**63, 1)
    with pytest.raises(OverflowError, match="out of range for uint64"):
        mod.unsigned(-1)


def test_arguments_must_have_the_right_kind_and_count(mod):
    with pytest.raises(TypeError, match="must be an integer"):
        mod.div(1.5, 2)
    with pytest.raises(TypeError, match=r"div\(\) missing 1 required positional argument: 'b'"):
        mod.div(1)
    with pytest.raises(TypeError, match=r"div\(\) takes 2 positional arguments but 3 were given"):
        mod.div(1, 2, 3)
    assert mod.half(3) == 1.5  # an int is a valid float argument, as in Python


def test_print_writes_what_cpython_writes(mod, capsys):
    mod.show(3, 0.1)
    mod.show(-2, 1e16)
    assert capsys.readouterr().out == "x = 3 y = 0.1 True\nx = -2 y = 1e+16 False\n"


def test_unbounded_recursion_is_a_recursion_error_not_a_crash(mod):
    with pytest.raises(RecursionError, match="forever"):
        mod.forever(0)
    assert mod.fact(20) == 2432902008176640000  # the instance still works: its stack pointer was reset


def test_unknown_attribute_lists_the_exports(mod):
    with pytest.raises(AttributeError, match="it exports: div, narrow"):
        mod.nothing  # noqa: B018


def test_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(WasmLoadError, match="no such wasm file"):
        load(tmp_path / "missing.wasm")


def test_a_file_that_is_not_wasm_is_a_clear_error(tmp_path):
    bad = tmp_path / "bad.wasm"
    bad.write_bytes(b"hello")
    with pytest.raises(WasmLoadError, match="not a WebAssembly module"):
        load(bad)


def test_libm_calls_run_on_pythons_math():
    module = analyze_source("import math\ndef f(x: float) -> float:\n    return math.sin(x) + math.fmod(x, 3.0)\n")
    loaded = load(compile_ir_module(module).wasm)
    assert loaded.f(10.0) == math.sin(10.0) + math.fmod(10.0, 3.0)


def test_the_direct_call_path_agrees_with_wasmtimes_public_call(mod):
    from pyexec.backends.wasm.loader import _fast_caller

    cases = {"div": [(7, 2), (-(2**63), 1), (2**63 - 1, -1)], "half": [(3.0,), (-0.0,), (1e38,)],
             "small": [(-(2**31),), (5,)], "both": [(1, 0), (0, 1)]}
    for name, argument_lists in cases.items():
        function = mod.functions[name]
        sig = function.signature
        fast = _fast_caller(function._func, mod._store, sig.wasm_params, sig.wasm_result)
        if fast is None:  # wasmtime-py's internals changed: the loader uses the public call, checked elsewhere
            continue
        for args in argument_lists:
            assert fast(*args) == function._func(mod._store, *args), (name, args)
