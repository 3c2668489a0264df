"""``aot``: compile Python functions to machine code in this process and call them natively.

``@aot`` returns a :class:`CompiledFunction` at once and compiles on the first call, so the
function may call functions of its module defined after it. The first call analyses the
function and everything it calls (other ``@aot`` functions included: they are compiled into the
same native module and called directly, not through Python), lowers, optimises, and loads the
machine code with MCJIT — or loads it from the disk cache (:mod:`pyexec.backends.llvm.cache`).

Calls go through a vectorcall entry generated in LLVM IR (:mod:`pyexec.backends.llvm.wrapper`):
CPython calls the machine code directly, with no ctypes and no Python frame in between.

Example:
    >>> from pyexec.backends.llvm import aot
    >>> @aot
    ... def add(a: int, b: int) -> int:
    ...     return a + b
    >>> add(2, 3)
    5
"""

from __future__ import annotations

import ctypes
import functools
import inspect
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import llvmlite.binding as llvm

from pyexec.backends.llvm import cache as disk_cache
from pyexec.backends.llvm.errors import NativeBuildError, NativeError
from pyexec.backends.llvm.host_runtime import install_interrupt_hook, register_string_ops
from pyexec.backends.llvm.lowering import (
    OVERFLOW_MODES,
    fallible_functions,
    guarded_functions,
    lower_module,
    written_parameters,
)
from pyexec.backends.llvm.optimize import check_opt, host_target_machine, optimize, parse
from pyexec.backends.llvm.wrapper import add_vectorcall_entries, vectorcall_name
from pyexec.frontend.ir import nodes as n

_PY_TPFLAGS_HAVE_VECTORCALL = 1 << 11
HOST_ABI = "+host-abi-3"
"""Part of the cache key: the names and contract by which cached object code links to this process
(bumped when they change, so object code of an older contract is never loaded)."""


@dataclass
class NativeModule:
    """Machine code loaded in process: the MCJIT engine and the lowered IR it came from."""

    engine: llvm.ExecutionEngine
    entries: dict[str, int]
    ir_text: Callable[[], str]
    optimized_ir: str | None = None
    asm: str | None = None
    from_cache: bool = False
    keep: list[object] = field(default_factory=list)


def build_native_module(module: n.Module, roots: list[str], *, opt: int = 2, overflow: str = "check",
                        use_cache: bool = True, boundscheck: bool = True) -> NativeModule:
    """Lower, optimise and load ``module``; ``roots`` are the functions callable from Python.

    Example:
        >>> build_native_module(n.Module(), []).entries
        {}
    """
    check_opt(opt)
    if overflow not in OVERFLOW_MODES:
        raise NativeBuildError(f"overflow must be 'check' or 'wrap', not {overflow!r}")
    install_interrupt_hook()  # registers the runtime's symbols too
    tm = host_target_machine(opt)

    def lowered() -> str:
        lowered_module = lower_module(module, triple=tm.triple, data_layout=str(tm.target_data), overflow=overflow,
                                      entry_points=False, python_runtime=True, boundscheck=boundscheck)
        add_vectorcall_entries(lowered_module, [module.functions[r] for r in roots],
                               fallible_functions(module, overflow, python_runtime=True),
                               guarded_functions(module, overflow, tm.triple, python_runtime=True),
                               written_parameters(module))
        return str(lowered_module)

    key = disk_cache.cache_key(module, roots, opt=opt, overflow=overflow, target=tm.triple + llvm.get_host_cpu_name()
                               + llvm.get_host_cpu_features().flatten() + HOST_ABI, boundscheck=boundscheck)
    obj = disk_cache.load(key) if use_cache else None
    from_cache = obj is not None
    optimized_text = None
    if obj is None:
        mod = parse(lowered())
        optimize(mod, tm, opt)
        optimized_text = str(mod)
        obj = tm.emit_object(mod)
        if use_cache:
            disk_cache.store(key, obj)
    if b"pyexec_str_" in obj or b"pyexec_fmt_" in obj:
        register_string_ops()  # the string routines, compiled once per process
    # MCJIT takes ownership of its target machine: give it a fresh one, not the shared cached one.
    engine = llvm.create_mcjit_compiler(llvm.parse_assembly(""), host_target_machine.__wrapped__(opt))
    engine.add_object_file(llvm.ObjectFileRef.from_data(obj))
    engine.finalize_object()
    entries = {}
    for r in roots:
        addr = engine.get_function_address(vectorcall_name(r))
        if not addr:
            raise NativeBuildError(f"internal error: the entry of {r!r} is missing from the machine code")
        entries[r] = addr
    return NativeModule(engine, entries, lowered, optimized_text, from_cache=from_cache)


