"""A function's signature, annotations and docstring → the spec of its executable's command line.

Parameters without a default become positional arguments, parameters with one become
``--options`` (``bool`` ones ``--flag``/``--no-flag``), keyword-only ones without a default
required options, ``*args`` any number of trailing arguments. Supported annotations:
``int``, ``float``, ``str``, ``bool`` (none means ``str``). The docstring becomes ``--help``;
a Google-style ``Args:`` section gives each parameter its help line.

Example:
    >>> def greet(name: str, times: int = 1) -> str:
    ...     '''Say hello.'''
    ...     return ", ".join([f"Hello, {name}!"] * times)
    >>> [(p["name"], p["kind"], p["type"]) for p in command_line_spec(greet)["params"]]
    [('name', 'positional', 'str'), ('times', 'option', 'int')]
"""

from __future__ import annotations

import ast
import inspect
import re
import typing
from collections.abc import Callable
from typing import Any

from pyexec.backends.nuitka.errors import UnsupportedFunctionError

TYPE_NAMES = {int: "int", float: "float", str: "str", bool: "bool"}
_SECTION = re.compile(r"^(Args|Arguments|Parameters|Params)\s*:\s*$")
_ANY_SECTION = re.compile(r"^[A-Z][A-Za-z ]*:\s*$")
_PARAM_LINE = re.compile(r"^\*{0,2}(\w+)\s*(?:\([^)]*\))?\s*:\s*(.*)$")


def split_docstring(doc: str | None) -> tuple[str, dict[str, str]]:
    """The docstring without its ``Args:`` section, and that section as ``{parameter: help}``.

    Example:
        >>> split_docstring("Add.\\n\\nArgs:\\n    a: first\\n    b (int): second\\n")
        ('Add.', {'a': 'first', 'b': 'second'})
    """
    if not doc:
        return "", {}
    lines = inspect.cleandoc(doc).splitlines()
    kept: list[str] = []
    helps: dict[str, str] = {}
    in_args = False
    current: str | None = None
    for line in lines:
        stripped = line.strip()
        if _SECTION.match(stripped) and not line.startswith(" "):
            in_args, current = True, None
            continue
        if in_args:
            if stripped and not line.startswith(" ") and _ANY_SECTION.match(stripped):
                in_args = False
            elif stripped:
                match = _PARAM_LINE.match(stripped)
                if match and line.startswith(" ") and len(line) - len(line.lstrip()) <= 4:
                    current = match.group(1)
                    helps[current] = match.group(2).strip()
                elif current is not None:
                    helps[current] = f"{helps[current]} {stripped}".strip()
                continue
            else:
                continue
        kept.append(line)
    return "\n".join(kept).strip(), helps


def _type_name(func: Callable[..., Any], name: str, annotation: Any) -> str:
    if annotation is inspect.Parameter.empty:
        return "str"
    if annotation in TYPE_NAMES:
        return TYPE_NAMES[annotation]
    shown = getattr(annotation, "__name__", None) or repr(annotation)
    raise UnsupportedFunctionError(
        f"parameter {name!r} of {func.__qualname__} is annotated {shown}; an executable's command line "
        "passes int, float, str or bool (or an unannotated str). Take one of those and convert inside "
        "the function, or give the function no parameters and read sys.argv."
    )


def _literal_default(func: Callable[..., Any], name: str, default: Any) -> Any:
    try:
        if ast.literal_eval(repr(default)) == default:
            return default
    except (ValueError, SyntaxError):
        pass
    raise UnsupportedFunctionError(
        f"parameter {name!r} of {func.__qualname__} has the default {default!r}, which cannot be written into "
        "the executable; use a number, string, bool or None as the default"
    )


def command_line_spec(func: Callable[..., Any]) -> dict[str, Any]:
    """Describe ``func``'s command line as plain data (what the launcher embeds); see the module docstring."""
    try:
        hints = typing.get_type_hints(func)
    except Exception as exc:  # an annotation naming something undefined, for example
        raise UnsupportedFunctionError(f"cannot read the annotations of {func.__qualname__}: {exc}") from None
    signature = inspect.signature(func)
    description, helps = split_docstring(func.__doc__)
    params: list[dict[str, Any]] = []
    kinds = inspect.Parameter
    for param in signature.parameters.values():
        if param.kind is kinds.VAR_KEYWORD:
            raise UnsupportedFunctionError(
                f"{func.__qualname__} takes **{param.name}; an executable's command line gives only named "
                "parameters and *args"
            )
        type_name = _type_name(func, param.name, hints.get(param.name, param.annotation))
        required = param.default is kinds.empty
        entry = {
            "name": param.name,
            "type": type_name,
            "required": required,
            "default": None if required else _literal_default(func, param.name, param.default),
            "help": helps.get(param.name, ""),
            "pass": "keyword" if param.kind is kinds.KEYWORD_ONLY else "position",
        }
        if param.kind is kinds.VAR_POSITIONAL:
            entry.update(kind="varargs", required=False, default=[])
        elif param.kind is kinds.KEYWORD_ONLY or not required:
            entry["kind"] = "option"
        else:
            entry["kind"] = "positional"
        params.append(entry)
    return {
        "prog": func.__name__,
        "description": description,
        "takes_argv": not params,
        "params": params,
    }
