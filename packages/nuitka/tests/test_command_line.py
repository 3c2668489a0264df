"""From a function's signature to its executable's command line (no Nuitka involved)."""

from __future__ import annotations

import pytest

from pyexec.backends.nuitka import UnsupportedFunctionError
from pyexec.backends.nuitka.command_line import command_line_spec, split_docstring
from pyexec.backends.nuitka.launcher_runtime import call_with_argv, main, make_parser, parse_bool


def greet(name: str) -> str:
    return f"Hello, {name}!"


def scale(value: float, factor: int = 2, *, label: str = "x", verbose: bool = False) -> str:
    """Scale a value.

    Multiplies and labels it.

    Args:
        value: the number to scale
        factor: how many times
            (an integer)
    """
    return f"{label}={value * factor}" + (" (verbose)" if verbose else "")


def needs_flag(*, mode: str, strict: bool) -> str:
    return f"{mode}:{strict}"


def total(*numbers: int) -> int:
    return sum(numbers)


def no_annotations(a, b="B"):
    return a + b


def fails(x: int) -> None:
    raise ValueError(f"bad value {x}")


def quiet() -> None:
    return None


def run(func, argv, capsys):
    status = main(func, command_line_spec(func), argv)
    out = capsys.readouterr()
    return status, out.out, out.err


def test_parameter_without_default_is_positional(capsys):
    assert run(greet, ["Alice"], capsys) == (0, "Hello, Alice!\n", "")


def test_defaults_become_options_and_keyword_only_ones_too(capsys):
    assert run(scale, ["1.5"], capsys)[1] == "x=3.0\n"
    assert run(scale, ["1.5", "--factor", "3", "--label", "y", "--verbose"], capsys)[1] == "y=4.5 (verbose)\n"
    assert run(scale, ["2", "--no-verbose"], capsys)[1] == "x=4.0\n"


def test_keyword_only_without_default_is_a_required_option(capsys):
    assert run(needs_flag, ["--mode", "fast", "--strict", "yes"], capsys)[1] == "fast:True\n"
    with pytest.raises(SystemExit) as info:
        run(needs_flag, ["--mode", "fast"], capsys)
    assert info.value.code == 2
    assert "--strict" in capsys.readouterr().err


def test_star_args_take_any_number_of_values(capsys):
    assert run(total, ["1", "2", "3"], capsys)[1] == "6\n"
    assert run(total, [], capsys)[1] == "0\n"


def test_unannotated_parameters_are_strings(capsys):
    assert run(no_annotations, ["a", "--b", "c"], capsys)[1] == "ac\n"


@pytest.mark.parametrize("argv", [[], ["1", "2"], ["--factor", "x", "1"], ["one"]])
def test_wrong_arguments_print_usage_and_exit_2(argv, capsys):
    with pytest.raises(SystemExit) as info:
        run(scale, argv, capsys)
    assert info.value.code == 2
    assert "usage:" in capsys.readouterr().err


def test_help_comes_from_the_docstring(capsys):
    parser = make_parser(command_line_spec(scale), "scale")
    text = parser.format_help()
    assert "Scale a value." in text and "Multiplies and labels it." in text
    assert "the number to scale" in text
    assert "how many times (an integer) (default: 2)" in text
    assert "Args:" not in text
    with pytest.raises(SystemExit) as info:
        run(scale, ["--help"], capsys)
    assert info.value.code == 0


def test_exception_exits_1_with_its_message(capsys):
    status, out, err = run(fails, ["7"], capsys)
    assert status == 1 and out == ""
    assert "error: ValueError: bad value 7" in err


def test_none_result_prints_nothing(capsys):
    assert run(quiet, [], capsys) == (0, "", "")


def test_function_without_parameters_reads_sys_argv(monkeypatch, capsys):
    import sys

    monkeypatch.setattr(sys, "argv", ["calc", "10", "+", "5"])
    spec = command_line_spec(quiet)
    assert spec["takes_argv"] is True
    assert call_with_argv(lambda: sys.argv[1:], spec) == ["10", "+", "5"]


@pytest.mark.parametrize(("text", "value"), [("yes", True), ("TRUE", True), ("1", True), ("off", False), ("No", False)])
def test_bool_words(text, value):
    assert parse_bool(text) is value


def test_bool_rejects_other_words():
    import argparse

    with pytest.raises(argparse.ArgumentTypeError, match="invalid bool value"):
        parse_bool("maybe")


def test_unsupported_annotation_is_refused_with_the_parameter_named():
    def takes_list(xs: list[int]) -> int:
        return len(xs)

    with pytest.raises(UnsupportedFunctionError, match=r"parameter 'xs'.*int, float, str or bool"):
        command_line_spec(takes_list)


def test_star_star_kwargs_are_refused():
    def takes_kwargs(**options: str) -> None:
        return None

    with pytest.raises(UnsupportedFunctionError, match=r"\*\*options"):
        command_line_spec(takes_kwargs)


def test_default_that_cannot_be_written_into_the_executable_is_refused():
    def takes_object(x: str = object()) -> None:
        return None

    with pytest.raises(UnsupportedFunctionError, match="default"):
        command_line_spec(takes_object)


def test_split_docstring_keeps_other_sections():
    text, helps = split_docstring("Do it.\n\nArgs:\n    a (int): first\n\nReturns:\n    the result\n")
    assert helps == {"a": "first"}
    assert "Args:" not in text and "first" not in text
    assert text.startswith("Do it.") and text.endswith("Returns:\n    the result")
