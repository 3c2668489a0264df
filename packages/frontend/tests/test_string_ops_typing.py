"""Typing of string methods, str()/repr()/format() and f-strings: the IR they give and the located
diagnostics for what CPython refuses (its TypeError/ValueError wording) or compiled code does not do."""

from __future__ import annotations

import pytest

from pyexec.frontend import analyze_source, print_function
from pyexec.frontend.diagnostics import CompileError, CompileTypeError, UnsupportedSyntaxError
from pyexec.frontend.format_spec import parse_format_spec


def body(src: str) -> list[str]:
    return print_function(analyze_source(src).functions["f"]).splitlines()[1:]


def test_method_calls_fill_in_python_defaults():
    lines = body("def f(s: str) -> int:\n    return s.find('a') + s.count('b', 2)\n")
    assert lines[-1] == ("    return add<int>(str.find<int>(s, 'a':str, 0:int, 9223372036854775807:int), "
                         "str.count<int>(s, 'b':str, 2:int, 9223372036854775807:int))")


def test_an_fstring_is_a_join_of_literal_and_formatted_parts():
    lines = body("def f(x: float, n: int) -> str:\n    return f'x={x:.3f} n={n:>5}'\n")
    assert lines[-1] == ("    return str.join<str>('':str, 'x=':str, format<str>(x, '.3f'), ' n=':str, "
                         "format<str>(n, '>5'))")


def test_str_of_a_string_is_the_string_itself():
    assert body("def f(s: str) -> str:\n    return str(s) + f'{s}'\n")[-1] == "    return concat<str>(s, s)"


@pytest.mark.parametrize(("src", "error", "where", "fragment"), [
    ("return s.split()", UnsupportedSyntaxError, (2, 12), "the method '.split()' of a str is not supported"),
    ("return s.upper(1)", CompileTypeError, (2, 12), "str.upper() takes no arguments (1 given)"),
    ("return s.find()", CompileTypeError, (2, 12), "find expected at least 1 argument, got 0"),
    ("return s.find('a', 1, 2, 3)", CompileTypeError, (2, 12), "find expected at most 3 arguments, got 4"),
    ("return s.startswith(1)", CompileTypeError, (2, 25), "startswith first arg must be str or a tuple of str, "
                                                           "not int"),
    ("return s.strip(1)", CompileTypeError, (2, 20), "strip arg must be None or str"),
    ("return s.replace('a', 1)", CompileTypeError, (2, 27), "replace() argument 2 must be str, not int"),
    ("return s.replace('a', 'b', count=1)", CompileTypeError, (2, 38), "replace() takes no keyword arguments"),
    ("return ', '.join((s, 1))", CompileTypeError, (2, 26), "sequence item 1: expected str instance, int found"),
    ("return ', '.join(s)", UnsupportedSyntaxError, (2, 22), "takes a tuple or list of strings written in the call"),
    ("return f'{len(s):,x}'", CompileTypeError, (2, 12), "Cannot specify ',' with 'x'."),
    ("return f'{len(s):.2d}'", CompileTypeError, (2, 12), "Precision not allowed in integer format specifier"),
    ("return f'{s:+}'", CompileTypeError, (2, 12), "Sign not allowed in string format specifier"),
    ("return f'{len(s):c}'", UnsupportedSyntaxError, (2, 12), "the format type 'c' is not supported"),
    ("return f'{len(s):{len(s)}}'", UnsupportedSyntaxError, (2, 12), "a replacement field inside a format spec"),
    ("return repr(s)", UnsupportedSyntaxError, (2, 12), "repr() of a str (quoting and escaping) is not supported"),
    ("return f'{1j:>8}'", UnsupportedSyntaxError, (2, 15), "formatting a complex number with a format spec"),
    ("return format(1.5, s)", UnsupportedSyntaxError, (2, 24), "format()'s spec must be a string literal"),
])
def test_refused_string_operations_are_located_with_cpythons_words(src, error, where, fragment):
    with pytest.raises(CompileError) as info:
        analyze_source(f"def f(s: str) -> str:\n    {src}\n")
    assert isinstance(info.value, error)
    assert (info.value.line, info.value.col + 1) == where
    assert fragment in info.value.message


@pytest.mark.parametrize(("spec", "kind"), [("", "int"), (">8", "int"), ("08.2f", "float"), (",", "float"),
                                            ("^9.3", "str"), ("#x", "int"), ("e", "int")])
def test_format_spec_defaults_match_cpythons_parser(spec, kind):
    parsed = parse_format_spec(spec, kind)
    assert parsed.align == ("=" if "0" in spec.split(".")[0] and kind != "str" else
                            spec[0] if spec[:1] in "<>^=" and spec else "<" if kind == "str" else ">")
