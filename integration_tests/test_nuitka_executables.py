"""The seed's three executables, built with real Nuitka from the seed's scripts as written, then run.

Each build takes a minute or more on a 2-core machine, so the three are built once per module
(in a temporary folder with its own executable cache) and every test uses them.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

GREETER = '''
from pyexec import aot_compile

def greet(name: str) -> str:
    return f"Hello, {name}!"

# Create executable
exe = aot_compile(greet, "greeter.exe", show_progress=True)

# Run: greeter.exe Alice
# Output: Hello, Alice!
'''

CALCULATOR = '''
from pyexec import aot_compile
import sys

def calculator():
    if len(sys.argv) != 4:
        print("Usage: calc <num1> <op> <num2>")
        return

    a = float(sys.argv[1])
    op = sys.argv[2]
    b = float(sys.argv[3])

    if op == '+':
        print(a + b)
    elif op == '-':
        print(a - b)
    elif op == '*':
        print(a * b)
    elif op == '/':
        print(a / b)

exe = aot_compile(calculator, "calc")
# Run: ./calc 10 + 5
# Output: 15.0
'''

FIZZBUZZ = '''
from pyexec import aot_compile
import sys

def fizzbuzz():
    """FizzBuzz game."""
    if len(sys.argv) < 2:
        print("Usage: fizzbuzz <n>")
        return

    n = int(sys.argv[1])
    for i in range(1, n + 1):
        if i % 15 == 0:
            print("FizzBuzz")
        elif i % 3 == 0:
            print("Fizz")
        elif i % 5 == 0:
            print("Buzz")
        else:
            print(i)

# Compile to executable
exe = aot_compile(fizzbuzz, "fizzbuzz.exe", show_progress=True)
'''

SCRIPTS = {"greeter_app": GREETER, "calc_app": CALCULATOR, "fizzbuzz_app": FIZZBUZZ}


def _prerequisites_missing() -> str | None:
    try:
        from pyexec.backends.nuitka import MissingPrerequisiteError
        from pyexec.backends.nuitka.prerequisites import check_prerequisites

        check_prerequisites(dict(os.environ))
    except MissingPrerequisiteError as exc:
        return str(exc)
    return None


@pytest.fixture(scope="module")
def workshop(tmp_path_factory: pytest.TempPathFactory) -> dict:
    missing = _prerequisites_missing()
    if missing:
        pytest.skip(f"Nuitka's prerequisites are missing: {missing}")
    folder = tmp_path_factory.mktemp("seed_executables")
    env = {**os.environ, "PYEXEC_CACHE_DIR": str(folder / "cache")}
    outputs = {}
    for name, code in SCRIPTS.items():
        (folder / f"{name}.py").write_text(textwrap.dedent(code).lstrip())
        result = subprocess.run([sys.executable, f"{name}.py"], cwd=folder, env=env, capture_output=True,
                                text=True, timeout=900)
        assert result.returncode == 0, f"{name}.py failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
        outputs[name] = result.stdout
    return {"folder": folder, "env": env, "outputs": outputs}


def run_exe(path: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess:
    # A minimal environment and another folder: the executable needs no Python and no source.
    return subprocess.run([str(path), *args], cwd=cwd, env={"PATH": "/usr/bin:/bin"}, capture_output=True,
                          text=True, timeout=120)


def test_greeter_says_hello(workshop, tmp_path):
    exe = workshop["folder"] / "greeter.exe"
    assert os.access(exe, os.X_OK)
    result = run_exe(exe, "Alice", cwd=tmp_path)
    assert (result.returncode, result.stdout) == (0, "Hello, Alice!\n"), result.stderr
    assert run_exe(exe, "Bob", cwd=tmp_path).stdout == "Hello, Bob!\n"


def test_greeter_without_its_argument_prints_usage_and_exits_2(workshop, tmp_path):
    result = run_exe(workshop["folder"] / "greeter.exe", cwd=tmp_path)
    assert result.returncode == 2
    assert "usage: greeter.exe [-h] name" in result.stderr
    helped = run_exe(workshop["folder"] / "greeter.exe", "--help", cwd=tmp_path)
    assert helped.returncode == 0 and "positional arguments" in helped.stdout


def test_show_progress_showed_nuitka_working(workshop):
    out = workshop["outputs"]["greeter_app"]
    assert "pyexec: building greeter.exe from greeter_app.greet with Nuitka" in out
    assert "Nuitka" in out.split("pyexec: building", 1)[1]
    assert "pyexec: built" in out
    assert workshop["outputs"]["calc_app"] == ""  # show_progress=False: silent


def test_calculator_reads_sys_argv(workshop, tmp_path):
    exe = workshop["folder"] / "calc"
    assert run_exe(exe, "10", "+", "5", cwd=tmp_path).stdout == "15.0\n"
    assert run_exe(exe, "6", "*", "7", cwd=tmp_path).stdout == "42.0\n"
    assert run_exe(exe, cwd=tmp_path).stdout == "Usage: calc <num1> <op> <num2>\n"


def test_calculator_exception_exits_nonzero_with_its_message(workshop, tmp_path):
    result = run_exe(workshop["folder"] / "calc", "1", "/", "0", cwd=tmp_path)
    assert result.returncode == 1
    assert "calc: error: ZeroDivisionError: float division by zero" in result.stderr


def test_fizzbuzz_counts_to_15(workshop, tmp_path):
    result = run_exe(workshop["folder"] / "fizzbuzz.exe", "15", cwd=tmp_path)
    assert result.stdout.split() == ["1", "2", "Fizz", "4", "Buzz", "Fizz", "7", "8", "Fizz", "Buzz", "11", "Fizz",
                                     "13", "14", "FizzBuzz"]


def test_unchanged_function_is_not_rebuilt_and_a_changed_module_is(workshop, tmp_path, monkeypatch):
    import importlib.util

    from pyexec.backends.nuitka import aot_compile
    from pyexec.backends.nuitka import executable_build as build

    class WouldRunNuitka(Exception):
        pass

    def refuse(*args, **kwargs):
        raise WouldRunNuitka

    folder = workshop["folder"]
    monkeypatch.setenv("PYEXEC_CACHE_DIR", workshop["env"]["PYEXEC_CACHE_DIR"])
    monkeypatch.setattr(build, "run_nuitka", refuse)
    monkeypatch.chdir(tmp_path)  # the module's own top-level aot_compile writes greeter.exe here
    monkeypatch.syspath_prepend(str(folder))
    spec = importlib.util.spec_from_file_location("greeter_app", folder / "greeter_app.py")
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "greeter_app", module)
    spec.loader.exec_module(module)  # runs aot_compile(greet, "greeter.exe"): served from the cache

    exe = aot_compile(module.greet, tmp_path / "greeter")
    assert exe == tmp_path / "greeter"
    assert run_exe(exe, "Alice", cwd=tmp_path).stdout == "Hello, Alice!\n"

    changed = tmp_path / "changed" / "greeter_app.py"
    changed.parent.mkdir()
    changed.write_text(GREETER.replace("Hello", "Howdy").replace('exe = aot_compile(greet, "greeter.exe", '
                                                                 'show_progress=True)', ""))
    spec = importlib.util.spec_from_file_location("greeter_app", changed)
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "greeter_app", module)
    spec.loader.exec_module(module)
    with pytest.raises(WouldRunNuitka):
        aot_compile(module.greet, tmp_path / "greeter2")


def test_cli_builds_the_greeter(workshop, tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "pyexec.cli", "build", "greeter_app.py", "--target", "exe", "-f", "greet",
         "-o", str(tmp_path / "cli" / "greeter")],
        cwd=workshop["folder"], env=workshop["env"], capture_output=True, text=True, timeout=900,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == str(tmp_path / "cli" / "greeter")
    assert "up to date" in result.stdout  # same module and function as the seed script: the cached build
    assert run_exe(tmp_path / "cli" / "greeter", "Dora", cwd=tmp_path).stdout == "Hello, Dora!\n"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["greeter_app.py", "--target", "exe"], "pass -f NAME once"),
        (["missing_file.py", "--target", "exe", "-f", "greet"], "missing_file.py does not exist"),
        (["greeter_app.py", "--target", "exe", "-f", "nope"], "has no function 'nope' (functions in it: greet)"),
    ],
)
def test_cli_usage_problems_exit_2_before_building(args, message, tmp_path):
    (tmp_path / "greeter_app.py").write_text("def greet(name: str) -> str:\n    return f'Hello, {name}!'\n")
    result = subprocess.run([sys.executable, "-m", "pyexec.cli", "build", *args], cwd=tmp_path, capture_output=True,
                            text=True, timeout=300, env={**os.environ, "PYEXEC_CACHE_DIR": str(tmp_path / "cache")})
    assert result.returncode == 2
    assert result.stderr.startswith("pyexec build: error: ")
    assert message in result.stderr
    assert not (tmp_path / "cache").exists()
