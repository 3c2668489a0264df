"""What runs inside a built executable: the command line of the function, then the function.

This module uses the standard library only. Its source is embedded in each generated
launcher (see :mod:`pyexec.backends.nuitka.launcher`), so the executable does not need
pyexec installed; the spec it reads is plain data made at build time by
:func:`pyexec.backends.nuitka.command_line.command_line_spec`.

Example:
    >>> spec = {"prog": "greet", "description": "Say hello.", "takes_argv": False,
    ...         "params": [{"name": "name", "type": "str", "kind": "positional", "required": True,
    ...                     "default": None, "help": "", "pass": "position"}]}
    >>> def greet(name):
    ...     return f"Hello, {name}!"
    >>> main(greet, spec, ["Alice"])
    Hello, Alice!
    0
"""

from __future__ import annotations

import argparse
import os
import sys
import types
from collections.abc import Callable, Sequence
from typing import Any

TRUE_WORDS = ("1", "true", "yes", "y", "on")
FALSE_WORDS = ("0", "false", "no", "n", "off")
TRACEBACK_VARIABLE = "PYEXEC_TRACEBACK"


def parse_bool(text: str) -> bool:
    """``"yes"``/``"true"``/``"1"``/``"on"`` → True and their opposites → False (any case)."""
    word = text.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise argparse.ArgumentTypeError(f"invalid bool value: {text!r} (use one of {', '.join(TRUE_WORDS + FALSE_WORDS)})")


CONVERTERS: dict[str, Callable[[str], Any]] = {"int": int, "float": float, "str": str, "bool": parse_bool}


def _option_name(name: str) -> str:
    return "--" + name.replace("_", "-")


def make_parser(spec: dict[str, Any], prog: str | None = None) -> argparse.ArgumentParser:
    """The ``argparse`` parser a spec describes (positionals, options with defaults, bool flags)."""
    parser = argparse.ArgumentParser(
        prog=prog or spec["prog"],
        description=spec["description"] or None,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    for param in spec["params"]:
        convert = CONVERTERS[param["type"]]
        text = param["help"]
        metavar = param["type"].upper()
        if param["kind"] == "positional":
            parser.add_argument(param["name"], type=convert, help=text or f"({param['type']})")
        elif param["kind"] == "varargs":
            parser.add_argument(param["name"], type=convert, nargs="*", help=text or f"({param['type']}, any number)")
        elif param["type"] == "bool" and not param["required"]:
            default = param["default"]
            parser.add_argument(_option_name(param["name"]), dest=param["name"], action=argparse.BooleanOptionalAction,
                                default=default, help=f"{text} (default: {default})".strip())
        else:
            extra = "" if param["required"] else f" (default: {param['default']!r})"
            parser.add_argument(_option_name(param["name"]), dest=param["name"], type=convert, metavar=metavar,
                                required=param["required"], default=param["default"], help=f"{text}{extra}".strip())
    return parser


def call_with_argv(func: Callable[..., Any], spec: dict[str, Any], argv: Sequence[str] | None = None) -> Any:
    """Parse ``argv`` (default ``sys.argv[1:]``) as the spec says and call ``func``; returns its result.

    A function without parameters is called with nothing: it reads ``sys.argv`` itself.
    Wrong arguments print a usage message and raise ``SystemExit(2)`` (argparse's convention).
    """
    if spec["takes_argv"]:
        return func()
    prog = os.path.basename(sys.argv[0]) if sys.argv and sys.argv[0] else spec["prog"]
    namespace = make_parser(spec, prog).parse_args(argv)
    positional: list[Any] = []
    keyword: dict[str, Any] = {}
    for param in spec["params"]:
        value = getattr(namespace, param["name"])
        if param["kind"] == "varargs":
            positional.extend(value)
        elif param["pass"] == "position":
            positional.append(value)
        else:
            keyword[param["name"]] = value
    return func(*positional, **keyword)


def main(func: Callable[..., Any], spec: dict[str, Any], argv: Sequence[str] | None = None) -> int:
    """Run ``func`` as a program: print a non-None result; an exception prints its message and gives status 1."""
    try:
        result = call_with_argv(func, spec, argv)
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # the program's failure, reported as a command-line tool reports it
        if os.environ.get(TRACEBACK_VARIABLE):
            import traceback

            traceback.print_exc()
        prog = os.path.basename(sys.argv[0]) if sys.argv and sys.argv[0] else spec["prog"]
        detail = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        print(f"{prog}: error: {detail}", file=sys.stderr)
        return 1
    if result is not None:
        print(result)
    return 0


def _already_compiled(func: Any = None, /, **options: Any) -> Any:
    """``@jit``, ``@jit(...)``, ``@aot``, ``@compile`` inside the executable: Nuitka compiled the function already."""
    if func is None:
        return lambda f: f
    return func


def install_pyexec_inside_executable() -> None:
    """Give the user's module the ``pyexec`` it imports, inside the executable.

    The module often builds its own executable at top level (``exe = aot_compile(f, "app")``): inside
    that executable ``aot_compile`` has nothing left to build and returns the executable's path.
    Functions decorated with ``jit``, ``aot`` or ``compile`` are already compiled, by Nuitka, with the
    module: the decorators leave them as they are. The scalar types (``from pyexec import uint8``) come
    from ``pyexec.types`` when the build put it in (it does when the module uses them). pyexec's
    compilers are not part of the executable, so any other pyexec name raises ImportError saying so.
    """
    if "pyexec" in sys.modules:
        return
    module = types.ModuleType("pyexec", "pyexec, as seen from inside an executable built by pyexec.aot_compile")

    def aot_compile(func: Callable[..., Any], output: str, show_progress: bool = False) -> Any:
        from pathlib import Path

        return Path(sys.argv[0]).absolute()

    def __getattr__(name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        try:  # the scalar types (`from pyexec import uint8`), when the executable contains pyexec.types
            import pyexec.types as scalar_types
        except ImportError:
            scalar_types = None
        if scalar_types is not None and name in scalar_types.__all__:
            return getattr(scalar_types, name)
        raise ImportError(
            f"pyexec.{name} is not available inside an executable built by pyexec.aot_compile: the executable "
            "contains the function's module and the Python it imports, not pyexec's compilers"
        )

    # A package, so that the parts of pyexec an executable may contain (pyexec.types, for a frozen scalar
    # type) import under it: Nuitka's loader finds its compiled modules by name, plain Python on this path.
    import pkgutil

    module.__path__ = pkgutil.extend_path([], "pyexec")  # type: ignore[attr-defined]
    module.aot_compile = aot_compile  # type: ignore[attr-defined]
    module.jit = module.aot = module.compile = _already_compiled  # type: ignore[attr-defined]
    module.__getattr__ = __getattr__  # type: ignore[attr-defined]
    sys.modules["pyexec"] = module
