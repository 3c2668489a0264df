"""The public API end to end on small functions: analyse, verify, print."""

from __future__ import annotations

import pyexec.frontend as fe


def add_one(x: int) -> int:
    return x + 1


def caller(n: int) -> int:
    return add_one(n) * 2


def test_analyze_functions_pulls_in_callees_and_verifies() -> None:
    module = fe.analyze_functions([caller])
    fe.verify_module(module)
    assert list(module.functions) == ["caller", "add_one"]
    assert "call add_one<int>(n)" in fe.print_module(module)


def test_analyze_functions_without_callees_is_a_name_error() -> None:
    try:
        fe.analyze_functions([caller], include_callees=False)
    except fe.CompileNameError as err:
        assert "add_one" in err.message
    else:
        raise AssertionError("expected CompileNameError")


def test_locations_are_those_of_the_real_file() -> None:
    module = fe.analyze_functions([add_one])
    fn = module.functions["add_one"]
    assert fn.loc.file == __file__
    assert fn.loc.line == add_one.__code__.co_firstlineno
