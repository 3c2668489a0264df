"""`pyexec check`: every diagnostic production mode would give, at once, with an exit status."""

from __future__ import annotations

import ast
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from pyexec.cli.check import marked_functions

MODULE = textwrap.dedent('''
    import pyexec
    from pyexec import aot

    @aot
    def area(w: float, h: float) -> float:
        return w * h

    @pyexec.compile
    def listy(x: int) -> int:
        y = [x]
        return y[0]

    @pyexec.jit
    def numba_only(x):
        return [x]

    def helper(x: int) -> int:
        return x + 1

    def classy(x: int) -> int:
        class A:
            pass
        return x

    pyexec.wasm(classy, "w.wasm")
''')


def check(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pyexec.cli", "check", *args], capture_output=True, text=True,
                          cwd=cwd, timeout=300)


def test_marked_functions_are_the_decorated_and_the_passed_ones():
    assert marked_functions(ast.parse(MODULE)) == ["area", "listy", "classy"]


def test_check_reports_every_diagnostic_at_once_and_exits_1(tmp_path):
    (tmp_path / "m.py").write_text(MODULE)
    out = check("m.py", cwd=tmp_path)
    assert out.returncode == 1
    assert "m.py:11:9: error: a list is not supported" in out.stderr
    assert "m.py:22:5: error: a class definition is not supported" in out.stderr
    assert "2 diagnostics; 2 of 3 functions would not compile" in out.stderr
    assert "numba_only" not in out.stderr + out.stdout  # jit is Numba's in every mode
    assert "Traceback" not in out.stderr


def test_check_of_named_functions_that_compile_exits_0(tmp_path):
    (tmp_path / "m.py").write_text(MODULE)
    out = check("m.py", "-f", "area", "-f", "helper", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert "2 functions check: area, helper" in out.stdout


def test_a_callee_error_is_printed_once(tmp_path):
    (tmp_path / "c.py").write_text("def bad(x: int) -> int:\n    return [x][0]\n\n"
                                   "def a(x: int) -> int:\n    return bad(x)\n\n"
                                   "def b(x: int) -> int:\n    return bad(x)\n")
    out = check("c.py", cwd=tmp_path)
    assert out.returncode == 1
    assert out.stderr.count("c.py:2:12: error:") == 1 and "1 diagnostic; 3 of 3 functions" in out.stderr


def test_unmarked_file_checks_every_function(tmp_path):
    (tmp_path / "m.py").write_text("def f(x: int) -> int:\n    return x\n")
    out = check("m.py", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert "checking every top-level function" in out.stdout and "1 function check: f" in out.stdout


def test_syntax_error_is_located_not_a_traceback(tmp_path):
    (tmp_path / "m.py").write_text("def f(x: int) -> int:\n    return x +\n")
    out = check("m.py", cwd=tmp_path)
    assert out.returncode == 1
    assert "m.py:2:" in out.stderr and "invalid Python syntax" in out.stderr and "Traceback" not in out.stderr


@pytest.mark.parametrize("make, message", [
    (lambda p: p, "is a directory"),
    (lambda p: p / "missing.py", "does not exist"),
])
def test_bad_paths_exit_2_with_a_message(tmp_path, make, message):
    out = check(str(make(tmp_path)), cwd=tmp_path)
    assert out.returncode == 2
    assert message in out.stderr and "Traceback" not in out.stderr


def test_build_without_f_names_f_in_its_hint(tmp_path):
    (tmp_path / "m.py").write_text(MODULE)
    out = subprocess.run([sys.executable, "-m", "pyexec.cli", "build", "m.py", "--target", "native", "-o", "out"],
                         capture_output=True, text=True, cwd=tmp_path, timeout=300)
    assert out.returncode == 1
    assert "with -f NAME" in out.stderr and "pyexec check m.py" in out.stderr