_COMPILE_LOCK = threading.RLock()
"""One compile at a time per process: the frontend's and llvmlite's shared state (LLVM's global context,
the cached target machines, the symbol table) is then never used by two compiles at once. Calls of
compiled code take no lock."""


# --- the callable --------------------------------------------------------------------------------


class CompiledFunction(ctypes.c_void_p):
    """A natively compiled function, callable like the original.

    The instance's pointer-sized payload holds the address of the function's vectorcall entry, and
    the type declares it as its vectorcall slot: CPython jumps straight into the machine code. Until
    the first call compiles, the slot is empty and ``__call__`` runs instead.
    """

    def __init__(self, func: Callable[..., Any], opt: int = 2, overflow: str = "check", cache: bool = True,
                 boundscheck: bool = True) -> None:
        super().__init__(None)
        functools.update_wrapper(self, func)
        self._options = {"opt": check_opt(opt), "overflow": overflow, "cache": cache, "boundscheck": boundscheck}
        if overflow not in OVERFLOW_MODES:
            raise NativeBuildError(f"overflow must be 'check' or 'wrap', not {overflow!r}")
        self._native: NativeModule | None = None
        self._ir_module: n.Module | None = None
        self._lock = threading.Lock()
        self._binder = _binder_like(func)
        self._open: list[int] | None = None  # parameters typed from the arguments (found on the first call)
        self._specialisations: dict[tuple[object, ...], CompiledFunction] = {}

    def __repr__(self) -> str:
        state = "compiled" if self._native is not None else "not yet compiled"
        return f"<pyexec.aot function {self.__qualname__} ({state})>"

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        # Reached before the first compilation (afterwards CPython uses the vectorcall slot), and on every
        # call of a function with parameters typed from its arguments (a dispatcher, as Numba's)
        if self._open is None:
            self._open = _open_parameters(self.__wrapped__)
        if not self._open:
            self.compile()
            return self(*args, **kwargs)
        bound = self._binder(*args, **kwargs)
        key = tuple(_argument_key(bound[i]) for i in self._open)
        spec = self._specialisations.get(key)
        if spec is None:
            spec = self._specialise(bound, key)
        return spec(*bound)

    def _specialise(self, bound: tuple[Any, ...], key: tuple[object, ...]) -> CompiledFunction:
        """Compile the specialisation for these arguments' types (once; cached like any module)."""
        from pyexec.frontend.irbuild.arrays import type_of_argument

        names = list(inspect.signature(self.__wrapped__).parameters)
        types: list[Any] = [None] * len(bound)
        for i in self._open or []:
            t = type_of_argument(bound[i])
            if t is None:
                raise TypeError(f"{self.__name__}() argument '{names[i]}' is a {type(bound[i]).__name__}; compiled "
                                "code takes numbers and NumPy arrays (of native byte order) for parameters without "
                                "an annotation")
            types[i] = t
        with self._lock, _COMPILE_LOCK:
            spec = self._specialisations.get(key)
            if spec is not None:
                return spec
            from pyexec.frontend import analyze_functions

            module = analyze_functions([self.__wrapped__], include_callees=True, argument_types=types)
            name = _root_name(module, self.__wrapped__)
            native = build_native_module(module, [name], opt=self._options["opt"],
                                         overflow=self._options["overflow"], use_cache=self._options["cache"],
                                         boundscheck=self._options["boundscheck"])
            spec = CompiledFunction(self.__wrapped__, **self._options)  # type: ignore[arg-type]
            spec._open = []
            spec._ir_module = module
            spec._attach(native, name)
            self._specialisations[key] = spec
            self._native, self._ir_module = native, module  # what inspect_llvm() shows: the latest one
            return spec

    @property
    def specialisations(self) -> dict[tuple[object, ...], CompiledFunction]:
        """The compiled specialisations of a function with parameters typed from its arguments, by the
        arguments' types (empty for a fully annotated function, which has one compilation)."""
        return dict(self._specialisations)

    def _call_with_binding(self, *args: Any, **kwargs: Any) -> Any:
        """Bind keywords and check arity like a Python function, then call natively."""
        return self(*self._binder(*args, **kwargs))

    def compile(self) -> CompiledFunction:
        """Compile now (normally done by the first call); returns ``self``.

        Example:
            >>> from pyexec.backends.llvm import aot
            >>> def one() -> int:
            ...     return 1
            >>> aot(one).compile()()
            1
        """
        if self._open is None:
            self._open = _open_parameters(self.__wrapped__)
        if self._open:
            if self._native is None:
                names = list(inspect.signature(self.__wrapped__).parameters)
                raise NativeBuildError(
                    f"{self.__qualname__}() has parameters without a complete type annotation "
                    f"({', '.join(names[i] for i in self._open)}): it is compiled on each call with new argument "
                    "types; call it first, or annotate them (float64[:], int, …)")
            return self
        with self._lock, _COMPILE_LOCK:
            if self._native is None:
                from pyexec.frontend import analyze_functions

                module = analyze_functions([self.__wrapped__], include_callees=True)
                name = _root_name(module, self.__wrapped__)
                native = build_native_module(module, [name], opt=self._options["opt"],
                                             overflow=self._options["overflow"], use_cache=self._options["cache"],
                                             boundscheck=self._options["boundscheck"])
                self._ir_module = module
                self._attach(native, name)
        return self

    def _attach(self, native: NativeModule, name: str) -> None:
        """Point the vectorcall slot at ``name``'s entry in ``native`` (kept alive by ``self``)."""
        self._native = native
        _SET_POINTER(self, native.entries[name])

    @property
    def value(self) -> int | None:
        """The address of the machine code (read-only: writing it would let any Python code crash
        the process on the next call)."""
        return _GET_POINTER(self)

    @value.setter
    def value(self, _: object) -> None:
        raise AttributeError("the machine-code address of a pyexec.aot function is read-only")

    def __reduce__(self) -> Any:
        raise TypeError(f"cannot pickle or copy {self!r}: it holds machine code of this process; "
                        "pickle the original function (its __wrapped__) instead")

    def inspect_llvm(self, optimized: bool = False) -> str:
        """The LLVM IR of the function's native module, before or after optimisation.

        Example:
            >>> from pyexec.backends.llvm import aot
            >>> def inc(x: int) -> int:
            ...     return x + 1
            >>> "sadd.with.overflow" in aot(inc).inspect_llvm()
            True
        """
        native = self.compile()._native
        if not optimized:
            return native.ir_text()
        if native.optimized_ir is None:
            mod = parse(native.ir_text())
            native.optimized_ir = str(optimize(mod, host_target_machine(self._options["opt"]), self._options["opt"]))
        return native.optimized_ir

    def inspect_asm(self) -> str:
        """The host assembly of the function's native module (optimised).

        Example:
            >>> from pyexec.backends.llvm import aot
            >>> def inc(x: int) -> int:
            ...     return x + 1
            >>> "pyexec.vc.inc" in aot(inc).inspect_asm()
            True
        """
        native = self.compile()._native
        if native.asm is None:
            tm = host_target_machine(self._options["opt"])
            native.asm = tm.emit_assembly(parse(self.inspect_llvm(optimized=True)))
        return native.asm

    @property
    def from_cache(self) -> bool:
        """Whether the machine code came from the disk cache (``False`` before the first call)."""
        return self._native is not None and self._native.from_cache


