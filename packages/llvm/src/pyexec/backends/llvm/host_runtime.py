"""The in-process runtime: CPython C-API symbols and the ``pyexec_print_*`` functions for MCJIT code.

Lowered code calls ``pyexec_print_*`` (see :mod:`pyexec.backends.llvm.runtime`); in process these
are ctypes callbacks that format with CPython itself (``repr`` for floats) and write to
``sys.stdout``, so output interleaves with Python's own ``print`` and is captured like it.
The wrapper's C-API functions are registered by address, so cached object code links in any process.

Example:
    >>> from pyexec.backends.llvm.host_runtime import register_symbols
    >>> register_symbols()  # idempotent
"""

from __future__ import annotations

import ctypes
import functools
import sys

import llvmlite.binding as llvm

C_API_FUNCTIONS = (
    "PyLong_AsLongLong", "PyLong_AsUnsignedLongLong", "PyFloat_AsDouble", "PyObject_IsTrue",
    "PyComplex_AsCComplex", "PyErr_Occurred", "PyLong_FromLongLong", "PyLong_FromUnsignedLongLong",
    "PyFloat_FromDouble", "PyBool_FromLong", "PyComplex_FromDoubles", "Py_IncRef", "Py_DecRef",
    "PyErr_SetString", "PyObject_GetAttrString", "PyObject_Vectorcall", "PyNumber_Index",
)
C_API_DATA = (
    "PyFloat_Type", "PyLong_Type", "_Py_NoneStruct", "PyExc_ZeroDivisionError", "PyExc_OverflowError",
    "PyExc_ValueError", "PyExc_AssertionError", "PyExc_RecursionError",
)


def _write(text: str) -> None:
    sys.stdout.write(text)


def _print_f32(x: float) -> None:
    import numpy

    _write(str(numpy.float32(x)))


def _print_c64(re: float, im: float) -> None:
    import numpy

    _write(str(numpy.complex64(complex(re, im))))


_CALLBACKS = {
    "pyexec_print_i64": (ctypes.CFUNCTYPE(None, ctypes.c_int64), lambda v: _write(str(v))),
    "pyexec_print_u64": (ctypes.CFUNCTYPE(None, ctypes.c_uint64), lambda v: _write(str(v))),
    "pyexec_print_bool": (ctypes.CFUNCTYPE(None, ctypes.c_int32), lambda v: _write(str(bool(v)))),
    "pyexec_print_f64": (ctypes.CFUNCTYPE(None, ctypes.c_double), lambda v: _write(repr(v))),
    "pyexec_print_f32": (ctypes.CFUNCTYPE(None, ctypes.c_float), _print_f32),
    "pyexec_print_c128": (ctypes.CFUNCTYPE(None, ctypes.c_double, ctypes.c_double),
                          lambda re, im: _write(str(complex(re, im)))),
    "pyexec_print_c64": (ctypes.CFUNCTYPE(None, ctypes.c_float, ctypes.c_float), _print_c64),
    "pyexec_print_str": (ctypes.CFUNCTYPE(None, ctypes.c_char_p), lambda s: _write(s.decode("utf-8"))),
    "pyexec_round_ndigits": (ctypes.CFUNCTYPE(ctypes.c_double, ctypes.c_double, ctypes.c_int64),
                             lambda x, n: float(round(x, n))),
}

_keep_alive: list[object] = []


def symbol_address(name: str, data: bool = False) -> int:
    """The address of a symbol of the running CPython (a function, or with ``data=True`` a variable)."""
    if data:
        return ctypes.addressof(ctypes.c_char.in_dll(ctypes.pythonapi, name))
    return ctypes.cast(getattr(ctypes.pythonapi, name), ctypes.c_void_p).value


@functools.cache
def register_symbols() -> None:
    """Make the C API and the print runtime resolvable by MCJIT (once per process)."""
    from pyexec.backends.llvm.wrapper import capi_symbol

    for name in C_API_FUNCTIONS:
        llvm.add_symbol(capi_symbol(name), symbol_address(name))
    for name in C_API_DATA:
        llvm.add_symbol(capi_symbol(name), symbol_address(name, data=True))
    libc = ctypes.CDLL(None)
    for name in ("_setjmp", "longjmp"):
        llvm.add_symbol(name, ctypes.cast(getattr(libc, name), ctypes.c_void_p).value)
    for name, (proto, fn) in _CALLBACKS.items():
        callback = proto(fn)
        _keep_alive.append(callback)
        llvm.add_symbol(name, ctypes.cast(callback, ctypes.c_void_p).value)
