"""``pyexec build FILE.py --target TARGET [-f NAME ...] [-O N] [-o OUT]``.

Each target is a module ``pyexec.cli.build_<target>`` with ``add_arguments(parser)`` (optional)
and ``run(args) -> int``; the targets offered are those whose module is installed.

Example:
    $ pyexec build shapes.py --target native -f area -O 3 -o build/
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import sys
from pathlib import Path
from typing import Any

TARGETS = {
    "native": "compile with pyexec's LLVM backend to <name>.o, <name>.so and <name>.h",
    "wasm": "compile with pyexec's WebAssembly backend to <name>.wasm, .js, .d.ts and .html",
    "exe": "build a standalone executable of one function and its module with Nuitka",
}


def available_targets() -> dict[str, str]:
    return {t: h for t, h in TARGETS.items() if importlib.util.find_spec(f"pyexec.cli.build_{t}") is not None}


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    targets = available_targets()
    if not targets:
        return  # no backend distribution with a build target is installed
    parser = subparsers.add_parser(
        "build",
        help="compile functions of a Python file to native libraries, WebAssembly or an executable",
        description="Compile functions of a Python file. Targets: "
        + "; ".join(f"{t}: {h}" for t, h in targets.items()),
        epilog="The file is read as CPython reads a module it imports (a UTF-8 BOM, a coding declaration "
        "and any line endings are fine). Exit status: 0 built; 1 the build failed (a compile error; for exe a "
        "syntax error or failing top-level code in the module; an output that cannot be written: read-only, "
        "or a file in the way); 2 a usage problem (a missing file, a directory given as the file). Errors are "
        "one line on stderr naming the file and what to do (compile errors add the source line), never a "
        "traceback.",
    )
    parser.add_argument("file", help="the Python file that defines the functions")
    parser.add_argument("--target", "-t", required=True, choices=sorted(targets), help="what to build")
    parser.add_argument("-f", "--function", dest="functions", action="append", metavar="NAME",
                        help="a function to compile (repeat for several; default: every top-level function "
                        "for native and wasm, required for exe)")
    parser.add_argument("-O", dest="opt", type=int, choices=[0, 1, 2, 3], default=2,
                        help="optimisation level (default 2)")
    parser.add_argument("-o", "--output", dest="output", default=None,
                        help="output directory (native, wasm) or executable path (exe)")
    if {"native", "wasm"} & set(targets):
        parser.add_argument("--overflow", choices=["check", "wrap"], default="check",
                            help="native/wasm: Python int raises OverflowError outside int64 (check, default) "
                            "or wraps like int64 (wrap)")
    for target in targets:
        module = importlib.import_module(f"pyexec.cli.build_{target}")
        if hasattr(module, "add_arguments"):
            module.add_arguments(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    module = importlib.import_module(f"pyexec.cli.build_{args.target}")
    return int(module.run(args) or 0)


class BuildInputError(Exception):
    """The file to build is missing or not a file (exit status 2: a usage problem, not a compile error)."""


def input_file_problem(file: Path) -> str | None:
    """What is wrong with ``file`` as the Python file to build (None if it is a readable file).

    Example:
        >>> input_file_problem(Path("/"))
        '/ is a directory, not a Python file (give the path of a .py file)'
    """
    if file.is_dir():
        return f"{file} is a directory, not a Python file (give the path of a .py file)"
    if not file.exists():
        return f"{file} does not exist (give the path of a Python file)"
    if not file.is_file():
        return f"{file} is not a regular file (give the path of a .py file)"
    return None


def output_problem(output: Path, exc: OSError) -> str:
    """A one-line message for an output directory that cannot be written, saying what to do.

    Example:
        >>> output_problem(Path("out"), FileExistsError(17, "File exists", "out"))
        'error: cannot write to out: out exists and is not a directory (remove it or choose another directory with -o)'
    """
    blocker = next((p for p in (output, *output.parents) if p.exists() and not p.is_dir()), None)
    if blocker is not None:
        return (f"error: cannot write to {output}: {blocker} exists and is not a directory "
                "(remove it or choose another directory with -o)")
    where = exc.filename or output
    return f"error: cannot write to {output}: {where}: {exc.strerror or exc} (choose a writable directory with -o)"


def analyze_for_build(args: argparse.Namespace) -> tuple[Path, Any, list[str]]:
    """The file, its typed IR module (read, not executed) and the functions to build.

    The functions are those named with ``-f``, else every top-level function whose name does not
    start with ``_`` (every function, if all do). Shared by the native and wasm targets.

    Example:
        >>> file, module, names = analyze_for_build(args)  # doctest: +SKIP
    """
    from pyexec.frontend import CompileError, analyze_file

    file = Path(args.file)
    problem = input_file_problem(file)
    if problem:
        raise BuildInputError(problem)
    try:
        module = analyze_file(file, args.functions or None)
    except CompileError as exc:
        if args.functions:
            raise
        # Every top-level function was taken: say how to build only the ones that compile.
        more = (f"build only the functions you need with -f NAME (`pyexec check {file}` lists every "
                "function that would not compile)")
        raise type(exc)(exc.message, file=exc.file, line=exc.line, col=exc.col, source_line=exc.source_line,
                        hint=f"{exc.hint}; or {more}" if exc.hint else more) from None
    names = list(args.functions or [])
    if not names:
        names = [name for name in module.functions if not name.startswith("_")] or list(module.functions)
    return file, module, names


def fail(message: str, status: int = 1) -> int:
    """Print ``pyexec build: <message>`` on stderr and return the exit status."""
    print(f"pyexec build: {message}", file=sys.stderr)
    return status
