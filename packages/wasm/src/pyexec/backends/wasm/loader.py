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
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pyexec.backends.llvm.runtime import ERROR_KINDS
from pyexec.backends.wasm.build import ERROR_CODE_EXPORT, ERROR_MESSAGE_EXPORT
from pyexec.backends.wasm.host_runtime import (
    HOST_FUNCTIONS,
    c_libm,
    float_digits,
    format_complex,
    format_complex64,
    format_float,
    format_float32,
    round_ndigits,
    to_float32,
)
from pyexec.backends.wasm.interrupt import INTERRUPTS
from pyexec.backends.wasm.signature import (
    SECTION_NAME,
    ExportSignature,
    SignatureError,
    array_info,
    decode_signatures,
    scalar_info,
    tuple_items,
    tuple_layout,
)
from pyexec.backends.wasm.thread_stack import WASM_STACK_BYTES, run_on_wasm_stack
from pyexec.backends.wasm.wasm_binary import (
    F32,
    F64,
    I32,
    I64,
    KIND_FUNCTION,
    SECTION_CUSTOM,
    SECTION_GLOBAL,
    SECTION_IMPORT,
    SECTION_TYPE,
    VALTYPE_NAMES,
    Reader,
    Section,
    WasmFormatError,
    read_sections,
)


def _exception_class(name: str) -> type[Exception]:
    """The built-in exception class of an error kind's name (``runtime.ERROR_KINDS``)."""
    cls = getattr(builtins, name, None)
    return cls if isinstance(cls, type) and issubclass(cls, Exception) else RuntimeError


class WasmLoadError(Exception):
    """The file cannot be loaded: missing, not wasm, malformed, or needing imports the loader does not provide."""


class WasmTrap(RuntimeError):
    """The module trapped (a WebAssembly runtime fault the compiled code did not turn into a Python exception)."""


_engine: Any = None
_fast_engine: Any = None
_engine_lock = threading.Lock()


def _get_engine(interruptible: bool = True) -> Any:
    """The process's engine, with epoch interruption on (Ctrl-C and the start function's time limit); or,
    for ``interruptible=False``, the second engine without it, whose code checks no epoch counter at loop
    back-edges and function entries (up to 1.4x faster on tight array loops, see docs/backends/wasm.md)."""
    global _engine, _fast_engine
    import wasmtime

    with _engine_lock:
        if not interruptible:
            if _fast_engine is None:
                config = wasmtime.Config()
                config.epoch_interruption = False
                config.max_wasm_stack = WASM_STACK_BYTES
                _fast_engine = wasmtime.Engine(config)
            return _fast_engine
        if _engine is None:
            config = wasmtime.Config()
            config.epoch_interruption = True
            config.max_wasm_stack = WASM_STACK_BYTES  # calls from threads with less stack run elsewhere
            _engine = wasmtime.Engine(config)
            INTERRUPTS.start(_engine)
    return _engine


def _read_c_string(memory: Any, store: Any, address: int, limit: int = 1 << 16) -> str:
    """The NUL-terminated UTF-8 string at ``address``; empty when the address is outside linear memory."""
    size = memory.data_len(store)
    if not 0 <= address < size:
        return ""
    data = memory.read(store, address, min(address + limit, size))
    end = bytes(data).find(b"\0")
    return bytes(data[: end if end >= 0 else len(data)]).decode("utf-8", errors="replace")


_KIND_FIELDS = {"i32": (0, "i32"), "i64": (1, "i64"), "f32": (2, "f32"), "f64": (3, "f64")}
_NUMERIC = frozenset(_KIND_FIELDS)


def _fast_caller(func: Any, store: Any, params: list[str], result: str | None) -> Callable[..., Any] | None:
    """A direct call through wasmtime's C API with the types computed once, or None if unavailable.

    wasmtime-py's ``Func.__call__`` asks the engine for the function's type and wraps every argument in a
    ``Val`` on each call; for numeric signatures that is most of the ~30 µs a call costs. This caller
    fills the C value array itself. It uses wasmtime-py's ``_ffi`` bindings, so it is set up defensively:
    when they are not as expected, the loader uses the public ``Func.__call__``. It reads traps itself
    rather than through wasmtime-py's ``enter_wasm``, whose "last exception" is one global for all threads:
    the loader keeps the exception a host function raised per module instead.
    """
    try:
        from ctypes import POINTER, byref

        from wasmtime import Trap, WasmtimeError
        from wasmtime import _ffi as ffi

        kinds = [_KIND_FIELDS[p] for p in params]
        result_kind = _KIND_FIELDS[result] if result else None
        params_type = ffi.wasmtime_val_t * len(kinds)
        results_type = ffi.wasmtime_val_t * (1 if result_kind else 0)
        trap_type = POINTER(ffi.wasm_trap_t)
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
        trap = trap_type()
        error = call(context(), byref(raw_func), array, n_params, results, n_results, byref(trap))
        if error:
            raise WasmtimeError._from_ptr(error)
        if trap:
            raise Trap._from_ptr(trap)
        return getattr(results[0].of, result_kind[1]) if result_kind else None

    return fast


