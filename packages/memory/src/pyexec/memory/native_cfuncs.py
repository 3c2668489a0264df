"""The Numba ``@cfunc`` bodies of the native heap paths (see ``native_paths``, which binds them).

Each is a CPython ``METH_FASTCALL | METH_KEYWORDS`` function: ``(self, args, nargs, kwnames)``, where
``self`` is the state tuple ``(free_table, live, constants, python_method, buffer_cell, busy)``:
``free_table`` a tuple of the free list for each small size (index = size), ``live`` the live-block
dict, ``constants`` a bytes object of three int64 (the address of the heap's buffer cell, ``id(int)``,
``id(None)``), ``buffer_cell`` the int64 pair (buffer address, usable length) that the heap updates
whenever its buffer moves or grows (read on every call, so a bound builtin never writes to a stale
buffer), ``busy`` the heap's list that is non-empty while a Python method holds the heap's lock (then
every call goes to the Python method, which waits for the lock). Every ``PyObject *`` is carried as an
``intp``. Tuple items, list size and items, and bytes data are read at the offsets that
``native_paths`` verifies for the running interpreter before it binds these functions. Anything off the
common path — keywords, a non-``int`` argument, an empty free list, a large block, a refcount that
would reach 0, a busy heap, any misuse — calls ``python_method`` with the same arguments, which does the full checks.

Importing this module imports Numba and compiles (or loads from Numba's cache) the four functions.

Example:
    >>> from pyexec.memory.native_cfuncs import alloc_path
    >>> alloc_path.address > 0
    True
"""

from __future__ import annotations

from llvmlite import ir
from numba import cfunc, types
from numba.extending import intrinsic, register_jitable

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
    "PyErr_Clear": types.void(),
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
err_clear = types.ExternalFunction("PyErr_Clear", _C_API["PyErr_Clear"])

FREE_TABLE, LIVE, CONSTANTS, PYTHON_METHOD, BUFFER_CELL, BUSY = range(6)
"""Slots of the state tuple."""
CELL, INT_TYPE, NONE = range(3)
"""Slots of the constants."""
TUPLE_ITEMS = 24  # offsetof(PyTupleObject, ob_item)
LIST_SIZE, LIST_ITEMS = 16, 24  # offsetof(PyListObject, ob_base.ob_size), offsetof(PyListObject, ob_item)
BYTES_DATA = 32  # offsetof(PyBytesObject, ob_sval)
SMALL_MAX = 2048
_TAG_SHIFT = 40  # a live record is size | tag << 40 (see allocator)
_SIZE_MASK = (1 << _TAG_SHIFT) - 1
_FIRST_OWNER_TAG = 3  # TAG_LIST: lists, dicts and storage own or are storage
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


@register_jitable
def item(container, index):
    """Item ``index`` of a tuple (borrowed)."""
    return load64(container + TUPLE_ITEMS + 8 * index)


@register_jitable
def constant(state, index):
    """Constant ``index`` of the state."""
    return load64(item(state, CONSTANTS) + BYTES_DATA + 8 * index)


@register_jitable
def idle(state):
    """True when no Python method of the heap is half way through an operation (its busy list is empty)."""
    return load64(item(state, BUSY) + LIST_SIZE) == 0


@register_jitable
def header_address(state, ptr_value):
    """The host address of the 8-byte header before heap offset ``ptr_value``, or 0 if outside the buffer."""
    cell = constant(state, CELL)
    if 8 <= ptr_value <= load64(cell + 8):
        return load64(cell) + ptr_value - 8
    return 0


@register_jitable
def small_size(obj):
    """The value of an int object if it is a small block size (0..2048), else -1 (with no error set)."""
    value = as_int64(obj)
    if value == -1:
        err_clear()  # -1 may mean "too large for int64"; that is just not a small size
    if 0 <= value <= SMALL_MAX:
        return value
    return -1


@register_jitable
def return_none(state):
    none = constant(state, NONE)
    py_incref(none)
    return none


