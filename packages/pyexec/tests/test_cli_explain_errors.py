"""`pyexec explain` on a missing function or a broken file: one message, no heading, no traceback."""

from __future__ import annotations

import subprocess
import sys


def explain(target: str, cwd) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pyexec.cli", "explain", target], capture_output=True, text=True,
                          cwd=cwd, timeout=300)


def test_missing_function_prints_no_heading_before_its_error(tmp_path):
    (tmp_path / "m.py").write_text("def f(x: int) -> int:\n    return x\n")
    out = explain("m.py::missing", tmp_path)
    assert out.returncode == 1
    assert out.stdout == ""
    assert "defines no top-level function 'missing'" in out.stderr and "it defines: f" in out.stderr


def test_syntax_error_is_located_without_a_traceback(tmp_path):
    (tmp_path / "m.py").write_text("def f(:\n    pass\n")
    out = explain("m.py::f", tmp_path)
    assert out.returncode == 1 and out.stdout == ""
    assert "m.py:1:" in out.stderr and "invalid Python syntax" in out.stderr and "Traceback" not in out.stderr
