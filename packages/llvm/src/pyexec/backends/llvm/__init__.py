"""pyexec's native backend: typed IR → LLVM IR → optimised machine code.

- :func:`aot` compiles a Python function for this process (``@aot``, ``@aot(opt=3, overflow="wrap")``);
- :func:`compile_llvm` writes ``<base>.o``, ``<base>.so`` and ``<base>.h`` for C and C++ callers;
- :func:`lower_module` lowers a typed IR module for any LLVM target (the wasm backend uses it).

Example:
    >>> from pyexec.backends.llvm import aot
    >>> @aot
    ... def mul(a: int, b: int) -> int:
    ...     return a * b
    >>> mul(6, 7)
    42
"""

from __future__ import annotations

from typing import Any

from pyexec.backends.llvm.errors import (
    CCompilerError,
    InvalidSymbolNameError,
    NativeBuildError,
    NativeError,
    UnsupportedConstructError,
)
from pyexec.backends.llvm.lowering import lower_module

__all__ = [
    "CCompilerError",
    "InvalidSymbolNameError",
    "NativeBuildError",
    "NativeError",
    "UnsupportedConstructError",
    "aot",
    "compile_llvm",
    "lower_module",
]


def __getattr__(name: str) -> Any:
    # aot and compile_llvm pull in the in-process machinery (ctypes, MCJIT) only when used.
    if name == "aot":
        from pyexec.backends.llvm.inprocess import aot

        return aot
    if name == "compile_llvm":
        from pyexec.backends.llvm.library import compile_llvm

        return compile_llvm
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
