"""aot on functions defined inside other functions (tests, notebook helpers, factories)."""

import pytest

from pyexec.backends.llvm import aot
from pyexec.frontend import CompileError


def test_aot_of_a_nested_function_using_types_imported_in_the_enclosing_function():
    from pyexec.types import int32, uint8

    @aot
    def clamp(v: int32) -> uint8:
        if v < 0:
            return uint8(0)
        if v > 255:
            return uint8(255)
        return uint8(v)

    assert (clamp(300), clamp(-4), clamp(77)) == (255, 0, 77)


def test_each_factory_value_compiles_its_own_code():
    def scaled(k: int):
        def f(x: int) -> int:
            return x * k

        return aot(f)

    assert scaled(3)(7) == 21 and scaled(5)(7) == 35


def test_a_nested_recursive_function_calls_itself():
    def fact(n: int) -> int:
        return 1 if n <= 1 else n * fact(n - 1)

    assert aot(fact)(20) == 2432902008176640000


def test_a_closed_over_list_is_refused_before_running():
    xs = [1]

    def f(x: int) -> int:
        return x + xs

    with pytest.raises(CompileError, match="'xs' is a list from the enclosing function"):
        aot(f)(1)