class WasmFunction:
    """One exported function, callable with Python numbers, positionally or by parameter name."""

    def __init__(self, module: WasmModule, signature: ExportSignature, func: Any) -> None:
        self._module = module
        self.signature = signature
        self._func = func
        self.__name__ = signature.name
        self.__qualname__ = signature.name
        self.__doc__ = f"{signature.name}({', '.join(f'{p.name}: {p.type}' for p in signature.params)}) " \
                       f"-> {signature.result}, compiled to WebAssembly"
        self._names = [p.name for p in signature.params]
        self._arrays: Any = None
        if module._array_runtime:
            from pyexec.backends.wasm.array_boundary import ArrayCall

            # arrays are copied in and out under the module's lock (in _invoke), with the module's allocator,
            # which also frees what compiled code allocated in a call that trapped
            self._arrays = ArrayCall(module, [p.type for p in signature.params], signature.result)
        elif any(array_info(t) or t == "str" for t in [signature.result, *(p.type for p in signature.params)]):
            raise WasmLoadError(f"{module._name}: {signature.name}() takes or returns arrays or strings, but the "
                                "module does "
                                "not export pyexec's array runtime (pyexec_alloc, pyexec_decref, "
                                "pyexec_free_call_blocks)")
        self._converters = [_argument_converter(signature.name, p.name, p.type) for p in signature.params]
        self._flat = any(tuple_items(p.type) is not None for p in signature.params)
        self._read_area: Callable[[Any], Any] | None = None
        if array_info(signature.result) is not None:
            self._read_area = self._arrays.read_result
            self._result = lambda array: array
        elif signature.result == "str":
            self._read_area = self._arrays.read_string  # decoded under the module's lock, the block released
            self._result = lambda text: text
        elif tuple_items(signature.result) is not None:
            # read under the module's lock (in _invoke): the next call rewrites the result area
            self._read_area = _tuple_result_reader(module, signature.result)
            self._result: Callable[[Any], Any] = lambda items: items
        else:
            self._result = _result_converter(signature.result)
        store = module._store
        fast = _fast_caller(func, store, signature.wasm_params, signature.wasm_result)
        self._call = fast if fast is not None else (lambda *values: func(store, *values))

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if kwargs or len(args) != len(self._converters):
            args = self._bind(args, kwargs)
        values = [convert(a) for convert, a in zip(self._converters, args)]
        if self._flat:  # a tuple parameter is one wasm parameter per item
            values = [v for group in values for v in (group if isinstance(group, list) else [group])]
        return self._result(self._module._invoke(self, values))

    def in_memory(self, *args: Any, **kwargs: Any) -> Any:
        """Call, and return the array result in place: a ``numpy.ndarray`` over its block in the module's linear
        memory, not a copy. Passing it to a function of the same module (of one ``wasm_multi`` build, say)
        costs no copy either; the block is released after NumPy drops the array (as ``wasm_array``'s). A
        result that is a view of an argument comes back as a copy (its memory is the argument's).

        Example:
            >>> g = mod.grid.in_memory(1000, 1000)  # doctest: +SKIP
            >>> mod.total(g)                        # doctest: +SKIP
        """
        if array_info(self.signature.result) is None:
            raise TypeError(f"{self.__name__}() returns {self.signature.result}, not an array: in_memory() is for "
                            "functions that return arrays")
        if kwargs or len(args) != len(self._converters):
            args = self._bind(args, kwargs)
        values = [convert(a) for convert, a in zip(self._converters, args)]
        if self._flat:
            values = [v for group in values for v in (group if isinstance(group, list) else [group])]
        return self._module._invoke(self, values, read=self._arrays.read_result_in_place)

    def _bind(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[Any, ...]:
        """Positional and keyword arguments in parameter order, refused with CPython's messages."""
        name, names = self.signature.name, self._names
        if len(args) > len(names):
            raise TypeError(f"{name}() takes {len(names)} positional argument{'' if len(names) == 1 else 's'} "
                            f"but {len(args)} {'was' if len(args) == 1 else 'were'} given")
        bound = dict(zip(names, args))
        for key, value in kwargs.items():
            if key not in names:
                raise TypeError(f"{name}() got an unexpected keyword argument {key!r}")
            if key in bound:
                raise TypeError(f"{name}() got multiple values for argument {key!r}")
            bound[key] = value
        missing = [n for n in names if n not in bound]
        if missing:
            listed = " and ".join(", ".join(repr(m) for m in missing).rsplit(", ", 1))
            raise TypeError(f"{name}() missing {len(missing)} required positional argument"
                            f"{'' if len(missing) == 1 else 's'}: {listed}")
        return tuple(bound[n] for n in names)

    def __repr__(self) -> str:
        return f"<wasm function {self.signature}>"


def _tuple_argument_converter(function: str, name: str, type_name: str) -> Callable[[Any], Any]:
    """A tuple argument: a ``tuple`` of the right length (as in process), each item converted as a scalar."""
    items = tuple_items(type_name) or []
    shown = "tuple[" + ", ".join(items) + "]"
    converters = [_argument_converter(function, f"{name}[{i}]", t) for i, t in enumerate(items)]

    def to_items(value: Any) -> list[Any]:
        if not isinstance(value, tuple):
            raise TypeError(f"{function}() argument '{name}' must be {shown}, not {type(value).__name__}")
        if len(value) != len(items):
            raise TypeError(f"{function}() argument '{name}' must be {shown}, a tuple of {len(items)} items, "
                            f"not a tuple of {len(value)}")
        return [convert(v) for convert, v in zip(converters, value)]

    return to_items


def _tuple_result_reader(module: WasmModule, type_name: str) -> Callable[[Any], Any]:
    """A tuple result: the items the function left in its result area (the address it returned)."""
    import struct

    formats = {"bool": "<B", "bool_": "<B", "int8": "<b", "int16": "<h", "int32": "<i", "int64": "<q", "int": "<q",
               "uint8": "<B", "uint16": "<H", "uint32": "<I", "uint64": "<Q", "float32": "<f", "float64": "<d"}
    layout = [(struct.Struct(formats[t]), offset, _result_converter(t)) for t, offset in tuple_layout(type_name)]
    size = max(offset + fmt.size for fmt, offset, _ in layout)

    def read(address: Any) -> tuple[Any, ...]:
        address &= 0xFFFFFFFF  # an i32 result is signed in wasmtime; an address is unsigned
        memory = module._memory
        if memory is None or address + size > memory.data_len(module._store):
            raise WasmTrap(f"the module returned a tuple at address {address}, outside its memory "
                           "(the module is not one pyexec built)")
        data = memory.read(module._store, address, address + size)
        return tuple(convert(fmt.unpack_from(data, offset)[0]) for fmt, offset, convert in layout)

    return read


def _argument_converter(function: str, name: str, type_name: str) -> Callable[[Any], Any]:
    if type_name == "str":
        from pyexec.backends.wasm.array_boundary import string_argument

        return string_argument(function, name)  # type: ignore[no-any-return]
    if array_info(type_name) is not None:
        from pyexec.backends.wasm.array_boundary import ArrayArgument

        return ArrayArgument(function, name, type_name)
    if tuple_items(type_name) is not None:
        return _tuple_argument_converter(function, name, type_name)
    info = scalar_info(type_name)
    if info.is_float:
        def to_float(value: Any) -> float:
            # As the native backend (PyFloat_AsDouble): __float__ or __index__, never str/bytes parsing.
            if isinstance(value, float):
                return float(value)
            kind = type(value)
            if hasattr(kind, "__float__"):
                return float(value)
            if hasattr(kind, "__index__"):
                return float(operator.index(value))
            raise TypeError(f"{function}() argument {name!r} must be a real number, not {kind.__name__}")
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


class _HostFailure(Exception):
    """Raised by the loader's host functions after storing the real exception on the module."""


class _HeapGuard:
    """The module's lock around a heap operation from the host: never during a call of the module."""

    def __init__(self, module: WasmModule) -> None:
        self._module = module

    def __enter__(self) -> None:
        module = self._module
        if module._owner == threading.get_ident():
            raise RuntimeError(f"the heap of the wasm module {module._name} cannot be changed from inside one "
                               "of its calls (a module runs one call at a time)")
        module._lock.acquire()
        try:
            if module._released:
                module._release_dropped()
        except BaseException:
            module._lock.release()
            raise

    def __exit__(self, *exc: object) -> None:
        self._module._lock.release()


class WasmModule:
    """A loaded module: one attribute per exported function (see :func:`load`).

    Threads: a module is one wasmtime store (one linear memory, one stack pointer), so its calls run one
    at a time: a lock serialises them, and other threads wait for it (their own Python code runs
    meanwhile, and different modules run in parallel). A function called again from inside a call of the
    same module (from a ``print`` redirected to Python code that calls it) raises RuntimeError.
    """

    def __init__(self, wasm: bytes, name: str = "<wasm>", *, start_timeout: float | None = 10.0,
                 interruptible: bool = True) -> None:
        import wasmtime

        if not interruptible and start_timeout is not None:
            raise ValueError("load_wasm(interruptible=False) cannot stop a start function after a time limit: "
                             "pass start_timeout=None with it")
        self._name = name
        self._functions: dict[str, WasmFunction] = {}
        self._lock = threading.Lock()
        self._owner: int | None = None
        self._host_error: BaseException | None = None
        self._released: list[int] = []  # blocks of wasm_array() arrays NumPy dropped, released under the lock
        try:
            sections = read_sections(wasm)
            _check_value_types(sections)
        except WasmFormatError as exc:
            raise WasmLoadError(f"{name}: {exc}") from None
        except (ValueError, IndexError) as exc:
            raise WasmLoadError(f"{name}: not a valid WebAssembly module: {exc}") from None
        payload = next((s.payload for s in sections if s.id == SECTION_CUSTOM and s.name == SECTION_NAME), None)
        engine = _get_engine(interruptible)
        try:
            module = wasmtime.Module(engine, wasm)
        except wasmtime.WasmtimeError as exc:
            raise WasmLoadError(f"{name}: not a valid WebAssembly module: {exc}") from None
        signatures = self._signatures(module, payload, wasmtime)
        self._store = wasmtime.Store(engine)
        self._deadline: float | None = None
        # without epoch checks there is no deadline: Ctrl-C during a call is delivered when the call returns
        self._on_deadline = INTERRUPTS.install(self._store, self._time_limit) if interruptible else None
        linker = wasmtime.Linker(engine)
        for imp in module.imports:
            self._define_import(linker, imp, wasmtime)
        instance = self._instantiate(linker, module, start_timeout, wasmtime)
        exports = instance.exports(self._store)
        self._exports = exports
        # the array runtime's exports, with the types pyexec's runtime gives them
        runtime_types = {"pyexec_alloc": (["i32"], ["i32"]), "pyexec_decref": (["i32"], []),
                         "pyexec_free_call_blocks": ([], [])}
        self._array_runtime = all(
            isinstance(exports[name] if name in exports else None, wasmtime.Func)
            and ([str(t) for t in exports[name].type(self._store).params],
                 [str(t) for t in exports[name].type(self._store).results]) == types
            for name, types in runtime_types.items())
        self._memory = exports["memory"] if "memory" in exports else None
        if self._memory is not None and not isinstance(self._memory, wasmtime.Memory):
            raise WasmLoadError(f"{name}: the export 'memory' is not a linear memory")
        # The error state lives in linear memory: reading it there costs ~1 µs, a getter call ~10 µs.
        self._error_code = self._address_global(exports, ERROR_CODE_EXPORT, wasmtime)
        self._error_message = self._address_global(exports, ERROR_MESSAGE_EXPORT, wasmtime)
        self._stack_pointer = exports["__stack_pointer"] if "__stack_pointer" in exports else None
        if self._stack_pointer is not None:
            kind = self._stack_pointer.type(self._store) if isinstance(self._stack_pointer, wasmtime.Global) else None
            if kind is None or str(kind.content) != "i32" or not kind.mutable:
                raise WasmLoadError(f"{name}: the export '__stack_pointer' is not a mutable i32 global")
        self._stack_top = self._stack_pointer.value(self._store) if self._stack_pointer is not None else 0
        for sig in signatures:
            self._functions[sig.name] = WasmFunction(self, sig, exports[sig.name])

    # --- checking what the file declares --------------------------------------------------------

    def _signatures(self, module: Any, payload: bytes | None, wasmtime: Any) -> list[ExportSignature]:
        """The exports' signatures, each checked against the function's real wasm type."""
        types = {e.name: e.type for e in module.exports}
        if payload is None:
            return _signatures_from_types(self._name, types, wasmtime)
        try:
            signatures = decode_signatures(payload)
        except UnicodeDecodeError:
            raise WasmLoadError(f"{self._name}: the '{SECTION_NAME}' section is not UTF-8 text") from None
        except SignatureError as exc:
            raise WasmLoadError(f"{self._name}: the '{SECTION_NAME}' section is malformed: {exc}") from None
        seen: set[str] = set()
        for sig in signatures:
            where = f"{self._name}: the '{SECTION_NAME}' section declares {sig.name}()"
            if sig.name in seen:
                raise WasmLoadError(f"{where} twice")
            seen.add(sig.name)
            functype = types.get(sig.name)
            if not isinstance(functype, wasmtime.FuncType):
                raise WasmLoadError(f"{where}, but the module exports no function of that name")
            params = [str(t) for t in functype.params]
            results = [str(t) for t in functype.results]
            expected = (sig.wasm_params, [sig.wasm_result] if sig.wasm_result else [])
            if (params, results) != expected:
                raise WasmLoadError(f"{where} with wasm type {expected[0]} -> {expected[1]}, but the function "
                                    f"has type {params} -> {results}")
        return signatures

    def _address_global(self, exports: Any, name: str, wasmtime: Any) -> int | None:
        """The linear-memory address an exported i32 global holds, checked to leave room for an i32 there."""
        if name not in exports:
            return None
        item = exports[name]
        if not isinstance(item, wasmtime.Global) or str(item.type(self._store).content) != "i32":
            raise WasmLoadError(f"{self._name}: the export {name!r} is not an i32 global")
        if item.type(self._store).mutable:
            raise WasmLoadError(f"{self._name}: the export {name!r} must be immutable (it holds an address)")
        address = item.value(self._store) & 0xFFFFFFFF
        size = self._memory.data_len(self._store) if self._memory is not None else 0
        if address + 4 > size:
            raise WasmLoadError(f"{self._name}: the export {name!r} holds address {address}, outside the "
                                f"module's linear memory ({size} bytes)")
        return address

    def _instantiate(self, linker: Any, module: Any, start_timeout: float | None, wasmtime: Any) -> Any:
        """Instantiate, stopping a start function that runs longer than ``start_timeout`` seconds."""
        self._deadline = None if start_timeout is None else time.monotonic() + start_timeout
        INTERRUPTS.begin_instantiation()
        main = INTERRUPTS.enter()
        try:
            instantiate = lambda: linker.instantiate(self._store, module)  # noqa: E731
            return run_on_wasm_stack(lambda: INTERRUPTS.run_for_main(instantiate) if main else instantiate())
        except (wasmtime.WasmtimeError, wasmtime.Trap) as exc:
            if _interrupted_by(exc) == "timeout":
                raise WasmLoadError(f"{self._name}: the start function did not return within {start_timeout} s "
                                    "(pass start_timeout= to allow longer)") from None
            if _interrupted_by(exc) == "KeyboardInterrupt":
                raise KeyboardInterrupt from None
            raise WasmLoadError(f"{self._name}: cannot instantiate: {exc}") from None
        finally:
            self._deadline = None
            INTERRUPTS.end_instantiation()
            if main:
                INTERRUPTS.leave()

    def _time_limit(self) -> str | None:
        deadline = self._deadline
        return "timeout" if deadline is not None and time.monotonic() > deadline else None

    # --- imports ------------------------------------------------------------------------------

    def _define_import(self, linker: Any, imp: Any, wasmtime: Any) -> None:
        name = imp.name
        if imp.module != "env" or name not in HOST_FUNCTIONS or not isinstance(imp.type, wasmtime.FuncType):
            raise WasmLoadError(f"{self._name}: the module imports {imp.module}.{name}, which pyexec's loader "
                                "does not provide (only pyexec's runtime and libm functions)")
        params, results = HOST_FUNCTIONS[name]
        valtype = {"i32": wasmtime.ValType.i32(), "i64": wasmtime.ValType.i64(), "f32": wasmtime.ValType.f32(),
                   "f64": wasmtime.ValType.f64()}
        ftype = wasmtime.FuncType([valtype[p] for p in params], [valtype[r] for r in results])
        linker.define_func("env", name, ftype, self._guarded(self._host_function(name)))

    def _guarded(self, function: Callable[..., Any]) -> Callable[..., Any]:
        """``function``, keeping any exception it raises on the module so the call re-raises that one."""
        def host(*args: Any) -> Any:
            try:
                return function(*args)
            except BaseException as exc:
                self._host_error = exc
                raise _HostFailure from None
        return host

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
            "pyexec_print_text": lambda address, n: write(
                bytes(self._memory.read(self._store, address, address + n)).decode("utf-8", errors="replace")),
            "pyexec_round_ndigits": round_ndigits,
            "pyexec_float_digits": self._float_digits,
        }
        asserts: dict[str, Callable[..., str]] = {  # a failed `assert test, value`: AssertionError(str(value))
            "pyexec_assert_i64": str,
            "pyexec_assert_u64": lambda v: str(v & 0xFFFFFFFFFFFFFFFF),
            "pyexec_assert_bool": lambda v: "True" if v else "False",
            "pyexec_assert_f64": format_float,
            "pyexec_assert_f32": format_float32,
            "pyexec_assert_c128": format_complex,
            "pyexec_assert_c64": format_complex64,
        }
        if name in asserts:
            text = asserts[name]

            def fail(*values: Any) -> int:
                raise AssertionError(text(*values))

            return fail
        if name in printers:
            return printers[name]
        if HOST_FUNCTIONS[name][0] and HOST_FUNCTIONS[name][0][0] == "f32":
            return lambda *args: to_float32(c_libm(name, *args))
        return lambda *args: c_libm(name, *args)

    def _float_digits(self, x: float, mode: int, n: int, single: int, buf: int, decpt_out: int) -> int:
        """Write ``float_digits``'s digits at ``buf`` and the point's position (int32) at ``decpt_out``."""
        digits, decpt = float_digits(x, mode, n, single)
        size = self._memory.data_len(self._store)
        if not (0 <= buf <= size - len(digits) and 0 <= decpt_out <= size - 4):
            raise WasmTrap("pyexec_float_digits: a buffer outside the module's memory")
        # one look at the memory's base for both writes (Memory.write looks it up each time)
        base = ctypes.cast(self._memory.data_ptr(self._store), ctypes.c_void_p).value or 0
        ctypes.memmove(base + buf, digits.encode("ascii"), len(digits))
        ctypes.memmove(base + decpt_out, struct.pack("<i", decpt), 4)
        return len(digits)

    # --- calls ----------------------------------------------------------------------------------

    def _invoke(self, function: WasmFunction, values: list[Any], read: Callable[[Any], Any] | None = None) -> Any:
        """Run ``function`` on converted arguments under the module's lock; its raw result, or the exception."""
        me = threading.get_ident()
        if self._owner == me:
            raise RuntimeError(f"{function.__name__}() was called from inside another call of the wasm module "
                               f"{self._name} (a module runs one call at a time)")
        error: BaseException | None = None
        with self._lock:
            main = False
            arrays = function._arrays
            blocks: list[Any] = []
            trapped = False
            try:
                self._owner = me
                self._host_error = None
                if self._released:
                    self._release_dropped()
                if arrays is not None:
                    values, blocks = arrays.enter(values)
                main = INTERRUPTS.enter()
                try:
                    raw = run_on_wasm_stack(lambda: self._call_as_owner(function, values, main))
                except BaseException as exc:
                    trapped = True
                    error = self._translate_trap(exc, function.__name__)
                else:
                    if function.signature.fallible:
                        error = self._error_state()
                    read = read or function._read_area
                    if error is None and read is not None:
                        try:
                            raw = read(raw)
                        except Exception as exc:  # an address outside memory: only a corrupt module
                            error = exc
            finally:
                if arrays is not None:
                    # the arguments' blocks; after a trap, the call's own; after any failure, whatever
                    # references the failed call's frames still held on the arguments
                    arrays.leave(blocks, trapped, failed=trapped or error is not None)
                self._owner = None
                if main:
                    INTERRUPTS.leave()  # delivers a Ctrl-C that came during the call
        if error is not None:
            raise error
        return raw

    def _call_as_owner(self, function: WasmFunction, values: list[Any], main: bool) -> Any:
        """The raw call, with the module owned by the thread that runs it (a helper thread, when the
        caller's stack is small: a ``print`` there that calls the module again is then refused, not a
        deadlock; and Ctrl-C stops it when the caller is the main thread)."""
        outer, self._owner = self._owner, threading.get_ident()
        try:
            return INTERRUPTS.run_for_main(lambda: function._call(*values)) if main else function._call(*values)
        finally:
            self._owner = outer

    # --- errors -------------------------------------------------------------------------------

    def _error_state(self) -> Exception | None:
        if self._error_code is None or self._memory is None:
            return None
        base = ctypes.cast(self._memory.data_ptr(self._store), ctypes.c_void_p).value or 0
        code = ctypes.c_int32.from_address(base + self._error_code).value  # checked in bounds at load
        if not code:
            return None
        kind = ERROR_KINDS.get(code, "RuntimeError")
        message = ""
        if self._error_message is not None:
            address = ctypes.c_uint32.from_address(base + self._error_message).value
            message = _read_c_string(self._memory, self._store, address) if address else ""
        return _exception_class(kind)(message)

    def _translate_trap(self, exc: BaseException, function: str) -> BaseException:
        import wasmtime

        host_error, self._host_error = self._host_error, None
        if host_error is not None:  # a host function (print, libm) raised: that exception, unchanged
            _forget_wasmtime_last_exception()
            self._reset_stack_pointer()
            return host_error
        if not isinstance(exc, (wasmtime.Trap, wasmtime.WasmtimeError)):
            return exc
        shadow_stack_overflow = self._stack_pointer_wrapped()
        self._reset_stack_pointer()
        reason = _interrupted_by(exc)
        if reason == "KeyboardInterrupt":
            return KeyboardInterrupt()
        text = str(exc)
        code = getattr(exc, "trap_code", None)
        if code == wasmtime.TrapCode.STACK_OVERFLOW or "call stack exhausted" in text:
            return RecursionError(f"maximum recursion depth exceeded in {function}() (the wasm stack is exhausted)")
        if shadow_stack_overflow:
            return RecursionError(f"maximum recursion depth exceeded in {function}() (the stack in linear memory "
                                  "is exhausted)")
        if code == wasmtime.TrapCode.INTEGER_DIVISION_BY_ZERO:
            return ZeroDivisionError("integer division or modulo by zero")
        if code == wasmtime.TrapCode.INTEGER_OVERFLOW or code == wasmtime.TrapCode.BAD_CONVERSION_TO_INTEGER:
            return OverflowError(f"integer overflow in {function}()")
        return WasmTrap(f"{function}() trapped in WebAssembly: {text}")

    def _stack_pointer_wrapped(self) -> bool:
        """Whether the stack in linear memory ran out: it grows down from its top towards address 0, so a
        frame pushed past the bottom wraps the stack pointer above the top (the trap is the store there)."""
        if self._stack_pointer is None:
            return False
        return (self._stack_pointer.value(self._store) & 0xFFFFFFFF) > self._stack_top

    def _reset_stack_pointer(self) -> None:
        if self._stack_pointer is not None:  # a trap skips the epilogues that restore it
            self._stack_pointer.set_value(self._store, self._stack_top)

    # --- arrays in linear memory --------------------------------------------------------------

    def wasm_array(self, shape: int | tuple[int, ...], dtype: Any = "float64") -> Any:
        """A new zero-filled ``numpy.ndarray`` whose elements live in this module's linear memory.

        Passing it (or any view of it) to the module's functions costs no copy: the function reads and
        writes these very elements. The array stays valid as long as it (or a view of it) is referenced;
        its block is released after NumPy drops it. Its memory does not move when the module's memory grows
        (wasmtime reserves a wasm32 memory's whole range up front). The module must have the array runtime
        (a function that takes, makes or returns arrays).

        Example:
            >>> a = mod.wasm_array(1000)        # doctest: +SKIP
            >>> a[:] = 1.0; mod.total(a)        # doctest: +SKIP
            1000.0
        """
        import numpy as np

        from pyexec.backends.wasm.array_boundary import WasmArrayBlock

        if not self._array_runtime:
            raise TypeError(f"the wasm module {self._name} has no array runtime (none of its functions takes, "
                            "makes or returns arrays), so it cannot hold arrays")
        dims = (shape,) if isinstance(shape, int) else tuple(shape)
        kind = np.dtype(dtype)
        if kind.kind not in "biufc" or kind.byteorder == ">":
            raise TypeError(f"wasm_array() takes a numeric or bool dtype in native byte order, not {kind}")
        if any(not isinstance(n, int) or n < 0 for n in dims):
            raise ValueError(f"wasm_array() needs a shape of non-negative ints, not {shape!r}")
        nbytes = kind.itemsize * int(np.prod(dims, dtype=np.int64))
        if nbytes >= 1 << 31:
            raise MemoryError(f"an array of {nbytes} bytes does not fit in a wasm32 module's memory")
        with self._lock:
            if self._released:
                self._release_dropped()
            address = self._exports["pyexec_alloc"](self._store, nbytes) & 0xFFFFFFFF
            if address == 0:
                raise MemoryError(f"the wasm module cannot grow its memory to hold {nbytes} bytes")
            base = ctypes.cast(self._memory.data_ptr(self._store), ctypes.c_void_p).value or 0
            ctypes.memset(base + address, 0, nbytes)
        interface = {"version": 3, "typestr": kind.str, "shape": dims, "data": (base + address, False)}
        return np.asarray(WasmArrayBlock(self, address, interface))

    def memory_manager(self) -> Any:
        """The manager of this module's heap (one per module): ``pyexec.wasm_memory.ModuleMemoryManager``,
        whose ``alloc``/``free``/``incref``/``decref``/``get_usage`` call the allocator compiled into the module,
        under the module's lock, so Python's blocks and compiled code's share one heap and its free lists.

        Example:
            >>> mm = mod.memory_manager()       # doctest: +SKIP
            >>> p = mm.alloc(800); mm.free(p, 800)  # doctest: +SKIP
        """
        try:
            from pyexec.wasm_memory import ModuleMemoryManager
        except ImportError:
            raise ImportError("memory_manager() needs pyexec.wasm_memory: pip install pyexec-memory "
                              "(the pyexec package includes it)") from None
        if not self._array_runtime or self._memory is None:
            raise TypeError(f"the wasm module {self._name} has no array runtime (none of its functions takes, "
                            "makes or returns arrays), so it has no heap to manage")
        with self._lock:
            manager = self.__dict__.get("_memory_manager")
            if manager is None:
                functions = {name: self._exports[name] for name in ("pyexec_alloc", "pyexec_decref",
                             "pyexec_live_blocks", "pyexec_heap_used", "pyexec_heap_start")
                             if name in self._exports}
                manager = ModuleMemoryManager(self._memory, self._store, functions, lock=_HeapGuard(self),
                                              name=self._name)
                self.__dict__["_memory_manager"] = manager
        return manager

    def _release_dropped(self) -> None:
        """Release the blocks of wasm_array() arrays NumPy dropped (caller holds the lock)."""
        decref = self._exports["pyexec_decref"]
        while self._released:
            decref(self._store, self._released.pop())

    # --- access -------------------------------------------------------------------------------

    def __getattr__(self, name: str) -> WasmFunction:
        functions = self.__dict__.get("_functions", {})
        if name in functions:
            return functions[name]
        raise AttributeError(f"the wasm module {self.__dict__.get('_name', '<wasm>')} has no function {name!r} "
                             f"(it exports: {', '.join(functions) or 'nothing'})")

    def __dir__(self) -> list[str]:
        return sorted(set(super().__dir__()) | set(self._functions))

    @property
    def functions(self) -> dict[str, WasmFunction]:
        """The exported functions by name."""
        return dict(self._functions)

    def __repr__(self) -> str:
        return f"<wasm module {self._name}: {', '.join(map(str, (f.signature for f in self._functions.values())))}>"


