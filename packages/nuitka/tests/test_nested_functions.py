"""aot_compile of a function defined inside another one: its free variables frozen into a generated module.

Most tests run the generated module and launcher with plain Python (what the executable runs, without
the minutes Nuitka takes); one real Nuitka build, shared by its tests, proves the executable. The
build that also contains NumPy (a frozen pyexec scalar type) takes several minutes, so it runs only
with PYEXEC_NUITKA_SLOW=1.
"""

from __future__ import annotations

import functools
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest

from pyexec.backends.nuitka import UnfreezableVariableError, UnsupportedFunctionError, aot_compile
from pyexec.backends.nuitka import executable_build as build
from pyexec.backends.nuitka.command_line import command_line_spec
from pyexec.backends.nuitka.frozen_function import freeze_function
from pyexec.backends.nuitka.launcher import launcher_source

OFFSET = 100
"""A global of this module that the nested functions below read: frozen like a cell."""


def add_offset(x: int) -> int:
    """A top-level function of this (test) module: its source is frozen too, not its module imported."""
    return x + OFFSET


def make_checksum(scale: int):
    """A factory: the nested function closes over a number, a string, a math function, helpers."""
    label = "sum"
    root = math.sqrt

    def square(v: int) -> int:
        return v * v

    def factorial(n: int) -> int:
        return 1 if n <= 1 else n * factorial(n - 1)

    def checksum(n: int, verbose: bool = False) -> str:
        """Checksum of N (frozen closure)."""
        total = add_offset(square(n) * scale) + factorial(5) + int(root(144))
        return f"{label}={total}" + (f" (scale {scale})" if verbose else "")

    return checksum


def run_frozen(func, folder: Path, *args: str) -> subprocess.CompletedProcess:
    """Run the generated module through its launcher with plain Python, isolated, as the executable would."""
    program = freeze_function(func)
    (folder / f"{program.module_name}.py").write_text(program.source)
    launcher = folder / "launch.py"
    launcher.write_text(launcher_source(program.module_name, program.function_name, command_line_spec(func)))
    code = (f"import sys, runpy; sys.path.insert(0, {str(folder)!r}); sys.argv[1:] = {list(args)!r}; "
            f"runpy.run_path({str(launcher)!r}, run_name='__main__')")
    return subprocess.run([sys.executable, "-I", "-c", code], capture_output=True, text=True, timeout=120,
                          cwd=folder)


def test_nested_function_runs_with_its_closure_frozen_as_in_cpython(tmp_path):
    checksum = make_checksum(3)
    for args, expected in [(["4"], checksum(4)), (["7", "--verbose"], checksum(7, verbose=True))]:
        result = run_frozen(checksum, tmp_path, *args)
        assert (result.returncode, result.stdout) == (0, expected + "\n"), result.stderr
    assert checksum(4) == "sum=280"  # 16*3 + 100 + 120 + 12: the oracle itself is what we think


def test_generated_module_holds_the_values_not_the_enclosing_code():
    source = freeze_function(make_checksum(3)).source
    assert "scale = 3" in source and "label = 'sum'" in source and "OFFSET = 100" in source
    assert "from math import sqrt as root" in source
    assert "def factorial(n: int) -> int:" in source and "def add_offset(x: int) -> int:" in source
    assert "make_checksum" not in source.split('"""', 2)[2]  # the factory itself is not in the program


def test_scalar_type_from_the_enclosing_function_is_pyexec_types_own(tmp_path):
    from pyexec.types import uint8  # as a user writes `from pyexec import uint8` inside a test

    bits = 3

    def wrap(n: int) -> int:
        return int(uint8(n) << bits) + int(uint8(n * 7))

    program = freeze_function(wrap)
    assert program.needs_scalar_types
    assert "from pyexec.types.scalars import uint8" in program.source
    assert "--nofollow-import-to=pyexec" not in build.nuitka_options(program)  # pyexec.types goes in
    assert "--nofollow-import-to=pyexec.backends" in build.nuitka_options(program)  # the compilers stay out
    result = run_frozen(wrap, tmp_path, "300")
    assert (result.returncode, result.stdout) == (0, f"{wrap(300)}\n"), result.stderr


