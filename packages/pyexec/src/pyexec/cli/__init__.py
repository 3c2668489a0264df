"""The ``pyexec`` command.

Each subcommand lives in a module of this package that defines ``add_parser(subparsers)``
(registering its options and setting ``func``); ``build``'s targets live in
``pyexec.cli.build_<target>`` modules, found when they exist, so this file
stays a table and imports no compiler until a command runs.

Example:
    $ pyexec build examples.py --target native -f fib -o out/
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

SUBCOMMANDS = ["build", "check", "demo", "explain"]
"""Modules of this package that each define one subcommand (those not yet written are skipped)."""


def make_parser() -> argparse.ArgumentParser:
    from pyexec import __version__

    parser = argparse.ArgumentParser(
        prog="pyexec",
        description="Compile Python functions to native code, shared libraries, WebAssembly and executables.",
    )
    parser.add_argument("--version", action="version", version=f"pyexec {__version__}")
    subparsers = parser.add_subparsers(title="commands", metavar="COMMAND")
    for name in SUBCOMMANDS:
        try:
            module = importlib.import_module(f"pyexec.cli.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"pyexec.cli.{name}":
                continue
            raise
        module.add_parser(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``pyexec`` command line; returns the process exit status."""
    parser = make_parser()
    args = parser.parse_args(argv)
    if not hasattr(args, "func"):
        parser.print_help()
        return 2
    return int(args.func(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
