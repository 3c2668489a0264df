"""The in-process runtime: what MCJIT code links to in this process.

- The C API, registered under private names (``pyexec.capi.<name>``, see
  :func:`pyexec.backends.llvm.wrapper.capi_symbol`): llvmlite's symbol table is shared by every
  user in the process, and Numba binds ``PyExc_*`` to other addresses.
- ``pyexec_print_*`` (lowered with ``python_runtime=True``): small machine-code functions, built
  here once per process from LLVM IR, that box the value with the C API and call a Python writer
  (``sys.stdout.write`` of CPython's ``str``/``repr``). They return -1 with the exception set when
  the write raised (BrokenPipeError, KeyboardInterrupt, ...), so the compiled call ends with it.
  Output interleaves with Python's own ``print`` and is captured like it.
- ``pyexec_stack_limit``: the calling thread's stack bottom plus a reserve, read once per thread
  (``pthread_getattr_np`` on Linux, ``pthread_get_stackaddr_np`` on macOS).
- ``pyexec_check_interrupt`` and the interrupt flag: a SIGINT hook, chained in front of CPython's
  own handler, sets the flag; compiled loops and recursive calls poll it and, when set, let CPython
  run its handlers (``PyErr_CheckSignals``), so Ctrl-C raises KeyboardInterrupt in the caller.
- ``pyexec_round_ndigits``: CPython's built-in ``round`` called through the C API (no Python
  frame runs, so no signal handler can run, and be lost, inside it; it cannot fail for a float
  and an int short of running out of memory, when it returns ``x``).

Example:
    >>> from pyexec.backends.llvm.host_runtime import register_symbols
    >>> register_symbols()  # idempotent
"""

from __future__ import annotations

import atexit
import ctypes
import signal
import sys
import threading

import llvmlite.binding as llvm

from pyexec.backends.llvm import runtime as rt
from pyexec.backends.llvm.array_runtime import FUNCTIONS as ARRAY_RUNTIME_FUNCTIONS
from pyexec.backends.llvm.array_runtime import array_runtime_ir

ARRAY_BOX_SYMBOL = "pyexec.host.array_box"
"""A pointer-sized cell holding :func:`pyexec.backends.llvm.array_box.box` (a borrowed ``PyObject *``)."""

C_API_FUNCTIONS = (
    "PyLong_AsLongLong", "PyLong_AsUnsignedLongLong", "PyFloat_AsDouble", "PyObject_IsTrue",
    "PyComplex_AsCComplex", "PyErr_Occurred", "PyLong_FromLongLong", "PyLong_FromUnsignedLongLong",
    "PyFloat_FromDouble", "PyBool_FromLong", "PyComplex_FromDoubles", "Py_IncRef", "Py_DecRef",
    "PyErr_SetString", "PyObject_GetAttrString", "PyObject_Vectorcall", "PyNumber_Index",
    "PyUnicode_FromString", "PyErr_CheckSignals", "PyErr_Clear", "PyType_IsSubtype", "PyTuple_Size",
    "PyTuple_GetItem", "PyTuple_New", "PyTuple_SetItem", "PyErr_Format", "PyObject_GetBuffer",
    "PyBuffer_Release", "PyBuffer_IsContiguous", "Py_BuildValue", "PyObject_CallObject",
    "PyUnicode_AsUTF8AndSize", "PyUnicode_DecodeUTF8", "PyErr_NoMemory",
)
C_API_DATA = (
    "PyFloat_Type", "PyLong_Type", "_Py_NoneStruct", "PyExc_ZeroDivisionError", "PyExc_OverflowError",
    "PyExc_ValueError", "PyExc_AssertionError", "PyExc_RecursionError", "PyTuple_Type", "PyExc_TypeError",
    "PyExc_IndexError", "PyExc_MemoryError", "PyUnicode_Type",
)


def _writer(convert: object) -> object:
    def write(value: object) -> None:
        out = sys.stdout
        if out is not None:  # like print(): no stdout, no output
            out.write(convert(value))  # type: ignore[operator]

    return write


