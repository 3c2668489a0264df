"""The Numba ``@cfunc`` bodies of the native heap paths (see ``native_paths``, which binds them).

Each is a CPython ``METH_FASTCALL | METH_KEYWORDS`` function: ``(self, args, nargs, kwnames)``, where
``self`` is the state tuple ``(free_for_size, live, base_address, python_method, memory, id(int),
id(None))``. Every ``PyObject *`` is carried as an ``intp``. Anything off the common path — keywords,
a non-``int`` argument, an empty free list, a large block, a refcount that would reach 0, any misuse —
calls ``python_method`` with the same arguments, which does the full checks.

Importing this module imports Numba and compiles (or loads from Numba's cache) the four functions.

Example:
    >>> from pyexec.memory.native_cfuncs import alloc_path
    >>> alloc_path.address > 0
    True
"""

from __future__ import annotations

from llvmlite import ir
from numba import cfunc, types
from numba.extending import intrinsic

_OBJ = types.intp
_SIZE = types.intp
_C_API = {
    "PyDict_GetItem": _OBJ(_OBJ, _OBJ),
    "PyDict_SetItem": types.int32(_OBJ, _OBJ, _OBJ),
    "PyDict_DelItem": types.int32(_OBJ, _OBJ),
    "PyList_Size": _SIZE(_OBJ),
    "PyList_GetItem": _OBJ(_OBJ, _SIZE),
    "PyList_SetSlice": types.int32(_OBJ, _SIZE, _SIZE, _OBJ),
    "PyList_Append": types.int32(_OBJ, _OBJ),
    "PyTuple_GetItem": _OBJ(_OBJ, _SIZE),
    "PyLong_AsLongLong": types.int64(_OBJ),
    "PyObject_RichCompareBool": types.int32(_OBJ, _OBJ, types.int32),
    "PyObject_Vectorcall": _OBJ(_OBJ, _OBJ, types.uintp, _OBJ),
    "Py_IncRef": types.void(_OBJ),
    "Py_DecRef": types.void(_OBJ),
}
dict_get = types.ExternalFunction("PyDict_GetItem", _C_API["PyDict_GetItem"])
dict_set = types.ExternalFunction("PyDict_SetItem", _C_API["PyDict_SetItem"])
dict_del = types.ExternalFunction("PyDict_DelItem", _C_API["PyDict_DelItem"])
list_size = types.ExternalFunction("PyList_Size", _C_API["PyList_Size"])
list_get = types.ExternalFunction("PyList_GetItem", _C_API["PyList_GetItem"])
list_set_slice = types.ExternalFunction("PyList_SetSlice", _C_API["PyList_SetSlice"])
list_append = types.ExternalFunction("PyList_Append", _C_API["PyList_Append"])
tuple_get = types.ExternalFunction("PyTuple_GetItem", _C_API["PyTuple_GetItem"])
as_int64 = types.ExternalFunction("PyLong_AsLongLong", _C_API["PyLong_AsLongLong"])
rich_compare_bool = types.ExternalFunction("PyObject_RichCompareBool", _C_API["PyObject_RichCompareBool"])
vectorcall = types.ExternalFunction("PyObject_Vectorcall", _C_API["PyObject_Vectorcall"])
py_incref = types.ExternalFunction("Py_IncRef", _C_API["Py_IncRef"])
py_decref = types.ExternalFunction("Py_DecRef", _C_API["Py_DecRef"])

FREE_FOR_SIZE, LIVE, BASE, PYTHON_METHOD, MEMORY, INT_TYPE, NONE = range(7)
"""Slots of the state tuple."""
_PY_EQ = 2
_INT32_MAX = 2147483647


@intrinsic
def load64(typingctx, address):
    """The int64 at ``address`` (an object's fields, a heap header)."""

    def codegen(context, builder, signature, args):
        return builder.load(builder.inttoptr(args[0], ir.PointerType(ir.IntType(64))))

    return types.int64(types.intp), codegen


@intrinsic
def load32(typingctx, address):
    """The int32 at ``address``."""

    def codegen(context, builder, signature, args):
        return builder.load(builder.inttoptr(args[0], ir.PointerType(ir.IntType(32))))

    return types.int32(types.intp), codegen


@intrinsic
def store64(typingctx, address, value):
    """Store an int64 at ``address``."""

    def codegen(context, builder, signature, args):
        builder.store(args[1], builder.inttoptr(args[0], ir.PointerType(ir.IntType(64))))
        return context.get_dummy_value()

    return types.void(types.intp, types.int64), codegen


