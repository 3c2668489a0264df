"""``assert test, value`` with any number as the message (issue 15 item 4): AssertionError(str(value)) as CPython
raises it, the value evaluated only when the test fails; in process and from C (``compile_llvm``)."""

from __future__ import annotations

import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent / "data"))

import math_programs as mp

from pyexec.backends.llvm import aot, compile_llvm
from pyexec.backends.llvm.library import find_c_compiler
from pyexec.frontend import analyze_source, print_function

CASES = [(0, 1.5), (0, 1e16), (5, 0.1), (6, 0.0), (7, -0.0), (8, 0.0), (8, 0.5), (9, 0.0), (10, 0.0), (11, 0.0)]


def _message(fn, *args):
    try:
        return "returned", fn(*args)
    except (AssertionError, ValueError) as exc:
        return type(exc).__name__, str(exc)


def test_assert_message_is_str_of_the_value_as_cpython_gives_it():
    compiled = aot(mp.assert_with_values)
    for args in CASES:
        assert _message(compiled, *args) == _message(mp.assert_with_values, *args), args


def test_assert_message_is_evaluated_only_when_the_test_fails():
    # math.gamma(0.0) raises ValueError: CPython (and compiled code) reach it only when x == 8
    compiled = aot(mp.assert_with_values)
    assert compiled(11, 0.0) == 11
    assert _message(compiled, 8, 0.0) == ("ValueError", "math domain error")


def test_assert_message_expression_is_printed_in_the_ir():
    module = analyze_source("def f(x: int) -> int:\n    assert x > 0, x * 2\n    return x\n")
    assert "assert cmp<int>(x gt 0:int), mul<int>(x, 2:int)" in print_function(module.functions["f"])


@pytest.mark.skipif(shutil.which("cc") is None and shutil.which("gcc") is None, reason="no C compiler (cc/gcc)")
def test_c_caller_reads_the_assert_message_from_the_error_status(tmp_path):
    files = compile_llvm(mp.assert_with_values, "checks", tmp_path)
    (tmp_path / "main.c").write_text(textwrap.dedent("""
        #include <stdio.h>
        #include "checks.h"
        int main(void) {
            double ys[] = {1.5, 0.1, 0.0, -0.0, 0.5};
            long long xs[] = {0, 5, 6, 7, 8};
            for (int i = 0; i < 5; i++) {
                assert_with_values(xs[i], ys[i]);
                printf("%d %s\\n", checks_last_error(), checks_last_error_message());
            }
            return 0;
        }
    """))
    exe = tmp_path / "main"
    subprocess.run([find_c_compiler()[0], str(tmp_path / "main.c"), "-I", str(tmp_path), str(files["object"]), "-lm",
                    "-o", str(exe)], check=True, capture_output=True)
    out = subprocess.run([str(exe)], capture_output=True, text=True, check=True, timeout=60).stdout.splitlines()
    expected = [_message(mp.assert_with_values, x, y)[1] for x, y in [(0, 1.5), (5, 0.1), (6, 0.0), (7, -0.0),
                                                                       (8, 0.5)]]
    assert out == [f"4 {text}" for text in expected]