def _float32_text(x: float) -> str:
    import numpy

    return str(numpy.float32(x))


def _complex64_text(z: complex) -> str:
    import numpy

    return str(numpy.complex64(z))


def _asserter(convert: object) -> object:
    def fail(value: object) -> None:
        raise AssertionError(convert(value))  # type: ignore[operator]

    return fail


_CONVERTERS = {"str": str, "repr": repr, "f32": _float32_text, "c64": _complex64_text}
_WRITERS = {key: _writer(convert) for key, convert in _CONVERTERS.items()}
_ASSERTERS = {key: _asserter(convert) for key, convert in _CONVERTERS.items()}

# name: (LLVM parameters, how the value is boxed, writer)
_PRINTERS = {
    "pyexec_print_i64": ("i64 %v", 'call ptr @"pyexec.capi.PyLong_FromLongLong"(i64 %v)', "str"),
    "pyexec_print_u64": ("i64 %v", 'call ptr @"pyexec.capi.PyLong_FromUnsignedLongLong"(i64 %v)', "str"),
    "pyexec_print_bool": ("i32 %v", 'call ptr @"pyexec.capi.PyBool_FromLong"(i64 %w)', "str"),
    "pyexec_print_f64": ("double %v", 'call ptr @"pyexec.capi.PyFloat_FromDouble"(double %v)', "repr"),
    "pyexec_print_f32": ("float %v", 'call ptr @"pyexec.capi.PyFloat_FromDouble"(double %w)', "f32"),
    "pyexec_print_c128": ("double %re, double %im",
                          'call ptr @"pyexec.capi.PyComplex_FromDoubles"(double %re, double %im)', "str"),
    "pyexec_print_c64": ("float %re, float %im",
                         'call ptr @"pyexec.capi.PyComplex_FromDoubles"(double %wre, double %wim)', "c64"),
    "pyexec_print_str": ("ptr %v", 'call ptr @"pyexec.capi.PyUnicode_FromString"(ptr %v)', "str"),
    "pyexec_print_text": ("ptr %v, i64 %n", 'call ptr @"pyexec.capi.PyUnicode_DecodeUTF8"(ptr %v, i64 %n, ptr null)',
                          "str"),
}
_WIDEN = {
    "pyexec_print_bool": "  %w = sext i32 %v to i64\n",
    "pyexec_print_f32": "  %w = fpext float %v to double\n",
    "pyexec_print_c64": "  %wre = fpext float %re to double\n  %wim = fpext float %im to double\n",
}

_DECLARATIONS = """
declare ptr @"pyexec.capi.PyLong_FromLongLong"(i64)
declare ptr @"pyexec.capi.PyLong_FromUnsignedLongLong"(i64)
declare ptr @"pyexec.capi.PyBool_FromLong"(i64)
declare ptr @"pyexec.capi.PyFloat_FromDouble"(double)
declare ptr @"pyexec.capi.PyComplex_FromDoubles"(double, double)
declare ptr @"pyexec.capi.PyUnicode_FromString"(ptr)
declare ptr @"pyexec.capi.PyUnicode_DecodeUTF8"(ptr, i64, ptr)
declare ptr @"pyexec.capi.PyObject_Vectorcall"(ptr, ptr, i64, ptr)
declare void @"pyexec.capi.Py_DecRef"(ptr)
declare i32 @"pyexec.capi.PyErr_CheckSignals"()
declare void @"pyexec.capi.PyErr_Clear"()
declare double @"pyexec.capi.PyFloat_AsDouble"(ptr)
"""


