"""The generated launcher, run by plain Python: what the executable does, without the minutes Nuitka takes."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from pyexec.backends.nuitka import UnsupportedFunctionError
from pyexec.backends.nuitka.command_line import command_line_spec
from pyexec.backends.nuitka.function_target import locate_function
from pyexec.backends.nuitka.launcher import launcher_source

USER_MODULE = textwrap.dedent(
    '''
    import sys

    from pyexec import aot_compile

    GREETING = "Hello"


    def shout(text: str) -> str:
        return text.upper()


    def greet(name: str, loud: bool = False) -> str:
        """Greet someone."""
        message = f"{GREETING}, {name}!"
        return shout(message) if loud else message


    def calculator():
        if len(sys.argv) != 4:
            print("Usage: calc <num1> <op> <num2>")
            return
        a = float(sys.argv[1])
        b = float(sys.argv[3])
        print(a + b if sys.argv[2] == "+" else a - b)


    def divide(a: int, b: int) -> float:
        return a / b


    exe = aot_compile(greet, "greeter")
    print("built", exe.name, file=sys.stderr)

    if __name__ == "__main__":
        print("the main block must not run inside the executable")
    '''
)


@pytest.fixture
def user_module(tmp_path: Path) -> Path:
    (tmp_path / "greetings_app.py").write_text(USER_MODULE)
    return tmp_path


def write_launcher(folder: Path, function_name: str, spec: dict) -> Path:
    launcher = folder / f"launch_{function_name}.py"
    launcher.write_text(launcher_source("greetings_app", function_name, spec))
    return launcher


def run_launcher(folder: Path, launcher: Path, *args: str) -> subprocess.CompletedProcess:
    # -I: isolated from the developer's pyexec, as inside the executable; the module's folder is the path.
    code = f"import sys, runpy; sys.path.insert(0, {str(folder)!r}); sys.argv[1:] = {list(args)!r}; " \
           f"runpy.run_path({str(launcher)!r}, run_name='__main__')"
    return subprocess.run([sys.executable, "-I", "-c", code], capture_output=True, text=True, timeout=60)


def spec_of(source_folder: Path, name: str) -> dict:
    namespace: dict = {}
    code = USER_MODULE.replace('exe = aot_compile(greet, "greeter")', "exe = None").replace(
        'print("built", exe.name, file=sys.stderr)', "")
    exec(compile(code.replace("from pyexec import aot_compile", ""), str(source_folder / "x.py"), "exec"), namespace)
    return command_line_spec(namespace[name])


def test_launcher_runs_the_function_with_its_module_globals_and_helpers(user_module):
    launcher = write_launcher(user_module, "greet", spec_of(user_module, "greet"))
    result = run_launcher(user_module, launcher, "Alice")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "Hello, Alice!\n"
    loud = run_launcher(user_module, launcher, "Bob", "--loud")
    assert loud.stdout == "HELLO, BOB!\n"


def test_top_level_aot_compile_inside_the_executable_returns_the_program_itself(user_module):
    launcher = write_launcher(user_module, "greet", spec_of(user_module, "greet"))
    result = run_launcher(user_module, launcher, "Alice")
    assert f"built {launcher.name}" in result.stderr
    assert "main block" not in result.stdout


def test_launcher_without_parameters_passes_sys_argv_through(user_module):
    launcher = write_launcher(user_module, "calculator", spec_of(user_module, "calculator"))
    assert run_launcher(user_module, launcher, "10", "+", "5").stdout == "15.0\n"
    assert run_launcher(user_module, launcher).stdout == "Usage: calc <num1> <op> <num2>\n"


def test_launcher_usage_error_exits_2_and_exception_exits_1(user_module):
    launcher = write_launcher(user_module, "divide", spec_of(user_module, "divide"))
    usage = run_launcher(user_module, launcher, "1")
    assert usage.returncode == 2 and f"usage: {launcher.name}" in usage.stderr
    failure = run_launcher(user_module, launcher, "1", "0")
    assert failure.returncode == 1
    assert f"{launcher.name}: error: ZeroDivisionError: division by zero" in failure.stderr
    assert run_launcher(user_module, launcher, "1", "4").stdout == "0.25\n"


def test_other_pyexec_names_inside_the_executable_say_they_are_not_there(tmp_path):
    (tmp_path / "greetings_app.py").write_text("from pyexec import wasm\n\ndef f() -> None:\n    return None\n")
    launcher = write_launcher(tmp_path, "f", {"prog": "f", "description": "", "takes_argv": True, "params": []})
    result = run_launcher(tmp_path, launcher)
    assert result.returncode != 0
    assert "pyexec.wasm is not available inside an executable built by pyexec.aot_compile" in result.stderr


SCALAR_MODULE = "from pyexec import uint8\n\ndef wrap(n: int) -> int:\n    return int(uint8(n) + uint8(200))\n"


def test_scalar_types_imported_from_pyexec_at_top_level_work_inside_the_executable(tmp_path):
    # The build puts pyexec.types and NumPy in the executable for such a module; here they are on the path.
    import numpy

    import pyexec.types

    (tmp_path / "greetings_app.py").write_text(SCALAR_MODULE)
    spec = command_line_spec(_function_of(tmp_path, "wrap"))
    launcher = write_launcher(tmp_path, "wrap", spec)
    extra = [str(Path(pyexec.types.__file__).parents[2]), str(Path(numpy.__file__).parents[1])]
    code = f"import sys, runpy; sys.path[:0] = {[str(tmp_path), *extra]!r}; sys.argv[1:] = ['100']; " \
           f"runpy.run_path({str(launcher)!r}, run_name='__main__')"
    result = subprocess.run([sys.executable, "-I", "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "44\n"  # uint8 wraps: (100 + 200) % 256, as in CPython with NumPy


def test_a_module_using_pyexec_scalar_types_gets_them_in_its_executable(tmp_path):
    from pyexec.backends.nuitka.executable_build import PYEXEC_COMPILERS, nuitka_options

    # pyexec.types' own name for it: this package's tests run without the pyexec meta-package
    (tmp_path / "uses_uint8.py").write_text(SCALAR_MODULE.replace("from pyexec import", "from pyexec.types import"))
    (tmp_path / "plain_app.py").write_text("def f(n: int) -> int:\n    return n\n")
    sys.path.insert(0, str(tmp_path))
    try:
        import plain_app
        import uses_uint8
    finally:
        sys.path.remove(str(tmp_path))
    scalar_target, plain_target = locate_function(uses_uint8.wrap), locate_function(plain_app.f)
    assert scalar_target.needs_scalar_types and not plain_target.needs_scalar_types
    assert "--nofollow-import-to=pyexec" not in nuitka_options(scalar_target)
    assert all(f"--nofollow-import-to={name}" in nuitka_options(scalar_target) for name in PYEXEC_COMPILERS)
    assert "--nofollow-import-to=pyexec" in nuitka_options(plain_target)


def _function_of(folder: Path, name: str):
    namespace: dict = {}
    source = (folder / "greetings_app.py").read_text().replace("from pyexec import", "from pyexec.types import")
    exec(compile(source, str(folder / "greetings_app.py"), "exec"), namespace)
    return namespace[name]


@pytest.mark.parametrize("bad", ["1module", "class", "a-b"])
def test_launcher_refuses_names_that_cannot_be_imported(bad):
    with pytest.raises(UnsupportedFunctionError, match="not an importable Python name"):
        launcher_source(bad, "f", {"prog": "f", "description": "", "takes_argv": True, "params": []})


def test_locate_function_in_a_package_module_puts_the_package_parent_on_the_path():
    import json.decoder

    target = locate_function(json.decoder.py_scanstring)
    assert (target.module_name, target.function_name) == ("json.decoder", "py_scanstring")
    assert target.root == Path(json.decoder.__file__).resolve().parent.parent


def test_locate_function_refuses_lambdas_and_nested_functions():
    def inner() -> None:
        return None

    with pytest.raises(UnsupportedFunctionError, match="top level"):
        locate_function(lambda: None)
    with pytest.raises(UnsupportedFunctionError, match="top level"):
        locate_function(inner)
    with pytest.raises(UnsupportedFunctionError, match="Python function"):
        locate_function(len)


def test_locate_function_of_a_script_uses_the_file_name(tmp_path):
    script = tmp_path / "my_tool.py"
    script.write_text(
        "import json, sys\nfrom pyexec.backends.nuitka.function_target import locate_function\n"
        "def tool() -> None:\n    return None\n"
        "t = locate_function(tool)\nprint(json.dumps([t.module_name, t.function_name, str(t.root)]))\n"
    )
    out = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == f'["my_tool", "tool", "{tmp_path.resolve()}"]'


def test_a_script_named_like_a_standard_module_must_be_renamed(tmp_path):
    script = tmp_path / "random.py"
    script.write_text(
        "from pyexec.backends.nuitka.function_target import locate_function\n"
        "def tool() -> None:\n    return None\nlocate_function(tool)\n"
    )
    out = subprocess.run([sys.executable, "-P", str(script)] if sys.version_info >= (3, 11) else
                         [sys.executable, str(script)], capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert "rename the file" in out.stderr


def square(x: int) -> int:
    return x * x


def test_seed_quick_reference_jit_function_runs_as_nuitka_compiled_python(tmp_path):
    (tmp_path / "greetings_app.py").write_text(textwrap.dedent(
        """
        import pyexec
        from pyexec import aot_compile

        @pyexec.jit
        def func(x: int) -> int:
            return x * x

        @pyexec.jit(fastmath=True)
        def helper(x: float) -> float:
            return x / 2

        aot_compile(func, "app")
        """
    ))
    spec = {"prog": "func", "description": "", "takes_argv": False,
            "params": [{"name": "x", "type": "int", "kind": "positional", "required": True, "default": None,
                        "help": "", "pass": "position"}]}
    launcher = write_launcher(tmp_path, "func", spec)
    result = run_launcher(tmp_path, launcher, "7")
    assert (result.returncode, result.stdout) == (0, "49\n"), result.stderr


def test_spec_of_a_jitted_function_comes_from_its_python_original():
    pytest.importorskip("numba", reason="needs Numba to make a pyexec.jit function")
    jit = pytest.importorskip("pyexec.backends.jit", reason="needs pyexec-jit").jit

    target = locate_function(jit(square))
    assert target.function is square
    assert command_line_spec(target.function)["params"][0]["type"] == "int"
