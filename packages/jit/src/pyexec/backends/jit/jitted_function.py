"""``jit``: a Python function compiled by Numba in nopython mode, behind pyexec's API.

The result is a :class:`JitFunction`: it calls Numba's dispatcher, keeps the
function's name, docstring and signature, turns Numba's compilation errors into
:class:`~pyexec.backends.jit.JitCompileError`, and is itself understood by Numba,
so jitted functions call each other (and themselves) at native speed.

Two things make the JIT compute what CPython (and ``aot``) compute: complete scalar annotations
become the one Numba signature the function has (:mod:`~pyexec.backends.jit.signature`), and the
compilation runs :class:`~pyexec.backends.jit.pipeline.PyexecCompiler`, which gives ``int`` its
checked 64-bit semantics and ``math`` CPython's errors (:mod:`~pyexec.backends.jit.semantics`).

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
import threading
from collections.abc import Callable
from typing import Any, overload

from pyexec.backends.jit import matmul
from pyexec.backends.jit.errors import NotAFunctionError, needs_scipy, translate_numba_error
from pyexec.backends.jit.signature import DeclaredSignature, declared_signature

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
    ``dispatcher`` Numba's dispatcher (for ``signatures``, ``inspect_types()`` and so on),
    ``declared`` the signature complete annotations declare (None: compiled per argument types).
    """

    def __init__(self, func: Callable[..., Any], options: dict[str, Any]) -> None:
        import numba
        from numba.core.errors import NumbaError

        from pyexec.backends.jit.pipeline import PyexecCompiler

        # Held here: an import statement in __call__ costs several microseconds per call.
        self._numba_error = NumbaError

        self.py_func = func
        self.options = dict(options)
        self.declared: DeclaredSignature | None = declared_signature(func)
        self._declared_compiled = False
        self._compiling = False
        self._compile_lock = threading.RLock()
        numba_options = {k: v for k, v in options.items() if v is not None}
        self.dispatcher = numba.njit(pipeline_class=PyexecCompiler, **numba_options)(func)
        functools.update_wrapper(self, func)
        self.__signature__ = inspect.signature(func)

    def _compile_declared(self) -> None:
        # The declared signature is compiled on first use (call or reference from other jitted
        # code), then the dispatcher stops compiling: arguments convert to the declared types.
        from numba.core.errors import NumbaError

        if self.declared is None or self._declared_compiled:
            return
        with self._compile_lock:  # other threads wait; the compiling thread may re-enter (recursion)
            if self._declared_compiled or self._compiling:
                return
            self._compiling = True  # a recursive function asks for its own type while its signature compiles
            try:
                self.dispatcher.compile(self.declared.signature)
            except NumbaError as exc:
                raise translate_numba_error(self.py_func, exc) from None
            finally:
                self._compiling = False
            self.dispatcher.disable_compile()
            self._declared_compiled = True

    @property
    def _numba_type_(self) -> Any:
        # Numba types a global or argument by this attribute: calls from other jitted
        # code (recursion included) go straight to the compiled dispatcher.
        self._compile_declared()
        return self.dispatcher._numba_type_

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        declared = self.declared
        if declared is not None:
            if not self._declared_compiled:
                self._compile_declared()
            if declared.integer_parameters:
                self._check_integer_arguments(args, kwargs)
        try:
            return self.dispatcher(*args, **kwargs)
        except self._numba_error as exc:
            raise translate_numba_error(self.py_func, exc) from None
        except ImportError as exc:
            # Numba raises a bare ImportError while generating a BLAS call without SciPy.
            if needs_scipy(exc):
                raise translate_numba_error(self.py_func, exc) from None
            raise

    def _check_integer_arguments(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        # Numba would wrap a Python int into a narrower declared type silently; aot raises, and so do we.
        assert self.declared is not None
        for p in self.declared.integer_parameters:
            value = args[p.index] if p.index < len(args) else kwargs.get(p.name)
            # Only exact Python ints: bool and NumPy integers already carry a width that Numba converts.
            if type(value) is int and not p.low <= value <= p.high:
                raise OverflowError(
                    f"{self.__name__}() argument {p.name!r} is out of range for {p.type_name} ({p.low}..{p.high})"
                )

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
