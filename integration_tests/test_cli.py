"""The `pyexec` command: help for every subcommand, `explain` for every stage, the demo."""

from __future__ import annotations

import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from pyexec.cli.explain import wasm2wat_path

EXAMPLE = textwrap.dedent('''
    def fibonacci(n: int) -> int:
        """The n-th Fibonacci number."""
        if n <= 1:
            return n
        return fibonacci(n - 1) + fibonacci(n - 2)
''')


def pyexec(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pyexec.cli", *args], capture_output=True, text=True,
                          cwd=cwd, timeout=900)


@pytest.fixture
def example_file(tmp_path: Path) -> Path:
    path = tmp_path / "examples.py"
    path.write_text(EXAMPLE)
    return path


def test_help_lists_every_subcommand():
    out = pyexec("--help")
    assert out.returncode == 0
    for command in ("build", "demo", "explain"):
        assert command in out.stdout


def test_console_script_is_installed():
    script = shutil.which("pyexec", path=str(Path(sys.executable).parent))
    assert script is not None
    assert subprocess.run([script, "--version"], capture_output=True, text=True).stdout.startswith("pyexec ")


@pytest.mark.parametrize("command", ["build", "demo", "explain"])
def test_each_subcommand_has_complete_help(command):
    out = pyexec(command, "--help")
    assert out.returncode == 0
    assert "usage: pyexec " + command in out.stdout
    assert len(out.stdout.splitlines()) > 5


def test_build_help_offers_every_target():
    out = pyexec("build", "--help")
    for target in ("native", "wasm", "exe"):
        assert target in out.stdout


@pytest.mark.parametrize(
    ("stage", "expected"),
    [
        ("ast", "FunctionDef(\n  name='fibonacci'"),
        ("ir", "def fibonacci(n: int) -> int:"),
        ("llvm", "llvm.sadd.with.overflow.i64"),
        ("llvm-opt", "define"),
        ("asm", "fibonacci"),
        ("wasm", "bytes, -O2"),
        ("wat", "(module"),
    ],
)
def test_explain_shows_each_stage(example_file, stage, expected):
    if stage == "wat" and wasm2wat_path() is None:
        pytest.skip("WABT's wasm2wat is not installed (the integration session installs pyexec[wat])")
    out = pyexec("explain", f"{example_file}::fibonacci", "--stage", stage)
    assert out.returncode == 0, out.stderr
    assert expected in out.stdout
    assert "\x1b[" not in out.stdout  # plain text when piped


def test_explain_without_stage_shows_all_under_headings(example_file):
    out = pyexec("explain", f"{example_file}::fibonacci", "-O", "1")
    assert out.returncode == 0, out.stderr
    for heading in ("ast: Python AST", "ir: typed IR", "llvm: LLVM IR, as lowered", "llvm-opt:", "asm:", "wasm:"):
        assert heading in out.stdout


def test_explain_overflow_wrap_drops_the_checks(example_file):
    out = pyexec("explain", f"{example_file}::fibonacci", "--stage", "llvm", "--overflow", "wrap")
    assert out.returncode == 0
    assert "with.overflow" not in out.stdout


def test_explain_names_a_missing_function_and_the_ones_there(example_file):
    out = pyexec("explain", f"{example_file}::fibonaci", "--stage", "ir")
    assert out.returncode == 1
    assert "fibonaci" in out.stderr and "fibonacci" in out.stderr
    assert "Traceback" not in out.stderr


def test_explain_rejects_a_target_without_function(example_file):
    out = pyexec("explain", str(example_file))
    assert out.returncode == 2
    assert "FILE.py::FUNC" in out.stderr


def test_demo_quick_agrees_with_cpython_on_every_backend():
    out = pyexec("demo", "--quick", "--repeat", "1")
    assert out.returncode == 0, out.stdout + out.stderr
    for backend in ("JIT (Numba)", "AOT, in process", "C program + .so", "wasm in wasmtime"):
        assert f"{backend}: agrees with CPython" in out.stdout
    if shutil.which("node"):
        assert "wasm in Node: agrees with CPython" in out.stdout
    assert "DISAGREES" not in out.stdout and "FAILED" not in out.stdout


def test_cli_reference_page_is_up_to_date():
    script = Path(__file__).resolve().parent.parent / "scripts" / "cli_reference.py"
    out = subprocess.run([sys.executable, str(script), "--check"], capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr
