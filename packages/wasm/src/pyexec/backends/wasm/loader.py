"""Run a pyexec ``.wasm`` module from Python, in wasmtime.

``load(path)`` returns an object whose attributes are the exported functions. Arguments are
range-checked against the parameter types; results come back as Python ``int``/``float``/``bool``;
a fault recorded in the module's error state raises the same exception the native backend raises
(ZeroDivisionError, OverflowError, ValueError, AssertionError) with the same message. The loader
provides the module's imports: ``print`` writes to ``sys.stdout`` as CPython's ``print`` would, and the
libm functions come from Python's ``math`` (:mod:`pyexec.backends.wasm.host_runtime`).

Example:
    >>> mod = load("square.wasm")       # doctest: +SKIP
    >>> mod.square(12)                  # doctest: +SKIP
    144
"""

from __future__ import annotations

import builtins
import ctypes
import operator
import os
import struct
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pyexec.backends.llvm.runtime import ERROR_KINDS
from pyexec.backends.wasm.build import ERROR_CODE_EXPORT, ERROR_MESSAGE_EXPORT
from pyexec.backends.wasm.host_runtime import (
    HOST_FUNCTIONS,
    c_libm,
    format_complex,
    format_complex64,
    format_float,
    format_float32,
    round_ndigits,
)
from pyexec.backends.wasm.signature import SECTION_NAME, ExportSignature, decode_signatures, scalar_info
from pyexec.backends.wasm.wasm_binary import SECTION_CUSTOM, WasmFormatError, read_sections


def _exception_class(name: str) -> type[Exception]:
    """The built-in exception class of an error kind's name (``runtime.ERROR_KINDS``)."""
    cls = getattr(builtins, name, None)
    return cls if isinstance(cls, type) and issubclass(cls, Exception) else RuntimeError


class WasmLoadError(Exception):
    """The file cannot be loaded: missing, not wasm, or needing imports the loader does not provide."""


class WasmTrap(RuntimeError):
    """The module trapped (a WebAssembly runtime fault the compiled code did not turn into a Python exception)."""


_engine: Any = None


def _get_engine() -> Any:
    global _engine
    import wasmtime

    if _engine is None:
        _engine = wasmtime.Engine()
    return _engine


def _read_c_string(memory: Any, store: Any, address: int, limit: int = 1 << 16) -> str:
    data = memory.read(store, address, min(address + limit, memory.data_len(store)))
    end = bytes(data).find(b"\0")
    return bytes(data[: end if end >= 0 else len(data)]).decode("utf-8", errors="replace")


_KIND_FIELDS = {"i32": (0, "i32"), "i64": (1, "i64"), "f32": (2, "f32"), "f64": (3, "f64")}


def _fast_caller(func: Any, store: Any, params: list[str], result: str | None) -> Callable[..., Any] | None:
    """A direct call through wasmtime's C API with the types computed once, or None if unavailable.

    wasmtime-py's ``Func.__call__`` asks the engine for the function's type and wraps every argument in a
    ``Val`` on each call; for numeric signatures that is most of the ~30 µs a call costs. This caller
    fills the C value array itself. It uses wasmtime-py's ``_ffi`` bindings, so it is set up defensively:
    when they are not as expected, the loader uses the public ``Func.__call__``.
    """
    try:
        from ctypes import byref

        from wasmtime import WasmtimeError
        from wasmtime import _ffi as ffi
        from wasmtime._func import enter_wasm

        kinds = [_KIND_FIELDS[p] for p in params]
        result_kind = _KIND_FIELDS[result] if result else None
        params_type = ffi.wasmtime_val_t * len(kinds)
        results_type = ffi.wasmtime_val_t * (1 if result_kind else 0)
        raw_func = func._func
        call = ffi.wasmtime_func_call
        context = store._context
    except (ImportError, AttributeError, KeyError):
        return None
    n_params, n_results = len(kinds), 1 if result_kind else 0

    def fast(*values: Any) -> Any:
        array = params_type()
        for slot, (kind, field), value in zip(array, kinds, values):
            slot.kind = kind
            setattr(slot.of, field, value)
        results = results_type()
        with enter_wasm(store) as trap:
            error = call(context(), byref(raw_func), array, n_params, results, n_results, trap)
            if error:
                raise WasmtimeError._from_ptr(error)
        return getattr(results[0].of, result_kind[1]) if result_kind else None

    return fast


class WasmFunction:
    """One exported function, callable with Python numbers."""

    def __init__(self, module: WasmModule, signature: ExportSignature, func: Any) -> None:
        self._module = module
        self.signature = signature
        self._func = func
        self.__name__ = signature.name
        self.__qualname__ = signature.name
        self.__doc__ = f"{signature.name}({', '.join(f'{p.name}: {p.type}' for p in signature.params)}) " \
                       f"-> {signature.result}, compiled to WebAssembly"
        self._converters = [_argument_converter(signature.name, p.name, p.type) for p in signature.params]
        self._result = _result_converter(signature.result)
        store = module._store
        fast = _fast_caller(func, store, signature.wasm_params, signature.wasm_result)
        self._call = fast if fast is not None else (lambda *values: func(store, *values))

    def __call__(self, *args: Any) -> Any:
        sig = self.signature
        if len(args) != len(self._converters):
            raise TypeError(f"{sig.name}() takes {len(self._converters)} argument"
                            f"{'' if len(self._converters) == 1 else 's'} ({len(args)} given)")
        values = [convert(a) for convert, a in zip(self._converters, args)]
        module = self._module
        try:
            raw = self._call(*values)
        except Exception as exc:
            raise module._translate_trap(exc, sig.name) from None
        if sig.fallible:
            module._raise_error_state()
        return self._result(raw)

    def __repr__(self) -> str:
        return f"<wasm function {self.signature}>"


def _argument_converter(function: str, name: str, type_name: str) -> Callable[[Any], Any]:
    info = scalar_info(type_name)
    if info.is_float:
        def to_float(value: Any) -> float:
            if isinstance(value, complex) or isinstance(value, str):
                raise TypeError(f"{function}() argument {name!r} must be a real number, not {type(value).__name__}")
            return float(value)
        return to_float
    if info.is_bool:
        return lambda value: 1 if value else 0
    low, high = info.min_value, info.max_value
    bits = info.bits

    def to_int(value: Any) -> int:
        try:
            number = operator.index(value)
        except TypeError:
            raise TypeError(f"{function}() argument {name!r} must be an integer ({type_name}), "
                            f"not {type(value).__name__}") from None
        if not low <= number <= high:  # type: ignore[operator]
            raise OverflowError(f"{function}() argument {name!r}={number} is out of range for {type_name} "
                                f"({low}..{high})")
        if not info.signed and bits >= 32 and number >= 1 << (bits - 1):
            number -= 1 << bits  # wasm integers are passed as signed bit patterns
        return number

    return to_int


def _result_converter(type_name: str) -> Callable[[Any], Any]:
    if type_name == "None":
        return lambda raw: None
    info = scalar_info(type_name)
    if info.is_float:
        return float
    if info.is_bool:
        return lambda raw: bool(raw & 0xFF)
    bits, mask = info.bits, (1 << info.bits) - 1
    if info.signed:
        if bits in (32, 64):
            return int
        sign = 1 << (bits - 1)
        return lambda raw: ((raw & mask) ^ sign) - sign
    return lambda raw: raw & mask


