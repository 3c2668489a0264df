"""``pyexec build FILE.py --target wasm [-f NAME ...] [-O N] [-o DIR] [--overflow wrap]``.

Writes ``<stem>.wasm``, ``<stem>.js`` (ES module glue), ``<stem>.d.ts`` and ``<stem>.html`` (demo page)
with pyexec's WebAssembly backend. The file is analysed without being executed; the functions are
the ones named with ``-f`` (default: every top-level function not starting with ``_``); ``-o`` is the
output directory (default: the current one).

Example:
    $ pyexec build game.py --target wasm -f clamp -f lerp -O 3 -o web/
    web/game.wasm
    web/game.js
    web/game.d.ts
    web/game.html
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
    """Build the four files; 0 on success, 1 on a compile or build error (a message, no traceback)."""
    from pyexec.backends.wasm import LinkError, WasmBuildError, compile_ir_module, write_outputs
    from pyexec.frontend import CompileError, analyze_file

    file = Path(args.file)
    if not file.is_file():
        print(f"pyexec build: error: {file} does not exist (give the path of a Python file)", file=sys.stderr)
        return 2
    output = Path(args.output) if args.output else Path.cwd()
    try:
        module = analyze_file(file, args.functions or None)
        names = list(args.functions or [])
        if not names:
            names = [name for name in module.functions if not name.startswith("_")] or list(module.functions)
        compiled = compile_ir_module(module, optimize=args.opt, functions=names,
                                     overflow=getattr(args, "overflow", "check") or "check")
        files = write_outputs(compiled, output / f"{file.stem}.wasm")
    except CompileError as exc:
        print(f"pyexec build: {exc}", file=sys.stderr)
        return 1
    except (WasmBuildError, LinkError) as exc:
        print(f"pyexec build: error: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"pyexec build: error: cannot write to {output}: {exc.strerror}", file=sys.stderr)
        return 1
    for key in ("wasm", "js", "dts", "html"):
        print(files[key])
    return 0