@intrinsic
def store32(typingctx, address, value):
    """Store an int32 at ``address``."""

    def codegen(context, builder, signature, args):
        builder.store(builder.trunc(args[1], ir.IntType(32)), builder.inttoptr(args[0], ir.PointerType(ir.IntType(32))))
        return context.get_dummy_value()

    return types.void(types.intp, types.int64), codegen


_SIGNATURE = _OBJ(_OBJ, _OBJ, _SIZE, _OBJ)


@cfunc(_SIGNATURE, cache=True)
def alloc_path(state, args, nargs, kwnames):
    """``alloc(size)`` from a non-empty free list; header: refcount 0, raw, size."""
    if nargs == 1 and kwnames == 0:
        int_type = as_int64(tuple_get(state, INT_TYPE))
        size = load64(args)
        if load64(size + 8) == int_type:
            free = dict_get(tuple_get(state, FREE_FOR_SIZE), size)
            if free != 0:
                n = list_size(free)
                # Only an exact int is turned into an address here; anything else takes the Python path.
                if n > 0 and load64(list_get(free, n - 1) + 8) == int_type:
                    ptr = list_get(free, n - 1)
                    py_incref(ptr)
                    if list_set_slice(free, n - 1, n, 0) == 0:
                        if dict_set(tuple_get(state, LIVE), ptr, size) == 0:
                            base = as_int64(tuple_get(state, BASE))
                            store64(base + as_int64(ptr) - 8, as_int64(size) << 48)
                            return ptr
                        list_append(free, ptr)  # could not record it: put it back and report the error
                    py_decref(ptr)
                    return 0
    return vectorcall(tuple_get(state, PYTHON_METHOD), args, nargs, kwnames)


@cfunc(_SIGNATURE, cache=True)
def free_path(state, args, nargs, kwnames):
    """``free(ptr, size)`` of a live small raw block allocated with exactly ``size``."""
    if nargs == 2 and kwnames == 0:
        int_type = as_int64(tuple_get(state, INT_TYPE))
        ptr = load64(args)
        size = load64(args + 8)
        if load64(ptr + 8) == int_type and load64(size + 8) == int_type:
            live = tuple_get(state, LIVE)
            record = dict_get(live, ptr)
            # A raw block's record is its size, so equal means: live, raw, and the right size.
            if record != 0 and load64(record + 8) == int_type and rich_compare_bool(record, size, _PY_EQ) == 1:
                slots = dict_get(tuple_get(state, FREE_FOR_SIZE), record)
                if slots != 0:  # small; large sizes are not in the table
                    if list_append(slots, ptr) != 0:
                        return 0
                    dict_del(live, ptr)
                    none = as_int64(tuple_get(state, NONE))
                    py_incref(none)
                    return none
    return vectorcall(tuple_get(state, PYTHON_METHOD), args, nargs, kwnames)


@cfunc(_SIGNATURE, cache=True)
def incref_path(state, args, nargs, kwnames):
    """``incref(ptr)`` of a live block whose refcount is in range."""
    if nargs == 1 and kwnames == 0:
        ptr = load64(args)
        if load64(ptr + 8) == as_int64(tuple_get(state, INT_TYPE)) and dict_get(tuple_get(state, LIVE), ptr) != 0:
            address = as_int64(tuple_get(state, BASE)) + as_int64(ptr) - 8
            count = load32(address)
            if 0 <= count < _INT32_MAX:
                store32(address, count + 1)
                none = as_int64(tuple_get(state, NONE))
                py_incref(none)
                return none
    return vectorcall(tuple_get(state, PYTHON_METHOD), args, nargs, kwnames)


@cfunc(_SIGNATURE, cache=True)
def decref_path(state, args, nargs, kwnames):
    """``decref(ptr)`` of a live block whose refcount stays above 0 (reaching 0 frees: Python does that)."""
    if nargs == 1 and kwnames == 0:
        ptr = load64(args)
        if load64(ptr + 8) == as_int64(tuple_get(state, INT_TYPE)) and dict_get(tuple_get(state, LIVE), ptr) != 0:
            address = as_int64(tuple_get(state, BASE)) + as_int64(ptr) - 8
            count = load32(address)
            if count > 1:
                store32(address, count - 1)
                none = as_int64(tuple_get(state, NONE))
                py_incref(none)
                return none
    return vectorcall(tuple_get(state, PYTHON_METHOD), args, nargs, kwnames)


ADDRESSES = {
    "alloc": alloc_path.address,
    "free": free_path.address,
    "incref": incref_path.address,
    "decref": decref_path.address,
}
"""Entry point of each operation."""