_NUMERIC_CODES = frozenset((I32, I64, F32, F64))


def _check_value_types(sections: list[Section]) -> None:
    """Refuse, before wasmtime sees them, value types the loader does not handle (v128, references).

    pyexec modules use only i32/i64/f32/f64 in their types, imports and globals; wasmtime's C API aborts the
    process on some others (asking for a v128 function type panics), so they are refused here.
    """
    def valtype(reader: Reader, where: str) -> None:
        code = reader.byte()
        if code not in _NUMERIC_CODES:
            raise WasmFormatError(f"{where} uses the value type {VALTYPE_NAMES.get(code, hex(code))}, which "
                                  "pyexec's loader does not handle (only i32, i64, f32 and f64)")

    for section in sections:
        reader = Reader(section.payload)
        if section.id == SECTION_TYPE:
            for index in range(reader.u32()):
                form = reader.byte()
                if form != 0x60:
                    raise WasmFormatError(f"type {index} is not a plain function type (form {form:#x})")
                for _ in range(reader.u32()):
                    valtype(reader, f"type {index}")
                for _ in range(reader.u32()):
                    valtype(reader, f"type {index}")
        elif section.id == SECTION_IMPORT:
            for _ in range(reader.u32()):
                module, field, kind = reader.name(), reader.name(), reader.byte()
                if kind != KIND_FUNCTION:
                    raise WasmFormatError(f"the module imports {module}.{field}, which is not a function "
                                          "(pyexec's loader provides only functions)")
                reader.u32()
        elif section.id == SECTION_GLOBAL:
            for index in range(reader.u32()):
                valtype(reader, f"global {index}")
                reader.byte()
                reader.const_expr()