_GET_POINTER = ctypes.c_void_p.value.__get__
_SET_POINTER = ctypes.c_void_p.value.__set__


def _binder_like(func: Callable[..., Any]) -> Callable[..., tuple]:
    """A function with ``func``'s parameters that returns them as a tuple: CPython itself binds
    keywords, defaults and arity, with its own error messages."""
    sig = inspect.signature(func)
    names = list(sig.parameters)
    params = []
    for p in sig.parameters.values():
        if p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD, p.KEYWORD_ONLY):
            raise NativeBuildError(f"{func.__qualname__}: aot functions take plain positional parameters, not {p}")
        params.append(p.name if p.default is p.empty else f"{p.name}=__defaults[{p.name!r}]")
    defaults = {p.name: p.default for p in sig.parameters.values() if p.default is not p.empty}
    namespace: dict[str, Any] = {"__defaults": defaults}
    exec(f"def binder({', '.join(params)}):\n    return ({''.join(x + ', ' for x in names)})", namespace)
    binder = namespace["binder"]
    binder.__code__ = binder.__code__.replace(co_name=func.__name__, co_qualname=func.__qualname__)
    binder.__name__, binder.__qualname__ = func.__name__, func.__qualname__
    return binder


def _open_parameters(func: Callable[..., Any]) -> list[int]:
    """The parameters a call's arguments type: no annotation, or an array annotation without its dimensions
    (``np.ndarray``, ``numpy.typing.NDArray[...]``)."""
    import ast

    from pyexec.frontend.irbuild.arrays import PARTIAL_ARRAY_NAMES, partial_array_annotation

    out = []
    for i, p in enumerate(inspect.signature(func).parameters.values()):
        a = p.annotation
        if a is p.empty:
            out.append(i)
        elif isinstance(a, str):
            try:
                if partial_array_annotation(ast.parse(a.strip(), mode="eval").body):
                    out.append(i)
            except SyntaxError:
                pass
        elif getattr(getattr(a, "__origin__", a), "__name__", None) in PARTIAL_ARRAY_NAMES:
            out.append(i)
    return out