def _round_ir() -> str:
    """``pyexec_round_ndigits(x, n)``: ``round(float(x), int(n))`` by the built-in, through the C API."""
    import builtins

    round_builtin = f"inttoptr (i64 {id(builtins.round)} to ptr)"
    return f"""
define double @pyexec_round_ndigits(double %x, i64 %n) {{
entry:
  %args = alloca [2 x ptr]
  %fx = call ptr @"pyexec.capi.PyFloat_FromDouble"(double %x)
  %ln = call ptr @"pyexec.capi.PyLong_FromLongLong"(i64 %n)
  %nx = icmp eq ptr %fx, null
  %nn = icmp eq ptr %ln, null
  %none = or i1 %nx, %nn
  br i1 %none, label %failed, label %call
call:
  %a1 = getelementptr [2 x ptr], ptr %args, i64 0, i64 1
  store ptr %fx, ptr %args
  store ptr %ln, ptr %a1
  %r = call ptr @"pyexec.capi.PyObject_Vectorcall"(ptr {round_builtin}, ptr %args, i64 2, ptr null)
  call void @"pyexec.capi.Py_DecRef"(ptr %fx)
  call void @"pyexec.capi.Py_DecRef"(ptr %ln)
  %raised = icmp eq ptr %r, null
  br i1 %raised, label %failed, label %ok
ok:
  %v = call double @"pyexec.capi.PyFloat_AsDouble"(ptr %r)
  call void @"pyexec.capi.Py_DecRef"(ptr %r)
  ret double %v
failed:
  call void @"pyexec.capi.PyErr_Clear"()
  ret double %x
}}
"""

_WRITE = """
define internal i32 @"pyexec.host.write"(ptr %obj, ptr %writer) {
entry:
  %args = alloca ptr
  %none = icmp eq ptr %obj, null
  br i1 %none, label %fail, label %call
call:
  store ptr %obj, ptr %args
  %r = call ptr @"pyexec.capi.PyObject_Vectorcall"(ptr %writer, ptr %args, i64 1, ptr null)
  call void @"pyexec.capi.Py_DecRef"(ptr %obj)
  %raised = icmp eq ptr %r, null
  br i1 %raised, label %fail, label %ok
ok:
  call void @"pyexec.capi.Py_DecRef"(ptr %r)
  ret i32 0
fail:
  ret i32 -1
}
"""

_INTERRUPTS = """
@"pyexec.interrupt.flag" = global i32 0, align 4
@"pyexec.sigint.previous" = global ptr null, align 8

define i32 @pyexec_check_interrupt() {
  store atomic i32 0, ptr @"pyexec.interrupt.flag" monotonic, align 4
  %r = call i32 @"pyexec.capi.PyErr_CheckSignals"()
  ret i32 %r
}

; the SIGINT hook: CPython's own handler first (it marks the signal pending), then the flag, so a
; compiled loop that sees the flag always finds the signal pending (async-signal-safe: one store)
define void @"pyexec.sigint"(i32 %sig) {
entry:
  %previous = load ptr, ptr @"pyexec.sigint.previous"
  %known = icmp ne ptr %previous, null
  br i1 %known, label %chain, label %done
chain:
  call void %previous(i32 %sig)
  br label %done
done:
  store atomic i32 1, ptr @"pyexec.interrupt.flag" release, align 4
  ret void
}
"""

_STACK_LIMIT_TAIL = f"""
check:
  %low = phi i64 [%known.low, %entry], [%new.low, %query.done]
  %high = phi i64 [%known.high, %entry], [%new.high, %query.done]
  %above = icmp ult i64 %low, %here
  %below = icmp ule i64 %here, %high
  %inside = and i1 %above, %below
  br i1 %inside, label %bounded, label %fallback
bounded:
  %span = sub i64 %high, %low
  %eighth = lshr i64 %span, 3
  %small = icmp ult i64 %eighth, {rt.STACK_RESERVE_MIN}
  %r1 = select i1 %small, i64 {rt.STACK_RESERVE_MIN}, i64 %eighth
  %large = icmp ugt i64 %r1, {rt.STACK_RESERVE_MAX}
  %reserve = select i1 %large, i64 {rt.STACK_RESERVE_MAX}, i64 %r1
  %limit = add i64 %low, %reserve
  ret i64 %limit
fallback:
  %room = icmp ugt i64 %here, {rt.STACK_BUDGET}
  %budget = sub i64 %here, {rt.STACK_BUDGET}
  %fallback.limit = select i1 %room, i64 %budget, i64 1
  ret i64 %fallback.limit
}}
"""