class WasmModule:
    """A loaded module: one attribute per exported function (see :func:`load`)."""

    def __init__(self, wasm: bytes, name: str = "<wasm>") -> None:
        import wasmtime

        self._name = name
        try:
            sections = read_sections(wasm)
        except WasmFormatError as exc:
            raise WasmLoadError(f"{name}: {exc}") from None
        payload = next((s.payload for s in sections if s.id == SECTION_CUSTOM and s.name == SECTION_NAME), None)
        engine = _get_engine()
        try:
            module = wasmtime.Module(engine, wasm)
        except wasmtime.WasmtimeError as exc:
            raise WasmLoadError(f"{name}: not a valid WebAssembly module: {exc}") from None
        self._store = wasmtime.Store(engine)
        linker = wasmtime.Linker(engine)
        for imp in module.imports:
            self._define_import(linker, imp, wasmtime)
        try:
            instance = linker.instantiate(self._store, module)
        except (wasmtime.WasmtimeError, wasmtime.Trap) as exc:
            raise WasmLoadError(f"{name}: cannot instantiate: {exc}") from None
        exports = instance.exports(self._store)
        self._memory = exports["memory"] if "memory" in exports else None
        # The error state lives in linear memory: reading it there costs ~1 µs, a getter call ~10 µs.
        self._error_code = exports[ERROR_CODE_EXPORT].value(self._store) if ERROR_CODE_EXPORT in exports else None
        self._error_message = (exports[ERROR_MESSAGE_EXPORT].value(self._store)
                               if ERROR_MESSAGE_EXPORT in exports else None)
        self._stack_pointer = exports["__stack_pointer"] if "__stack_pointer" in exports else None
        self._stack_top = self._stack_pointer.value(self._store) if self._stack_pointer is not None else 0
        signatures = decode_signatures(payload) if payload is not None else _signatures_from_types(module)
        self._functions: dict[str, WasmFunction] = {}
        for sig in signatures:
            self._functions[sig.name] = WasmFunction(self, sig, exports[sig.name])

    # --- imports ------------------------------------------------------------------------------

    def _define_import(self, linker: Any, imp: Any, wasmtime: Any) -> None:
        name = imp.name
        if imp.module != "env" or name not in HOST_FUNCTIONS:
            raise WasmLoadError(f"{self._name}: the module imports {imp.module}.{name}, which pyexec's loader "
                                "does not provide (only pyexec's runtime and libm functions)")
        params, results = HOST_FUNCTIONS[name]
        valtype = {"i32": wasmtime.ValType.i32(), "i64": wasmtime.ValType.i64(), "f32": wasmtime.ValType.f32(),
                   "f64": wasmtime.ValType.f64()}
        ftype = wasmtime.FuncType([valtype[p] for p in params], [valtype[r] for r in results])
        linker.define_func("env", name, ftype, self._host_function(name))

    def _host_function(self, name: str) -> Callable[..., Any]:
        out = sys.stdout

        def write(text: str) -> None:
            (sys.stdout or out).write(text)

        printers: dict[str, Callable[..., Any]] = {
            "pyexec_print_i64": lambda v: write(str(v)),
            "pyexec_print_u64": lambda v: write(str(v & 0xFFFFFFFFFFFFFFFF)),
            "pyexec_print_bool": lambda v: write("True" if v else "False"),
            "pyexec_print_f64": lambda v: write(format_float(v)),
            "pyexec_print_f32": lambda v: write(format_float32(v)),
            "pyexec_print_c128": lambda re, im: write(format_complex(re, im)),
            "pyexec_print_c64": lambda re, im: write(format_complex64(re, im)),
            "pyexec_print_str": lambda address: write(_read_c_string(self._memory, self._store, address)),
            "pyexec_round_ndigits": round_ndigits,
        }
        if name in printers:
            return printers[name]
        if HOST_FUNCTIONS[name][0] and HOST_FUNCTIONS[name][0][0] == "f32":
            def libm_f32(*args: float) -> float:
                result = c_libm(name, *args)
                try:
                    struct.pack("<f", result)
                except OverflowError:
                    return float("inf") if result > 0 else float("-inf")
                return result
            return libm_f32
        return lambda *args: c_libm(name, *args)

    # --- errors -------------------------------------------------------------------------------

    def _raise_error_state(self) -> None:
        if self._error_code is None or self._memory is None:
            return
        base = ctypes.cast(self._memory.data_ptr(self._store), ctypes.c_void_p).value or 0
        code = ctypes.c_int32.from_address(base + self._error_code).value
        if not code:
            return
        kind = ERROR_KINDS.get(code, "RuntimeError")
        message = ""
        if self._error_message is not None:
            address = ctypes.c_uint32.from_address(base + self._error_message).value
            message = _read_c_string(self._memory, self._store, address) if address else ""
        raise _exception_class(kind)(message)

    def _translate_trap(self, exc: Exception, function: str) -> Exception:
        import wasmtime

        if not isinstance(exc, (wasmtime.Trap, wasmtime.WasmtimeError)):
            return exc
        if self._stack_pointer is not None:  # the trap skipped the epilogues that restore it
            self._stack_pointer.set_value(self._store, self._stack_top)
        text = str(exc)
        code = getattr(exc, "trap_code", None)
        if code == wasmtime.TrapCode.STACK_OVERFLOW or "call stack exhausted" in text:
            return RecursionError(f"maximum recursion depth exceeded in {function}() (the wasm stack is exhausted)")
        if code == wasmtime.TrapCode.INTEGER_DIVISION_BY_ZERO:
            return ZeroDivisionError("integer division or modulo by zero")
        if code == wasmtime.TrapCode.INTEGER_OVERFLOW or code == wasmtime.TrapCode.BAD_CONVERSION_TO_INTEGER:
            return OverflowError(f"integer overflow in {function}()")
        first_line = text
        return WasmTrap(f"{function}() trapped in WebAssembly: {first_line}")

    # --- access -------------------------------------------------------------------------------

    def __getattr__(self, name: str) -> WasmFunction:
        functions = self.__dict__.get("_functions", {})
        if name in functions:
            return functions[name]
        raise AttributeError(f"the wasm module {self._name} has no function {name!r} "
                             f"(it exports: {', '.join(functions) or 'nothing'})")

    def __dir__(self) -> list[str]:
        return sorted(set(super().__dir__()) | set(self._functions))

    @property
    def functions(self) -> dict[str, WasmFunction]:
        """The exported functions by name."""
        return dict(self._functions)

    def __repr__(self) -> str:
        return f"<wasm module {self._name}: {', '.join(map(str, (f.signature for f in self._functions.values())))}>"


def _signatures_from_types(module: Any) -> list[ExportSignature]:
    """Signatures of a module without pyexec's section, from its wasm types (i64 → int, f64 → float …)."""
    import wasmtime

    from pyexec.backends.wasm.signature import Param

    names = {"i64": "int64", "i32": "int32", "f32": "float32", "f64": "float64"}
    sigs = []
    for exp in module.exports:
        if isinstance(exp.type, wasmtime.FuncType):
            params = tuple(Param(f"arg{i}", names[str(t)]) for i, t in enumerate(exp.type.params))
            results = exp.type.results
            sigs.append(ExportSignature(exp.name, params, names[str(results[0])] if results else "None"))
    return sigs


def load(path: str | os.PathLike[str] | bytes) -> WasmModule:
    """Load a ``.wasm`` file built by pyexec (or its bytes) into wasmtime; its functions become attributes.

    Example:
        >>> fib = load("fib.wasm")          # doctest: +SKIP
        >>> fib.fibonacci(90)               # doctest: +SKIP
        2880067194370816120
    """
    if isinstance(path, (bytes, bytearray)):
        return WasmModule(bytes(path))
    file = Path(path)
    if not file.is_file():
        raise WasmLoadError(f"no such wasm file: {file}")
    return WasmModule(file.read_bytes(), str(file))