def _interrupted_by(exc: BaseException) -> str | None:
    """``"KeyboardInterrupt"`` or ``"timeout"`` when the epoch callback stopped the wasm code, else None."""
    lines = {line.strip() for line in str(exc).splitlines()}
    return next((reason for reason in ("KeyboardInterrupt", "timeout") if reason in lines), None)


def _forget_wasmtime_last_exception() -> None:
    """wasmtime-py keeps a host function's exception in one global; ours were already taken per module."""
    try:
        from wasmtime import _func
    except ImportError:
        return
    if isinstance(getattr(_func, "LAST_EXCEPTION", None), _HostFailure):
        _func.LAST_EXCEPTION = None


def _signatures_from_types(name: str, types: dict[str, Any], wasmtime: Any) -> list[ExportSignature]:
    """Signatures of a module without pyexec's section, from its wasm types (i64 → int, f64 → float …)."""
    from pyexec.backends.wasm.signature import Param

    names = {"i64": "int64", "i32": "int32", "f32": "float32", "f64": "float64"}
    sigs = []
    for export, functype in types.items():
        if not isinstance(functype, wasmtime.FuncType) or export in (ERROR_CODE_EXPORT, ERROR_MESSAGE_EXPORT):
            continue  # the runtime's own exports are checked where they are read
        params = [str(t) for t in functype.params]
        results = [str(t) for t in functype.results]
        if not set(params + results) <= _NUMERIC or len(results) > 1:
            raise WasmLoadError(f"{name}: the export {export!r} has type {params} -> {results}; the loader "
                                "handles functions of i32/i64/f32/f64 with at most one result")
        if not export.isidentifier():
            raise WasmLoadError(f"{name}: the export name {export!r} is not a Python identifier")
        sigs.append(ExportSignature(export, tuple(Param(f"arg{i}", names[t]) for i, t in enumerate(params)),
                                    names[results[0]] if results else "None"))
    return sigs


def load(path: str | os.PathLike[str] | bytes, *, start_timeout: float | None = 10.0,
         interruptible: bool = True) -> WasmModule:
    """Load a ``.wasm`` file built by pyexec (or its bytes) into wasmtime; its functions become attributes.

    A start function still running after ``start_timeout`` seconds is stopped (``WasmLoadError``; None
    waits forever); Ctrl-C stops a long call or start function on the main thread (``KeyboardInterrupt``).
    ``interruptible=False`` (with ``start_timeout=None``) compiles the module without wasmtime's epoch
    checks: loops run faster (1.3-1.4x on tight array loops), but nothing stops a call before it returns;
    a Ctrl-C during it raises ``KeyboardInterrupt`` when it returns.

    Example:
        >>> fib = load("fib.wasm")          # doctest: +SKIP
        >>> fib.fibonacci(90)               # doctest: +SKIP
        2880067194370816120
    """
    if isinstance(path, (bytes, bytearray)):
        return WasmModule(bytes(path), start_timeout=start_timeout, interruptible=interruptible)
    file = Path(path)
    if not file.is_file():
        raise WasmLoadError(f"no such wasm file: {file}")
    return WasmModule(file.read_bytes(), str(file), start_timeout=start_timeout, interruptible=interruptible)