def _stack_limit_linux(key_low: int, key_high: int) -> str:
    """``pyexec_stack_limit`` for glibc/musl: the bounds from ``pthread_getattr_np``, cached in two
    pthread keys (no TLS in MCJIT code). Unknown bounds are cached as high = 1 (then the fallback)."""
    return f"""
declare i64 @pthread_self()
declare i32 @pthread_getattr_np(i64, ptr)
declare i32 @pthread_attr_getstack(ptr, ptr, ptr)
declare i32 @pthread_attr_destroy(ptr)
declare ptr @pthread_getspecific(i32)
declare i32 @pthread_setspecific(i32, ptr)

define i64 @pyexec_stack_limit(i64 %here) {{
entry:
  %attr = alloca [512 x i8], align 16
  %addr.slot = alloca ptr
  %size.slot = alloca i64
  %cached.low = call ptr @pthread_getspecific(i32 {key_low})
  %cached.high = call ptr @pthread_getspecific(i32 {key_high})
  %known.low = ptrtoint ptr %cached.low to i64
  %known.high = ptrtoint ptr %cached.high to i64
  %cached = icmp ne i64 %known.high, 0
  br i1 %cached, label %check, label %query
query:
  store ptr null, ptr %addr.slot
  store i64 0, ptr %size.slot
  %self = call i64 @pthread_self()
  %rc = call i32 @pthread_getattr_np(i64 %self, ptr %attr)
  %ok = icmp eq i32 %rc, 0
  br i1 %ok, label %query.read, label %query.done
query.read:
  %rc2 = call i32 @pthread_attr_getstack(ptr %attr, ptr %addr.slot, ptr %size.slot)
  %rc3 = call i32 @pthread_attr_destroy(ptr %attr)
  br label %query.done
query.done:
  %addr = load ptr, ptr %addr.slot
  %size = load i64, ptr %size.slot
  %base = ptrtoint ptr %addr to i64
  %top = add i64 %base, %size
  %valid = icmp ne i64 %size, 0
  %new.low = select i1 %valid, i64 %base, i64 0
  %new.high = select i1 %valid, i64 %top, i64 1
  %low.ptr = inttoptr i64 %new.low to ptr
  %high.ptr = inttoptr i64 %new.high to ptr
  %s1 = call i32 @pthread_setspecific(i32 {key_low}, ptr %low.ptr)
  %s2 = call i32 @pthread_setspecific(i32 {key_high}, ptr %high.ptr)
  br label %check
{_STACK_LIMIT_TAIL}"""


_STACK_LIMIT_MACOS = """
declare ptr @pthread_self()
declare ptr @pthread_get_stackaddr_np(ptr)
declare i64 @pthread_get_stacksize_np(ptr)

define i64 @pyexec_stack_limit(i64 %here) {
entry:
  %self = call ptr @pthread_self()
  %top = call ptr @pthread_get_stackaddr_np(ptr %self)
  %size = call i64 @pthread_get_stacksize_np(ptr %self)
  %known.high = ptrtoint ptr %top to i64
  %known.low = sub i64 %known.high, %size
  br label %check
query.done:
  %new.low = add i64 0, 0
  %new.high = add i64 0, 0
  br label %check
""" + _STACK_LIMIT_TAIL

_STACK_LIMIT_UNKNOWN = """
define i64 @pyexec_stack_limit(i64 %here) {
entry:
  %known.low = add i64 0, 0
  %known.high = add i64 0, 0
  br label %check
query.done:
  %new.low = add i64 0, 0
  %new.high = add i64 0, 0
  br label %check
""" + _STACK_LIMIT_TAIL


def _stack_limit_ir() -> str:
    if sys.platform == "darwin":
        return _STACK_LIMIT_MACOS
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None)
        keys = [ctypes.c_uint(0), ctypes.c_uint(0)]
        for key in keys:
            if libc.pthread_key_create(ctypes.byref(key), None) != 0:
                return _STACK_LIMIT_UNKNOWN
        return _stack_limit_linux(keys[0].value, keys[1].value)
    return _STACK_LIMIT_UNKNOWN


