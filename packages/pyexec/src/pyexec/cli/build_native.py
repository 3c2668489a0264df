"""``pyexec build FILE.py --target native [-f NAME ...] [-O N] [-o DIR] [--overflow wrap]``.

Writes ``<base>.o``, ``<base>.so`` (``.dylib``/``.dll``) and ``<base>.h`` with pyexec's LLVM backend.
The file is analysed without being executed. ``<base>`` is the file's stem; the functions are the
ones named with ``-f`` (default: every top-level function of the file); ``-o`` is the output
directory (default: the current one).

Example:
    $ pyexec build shapes.py --target native -f area -O 3 -o build/
    build/shapes.o
    build/shapes.so
    build/shapes.h
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add ``--overflow`` (native and wasm share it; the first to add it wins)."""
    try:
        parser.add_argument("--overflow", choices=["check", "wrap"], default="check",
                            help="native/wasm: Python int raises OverflowError outside int64 (check, default) "
                            "or wraps like int64 (wrap)")
    except argparse.ArgumentError:
        pass  # another target already added the same option


def run(args: argparse.Namespace) -> int:
    """Build the three files; 0 on success, 1 on a compile or build error (a message, no traceback)."""
    from pyexec.backends.llvm.errors import NativeError
    from pyexec.backends.llvm.library import build_library
    from pyexec.frontend import CompileError, analyze_file

    file = Path(args.file)
    if not file.is_file():
        print(f"pyexec build: error: {file} does not exist (give the path of a Python file)", file=sys.stderr)
        return 2
    base = file.stem
    output = Path(args.output) if args.output else Path.cwd()
    try:
        module = analyze_file(file, args.functions or None)
        names = list(args.functions or [])
        if not names:
            names = [name for name in module.functions if not name.startswith("_")] or list(module.functions)
        if not base.isidentifier():
            raise _BaseNameProblem(f"the file name {file.name!r} cannot name a C library (its stem must be an "
                                   "identifier); rename the file")
        files = build_library(module, names, base, output, opt=args.opt,
                              overflow=getattr(args, "overflow", "check") or "check")
    except CompileError as exc:
        print(f"pyexec build: {exc}", file=sys.stderr)
        return 1
    except (NativeError, _BaseNameProblem) as exc:
        print(f"pyexec build: error: {exc}", file=sys.stderr)
        return 1
    for key in ("object", "library", "header"):
        print(files[key])
    return 0


class _BaseNameProblem(Exception):
    """The file's name cannot be the library's base name."""
