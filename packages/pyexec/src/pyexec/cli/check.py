"""``pyexec check FILE.py [-f NAME ...]``: will production mode compile these functions?

Reads the file (never executes it) and analyses, as ``PYEXEC_MODE=production`` would, every function
that pyexec's own compiler would be asked to compile: those decorated with ``compile`` or ``aot`` (any
spelling: ``@pyexec.compile``, ``@aot(opt=3)``, ...) and those passed to ``aot``, ``compile``,
``compile_llvm``, ``wasm`` or ``wasm_multi`` at the top level of the module (for a ``.ipynb`` file, of
its code cells). ``-f`` names functions instead; with neither, every top-level function is checked.
Each function is analysed on its own, so one unsupported function does not hide the diagnostics of the
others: every diagnostic is printed, and the exit status is 1 when there is any (2 for a file that
cannot be read).

Example:
    $ pyexec check shapes.py
    shapes.py: 3 functions check: area, perimeter, scale
"""

from __future__ import annotations

import argparse
import ast
import sys
from pathlib import Path

PRODUCTION_DECORATORS = {"compile", "aot"}
"""Decorators that mean "pyexec's compiler compiles this in production" (``jit`` is Numba's, always)."""

COMPILING_CALLS = {"compile", "aot", "compile_llvm", "wasm", "wasm_multi"}
"""Calls at module level whose first argument (a function, or a list of them) pyexec's compiler takes."""


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "check",
        help="report every reason production mode (aot) would refuse the functions of a file",
        description="Analyse, without running the file, every function that compile/aot/wasm would compile "
        "as production mode does, and print every diagnostic at once. Exit status: 0 when all check, "
        "1 when any diagnostic is printed, 2 when the file cannot be read.",
    )
    parser.add_argument("file", help="the Python file that defines the functions")
    parser.add_argument("-f", "--function", dest="functions", action="append", metavar="NAME",
                        help="a function to check (repeat for several; default: the functions the file "
                        "marks for compile/aot/wasm, or every top-level function if it marks none)")
    parser.set_defaults(func=run)


def _callee_name(node: ast.expr) -> str | None:
    """``aot`` for ``aot``, ``pyexec.aot``, ``aot(...)`` and ``pyexec.aot(...)``."""
    if isinstance(node, ast.Call):
        node = node.func
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def marked_functions(tree: ast.Module) -> list[str]:
    """Top-level functions that the module hands to pyexec's compiler, in file order.

    Example:
        >>> marked_functions(ast.parse("@aot\\ndef f(): pass\\ndef g(): pass\\nwasm(g, 'g.wasm')\\n"))
        ['f', 'g']
    """
    defs = [s.name for s in tree.body if isinstance(s, ast.FunctionDef)]
    chosen: set[str] = set()
    for stmt in tree.body:
        if isinstance(stmt, ast.FunctionDef) and any(
            _callee_name(d) in PRODUCTION_DECORATORS for d in stmt.decorator_list
        ):
            chosen.add(stmt.name)
    for node in ast.walk(ast.Module(body=[s for s in tree.body if not isinstance(s, ast.FunctionDef)],
                                    type_ignores=[])):
        if isinstance(node, ast.Call) and _callee_name(node.func) in COMPILING_CALLS and node.args:
            first = node.args[0]
            items = first.elts if isinstance(first, (ast.List, ast.Tuple)) else [first]
            chosen.update(item.id for item in items if isinstance(item, ast.Name) and item.id in defs)
    return [name for name in defs if name in chosen]


def run(args: argparse.Namespace) -> int:
    """Check the functions; print one line per function that checks and every diagnostic."""
    from pyexec.cli.notebook import NotebookCode, is_notebook
    from pyexec.frontend import CompileError, analyze_source
    from pyexec.frontend.source import read_source_file

    file = Path(args.file)
    if file.is_dir():
        return _fail(f"{file} is a directory; give the path of a Python file", 2)
    notebook = None
    try:
        if is_notebook(file):
            notebook = NotebookCode.read(file)
            text = notebook.text
        elif not file.exists():
            return _fail(f"{file} does not exist (give the path of a Python file)", 2)
        else:
            text = read_source_file(file)
    except (OSError, ValueError) as exc:
        return _fail(f"cannot read {file}: {exc}", 2)
    except CompileError as exc:  # bytes that the file's encoding refuses
        print(exc, file=sys.stderr)
        return 2
    try:
        tree = ast.parse(text, filename=str(file))
    except SyntaxError:
        tree = None  # analyze_source below reports it, located, as a CompileError
    if tree is None:
        names: list[str] = [""]
    elif args.functions:
        names = list(args.functions)
    else:
        names = marked_functions(tree)
        if not names:
            names = [s.name for s in tree.body if isinstance(s, ast.FunctionDef)]
            if not names:
                print(f"{file}: no top-level function to check")
                return 0
            print(f"{file}: no function is marked for compile/aot/wasm; checking every top-level function")
    passed: list[str] = []
    reported: set[str] = set()
    for name in names:
        try:
            analyze_source(text, str(file), [name] if name else None)
        except CompileError as exc:
            message = str(notebook.relocate(exc, file) if notebook else exc)
            if message not in reported:  # a callee's error shows once, not under each caller
                reported.add(message)
                print(message, file=sys.stderr)
            continue
        passed.append(name)
    if reported:
        failed = len(names) - len(passed)
        print(f"{file}: {len(reported)} diagnostic{'s' * (len(reported) != 1)}; {failed} of {len(names)} "
              "functions would not compile in production mode", file=sys.stderr)
        return 1
    print(f"{file}: {len(passed)} function{'s' * (len(passed) != 1)} check: {', '.join(passed)}")
    return 0


def _fail(message: str, status: int) -> int:
    print(f"pyexec check: error: {message}", file=sys.stderr)
    return status