def host_module_ir() -> str:
    """The LLVM IR of the in-process runtime functions (for this process: it embeds the writers'
    addresses and the pthread keys)."""
    parts = [_DECLARATIONS, _WRITE, _INTERRUPTS, _stack_limit_ir(), _round_ir(), array_runtime_ir()]
    for name, (params, box, writer) in _PRINTERS.items():
        # pyexec_print_X writes str() of the value; pyexec_assert_X raises AssertionError(str() of it)
        for prefix, table in (("pyexec_print_", _WRITERS), ("pyexec_assert_", _ASSERTERS)):
            if prefix == "pyexec_assert_" and name in ("pyexec_print_str", "pyexec_print_text"):
                continue
            own = prefix + name.removeprefix("pyexec_print_")
            target = f"ptr inttoptr (i64 {id(table[writer])} to ptr)"
            parts.append(f'define i32 @{own}({params}) {{\n{_WIDEN.get(name, "")}  %o = {box}\n'
                         f'  %s = call i32 @"pyexec.host.write"(ptr %o, {target})\n'
                         "  ret i32 %s\n}\n")
    return "\n".join(parts)


_ASSERT_FUNCTIONS = [name.replace("pyexec_print_", "pyexec_assert_") for name in _PRINTERS
                     if name not in ("pyexec_print_str", "pyexec_print_text")]


_host: dict[str, object] = {}
_hook_lock = threading.Lock()
_register_lock = threading.Lock()


def symbol_address(name: str, data: bool = False) -> int:
    """The address of a symbol of the running CPython (a function, or with ``data=True`` a variable)."""
    if data:
        return ctypes.addressof(ctypes.c_char.in_dll(ctypes.pythonapi, name))
    return ctypes.cast(getattr(ctypes.pythonapi, name), ctypes.c_void_p).value


def register_symbols() -> None:
    """Make the C API and the in-process runtime resolvable by MCJIT (once per process; threads
    compiling their first functions at the same time wait for one another)."""
    with _register_lock:
        if "ready" not in _host:
            _register_symbols()
            _host["ready"] = True


def _register_symbols() -> None:
    from pyexec.backends.llvm.optimize import host_target_machine
    from pyexec.backends.llvm.wrapper import capi_symbol

    for name in C_API_FUNCTIONS:
        llvm.add_symbol(capi_symbol(name), symbol_address(name))
    for name in C_API_DATA:
        llvm.add_symbol(capi_symbol(name), symbol_address(name, data=True))
    libc = ctypes.CDLL(None)
    for name in ("_setjmp", "longjmp", "strcmp"):
        llvm.add_symbol(name, ctypes.cast(getattr(libc, name), ctypes.c_void_p).value)
    tm = host_target_machine(2)
    module = llvm.parse_assembly(host_module_ir())
    module.triple = tm.triple
    module.verify()
    engine = llvm.create_mcjit_compiler(module, host_target_machine.__wrapped__(2))
    engine.finalize_object()
    # the SIGINT hook and the printers must outlive every module at interpreter exit: never freed
    ctypes.pythonapi.Py_IncRef(ctypes.py_object(engine))
    _host["engine"] = engine
    for name in [*_PRINTERS, *_ASSERT_FUNCTIONS, "pyexec_check_interrupt", "pyexec_stack_limit",
                 "pyexec_round_ndigits", "pyexec.sigint", *ARRAY_RUNTIME_FUNCTIONS]:
        _host[name] = engine.get_function_address(name)
        llvm.add_symbol(name, _host[name])
    from pyexec.backends.llvm.array_box import box

    _host["array_box"] = cell = ctypes.c_void_p(id(box))  # the module keeps the function alive
    llvm.add_symbol(ARRAY_BOX_SYMBOL, ctypes.addressof(cell))
    for name in ("pyexec.interrupt.flag", "pyexec.sigint.previous"):
        _host[name] = engine.get_global_value_address(name)
    llvm.add_symbol("pyexec.interrupt.flag", _host["pyexec.interrupt.flag"])