def test_nested_function_calling_itself_and_a_sibling_recursively(tmp_path):
    def make():
        def is_even(n: int) -> bool:
            return True if n == 0 else is_odd(n - 1)

        def is_odd(n: int) -> bool:
            return False if n == 0 else is_even(n - 1)

        return is_even

    result = run_frozen(make(), tmp_path, "7")
    assert (result.returncode, result.stdout) == (0, "False\n"), result.stderr


def test_module_of_the_standard_library_is_imported_not_frozen(tmp_path):
    import json as codec

    def dump(n: int) -> str:
        return codec.dumps({"n": n, "inf": math.inf})

    assert "import json as codec" in freeze_function(dump).source
    result = run_frozen(dump, tmp_path, "2")
    assert (result.returncode, result.stdout) == (0, dump(2) + "\n"), result.stderr


def _refusal(func) -> UnfreezableVariableError:
    with pytest.raises(UnfreezableVariableError) as caught:
        aot_compile(func, "never-built")
    return caught.value


def test_closure_over_a_list_is_refused_naming_the_variable_and_the_fix():
    sizes = [1, 2]

    def first() -> int:
        return sizes[0]

    error = _refusal(first)
    assert (error.variable, error.function) == ("sizes", first.__qualname__)
    assert "which holds a list" in str(error) and "must be a value nothing can change" in str(error)
    assert "pass it to the function as a parameter" in str(error)


def test_cell_assigned_twice_or_in_a_loop_or_through_nonlocal_is_refused():
    limit = 1
    limit = 2

    def over(n: int) -> bool:
        return n > limit

    assert "assigns it more than once" in str(_refusal(over))

    makers = []
    for step in range(3):
        def stepped(n: int) -> int:
            return n * step  # noqa: B023 (the late binding is what is refused)

        makers.append(stepped)
    error = _refusal(makers[0])
    assert error.variable == "step" and "assigns it in a loop" in str(error)

    count = 0

    def bump() -> None:
        nonlocal count
        count += 1

    def read() -> int:
        return count

    bump()
    assert "nonlocal" in str(_refusal(read))


def test_comprehension_variable_of_the_same_name_is_not_a_reassignment(tmp_path):
    n = 3
    squares = tuple([n * n for n in range(4)])

    def scaled(x: int) -> int:
        return x * n + len(squares)

    result = run_frozen(scaled, tmp_path, "5")
    assert (result.returncode, result.stdout) == (0, f"{scaled(5)}\n"), result.stderr


def test_cell_not_assigned_yet_object_and_class_are_refused():
    def early() -> int:
        return later

    with pytest.raises(UnfreezableVariableError, match="not assigned yet"):
        aot_compile(early, "never-built")
    later = 1
    assert later == 1

    class Box:
        pass

    box = Box()

    def read_box() -> int:
        return box.value

    assert "holds a Box" in str(_refusal(read_box))

    def make_box() -> object:
        return Box()

    assert "the class " in str(_refusal(make_box))


def test_helper_wrapped_by_a_decorator_is_refused_naming_it():
    def logged(fn):
        @functools.wraps(fn)
        def wrapper(*args):
            return fn(*args)

        return wrapper

    @logged
    def double(x: int) -> int:
        return 2 * x

    def use(n: int) -> int:
        return double(n)

    error = _refusal(use)
    assert error.variable == "double" and "wrapped by a decorator" in str(error)


def test_pyexec_jit_helper_is_frozen_as_its_python_original(tmp_path):
    pytest.importorskip("numba", reason="needs Numba to make a pyexec.jit function")
    jit = pytest.importorskip("pyexec.backends.jit", reason="needs pyexec-jit").jit

    @jit
    def cube(x: int) -> int:
        return x * x * x

    def use(n: int) -> int:
        return cube(n) + 1

    source = freeze_function(use).source
    assert "def cube(x: int) -> int:" in source and "@jit" not in source
    result = run_frozen(use, tmp_path, "3")
    assert (result.returncode, result.stdout) == (0, f"{use(3)}\n"), result.stderr


def test_function_that_assigns_a_global_is_refused():
    def set_offset() -> None:
        global OFFSET
        OFFSET = 1

    error = _refusal(set_offset)
    assert error.variable == "OFFSET" and "assigns the global" in str(error)


