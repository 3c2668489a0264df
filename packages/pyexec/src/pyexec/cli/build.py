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
    for target in targets:
        module = importlib.import_module(f"pyexec.cli.build_{target}")
        if hasattr(module, "add_arguments"):
            module.add_arguments(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    module = importlib.import_module(f"pyexec.cli.build_{args.target}")
    return int(module.run(args) or 0)
