"""Shared fixtures: load hand-built IR as a callable, the same way ``aot`` does after analysis."""

from __future__ import annotations

import inspect
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from pyexec.backends.llvm.inprocess import CompiledFunction, build_native_module
from pyexec.frontend.ir import nodes as n


def load_ir(module: n.Module, root: str = "f", **options: Any) -> Callable[..., Any]:
    """Compile ``module`` and return its ``root`` function as a native callable."""
    func = module.functions[root]
    native = build_native_module(module, [root], use_cache=False, **options)

    def template() -> None:
        """Signature holder."""

    template.__name__ = template.__qualname__ = root
    template.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [inspect.Parameter(p.name, inspect.Parameter.POSITIONAL_OR_KEYWORD) for p in func.params]
    )
    compiled = CompiledFunction(template, opt=options.get("opt", 2), overflow=options.get("overflow", "check"))
    compiled._attach(native, root)
    return compiled


@pytest.fixture(autouse=True)
def _isolated_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYEXEC_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "pyexec-cache"))
    monkeypatch.delenv("PYEXEC_NO_CACHE", raising=False)


def outcome(fn: Callable[..., Any], *args: Any) -> tuple[str, Any]:
    """A call's result or exception type, comparable across CPython and compiled code."""
    try:
        value = fn(*args)
    except (ArithmeticError, ValueError, AssertionError, TypeError) as exc:
        return ("raises", type(exc).__name__)
    if isinstance(value, float) and value != value:
        return ("value", "nan")
    if isinstance(value, float):
        return ("value", (value, str(value)))  # str tells -0.0 from 0.0
    return ("value", value)


os.environ.setdefault("PYEXEC_TEST", "1")
