"""The public API on live functions, source strings and files: names, globals, callees, errors."""

from __future__ import annotations

import functools
import importlib.util
import math
import math as m
import sys
import textwrap
from math import sqrt as root
from pathlib import Path

import numpy as np
import pytest

import pyexec.frontend as fe
from pyexec.types import float32 as f32
from pyexec.types import int32 as i32
from pyexec.types import uint8

LIMIT = 10
RATE = 0.5
ENABLED = True
NP_CONST = np.float32(1.5)
NOT_A_NUMBER = [1, 2]


def uses_globals(x: int) -> float:
    if ENABLED:
        return min(x, LIMIT) * RATE + NP_CONST
    return 0.0


def uses_math_aliases(x: float) -> float:
    return math.sqrt(x) + m.floor(x) + root(x) + m.pi


def uses_renamed_types(a: i32, b: f32, c: np.float64) -> uint8:
    return uint8(a + int(b) + int(c))


def even(n: int) -> bool:
    return True if n == 0 else odd(n - 1)


def odd(n: int) -> bool:
    return False if n == 0 else even(n - 1)


def reads_a_list(x: int) -> int:
    return x + NOT_A_NUMBER


def make_closure():
    k = 3

    def inner(x: int) -> int:
        return x + k

    return inner


def test_module_constants_are_folded_from_live_globals() -> None:
    module = fe.analyze_functions([uses_globals])
    fe.verify_module(module)
    text = fe.print_module(module)
    assert "10:int" in text and "0.5:float64" in text and "1.5:float32" in text and "True:bool_" in text


def test_math_resolves_under_any_import_form() -> None:
    text = fe.print_module(fe.analyze_functions([uses_math_aliases]))
    assert text.count("math.sqrt<float64>") == 2 and "math.floor<int>" in text and "3.141592653589793" in text


def test_types_resolve_by_identity_under_any_name() -> None:
    fn = fe.analyze_functions([uses_renamed_types]).functions["uses_renamed_types"]
    assert [str(p.type) for p in fn.params] == ["int32", "float32", "float64"]
    assert str(fn.return_type) == "uint8"


def test_mutual_recursion_resolves_in_one_module() -> None:
    module = fe.analyze_functions([even])
    fe.verify_module(module)
    assert list(module.functions) == ["even", "odd"]


def test_two_roots_calling_each_other_are_not_duplicated() -> None:
    module = fe.analyze_functions([odd, even])
    assert list(module.functions) == ["odd", "even"]


def test_a_non_number_global_is_a_clear_error() -> None:
    with pytest.raises(fe.UnsupportedSyntaxError) as info:
        fe.analyze_functions([reads_a_list])
    assert "NOT_A_NUMBER" in info.value.message and "list" in info.value.message
    assert info.value.file == __file__


def test_a_closed_over_number_is_frozen_as_a_constant() -> None:
    module = fe.analyze_functions([make_closure()])
    assert "add<int>(x, 3:int)" in fe.print_module(module)


def test_a_closed_over_function_and_math_function_are_callees() -> None:
    def factory():
        root = math.sqrt

        def twice(x: float) -> float:
            return 2.0 * x

        def f(x: float) -> float:
            return twice(root(x))

        return f

    module = fe.analyze_functions([factory()])
    assert set(module.functions) == {"f", "twice"}


def test_a_closed_over_object_is_refused_with_the_reason() -> None:
    def factory():
        xs = [1, 2]

        def f(x: int) -> int:
            return x + xs

        return f

    with pytest.raises(fe.UnsupportedSyntaxError) as info:
        fe.analyze_functions([factory()])
    assert "'xs' is a list from the enclosing function" in info.value.message
    assert "pass it as a parameter" in info.value.message


def test_an_unassigned_cell_is_refused_with_the_reason() -> None:
    def factory():
        def f(x: int) -> int:
            return x + later

        module_or_error = None
        try:
            fe.analyze_functions([f])
        except fe.UnsupportedSyntaxError as exc:
            module_or_error = exc
        later = 1  # assigned after the compile, on purpose
        return module_or_error

    error = factory()
    assert error is not None and "not assigned yet" in error.message


def test_exec_defined_function_has_no_source() -> None:
    namespace: dict[str, object] = {}
    exec("def f(x: int) -> int:\n    return x\n", namespace)
    with pytest.raises(fe.SourceUnavailableError) as info:
        fe.analyze_functions([namespace["f"]])  # type: ignore[list-item]
    assert "REPL" in info.value.message and "analyze_source" in (info.value.hint or "")