def _argument_key(value: Any) -> object:
    """What decides a specialisation: the argument's type (and an array's dtype, dimensions and layout)."""
    dtype = getattr(value, "dtype", None)
    if dtype is not None and getattr(value, "ndim", 0):
        return (type(value), dtype, value.ndim, bool(value.flags.c_contiguous))
    return (type(value), dtype)


def _root_name(module: n.Module, func: Callable[..., Any]) -> str:
    if func.__name__ in module.functions:
        return func.__name__
    raise NativeBuildError(f"internal error: the analysis of {func.__qualname__} did not produce it")


def _install_vectorcall_slot(cls: type) -> None:
    """Declare the payload of ``cls``'s instances as their vectorcall function pointer.

    CPython's type layout is checked against what Python reports before anything is written.
    """
    probe = cls.__new__(cls)
    offset = ctypes.addressof(probe) - id(probe)
    base = id(cls)
    ssize = ctypes.c_ssize_t
    # PyTypeObject: ob_refcnt, ob_type, ob_size, tp_name, tp_basicsize(32), tp_itemsize, tp_dealloc,
    # tp_vectorcall_offset(56), ..., tp_flags(168) on 64-bit CPython 3.8–3.13.
    layout_ok = (
        ctypes.sizeof(ctypes.c_void_p) == 8
        and (3, 11) <= sys.version_info[:2] <= (3, 13)
        and ssize.from_address(base + 32).value == cls.__basicsize__
        and ctypes.c_ulong.from_address(base + 168).value == cls.__flags__
        and 0 < offset < cls.__basicsize__
    )
    if not layout_ok:
        raise NativeError(
            f"this Python ({sys.version.split()[0]}) has a type layout pyexec's native calls do not know; "
            "use pyexec.jit or a CPython 3.11–3.13 build"
        )
    ssize.from_address(base + 56).value = offset
    ctypes.c_ulong.from_address(base + 168).value |= _PY_TPFLAGS_HAVE_VECTORCALL
    ctypes.pythonapi.PyType_Modified(ctypes.py_object(cls))


_install_vectorcall_slot(CompiledFunction)


def aot(func: Callable[..., Any] | None = None, *, opt: int = 2, overflow: str = "check",
        cache: bool = True, boundscheck: bool = True) -> Any:
    """Compile ``func`` to native code (on its first call); usable as ``@aot`` or ``@aot(opt=3)``.

    ``opt`` is the LLVM optimisation level (0–3), ``overflow="wrap"`` lets Python's ``int`` wrap
    like int64 instead of raising OverflowError, ``cache=False`` skips the disk cache, ``boundscheck=False``
    drops the IndexError checks of array indices (negative indices still count from the end; an index
    outside the array is then undefined behaviour: use it only on code whose indices are known good).

    Example:
        >>> from pyexec.backends.llvm import aot
        >>> @aot(opt=3, overflow="wrap")
        ... def square(x: int) -> int:
        ...     return x * x
        >>> square(12), square.__name__
        (144, 'square')
    """
    if func is None:
        return lambda f: aot(f, opt=opt, overflow=overflow, cache=cache, boundscheck=boundscheck)
    if isinstance(func, CompiledFunction):
        func = func.__wrapped__
    if not callable(func) or not hasattr(func, "__code__"):
        raise TypeError(f"aot() takes a Python function, not {type(func).__name__}")
    return CompiledFunction(func, opt=opt, overflow=overflow, cache=cache, boundscheck=boundscheck)