def test_lambda_is_still_refused_with_the_fix():
    with pytest.raises(UnsupportedFunctionError, match="define it with `def`"):
        aot_compile(lambda: 1, "never-built")


def test_frozen_values_are_part_of_the_cache_key(tmp_path, monkeypatch):
    monkeypatch.setenv("PYEXEC_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(build, "check_prerequisites", lambda env: env)
    generated: list[str] = []

    def fake_nuitka(command, env, cwd, log_path, show_progress):
        # Stands in for Nuitka (minutes per build): records the frozen module it was given.
        generated.append((Path(cwd) / "pyexec_frozen_checksum.py").read_text())
        assert str(cwd) in env["PYTHONPATH"].split(os.pathsep)  # the generated module can be found
        out = Path(next(c for c in command if c.startswith("--output-dir=")).split("=", 1)[1])
        out.mkdir(parents=True)
        (out / "checksum").write_bytes(b"#!/bin/sh\necho built\n")
        log_path.write_text("ok\n")

    monkeypatch.setattr(build, "run_nuitka", fake_nuitka)
    aot_compile(make_checksum(3), tmp_path / "a")
    aot_compile(make_checksum(3), tmp_path / "b")  # the same values: the cached build
    aot_compile(make_checksum(4), tmp_path / "c")  # another value: another program
    assert len(generated) == 2
    assert "scale = 3" in generated[0] and "scale = 4" in generated[1]


def _prerequisites_missing() -> str | None:
    from pyexec.backends.nuitka import MissingPrerequisiteError
    from pyexec.backends.nuitka.prerequisites import check_prerequisites

    try:
        check_prerequisites(dict(os.environ))
    except MissingPrerequisiteError as exc:
        return str(exc)
    return None


def run_exe(path: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess:
    # A minimal environment and another folder: the executable needs no Python, no source, no pyexec.
    return subprocess.run([str(path), *args], cwd=cwd, env={"PATH": "/usr/bin:/bin"}, capture_output=True,
                          text=True, timeout=120)


@pytest.fixture(scope="module")
def built_checksum(tmp_path_factory: pytest.TempPathFactory) -> Path:
    missing = _prerequisites_missing()
    if missing:
        pytest.skip(f"Nuitka's prerequisites are missing: {missing}")
    folder = tmp_path_factory.mktemp("nested_exe")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PYEXEC_CACHE_DIR", str(folder / "cache"))
        return aot_compile(make_checksum(3), folder / "checksum")


@pytest.mark.slow
def test_executable_of_a_nested_function_returns_what_cpython_returns(built_checksum, tmp_path):
    checksum = make_checksum(3)
    for args, expected in [(["4"], checksum(4)), (["9", "--verbose"], checksum(9, verbose=True))]:
        result = run_exe(built_checksum, *args, cwd=tmp_path)
        assert (result.returncode, result.stdout) == (0, expected + "\n"), result.stderr
    helped = run_exe(built_checksum, "--help", cwd=tmp_path)
    assert helped.returncode == 0 and "Checksum of N (frozen closure)." in helped.stdout
    usage = run_exe(built_checksum, "four", cwd=tmp_path)
    assert usage.returncode == 2 and "invalid int value" in usage.stderr


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore:overflow encountered:RuntimeWarning")  # NumPy's, in the CPython oracle
@pytest.mark.skipif(not os.environ.get("PYEXEC_NUITKA_SLOW"),
                    reason="builds an executable with NumPy inside (several minutes): set PYEXEC_NUITKA_SLOW=1")
def test_executable_with_a_frozen_scalar_type_wraps_as_numpy_does(tmp_path):
    missing = _prerequisites_missing()
    if missing:
        pytest.skip(f"Nuitka's prerequisites are missing: {missing}")
    from pyexec.types import int8, uint8

    def wrap(n: int) -> str:
        return f"{int(uint8(n))} {int(int8(n))} {uint8(n) + uint8(200)!r}"

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PYEXEC_CACHE_DIR", str(tmp_path / "cache"))
        exe = aot_compile(wrap, tmp_path / "wrap")
    for n in ("300", "-1", "127"):
        result = run_exe(exe, n, cwd=tmp_path)
        assert (result.returncode, result.stdout) == (0, wrap(int(n)) + "\n"), result.stderr