def string_ops_ir() -> str:
    """The string methods and formatting routines as one LLVM IR text (C library float digits)."""
    from pyexec.backends.llvm.string_format import build_float_digits_native, build_string_format
    from pyexec.backends.llvm.string_ir import new_module
    from pyexec.backends.llvm.string_methods import build_string_methods

    module = new_module("pyexec.host.strings")
    build_string_methods(module)
    build_string_format(module)
    build_float_digits_native(module)
    return str(module)


def register_string_ops() -> None:
    """Compile the string methods and formatting routines once per process, on the first module that
    calls them, and make them resolvable by MCJIT: in-process modules declare them and link to these
    (each would otherwise compile its own copy, a second or more per module)."""
    register_symbols()
    with _register_lock:
        if "strings" in _host:
            return
        from pyexec.backends.llvm.optimize import host_target_machine, optimize
        from pyexec.backends.llvm.string_format import FLOAT_DIGITS
        from pyexec.backends.llvm.string_format import FUNCTIONS as FORMAT_FUNCTIONS
        from pyexec.backends.llvm.string_methods import FUNCTIONS as METHOD_FUNCTIONS

        tm = host_target_machine(2)
        module = llvm.parse_assembly(string_ops_ir().replace('target triple = "unknown-unknown-unknown"', ""))
        module.triple = tm.triple
        module.verify()
        optimize(module, tm, 2)
        engine = llvm.create_mcjit_compiler(module, host_target_machine.__wrapped__(2))
        engine.finalize_object()
        ctypes.pythonapi.Py_IncRef(ctypes.py_object(engine))  # never freed: modules keep calling into it
        for name in [*METHOD_FUNCTIONS, *FORMAT_FUNCTIONS, FLOAT_DIGITS]:
            llvm.add_symbol(name, engine.get_function_address(name))
        _host["strings"] = engine


def install_interrupt_hook() -> bool:
    """Put pyexec's SIGINT hook in front of CPython's handler (again, if a later ``signal.signal``
    replaced it); returns whether it is in place. Only where CPython's handler is the one installed
    (a Python-level handler, such as the default one that raises KeyboardInterrupt).

    Example:
        >>> isinstance(install_interrupt_hook(), bool)
        True
    """
    register_symbols()
    if not callable(signal.getsignal(signal.SIGINT)):
        return False
    getsig, setsig = ctypes.pythonapi.PyOS_getsig, ctypes.pythonapi.PyOS_setsig
    getsig.restype = setsig.restype = ctypes.c_void_p
    getsig.argtypes = [ctypes.c_int]
    setsig.argtypes = [ctypes.c_int, ctypes.c_void_p]
    hook = _host["pyexec.sigint"]
    with _hook_lock:
        current = getsig(signal.SIGINT)
        if current == hook:
            return True
        if current in (None, 0, 1) or current == ctypes.c_void_p(-1).value:
            return False  # SIG_DFL, SIG_IGN or SIG_ERR: not CPython's handler
        # the previous handler is stored before the hook goes in, so no signal finds it unset
        ctypes.c_void_p.from_address(_host["pyexec.sigint.previous"]).value = current
        setsig(signal.SIGINT, hook)
        if not _host.get("atexit"):
            _host["atexit"] = True
            atexit.register(_remove_interrupt_hook)
    return True


def _remove_interrupt_hook() -> None:
    """At exit: give SIGINT back to CPython's handler, before the interpreter tears modules down."""
    getsig, setsig = ctypes.pythonapi.PyOS_getsig, ctypes.pythonapi.PyOS_setsig
    with _hook_lock:
        if getsig(signal.SIGINT) == _host["pyexec.sigint"]:
            setsig(signal.SIGINT, ctypes.c_void_p.from_address(_host["pyexec.sigint.previous"]).value)


__all__ = ["C_API_DATA", "C_API_FUNCTIONS", "host_module_ir", "install_interrupt_hook", "register_string_ops",
           "register_symbols", "string_ops_ir",
           "symbol_address"]
