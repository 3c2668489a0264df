"""``aot`` as users call it: decoration forms, the callable's identity, argument checking, inspection."""

from __future__ import annotations

import inspect
import operator

import pytest

from pyexec.backends.llvm import NativeBuildError, aot
from pyexec.frontend import CompileError


@aot
def add(a: int, b: int) -> int:
    """Add two ints."""
    return a + b


@aot(opt=3)
def scaled(x: float, factor: float = 2.0) -> float:
    return x * factor


@aot
def calls_later(n: int) -> int:
    return defined_later(n) + 1


@aot
def defined_later(n: int) -> int:
    return n * 10


@aot
def flag(b: bool) -> bool:
    return not b


def test_decorator_with_and_without_options_compiles_on_first_call():
    assert add._native is None  # nothing compiled at decoration
    assert add(2, 3) == 5
    assert scaled(1.5) == 3.0 and scaled(1.5, 3.0) == 4.5


def test_function_defined_after_its_caller_resolves_at_first_call():
    assert calls_later(4) == 41


def test_callable_keeps_name_docstring_wrapped_and_signature():
    assert add.__name__ == "add"
    assert add.__doc__ == "Add two ints."
    assert add.__wrapped__.__name__ == "add"
    assert inspect.signature(add) == inspect.signature(add.__wrapped__)
    assert list(inspect.signature(scaled).parameters) == ["x", "factor"]
    assert inspect.signature(scaled).parameters["factor"].default == 2.0


def test_keywords_and_defaults_bind_like_a_python_function():
    assert add(a=1, b=2) == 3
    assert add(1, b=2) == 3
    assert scaled(x=2.0, factor=0.5) == 1.0


def test_wrong_arity_or_keyword_raises_python_typeerrors():
    with pytest.raises(TypeError, match=r"add\(\) missing 1 required positional argument: 'b'"):
        add(1)
    with pytest.raises(TypeError, match=r"add\(\) takes 2 positional arguments but 3 were given"):
        add(1, 2, 3)
    with pytest.raises(TypeError, match="unexpected keyword argument 'c'"):
        add(1, c=2)


def test_argument_types_are_checked_and_converted_like_python():
    with pytest.raises(TypeError):
        add("1", 2)
    with pytest.raises(TypeError):
        add(1.5, 2)
    assert add(True, 2) == 3  # bool is an int
    assert scaled(3) == 6.0  # int accepted for float
    with pytest.raises(TypeError):
        scaled("x")
    assert flag(0) is True and flag(True) is False


def test_int_argument_outside_int64_raises_overflow_error():
    with pytest.raises(OverflowError):
        add(2**63, 0)


def test_runtime_fault_raises_and_the_process_survives():
    @aot
    def div(a: int, b: int) -> int:
        return a // b

    with pytest.raises(ZeroDivisionError, match="integer division or modulo by zero"):
        div(1, 0)
    assert div(7, 2) == 3


def test_overflow_wrap_option_wraps_int_like_int64():
    def mul(a: int, b: int) -> int:
        return a * b

    with pytest.raises(OverflowError):
        aot(mul)(2**62, 4)
    assert aot(mul, overflow="wrap")(2**62, 4) == 0


def test_bad_options_are_clear_errors():
    def f(x: int) -> int:
        return x

    with pytest.raises(NativeBuildError, match="opt"):
        aot(f, opt=7)
    with pytest.raises(NativeBuildError, match="overflow"):
        aot(f, overflow="saturate")


def test_frontend_compile_error_propagates_unchanged():
    def bad(x: int) -> int:
        return x + "a"

    compiled = aot(bad)
    with pytest.raises(CompileError, match="unsupported operand type"):
        compiled(1)


def test_inspection_gives_llvm_ir_before_and_after_optimisation_and_assembly():
    before = add.inspect_llvm()
    after = add.inspect_llvm(optimized=True)
    assert "llvm.sadd.with.overflow.i64" in before and "pyexec.impl.add" in before
    assert "define" in after and after != before
    asm = add.inspect_asm()
    assert "pyexec.vc.add" in asm


def test_print_inside_aot_goes_to_python_stdout(capsys):
    @aot
    def show(x: float, n: int) -> None:
        print("x", x, n, sep="|", end=";")

    show(0.1, -2)
    assert capsys.readouterr().out == "x|0.1|-2;"


def test_call_overhead_path_is_a_native_vectorcall():
    # the callable is not a Python function: CPython calls the machine code through its vectorcall slot
    assert not inspect.isfunction(add)
    assert callable(add)
    assert add(*(3, 4)) == operator.add(3, 4)


@aot
def depth(n: int) -> int:
    if n == 0:
        return 0
    return depth(n - 1) + 1


def test_runaway_recursion_raises_recursion_error_instead_of_crashing():
    assert depth(10_000) == 10_000
    with pytest.raises(RecursionError):
        depth(10**9)
    assert depth(5) == 5
