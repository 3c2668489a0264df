"""pyexec's frontend: typed Python functions → checked, typed IR, with diagnostics a person can act on.

Example:
    >>> from pyexec.frontend import analyze_source, print_module, verify_module
    >>> m = analyze_source("def double(x: int) -> int:\\n    return 2 * x\\n", "ex.py")
    >>> verify_module(m)
    >>> print(print_module(m))
    module 'ex.py'
    <BLANKLINE>
    def double(x: int) -> int:  # ex.py:1:1
        return mul<int>(2:int, x)
    <BLANKLINE>
"""

from pyexec.frontend.api import analyze_file, analyze_functions, analyze_source
from pyexec.frontend.diagnostics import (
    CompileError,
    CompileNameError,
    CompileTypeError,
    IRVerifyError,
    SourceUnavailableError,
    UnsupportedSyntaxError,
)

# The printer and the verifier load on first use (PEP 562), keeping ``import pyexec.frontend`` light.
_LAZY = {
    "print_function": "pyexec.frontend.ir.printer",
    "print_module": "pyexec.frontend.ir.printer",
    "verify_module": "pyexec.frontend.ir.verify",
}

__all__ = [
    "CompileError",
    "CompileNameError",
    "CompileTypeError",
    "IRVerifyError",
    "SourceUnavailableError",
    "UnsupportedSyntaxError",
    "analyze_file",
    "analyze_functions",
    "analyze_source",
    "print_function",
    "print_module",
    "verify_module",
]


def __getattr__(name: str) -> object:
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'pyexec.frontend' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
