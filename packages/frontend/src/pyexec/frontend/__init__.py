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
from pyexec.frontend.ir.printer import print_function, print_module
from pyexec.frontend.ir.verify import verify_module

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
