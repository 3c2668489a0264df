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
from pathlib import Path


def run(args: argparse.Namespace) -> int:
    """Build the three files; 0 on success, 1 on a compile or build error (a message, no traceback)."""
    from pyexec.backends.llvm.errors import NativeError
    from pyexec.backends.llvm.library import build_library
    from pyexec.cli.build import BuildInputError, analyze_for_build, fail, output_problem
    from pyexec.frontend import CompileError

    output = Path(args.output) if args.output else Path.cwd()
    try:
        file, module, names = analyze_for_build(args)
        if not file.stem.isidentifier():
            return fail(f"error: the file name {file.name!r} cannot name a C library (its stem must be an "
                        "identifier); rename the file")
        files = build_library(module, names, file.stem, output, opt=args.opt, overflow=args.overflow)
    except BuildInputError as exc:
        return fail(f"error: {exc}", status=2)
    except CompileError as exc:
        return fail(str(exc))
    except NativeError as exc:
        return fail(f"error: {exc}")
    except OSError as exc:  # a read-only output directory, or a file where a directory should be
        return fail(output_problem(output, exc))
    for key in ("object", "library", "header"):
        print(files[key])
    return 0
