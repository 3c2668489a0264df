"""The errors ``aot_compile`` raises; all derive from :class:`ExecutableBuildError`.

Example:
    >>> from pyexec.backends.nuitka import ExecutableBuildError, aot_compile
    >>> try:
    ...     aot_compile(lambda: 1, "app")
    ... except ExecutableBuildError as exc:
    ...     print(type(exc).__name__)
    UnsupportedFunctionError
"""

from __future__ import annotations


class ExecutableBuildError(RuntimeError):
    """An executable could not be built (a RuntimeError, as the seed's API reference documents)."""


class UnsupportedFunctionError(ExecutableBuildError, TypeError):
    """The function cannot be the entry point of an executable (where it is defined, or its parameters)."""


class UnfreezableVariableError(UnsupportedFunctionError):
    """A nested function uses a variable whose value could change after the build, so it cannot be frozen.

    ``variable`` is the variable's name and ``function`` the qualified name of the function that uses it;
    the message says why and what to do.
    """

    def __init__(self, message: str, *, variable: str, function: str) -> None:
        super().__init__(message)
        self.variable = variable
        self.function = function


class MissingPrerequisiteError(ExecutableBuildError):
    """A tool Nuitka needs (C compiler, patchelf, Python headers, Nuitka itself) is missing.

    ``missing`` lists the tools by name; the message says how to install each.
    """

    def __init__(self, message: str, missing: list[str]) -> None:
        super().__init__(message)
        self.missing = missing


class NuitkaBuildError(ExecutableBuildError):
    """Nuitka ran and failed; ``log_tail`` holds the end of its output and ``log_path`` the whole log."""

    def __init__(self, message: str, *, returncode: int, log_tail: str, log_path: str) -> None:
        super().__init__(message)
        self.returncode = returncode
        self.log_tail = log_tail
        self.log_path = log_path