@cfunc(_SIGNATURE, cache=True)
def alloc_path(state, args, nargs, kwnames):
    """``alloc(size)`` from a non-empty free list; header: refcount 0, raw, size."""
    if nargs == 1 and kwnames == 0 and idle(state):
        int_type = constant(state, INT_TYPE)
        size_obj = load64(args)
        if load64(size_obj + 8) == int_type:
            size = small_size(size_obj)
            if size >= 0:
                free = item(item(state, FREE_TABLE), size)
                n = load64(free + LIST_SIZE)
                if n > 0:
                    ptr = load64(load64(free + LIST_ITEMS) + 8 * (n - 1))
                    # Only an exact int is turned into an address here; anything else takes the Python path.
                    header = header_address(state, as_int64(ptr)) if load64(ptr + 8) == int_type else 0
                    if header != 0:
                        if dict_set(item(state, LIVE), ptr, size_obj) != 0:
                            return 0  # nothing changed; the error is set
                        # Pop: the list's reference to ``ptr`` becomes the one returned.
                        store64(free + LIST_SIZE, n - 1)
                        store64(header, size << 48)
                        return ptr
    return vectorcall(item(state, PYTHON_METHOD), args, nargs, kwnames)


@cfunc(_SIGNATURE, cache=True)
def free_path(state, args, nargs, kwnames):
    """``free(ptr, size)`` of a live small raw block allocated with exactly ``size``."""
    if nargs == 2 and kwnames == 0 and idle(state):
        int_type = constant(state, INT_TYPE)
        ptr = load64(args)
        size_obj = load64(args + 8)
        if load64(ptr + 8) == int_type and load64(size_obj + 8) == int_type:
            live = item(state, LIVE)
            record = dict_get(live, ptr)
            # A raw block's record is its size, so equal means: live, raw, and the right size.
            if record != 0 and load64(record + 8) == int_type:
                size = small_size(size_obj)
                if size >= 0 and as_int64(record) == size:
                    if list_append(item(item(state, FREE_TABLE), size), ptr) != 0:
                        return 0
                    dict_del(live, ptr)
                    return return_none(state)
    return vectorcall(item(state, PYTHON_METHOD), args, nargs, kwnames)


@cfunc(_SIGNATURE, cache=True)
def incref_path(state, args, nargs, kwnames):
    """``incref(ptr)`` of a live block whose refcount is in range."""
    if nargs == 1 and kwnames == 0 and idle(state):
        ptr = load64(args)
        if load64(ptr + 8) == constant(state, INT_TYPE) and dict_get(item(state, LIVE), ptr) != 0:
            address = header_address(state, as_int64(ptr))
            count = load32(address) if address != 0 else -1
            if 0 <= count < _INT32_MAX:
                store32(address, count + 1)
                return return_none(state)
    return vectorcall(item(state, PYTHON_METHOD), args, nargs, kwnames)


@cfunc(_SIGNATURE, cache=True)
def decref_path(state, args, nargs, kwnames):
    """``decref(ptr)`` of a live block; at 0 a small raw block, array or string is freed here too.

    Lists and dicts (which own storage), large blocks and misuse go to the Python method.
    """
    if nargs == 1 and kwnames == 0 and idle(state):
        int_type = constant(state, INT_TYPE)
        ptr = load64(args)
        live = item(state, LIVE)
        record = dict_get(live, ptr) if load64(ptr + 8) == int_type else 0
        address = header_address(state, as_int64(ptr)) if record != 0 else 0
        if address != 0:
            count = load32(address)
            if count > 1:
                store32(address, count - 1)
                return return_none(state)
            if count == 1 and load64(record + 8) == int_type:
                value = as_int64(record)
                size = value & _SIZE_MASK
                if value >> _TAG_SHIFT < _FIRST_OWNER_TAG and size <= SMALL_MAX:
                    if list_append(item(item(state, FREE_TABLE), size), ptr) != 0:
                        return 0
                    store32(address, 0)
                    dict_del(live, ptr)
                    return return_none(state)
    return vectorcall(item(state, PYTHON_METHOD), args, nargs, kwnames)


ADDRESSES = {
    "alloc": alloc_path.address,
    "free": free_path.address,
    "incref": incref_path.address,
    "decref": decref_path.address,
}
"""Entry point of each operation."""
