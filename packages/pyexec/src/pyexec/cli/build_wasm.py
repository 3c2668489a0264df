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
from pathlib import Path


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--libm", choices=["host", "linked"], default="host",
                        help="wasm: import math functions from the host (host, default: the engine's Math in "
                        "JavaScript) or link glibc's into the module (linked: the same bits in every engine; "
                        "LGPL-2.1 code in the module)")


def run(args: argparse.Namespace) -> int:
    """Build the four files; 0 on success, 1 on a compile or build error (a message, no traceback)."""
    from pyexec.backends.wasm import LinkError, WasmBuildError, compile_ir_module, write_outputs
    from pyexec.cli.build import BuildInputError, analyze_for_build, fail, output_problem
    from pyexec.frontend import CompileError

    output = Path(args.output) if args.output else Path.cwd()
    try:
        file, module, names = analyze_for_build(args)
        compiled = compile_ir_module(module, optimize=args.opt, functions=names, overflow=args.overflow,
                                     libm=args.libm)
        files = write_outputs(compiled, output / f"{file.stem}.wasm")
    except BuildInputError as exc:
        return fail(f"error: {exc}", status=2)
    except CompileError as exc:
        return fail(str(exc))
    except (WasmBuildError, LinkError) as exc:
        return fail(f"error: {exc}")
    except OSError as exc:
        return fail(output_problem(output, exc))
    for key in ("wasm", "js", "dts", "html"):
        print(files[key])
    return 0