def test_builtins_and_lambdas_are_rejected() -> None:
    with pytest.raises(fe.SourceUnavailableError):
        fe.analyze_functions([math.sqrt])
    with pytest.raises(fe.UnsupportedSyntaxError):
        fe.analyze_functions([lambda x: x])


def test_decorators_are_stripped_and_lines_are_real() -> None:
    def deco(func):
        @functools.wraps(func)
        def wrapper(*args):
            return func(*args)
        return wrapper

    @deco
    def decorated(x: int) -> int:
        return x * 2

    fn = fe.analyze_functions([decorated]).functions["decorated"]
    assert fn.loc.file == __file__
    assert fn.loc.line == decorated.__wrapped__.__code__.co_firstlineno + 1  # the 'def' line, after '@deco'
    assert fn.loc.col == 4  # nested in this test: the real column, not the dedented one


def test_errors_point_at_the_real_file_line_and_column() -> None:
    def bad(x: int) -> int:
        y = [x]  # noqa: F841 - the error under test is this list
        return x

    with pytest.raises(fe.UnsupportedSyntaxError) as info:
        fe.analyze_functions([bad])
    err = info.value
    assert err.file == __file__
    assert err.line == bad.__code__.co_firstlineno + 1
    assert err.col == 12 and err.source_line is not None and "y = [x]" in err.source_line


def test_callees_from_another_python_module_join_the_module(tmp_path: Path) -> None:
    helper = tmp_path / "frontend_helper_mod.py"
    helper.write_text(textwrap.dedent("""
        SCALE = 3

        def triple(x: int) -> int:
            return x * SCALE

        def caller(x: int) -> int:
            return triple(x) + 1
    """))
    spec = importlib.util.spec_from_file_location("frontend_helper_mod", helper)
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    sys.modules["frontend_helper_mod"] = mod
    try:
        spec.loader.exec_module(mod)
        module = fe.analyze_functions([mod.caller])
        fe.verify_module(module)
        assert list(module.functions) == ["caller", "triple"]
        assert module.functions["triple"].loc.file == str(helper)
        with pytest.raises(fe.CompileNameError):
            fe.analyze_functions([mod.caller], include_callees=False)
    finally:
        del sys.modules["frontend_helper_mod"]


def test_analyze_source_with_names_and_globals() -> None:
    source = "def f(x: int) -> int:\n    return g(x) + K\n\ndef g(x: int) -> int:\n    return x\n"
    module = fe.analyze_source(source, "s.py", names=["f"], globals={"K": 7})
    assert list(module.functions) == ["f", "g"]
    assert "7:int" in fe.print_module(module)
    with pytest.raises(fe.CompileError) as info:
        fe.analyze_source(source, "s.py", names=["h"])
    assert "no top-level function named 'h'" in info.value.message


def test_analyze_file_reads_constants_and_imports_without_running_it(tmp_path: Path) -> None:
    path = tmp_path / "prog.py"
    path.write_text(textwrap.dedent("""
        import math
        from pyexec import int32
        raise SystemExit("this file is never executed")
        N: int = 4
        HALF = -0.5

        def f(x: int32) -> float:
            return math.sqrt(x) * N + HALF

        def unused(s: str) -> str:
            return s
    """))
    module = fe.analyze_file(path, ["f"])
    fe.verify_module(module)
    assert module.source_file == str(path)
    assert "4.0:float64" in fe.print_module(module) and "-0.5:float64" in fe.print_module(module)
    with pytest.raises(fe.CompileError):
        fe.analyze_file(tmp_path / "missing.py")


def test_print_function_and_module_agree() -> None:
    module = fe.analyze_functions([even])
    assert fe.print_function(module.functions["odd"]) in fe.print_module(module)


def test_compile_error_renders_file_line_caret_and_hint() -> None:
    with pytest.raises(fe.CompileNameError) as info:
        fe.analyze_source("def f(count: int) -> int:\n    return cout + 1\n", "ex.py")
    assert str(info.value) == (
        "ex.py:2:12: error: name 'cout' is not defined\n"
        "        return cout + 1\n"
        "               ^\n"
        "hint: did you mean 'count'?"
    )


def test_star_import_of_math_in_a_file_read_statically() -> None:
    module = fe.analyze_source("from math import *\ndef f(x: float) -> float:\n    return sqrt(x) + pi\n", "s.py")
    fe.verify_module(module)
    assert "math.sqrt<float64>(x)" in fe.print_module(module)
