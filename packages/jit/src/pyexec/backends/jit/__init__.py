"""pyexec's JIT: Numba's nopython mode behind pyexec's API.

Example:
    >>> from pyexec.backends.jit import jit
    >>> @jit
    ... def fib(n: int) -> int:
    ...     return n if n <= 1 else fib(n - 1) + fib(n - 2)
    >>> fib(20)
    6765
"""

from pyexec.backends.jit.errors import JitCompileError, MissingSciPyError, NotAFunctionError
from pyexec.backends.jit.jitted_function import NUMBA_OPTIONS, JitFunction, jit

__all__ = ["NUMBA_OPTIONS", "JitCompileError", "JitFunction", "MissingSciPyError", "NotAFunctionError", "jit"]
