"""pyexec's executable builder: a function and its module → a standalone program, with Nuitka.

Example:
    >>> from pyexec.backends.nuitka import aot_compile
    >>> def greet(name: str) -> str:
    ...     return f"Hello, {name}!"
    >>> aot_compile(greet, "greeter")  # doctest: +SKIP
"""

from pyexec.backends.nuitka.cache import CACHE_VARIABLE, cache_root
from pyexec.backends.nuitka.errors import (
    ExecutableBuildError,
    MissingPrerequisiteError,
    NuitkaBuildError,
    UnfreezableVariableError,
    UnsupportedFunctionError,
)
from pyexec.backends.nuitka.executable_build import aot_compile

__all__ = [
    "CACHE_VARIABLE",
    "ExecutableBuildError",
    "MissingPrerequisiteError",
    "NuitkaBuildError",
    "UnfreezableVariableError",
    "UnsupportedFunctionError",
    "aot_compile",
    "cache_root",
]
