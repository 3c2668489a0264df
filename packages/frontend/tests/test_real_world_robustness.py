"""Real Python the frontend was not written for: every top-level function of some standard-library
modules either compiles to verified IR or raises a CompileError, never an internal exception."""

from __future__ import annotations

import ast
import importlib.util
import sys
from pathlib import Path

import pytest

import pyexec.frontend as fe

# Python 3.12 moved datetime's pure-Python code to _pydatetime (datetime.py only imports it).
DATETIME = "datetime" if sys.version_info < (3, 12) else "_pydatetime"
MODULES = ["colorsys", "bisect", "heapq", "statistics", "calendar", DATETIME, "textwrap", "random", "string"]


def _path(name: str) -> Path:
    spec = importlib.util.find_spec(name)
    assert spec is not None and spec.origin is not None
    return Path(spec.origin)


@pytest.mark.parametrize("module", MODULES)
def test_every_function_of_a_stdlib_module_compiles_or_is_a_compile_error(module: str) -> None:
    path = _path(module)
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = [s.name for s in tree.body if isinstance(s, ast.FunctionDef)]
    assert names
    for name in names:
        try:
            result = fe.analyze_file(path, [name])
        except fe.CompileError as err:
            assert err.file == str(path) and err.line >= 1, f"{name}: {err}"
            continue
        fe.verify_module(result)
