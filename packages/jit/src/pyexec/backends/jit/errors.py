"""The errors ``jit`` raises, and the translation of Numba's errors into them.

Numba reports a function it cannot compile with a long message whose location is
buried in the middle; :func:`translate_numba_error` puts the user's file and line
first, the offending source line under it, and Numba's own detail after.

Example:
    >>> from pyexec.backends.jit import JitCompileError, jit
    >>> @jit
    ... def bad(x):
    ...     return x + "a"
    >>> try:
    ...     bad(1)
    ... except JitCompileError as exc:
    ...     print(exc.lineno is not None)
    True
"""

from __future__ import annotations

import inspect
import linecache
import re
from collections.abc import Callable

_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_UNDEFINED_NAME = re.compile(r"NameError: name '(\w+)' is not defined")
_NEEDS_SCIPY = "scipy 0.16+ is required for linear algebra"

SCIPY_HINT = (
    "matrix products (`@`, numpy.dot, numpy.linalg) in JIT code need SciPy's BLAS/LAPACK, and SciPy is "
    "not installed; install it with `pip install 'pyexec-jit[matmul]'` (or `pip install scipy`)"
)


class JitCompileError(TypeError):
    """A function the JIT (Numba's nopython mode) cannot compile.

    ``filename`` and ``lineno`` point at the user's code, ``numba_message`` holds
    Numba's full explanation (also included at the end of ``str(exc)``).
    """

    def __init__(self, message: str, *, filename: str | None = None, lineno: int | None = None,
                 numba_message: str = "") -> None:
        super().__init__(message)
        self.filename = filename
        self.lineno = lineno
        self.numba_message = numba_message


class MissingSciPyError(JitCompileError, ImportError):
    """JIT code uses a matrix product or linear algebra, which Numba implements with SciPy, and SciPy is missing."""


class NotAFunctionError(TypeError):
    """``jit`` was given something that is not a Python function."""


def needs_scipy(exc: BaseException) -> bool:
    """Whether ``exc`` is Numba saying that SciPy is needed for linear algebra."""
    return _NEEDS_SCIPY in str(exc)


def clean_numba_message(exc: BaseException) -> str:
    """Numba's message without its terminal colour codes."""
    return _ANSI.sub("", str(exc)).strip()


def _summary(message: str) -> str:
    lines = [line.strip() for line in message.splitlines()]
    lines = [line for line in lines if line and not line.startswith("Failed in ") and not line.startswith("During:")]
    if not lines:
        return "Numba could not compile it"
    first = lines[0]
    if first.endswith(":") and len(lines) > 1:
        first = f"{first} {lines[1]}"
    return first


def _location(func: Callable, exc: BaseException, message: str) -> tuple[str | None, int | None]:
    code = getattr(func, "__code__", None)
    filename = code.co_filename if code is not None else None
    loc = getattr(exc, "loc", None)
    if loc is not None and getattr(loc, "line", None) is not None:
        return loc.filename, loc.line
    if code is None:
        return None, None
    undefined = _UNDEFINED_NAME.search(message)
    if _NEEDS_SCIPY in message:
        return _first_line_matching(func, re.compile(r"[^@\s]\s*@\s*\S|\bdot\(|\blinalg\b"))
    if undefined is not None:
        # Numba gives no line for an unknown global: find its first use in the function's body.
        return _first_line_matching(func, re.compile(rf"\b{re.escape(undefined.group(1))}\b"))
    return filename, code.co_firstlineno


def _first_line_matching(func: Callable, pattern: re.Pattern[str]) -> tuple[str | None, int | None]:
    """The first line of ``func``'s body that matches ``pattern`` (else its ``def`` line)."""
    code = func.__code__
    try:
        lines, first = inspect.getsourcelines(func)
    except (OSError, TypeError):
        return code.co_filename, code.co_firstlineno
    for offset, line in enumerate(lines[1:], start=1):
        if pattern.search(line):
            return code.co_filename, first + offset
    return code.co_filename, code.co_firstlineno


def translate_numba_error(func: Callable, exc: BaseException) -> JitCompileError:
    """Turn a Numba compilation error about ``func`` into a :class:`JitCompileError` (or its SciPy subclass)."""
    message = clean_numba_message(exc)
    name = getattr(func, "__qualname__", repr(func))
    if _NEEDS_SCIPY in message:
        filename, lineno = _location(func, exc, message)
        where = f"{filename}:{lineno}: " if filename else ""
        return MissingSciPyError(f"{where}cannot JIT-compile {name!r}: {SCIPY_HINT}\n\nNumba's detail:\n{message}",
                                 filename=filename, lineno=lineno, numba_message=message)
    filename, lineno = _location(func, exc, message)
    head = f"{filename}:{lineno}: " if filename else ""
    text = f"{head}cannot JIT-compile {name!r} in nopython mode: {_summary(message)}"
    if filename and lineno:
        source = linecache.getline(filename, lineno).rstrip()
        if source:
            text += f"\n    {lineno} | {source}"
    text += (
        "\nThe JIT supports the Python subset Numba compiles without Python objects (numbers, NumPy arrays, "
        "tuples, simple lists and dicts); move the rest out of the compiled function."
        f"\n\nNumba's detail:\n{message}"
    )
    return JitCompileError(text, filename=filename, lineno=lineno, numba_message=message)
