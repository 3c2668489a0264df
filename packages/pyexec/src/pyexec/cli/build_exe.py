"""``pyexec build FILE.py --target exe -f NAME [-o OUT]``: one function of a file → a standalone executable.

The file is imported as a module named after it (its top-level code runs, as on any import),
then :func:`pyexec.aot_compile` builds the function with Nuitka, showing its progress.
``-o`` is the executable's path (default: ``./NAME``, ``NAME.exe`` on Windows). ``-O`` does not
apply to Nuitka builds and is ignored.

Example:
    $ pyexec build greeter_app.py --target exe -f greet -o dist/greeter
    $ dist/greeter Alice
    Hello, Alice!
"""

from __future__ import annotations

import argparse
import importlib.util
import inspect
import sys
from pathlib import Path
from types import ModuleType


class _UsageProblem(Exception):
    """A problem with the command line or the file, reported as ``pyexec build: error: ...`` (status 2)."""


class _ModuleProblem(Exception):
    """The user's module does not import (a syntax error, an exception at top level): status 1."""


def _load_module(file: Path) -> ModuleType:
    from pyexec.cli.build import input_file_problem

    problem = input_file_problem(file)
    if problem:
        raise _UsageProblem(problem)
    if file.suffix != ".py":
        raise _UsageProblem(f"{file} is not a .py file")
    name = file.stem
    if not name.isidentifier() or name in sys.stdlib_module_names:
        raise _UsageProblem(f"{file.name} cannot be imported under its own name; rename it to a Python identifier "
                            "that is not a standard module's name")
    spec = importlib.util.spec_from_file_location(name, file)
    if spec is None or spec.loader is None:
        raise _UsageProblem(f"cannot load {file} as a Python module")
    module = importlib.util.module_from_spec(spec)
    sys.path.insert(0, str(file.parent))
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)  # the module's own loader: a BOM and coding declarations work as in CPython
    except SyntaxError as exc:
        where = f"{exc.filename or file}:{exc.lineno or 0}:{exc.offset or 0}"
        raise _ModuleProblem(f"{where}: invalid Python syntax: {exc.msg} (fix the syntax error; the file must be "
                             "valid Python)") from None
    except Exception as exc:  # the user's top-level code failed: report it, not pyexec's traceback
        message = " ".join(str(exc).split())  # one line, whatever the exception's text
        raise _ModuleProblem(f"importing {file} failed: {type(exc).__name__}: {message} (its top-level code runs "
                             "when it is built for --target exe; fix the error)") from None
    return module


def _function(module: ModuleType, name: str, file: Path) -> object:
    func = getattr(module, name, None)
    if func is None or not callable(func):
        defined = [n for n, v in vars(module).items() if inspect.isfunction(v) and v.__module__ == module.__name__]
        raise _UsageProblem(f"{file.name} has no function {name!r} (functions in it: {', '.join(defined) or 'none'})")
    return func


def run(args: argparse.Namespace) -> int:
    """Build the executable; 0 on success, 1 if the build fails, 2 for a usage problem."""
    from pyexec.backends.nuitka import ExecutableBuildError, aot_compile

    file = Path(args.file)
    try:
        if not args.functions or len(args.functions) != 1:
            raise _UsageProblem("--target exe builds one function: pass -f NAME once")
        module = _load_module(file)
        func = _function(module, args.functions[0], file)
    except _UsageProblem as exc:
        print(f"pyexec build: error: {exc}", file=sys.stderr)
        return 2
    except _ModuleProblem as exc:
        print(f"pyexec build: error: {exc}", file=sys.stderr)
        return 1
    output = args.output if args.output else Path.cwd() / args.functions[0]
    try:
        path = aot_compile(func, output, show_progress=True)
    except ExecutableBuildError as exc:
        print(f"pyexec build: error: {exc}", file=sys.stderr)
        return 1
    print(path)
    return 0
