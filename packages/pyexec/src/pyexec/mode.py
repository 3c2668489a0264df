"""``compile``: one decorator whose backend the ``PYEXEC_MODE`` environment variable picks.

``development`` (the default) compiles with the JIT (:func:`pyexec.jit`, Numba);
``production`` with the native backend (:func:`pyexec.aot`, LLVM), whose diagnostic
propagates when it cannot compile the function: there is no silent fallback.

Both modes compute pyexec's semantics: with complete annotations the JIT uses the declared types as
its signature and raises where ``aot`` raises (``int`` overflow, negative shift counts, ``math``
domain errors). ``integration_tests/test_compile_modes_agree.py`` runs a corpus both ways against
CPython; docs/backends/jit.md lists the differences that remain.

Example:
    >>> import pyexec
    >>> @pyexec.compile
    ... def fibonacci(n: int) -> int:
    ...     if n <= 1:
    ...         return n
    ...     return fibonacci(n - 1) + fibonacci(n - 2)
    >>> fibonacci(10)
    55
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

MODE_VARIABLE = "PYEXEC_MODE"
MODES = {
    "development": "compile with the JIT (pyexec.jit, Numba's nopython mode) on first call",
    "production": "compile ahead of time with pyexec's native LLVM backend (pyexec.aot)",
}
DEFAULT_MODE = "development"


class ModeError(ValueError):
    """``PYEXEC_MODE`` holds a value that is not one of :data:`MODES`."""


def current_mode() -> str:
    """The mode ``compile`` uses now: ``PYEXEC_MODE``, case and spaces ignored (unset or empty: development).

    Example:
        >>> current_mode() in MODES
        True
    """
    raw = os.environ.get(MODE_VARIABLE, "")
    value = raw.strip().lower() or DEFAULT_MODE
    if value not in MODES:
        valid = "; ".join(f"{name!r}: {what}" for name, what in MODES.items())
        raise ModeError(
            f"{MODE_VARIABLE}={raw!r} is not a pyexec mode. Valid values are {valid}. "
            f"Set it to one of them, or unset it for {DEFAULT_MODE!r}."
        )
    return value


def compile(func: Callable[..., Any]) -> Callable[..., Any]:
    """Compile ``func`` with the backend ``PYEXEC_MODE`` selects (read when ``compile`` is called).

    In ``production`` mode a function the native backend does not support raises its
    ``CompileError`` (with file, line and a hint) rather than quietly running under the JIT.

    Example:
        >>> import pyexec
        >>> square = pyexec.compile(lambda x: x * x)
        >>> square(12)
        144
    """
    mode = current_mode()
    if mode == "production":
        from pyexec.backends.llvm import aot

        return aot(func)
    from pyexec.backends.jit import jit

    return jit(func)
