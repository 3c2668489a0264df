"""Where a function lives, as an import the launcher can make: module name, folder to put on the path, file.

Example:
    >>> import json
    >>> target = locate_function(json.dumps)
    >>> (target.module_name, target.function_name)
    ('json', 'dumps')
"""

from __future__ import annotations

import inspect
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pyexec.backends.nuitka.errors import UnsupportedFunctionError


@dataclass(frozen=True)
class FunctionTarget:
    """A module file's top-level function: ``from <module_name> import <function_name>``, ``root`` on the path."""

    module_name: str
    function_name: str
    module_file: Path
    root: Path
    function: Callable[..., Any]
    needs_scalar_types: bool = False
    """The module holds pyexec's scalar types (``from pyexec import uint8``): the executable contains
    ``pyexec.types`` and NumPy, and the ``pyexec`` it sees gives those names."""


def _uses_scalar_types(module: object) -> bool:
    """True when a module-level name is one of ``pyexec.types``' objects or that module itself."""
    for value in vars(module).values():
        home = value.__name__ if inspect.ismodule(value) else getattr(type(value), "__module__", "")
        if isinstance(home, str) and (home == "pyexec.types" or home.startswith("pyexec.types.")):
            return True
    return False


def _module_name_for_main(file: Path, func_name: str) -> str:
    name = file.stem
    if not name.isidentifier():
        raise UnsupportedFunctionError(
            f"{func_name} is defined in {file.name}, whose name is not an importable module name; "
            "rename the file to a Python identifier (letters, digits, underscores)"
        )
    if name in sys.stdlib_module_names or name in {"pyexec", "nuitka"}:
        raise UnsupportedFunctionError(
            f"{func_name} is defined in {file.name}, which has the name of the module {name!r} that Python or "
            "pyexec already has; rename the file"
        )
    return name


def locate_function(func: Callable[..., Any]) -> FunctionTarget:
    """Find the module file that defines ``func`` at its top level; raise UnsupportedFunctionError if there is none."""
    target = inspect.unwrap(func) if callable(func) else func
    target = getattr(target, "py_func", target)  # a pyexec.jit function: its Python original
    if not inspect.isfunction(target):
        raise UnsupportedFunctionError(f"aot_compile builds an executable from a Python function, not {func!r}")
    name, qualname = target.__name__, target.__qualname__
    if name == "<lambda>" or qualname != name:
        raise UnsupportedFunctionError(
            f"{qualname} is not defined at the top level of its module; the executable imports the function "
            "by name, so define it with `def` (at module level, or inside a function: aot_compile then freezes "
            "its free variables into a module of its own)"
        )
    module = sys.modules.get(target.__module__)
    file = getattr(module, "__file__", None)
    if module is None or not file:
        raise UnsupportedFunctionError(
            f"{name} was not defined in a .py file (module {target.__module__!r}); put it in a file and import "
            "or run that file"
        )
    path = Path(file).resolve()
    if path.suffix != ".py":
        raise UnsupportedFunctionError(f"{name} comes from {path}, which is not Python source (.py)")
    if getattr(module, name, None) is None:
        raise UnsupportedFunctionError(f"module {target.__module__!r} has no top-level name {name!r}")
    if target.__module__ == "__main__":
        module_name = _module_name_for_main(path, name)
        return FunctionTarget(module_name, name, path, path.parent, target, _uses_scalar_types(module))
    module_name = target.__module__
    root = path.parent
    levels = module_name.count(".") + (1 if path.stem == "__init__" else 0)
    for _ in range(levels):
        root = root.parent
    return FunctionTarget(module_name, name, path, root, target, _uses_scalar_types(module))
