"""``jit``: a Python function compiled by Numba in nopython mode, behind pyexec's API.

The result is a :class:`JitFunction`: it calls Numba's dispatcher, keeps the
function's name, docstring and signature, turns Numba's compilation errors into
:class:`~pyexec.backends.jit.JitCompileError`, and is itself understood by Numba,
so jitted functions call each other (and themselves) at native speed.

Example:
    >>> from pyexec.backends.jit import jit
    >>> @jit
    ... def square(x: int) -> int:
    ...     return x * x
    >>> square(7)
    49
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any, overload

from pyexec.backends.jit import matmul
from pyexec.backends.jit.errors import NotAFunctionError, needs_scipy, translate_numba_error

NUMBA_OPTIONS = ("cache", "parallel", "fastmath", "nogil", "boundscheck")
"""The Numba options ``jit`` passes through (all keyword-only, Numba's defaults)."""


def _register_pyexec_types() -> None:
    # The numba_extensions entry point does this when pyexec-types' metadata is installed;
    # calling it here makes pyexec's scalar types work inside jitted code in any environment.
    try:
        from pyexec.types import numba_support
    except ImportError:  # pyexec-types absent: plain Numba types still work
        return
    numba_support.init()


class JitFunction:
    """A function compiled on first call (per argument types) by Numba's nopython mode.

    Calling it runs the machine code; ``py_func`` is the original Python function and
    ``dispatcher`` Numba's dispatcher (for ``signatures``, ``inspect_types()`` and so on).
    """

    def __init__(self, func: Callable[..., Any], options: dict[str, Any]) -> None:
        import numba

        self.py_func = func
        self.options = dict(options)
        self.dispatcher = numba.njit(**{k: v for k, v in options.items() if v is not None})(func)
        functools.update_wrapper(self, func)
        self.__signature__ = inspect.signature(func)

    @property
    def _numba_type_(self) -> Any:
        # Numba types a global or argument by this attribute: calls from other jitted
        # code (recursion included) go straight to the compiled dispatcher.
        return self.dispatcher._numba_type_

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        from numba.core.errors import NumbaError

        try:
            return self.dispatcher(*args, **kwargs)
        except NumbaError as exc:
            raise translate_numba_error(self.py_func, exc) from None
        except ImportError as exc:
            # Numba raises a bare ImportError while generating a BLAS call without SciPy.
            if needs_scipy(exc):
                raise translate_numba_error(self.py_func, exc) from None
            raise

    def __get__(self, instance: Any, owner: type | None = None) -> Any:
        return self if instance is None else functools.partial(self, instance)

    def __repr__(self) -> str:
        return f"<pyexec.jit function {self.__qualname__}>"


@overload
def jit(func: Callable[..., Any], /) -> JitFunction: ...
@overload
def jit(
    *, cache: bool = ..., parallel: bool = ..., fastmath: bool = ..., nogil: bool = ..., boundscheck: bool | None = ...
) -> Callable[[Callable[..., Any]], JitFunction]: ...


def jit(
    func: Callable[..., Any] | None = None,
    /,
    *,
    cache: bool = False,
    parallel: bool = False,
    fastmath: bool = False,
    nogil: bool = False,
    boundscheck: bool | None = None,
) -> JitFunction | Callable[[Callable[..., Any]], JitFunction]:
    """Compile ``func`` with Numba in nopython mode (no Python-object fallback), on its first call.

    Use as ``@jit`` or ``@jit(cache=True, parallel=True, fastmath=True, nogil=True, boundscheck=True)``;
    the options mean what they mean in ``numba.njit``. Code Numba cannot compile raises
    :class:`~pyexec.backends.jit.JitCompileError` at the first call, with the user's file and line first.

    Example:
        >>> @jit(fastmath=True)
        ... def mean(xs):
        ...     return xs.sum() / len(xs)
        >>> import numpy as np
        >>> float(mean(np.arange(5.0)))
        2.0
    """
    options = {"cache": cache, "parallel": parallel, "fastmath": fastmath, "nogil": nogil, "boundscheck": boundscheck}

    def decorate(f: Callable[..., Any]) -> JitFunction:
        if isinstance(f, JitFunction):
            f = f.py_func
        if not inspect.isfunction(f):
            raise NotAFunctionError(
                f"jit compiles Python functions (def or lambda), not {type(f).__name__} {f!r}; "
                "decorate the function itself"
            )
        _register_pyexec_types()
        matmul.register()
        return JitFunction(f, options)

    if func is None:
        return decorate
    return decorate(func)
