"""The CPython vectorcall entry of a compiled function, generated in LLVM IR against the C API.

``pyexec.vc.<name>(callable, args, nargsf, kwnames)`` converts the positional arguments with
``PyLong_AsLongLong``/``PyFloat_AsDouble``/... (reading a float's value directly when it is
exactly a ``float``), calls the body, turns the error state into the Python exception, and boxes
the result. A tuple parameter takes a ``tuple`` (or a subclass) of the right length, each item
converted as a scalar parameter of its type is; a tuple result comes back as a new Python tuple of
boxed items. Anything else (keywords, a wrong number of arguments) goes to the callable's Python
method ``_call_with_binding``, which binds like a Python function and raises its TypeError.

Host-only: the lowering (:mod:`pyexec.backends.llvm.lowering`) never imports this module.

Example:
    >>> vectorcall_name("f")
    'pyexec.vc.f'
"""

from __future__ import annotations

import sys

from llvmlite import ir

from pyexec.backends.llvm import runtime as rt
from pyexec.backends.llvm import string_runtime as srt
from pyexec.backends.llvm.host_runtime import ARRAY_BOX_SYMBOL
from pyexec.backends.llvm.lowering import (
    F64,
    I32,
    I64,
    PTR,
    STATE_CODE,
    STATE_MESSAGE,
    entry_call,
    impl_name,
    llvm_type,
    state_field,
)
from pyexec.frontend.ir import nodes as n
from pyexec.frontend.ir.types import ArrayT, NoneT, ScalarT, StrT, TupleT, ValueT

_EXCEPTIONS = {code: f"PyExc_{name}" for code, name in rt.ERROR_KINDS.items()}
_VECTORCALL_ARGUMENTS_OFFSET = 1 << 63
_FLOAT_VALUE_OFFSET = 16  # PyFloatObject.ob_fval after ob_refcnt and ob_type (64-bit CPython)
_TYPE_OFFSET = 8
_LONG_SIZE_OFFSET = 16  # CPython 3.11 PyLongObject: ob_size (sign and digit count), then 30-bit digits
_LONG_DIGIT_OFFSET = 24


def vectorcall_name(name: str) -> str:
    """The symbol of a function's vectorcall entry."""
    return f"pyexec.vc.{name}"


def capi_symbol(name: str) -> str:
    """The symbol under which the wrapper refers to a C-API function or variable ``name``.

    Private names: llvmlite's symbol table is one per process, and other users of it bind the
    C names to something else (Numba binds ``PyExc_ZeroDivisionError`` to the class object
    itself, not to the C variable that points to it).
    """
    return f"pyexec.capi.{name}"


class _CApi:
    def __init__(self, module: ir.Module) -> None:
        self.module = module

    def fn(self, name: str, ret: ir.Type, args: list[ir.Type]) -> ir.Function:
        existing = self.module.globals.get(capi_symbol(name))
        if existing is not None:
            return existing
        return ir.Function(self.module, ir.FunctionType(ret, args), capi_symbol(name))

    def data(self, name: str) -> ir.GlobalVariable:
        existing = self.module.globals.get(capi_symbol(name))
        if existing is not None:
            return existing
        g = ir.GlobalVariable(self.module, I64, capi_symbol(name))
        g.linkage = "external"
        return g

    def cstring(self, text: str) -> ir.GlobalVariable:
        name = f".pyexec.wrapper.str.{len(self.module.globals)}"
        data = bytearray(text.encode("utf-8") + b"\0")
        g = ir.GlobalVariable(self.module, ir.ArrayType(ir.IntType(8), len(data)), name)
        g.linkage = "private"
        g.global_constant = True
        g.initializer = ir.Constant(g.value_type, data)
        return g


def add_vectorcall_entries(module: ir.Module, functions: list[n.Function], fallible: set[str],
                           guarded: set[str] | None = None, written: dict[str, set[int]] | None = None) -> list[str]:
    """Add a vectorcall entry for each of ``functions`` to a lowered ``module``; return their symbols.

    Example:
        >>> add_vectorcall_entries(ir.Module(), [], set())
        []
    """
    api = _CApi(module)
    guarded = guarded or set()
    written = written or {}
    return [_entry(api, func, func.name in fallible, func.name in guarded, written.get(func.name, set()))
            for func in functions]


def _entry(api: _CApi, func: n.Function, fallible: bool, guarded: bool, written: set[int]) -> str:
    module = api.module
    name = vectorcall_name(func.name)
    fn = ir.Function(module, ir.FunctionType(PTR, [PTR, PTR, I64, PTR]), name)
    callable_, args, nargsf, kwnames = fn.args
    b = ir.IRBuilder(fn.append_basic_block("entry"))
    nargs = b.and_(nargsf, I64(~_VECTORCALL_ARGUMENTS_OFFSET & (2**64 - 1)))
    exact = b.and_(b.icmp_unsigned("==", nargs, I64(len(func.params))),
                   b.icmp_unsigned("==", kwnames, ir.Constant(PTR, None)))
    convert, slow = fn.append_basic_block("convert"), fn.append_basic_block("bind")
    b.cbranch(exact, convert, slow, )
    b.position_at_end(slow)
    method = b.call(api.fn("PyObject_GetAttrString", PTR, [PTR, PTR]), [callable_, api.cstring("_call_with_binding")])
    with b.if_then(b.icmp_unsigned("==", method, ir.Constant(PTR, None)), likely=False):
        b.ret(ir.Constant(PTR, None))
    result = b.call(api.fn("PyObject_Vectorcall", PTR, [PTR, PTR, I64, PTR]), [method, args, nargsf, kwnames])
    b.call(api.fn("Py_DecRef", ir.VoidType(), [PTR]), [method])
    b.ret(result)

    b.position_at_end(convert)
    values: list[ir.Value | None] = [None] * len(func.params)
    views: list[ir.Value] = []  # the buffers acquired so far (released after the call, or on a later failure)
    # scalars first: a scalar that fails to convert then has no buffer to release; strings are encoded
    # (UTF-8, no allocation) before the arrays' buffers are taken, and copied into blocks last
    encoded: dict[int, tuple[ir.Value, ir.Value]] = {}
    for p in sorted(func.params, key=lambda p: 2 if isinstance(p.type, ArrayT) else 1 if isinstance(p.type, StrT)
                    else 0):
        obj = b.load(b.gep(args, [I64(p.index)], source_etype=PTR), typ=PTR, name=f"{p.name}.obj")
        if isinstance(p.type, ArrayT):
            values[p.index] = _borrow_array(api, b, obj, p, func.name, p.index in written, views)
        elif isinstance(p.type, StrT):
            encoded[p.index] = _encode_str(api, b, obj, p, func.name)
        else:
            values[p.index] = _unbox(api, b, obj, p, func.name)
    strings = _string_blocks(api, b, encoded, values, views) if encoded else None
    result, state = entry_call(b, module, module.get_global(impl_name(func.name)), values, guarded)
    for view in views:
        b.call(api.fn("PyBuffer_Release", ir.VoidType(), [PTR]), [view])
    if fallible or guarded:
        code = b.load(state_field(b, state, STATE_CODE), typ=I32)
        with b.if_then(b.icmp_signed("!=", code, I32(0)), likely=False):
            if strings is not None:
                # a fault released nothing: the argument blocks go with the whole list
                b.call(srt._external(module, "pyexec_rt_free_all", ir.VoidType(), [PTR]), [strings])
            # a Python exception raised under the call (print's write, a signal handler) is already set
            with b.if_then(b.icmp_signed("==", code, I32(rt.PYTHON_EXCEPTION)), likely=False):
                b.ret(ir.Constant(PTR, None))
            exc = ir.Constant(PTR, None)
            for c, sym in _EXCEPTIONS.items():
                exc = b.select(b.icmp_signed("==", code, I32(c)), b.load(api.data(sym), typ=PTR), exc)
            message = b.load(state_field(b, state, STATE_MESSAGE), typ=PTR)
            b.call(api.fn("PyErr_SetString", ir.VoidType(), [PTR, PTR]), [exc, message])
            b.ret(ir.Constant(PTR, None))
    if strings is not None:
        decref = srt._external(module, "pyexec_rt_decref", ir.VoidType(), [PTR])
        for index in encoded:
            b.call(decref, [values[index]])  # the entry's reference (a returned argument keeps the result's)
    if isinstance(func.return_type, ArrayT):
        b.ret(_box_array(api, b, result, func.return_type, args))
    elif isinstance(func.return_type, StrT):
        b.ret(_box_str(api, b, result))
    else:
        b.ret(_box(api, b, result, func.return_type))
    return name


def _encode_str(api: _CApi, b: ir.IRBuilder, obj: ir.Value, p: n.Param, fname: str) -> tuple[ir.Value, ir.Value]:
    """A ``str`` argument's UTF-8 bytes and size (CPython's cached UTF-8; a lone surrogate is its
    UnicodeEncodeError); anything but a ``str`` is a TypeError naming the parameter."""
    ob_type = b.load(b.gep(obj, [I64(_TYPE_OFFSET)], source_etype=ir.IntType(8)), typ=PTR)
    exact = b.icmp_unsigned("==", ob_type, api.data("PyUnicode_Type"))
    with b.if_then(b.not_(exact), likely=False):
        sub = b.call(api.fn("PyType_IsSubtype", I32, [PTR, PTR]), [ob_type, api.data("PyUnicode_Type")])
        with b.if_then(b.icmp_signed("==", sub, I32(0))):
            _wrong_type_error(api, b, obj, ob_type, f"{fname}() argument '{p.name}' must be str")
    with b.goto_entry_block():
        size = b.alloca(I64, name=f"{p.name}.size")
    data = b.call(api.fn("PyUnicode_AsUTF8AndSize", PTR, [PTR, PTR]), [obj, size])
    with b.if_then(b.icmp_unsigned("==", data, ir.Constant(PTR, None)), likely=False):
        b.ret(ir.Constant(PTR, None))
    return data, b.load(size, typ=I64)


def _string_blocks(api: _CApi, b: ir.IRBuilder, encoded: dict[int, tuple[ir.Value, ir.Value]],
                   values: list[ir.Value | None], views: list[ir.Value]) -> ir.Value:
    """Copy each encoded argument into a string block on the entry's own list (one reference each, released
    after the call); the list head's address. Out of memory: MemoryError, everything taken released."""
    with b.goto_entry_block():
        head = b.alloca(PTR, name="str.args")
    b.store(ir.Constant(PTR, None), head)
    free_all = srt._external(b.module, "pyexec_rt_free_all", ir.VoidType(), [PTR])
    for index, (data, size) in encoded.items():
        block = srt.call(b, "from_utf8", head, data, size)
        with b.if_then(b.icmp_unsigned("==", block, ir.Constant(PTR, None)), likely=False):
            b.call(free_all, [head])
            for view in views:
                b.call(api.fn("PyBuffer_Release", ir.VoidType(), [PTR]), [view])
            b.call(api.fn("PyErr_NoMemory", PTR, []), [])
            b.ret(ir.Constant(PTR, None))
        values[index] = block
    return head


def _box_str(api: _CApi, b: ir.IRBuilder, s: ir.Value) -> ir.Value:
    """A returned string as a Python ``str`` (one UTF-8 decode); the block's reference released."""
    text = b.call(api.fn("PyUnicode_DecodeUTF8", PTR, [PTR, I64, PTR]),
                  [srt.text(b, s), srt.length_bytes(b, s), ir.Constant(PTR, None)])
    b.call(srt._external(b.module, "pyexec_rt_decref", ir.VoidType(), [PTR]), [s])
    return text


PY_BUFFER_BYTES = 80
"""``sizeof(Py_buffer)`` on 64-bit CPython: buf, obj, len, itemsize, readonly (int), ndim (int), format,
shape, strides, suboffsets, internal (the documented struct, part of the stable ABI since 3.11)."""
_BUF, _LEN, _ITEMSIZE, _READONLY, _NDIM, _FORMAT, _SHAPE, _STRIDES = 0, 16, 24, 32, 36, 40, 48, 56
_PYBUF_RECORDS_RO = 0x0010 | 0x0008 | 0x0004  # PyBUF_STRIDES | PyBUF_FORMAT (strides imply ND)
_TP_NAME_OFFSET = 24  # PyTypeObject.tp_name, after the PyVarObject head
_FORMATS = {
    "int8": ("b",), "int16": ("h",), "int32": ("i",), "int64": ("l", "q"), "uint8": ("B",), "uint16": ("H",),
    "uint32": ("I",), "uint64": ("L", "Q"), "float32": ("f",), "float64": ("d",), "complex64": ("Zf",),
    "complex128": ("Zd",), "bool_": ("?",),
}
"""The buffer-protocol format characters of each dtype (native byte order and alignment; ``l`` and ``q``
are both 8 bytes on the 64-bit platforms pyexec runs in process on, and the item size is checked too)."""


def _i8_at(b: ir.IRBuilder, base: ir.Value, offset: int) -> ir.Value:
    return b.gep(base, [I64(offset)], source_etype=ir.IntType(8))


def _borrow_array(api: _CApi, b: ir.IRBuilder, obj: ir.Value, p: n.Param, fname: str, writes: bool,
                  views: list[ir.Value]) -> ir.Value:
    """An array argument read in place through the buffer protocol: checked against the parameter's
    type, its buffer held until the call returns (:func:`_release_buffers`), its descriptor built
    with ``owner`` NULL (compiled code owns nothing of it)."""
    t = p.type
    assert isinstance(t, ArrayT)
    with b.goto_entry_block():
        view = b.alloca(ir.ArrayType(ir.IntType(8), PY_BUFFER_BYTES), name=f"{p.name}.view")
        view.align = 8
    release_earlier = list(views)

    def fail(exc: str, fmt: str, *fmt_args: ir.Value, release_this: bool) -> None:
        for v in release_earlier + ([view] if release_this else []):
            b.call(api.fn("PyBuffer_Release", ir.VoidType(), [PTR]), [v])
        err_format = api.fn("PyErr_Format", PTR, [PTR, PTR])
        err_format.function_type.var_arg = True
        b.call(err_format, [b.load(api.data(exc), typ=PTR), api.cstring(fmt), *fmt_args])
        b.ret(ir.Constant(PTR, None))

    what = f"{fname}() argument '{p.name}' must be an array of type {t}"
    got = b.call(api.fn("PyObject_GetBuffer", I32, [PTR, PTR, I32]), [obj, view, I32(_PYBUF_RECORDS_RO)])
    with b.if_then(b.icmp_signed("!=", got, I32(0)), likely=False):
        b.call(api.fn("PyErr_Clear", ir.VoidType(), []), [])
        ob_type = b.load(_i8_at(b, obj, _TYPE_OFFSET), typ=PTR)
        fail("PyExc_TypeError", what + ", not %.200s", b.load(_i8_at(b, ob_type, _TP_NAME_OFFSET), typ=PTR),
             release_this=False)
    ndim = b.load(_i8_at(b, view, _NDIM), typ=I32)
    with b.if_then(b.icmp_signed("!=", ndim, I32(t.ndim)), likely=False):
        fail("PyExc_TypeError", what + ", not an array of %d dimension(s)", ndim, release_this=True)
    fmt = b.load(_i8_at(b, view, _FORMAT), typ=PTR)
    itemsize = b.load(_i8_at(b, view, _ITEMSIZE), typ=I64)
    strcmp = api.module.globals.get("strcmp") or ir.Function(api.module, ir.FunctionType(I32, [PTR, PTR]), "strcmp")
    ok = b.icmp_unsigned("==", itemsize, I64(_itemsize(t.dtype)))
    known = ir.Constant(ir.IntType(1), 0)
    for f in _FORMATS[t.dtype.name]:
        known = b.or_(known, b.icmp_signed("==", b.call(strcmp, [fmt, api.cstring(f)]), I32(0)))
    with b.if_then(b.not_(b.and_(ok, known)), likely=False):
        fail("PyExc_TypeError", what + f": its elements are not {t.dtype} (buffer format '%.20s', %zd bytes each)",
             fmt, itemsize, release_this=True)
    if t.layout == "C":
        contiguous = b.call(api.fn("PyBuffer_IsContiguous", I32, [PTR, ir.IntType(8)]), [view, ir.IntType(8)(ord("C"))])
        with b.if_then(b.icmp_signed("==", contiguous, I32(0)), likely=False):
            fail("PyExc_TypeError", what + " (C-contiguous), and this one is not: pass numpy.ascontiguousarray(...) "
                 f"or declare the parameter {ArrayT(t.dtype, t.ndim, 'A')}", release_this=True)
    if writes:
        readonly = b.load(_i8_at(b, view, _READONLY), typ=I32)
        with b.if_then(b.icmp_signed("!=", readonly, I32(0)), likely=False):
            fail("PyExc_ValueError", f"assignment destination is read-only ({fname}() assigns to elements of its "
                 f"argument '{p.name}')", release_this=True)
    views.append(view)
    desc = ir.Constant(llvm_type(t), ir.Undefined)
    # owner: the argument's index, tagged (2k + 1), so a returned view of it keeps it alive (array_box)
    desc = b.insert_value(desc, ir.Constant(I64, 2 * p.index + 1).inttoptr(PTR), 0)
    desc = b.insert_value(desc, b.load(_i8_at(b, view, _BUF), typ=PTR), 1)
    shape = b.load(_i8_at(b, view, _SHAPE), typ=PTR)
    strides = b.load(_i8_at(b, view, _STRIDES), typ=PTR)
    for k in range(t.ndim):
        desc = b.insert_value(desc, b.load(b.gep(shape, [I64(k)], source_etype=I64), typ=I64), [2, k])
        desc = b.insert_value(desc, b.load(b.gep(strides, [I64(k)], source_etype=I64), typ=I64), [3, k])
    return desc


def _box_array(api: _CApi, b: ir.IRBuilder, desc: ir.Value, t: ArrayT, args: ir.Value) -> ir.Value:
    """A returned array as a numpy.ndarray, no copy (:func:`pyexec.backends.llvm.array_box.box`)."""
    import numpy

    owner = b.ptrtoint(b.extract_value(desc, 0), I64)
    tagged = b.icmp_unsigned("!=", b.and_(owner, I64(1)), I64(0))
    index = b.lshr(owner, I64(1))
    none = api.data("_Py_NoneStruct")
    base = b.select(tagged, b.load(b.gep(args, [b.select(tagged, index, I64(0))], source_etype=PTR), typ=PTR), none)
    typestr = numpy.dtype(t.dtype.info.numpy_dtype).str
    build = api.fn("Py_BuildValue", PTR, [PTR])
    build.function_type.var_arg = True
    fmt = "(nnOs" + "L" * (2 * t.ndim) + ")"
    dims = [b.extract_value(desc, [2, k]) for k in range(t.ndim)] + [b.extract_value(desc, [3, k])
                                                                     for k in range(t.ndim)]
    data = b.ptrtoint(b.extract_value(desc, 1), I64)
    packed = b.call(build, [api.cstring(fmt), data, owner, base, api.cstring(typestr), *dims])
    before = b.block
    with b.if_then(b.icmp_unsigned("!=", packed, ir.Constant(PTR, None)), likely=True):
        cell = module_global(b.module, ARRAY_BOX_SYMBOL)
        boxed = b.call(api.fn("PyObject_CallObject", PTR, [PTR, PTR]), [b.load(cell, typ=PTR), packed])
        b.call(api.fn("Py_DecRef", ir.VoidType(), [PTR]), [packed])
        called = b.block
    result = b.phi(PTR)
    result.add_incoming(boxed, called)
    result.add_incoming(ir.Constant(PTR, None), before)
    failed = b.and_(b.icmp_unsigned("==", result, ir.Constant(PTR, None)), b.not_(tagged))
    with b.if_then(b.and_(failed, b.icmp_unsigned("!=", owner, I64(0))), likely=False):
        decref = b.module.globals.get("pyexec_rt_decref") or ir.Function(
            b.module, ir.FunctionType(ir.VoidType(), [PTR]), "pyexec_rt_decref")
        b.call(decref, [b.inttoptr(owner, PTR)])  # nothing holds the returned block now
    return result


def module_global(module: ir.Module, name: str) -> ir.GlobalVariable:
    existing = module.globals.get(name)
    if existing is not None:
        return existing
    g = ir.GlobalVariable(module, PTR, name)
    g.linkage = "external"
    return g


def _itemsize(t: ScalarT) -> int:
    return 1 if t.is_bool else t.info.bits // 8


def _fail_if_error(api: _CApi, b: ir.IRBuilder, failed: ir.Value) -> None:
    with b.if_then(failed, likely=False):
        occurred = b.call(api.fn("PyErr_Occurred", PTR, []), [])
        with b.if_then(b.icmp_unsigned("!=", occurred, ir.Constant(PTR, None))):
            b.ret(ir.Constant(PTR, None))


def _unbox_tuple(api: _CApi, b: ir.IRBuilder, obj: ir.Value, p: n.Param, fname: str) -> ir.Value:
    """A tuple argument: exactly a tuple (or a subclass) of the parameter's length, each item converted
    like a scalar parameter of its type; anything else is a TypeError naming the parameter and type."""
    t = p.type
    assert isinstance(t, TupleT)
    i8 = ir.IntType(8)
    ob_type = b.load(b.gep(obj, [I64(_TYPE_OFFSET)], source_etype=i8), typ=PTR)
    is_tuple = b.icmp_unsigned("==", ob_type, api.data("PyTuple_Type"))
    with b.if_then(b.not_(is_tuple), likely=False):
        sub = b.call(api.fn("PyType_IsSubtype", I32, [PTR, PTR]), [ob_type, api.data("PyTuple_Type")])
        with b.if_then(b.icmp_signed("==", sub, I32(0))):
            _wrong_type_error(api, b, obj, ob_type, f"{fname}() argument '{p.name}' must be {t}")
    size = b.call(api.fn("PyTuple_Size", I64, [PTR]), [obj])
    with b.if_then(b.icmp_signed("!=", size, I64(len(t.items))), likely=False):
        _type_error(api, b, f"{fname}() argument '{p.name}' must be {t}, a tuple of {len(t.items)} "
                    f"item{'s' if len(t.items) != 1 else ''}, not a tuple of %zd", [size])
    value = ir.Constant(llvm_type(t), ir.Undefined)
    for i, item_t in enumerate(t.items):
        item = b.call(api.fn("PyTuple_GetItem", PTR, [PTR, I64]), [obj, I64(i)])  # borrowed
        value = b.insert_value(value, _unbox(api, b, item, n.Param(f"{p.name}[{i}]", item_t, p.index, p.loc),
                                             fname), i)
    return value


def _type_error(api: _CApi, b: ir.IRBuilder, fmt: str, args: list[ir.Value]) -> None:
    """Raise TypeError(PyErr_Format(fmt, *args)) and return NULL from the entry (``fmt`` is a C format)."""
    fmt_ty = ir.FunctionType(PTR, [PTR, PTR], var_arg=True)
    existing = api.module.globals.get(capi_symbol("PyErr_Format"))
    fn = existing if existing is not None else ir.Function(api.module, fmt_ty, capi_symbol("PyErr_Format"))
    b.call(fn, [b.load(api.data("PyExc_TypeError"), typ=PTR), api.cstring(fmt), *args])
    b.ret(ir.Constant(PTR, None))


def _wrong_type_error(api: _CApi, b: ir.IRBuilder, obj: ir.Value, ob_type: ir.Value, message: str) -> None:
    """TypeError "<message>, not <the argument's type name>"."""
    name = b.call(api.fn("PyObject_GetAttrString", PTR, [PTR, PTR]), [ob_type, api.cstring("__name__")])
    with b.if_then(b.icmp_unsigned("==", name, ir.Constant(PTR, None)), likely=False):
        b.ret(ir.Constant(PTR, None))
    fmt_ty = ir.FunctionType(PTR, [PTR, PTR], var_arg=True)
    existing = api.module.globals.get(capi_symbol("PyErr_Format"))
    fn = existing if existing is not None else ir.Function(api.module, fmt_ty, capi_symbol("PyErr_Format"))
    b.call(fn, [b.load(api.data("PyExc_TypeError"), typ=PTR), api.cstring(message.replace("%", "%%") + ", not %U"),
                name])
    b.call(api.fn("Py_DecRef", ir.VoidType(), [PTR]), [name])
    b.ret(ir.Constant(PTR, None))


def _unbox(api: _CApi, b: ir.IRBuilder, obj: ir.Value, p: n.Param, fname: str) -> ir.Value:
    t = p.type
    if isinstance(t, TupleT):
        return _unbox_tuple(api, b, obj, p, fname)
    if t.is_float:
        ob_type = b.load(b.gep(obj, [I64(_TYPE_OFFSET)], source_etype=ir.IntType(8)), typ=PTR)
        is_float = b.icmp_unsigned("==", ob_type, api.data("PyFloat_Type"))
        with b.if_else(is_float, likely=True) as (then, otherwise):
            with then:
                direct = b.load(b.gep(obj, [I64(_FLOAT_VALUE_OFFSET)], source_etype=ir.IntType(8)), typ=F64)
                direct_block = b.block
            with otherwise:
                converted = b.call(api.fn("PyFloat_AsDouble", F64, [PTR]), [obj])
                _fail_if_error(api, b, b.fcmp_ordered("==", converted, ir.Constant(F64, -1.0)))
                converted_block = b.block
        value = b.phi(F64, name=p.name)
        value.add_incoming(direct, direct_block)
        value.add_incoming(converted, converted_block)
        return b.fptrunc(value, llvm_type(t)) if t.bits == 32 else value
    if t.is_bool:
        truth = b.call(api.fn("PyObject_IsTrue", I32, [PTR]), [obj])
        with b.if_then(b.icmp_signed("<", truth, I32(0)), likely=False):
            b.ret(ir.Constant(PTR, None))
        return b.icmp_signed("!=", truth, I32(0))
    if t.is_complex:
        pair_t = ir.LiteralStructType([F64, F64])
        pair = b.call(api.fn("PyComplex_AsCComplex", pair_t, [PTR]), [obj])
        re, im = b.extract_value(pair, 0), b.extract_value(pair, 1)
        _fail_if_error(api, b, b.fcmp_ordered("==", re, ir.Constant(F64, -1.0)))
        ty = llvm_type(t)
        if t.bits == 64:
            re, im = b.fptrunc(re, ty.elements[0]), b.fptrunc(im, ty.elements[0])
        v = b.insert_value(ir.Constant(ty, ir.Undefined), re, 0)
        return b.insert_value(v, im, 1)
    # integers
    if t.kind == "uint" and t.bits == 64:
        # PyLong_AsUnsignedLongLong takes only ints: go through __index__ first, as every other
        # width does (NumPy integers, bool and __index__ objects are accepted alike)
        index = b.call(api.fn("PyNumber_Index", PTR, [PTR]), [obj])
        with b.if_then(b.icmp_unsigned("==", index, ir.Constant(PTR, None)), likely=False):
            b.ret(ir.Constant(PTR, None))
        v = b.call(api.fn("PyLong_AsUnsignedLongLong", I64, [PTR]), [index])
        b.call(api.fn("Py_DecRef", ir.VoidType(), [PTR]), [index])
        _fail_if_error(api, b, b.icmp_signed("==", v, I64(-1)))
        return v
    v = _unbox_int64(api, b, obj)
    if t.bits < 64:
        lo, hi = t.info.min_value, t.info.max_value
        out = b.or_(b.icmp_signed("<", v, I64(lo)), b.icmp_signed(">", v, I64(hi)))
        with b.if_then(out, likely=False):
            msg = api.cstring(f"{fname}() argument '{p.name}' is out of range for {t} ({lo}..{hi})")
            b.call(api.fn("PyErr_SetString", ir.VoidType(), [PTR, PTR]),
                   [b.load(api.data("PyExc_OverflowError"), typ=PTR), msg])
            b.ret(ir.Constant(PTR, None))
        return b.trunc(v, llvm_type(t))
    return v


def _unbox_int64(api: _CApi, b: ir.IRBuilder, obj: ir.Value) -> ir.Value:
    """``PyLong_AsLongLong``, with CPython 3.11's one-digit ints (|v| < 2**30) read inline."""
    if sys.version_info[:2] != (3, 11):
        v = b.call(api.fn("PyLong_AsLongLong", I64, [PTR]), [obj])
        _fail_if_error(api, b, b.icmp_signed("==", v, I64(-1)))
        return v
    i8 = ir.IntType(8)
    ob_type = b.load(b.gep(obj, [I64(_TYPE_OFFSET)], source_etype=i8), typ=PTR)
    size = b.load(b.gep(obj, [I64(_LONG_SIZE_OFFSET)], source_etype=i8), typ=I64)
    compact = b.and_(b.icmp_unsigned("==", ob_type, api.data("PyLong_Type")),
                     b.icmp_unsigned("<=", b.add(size, I64(1)), I64(2)))
    with b.if_else(compact, likely=True) as (then, otherwise):
        with then:
            digit = b.load(b.gep(obj, [I64(_LONG_DIGIT_OFFSET)], source_etype=i8), typ=I32)
            direct = b.mul(size, b.zext(digit, I64))
            direct_block = b.block
        with otherwise:
            converted = b.call(api.fn("PyLong_AsLongLong", I64, [PTR]), [obj])
            _fail_if_error(api, b, b.icmp_signed("==", converted, I64(-1)))
            converted_block = b.block
    value = b.phi(I64)
    value.add_incoming(direct, direct_block)
    value.add_incoming(converted, converted_block)
    return value


def _box(api: _CApi, b: ir.IRBuilder, v: ir.Value, t: ValueT | NoneT) -> ir.Value:
    if isinstance(t, TupleT):
        # a new tuple owning one new reference per item (PyTuple_SetItem steals it); NULL if any
        # allocation fails, with the tuple released
        result = b.call(api.fn("PyTuple_New", PTR, [I64]), [I64(len(t.items))])
        with b.if_then(b.icmp_unsigned("==", result, ir.Constant(PTR, None)), likely=False):
            b.ret(ir.Constant(PTR, None))
        for i, item_t in enumerate(t.items):
            item = _box(api, b, b.extract_value(v, i), item_t)
            with b.if_then(b.icmp_unsigned("==", item, ir.Constant(PTR, None)), likely=False):
                b.call(api.fn("Py_DecRef", ir.VoidType(), [PTR]), [result])
                b.ret(ir.Constant(PTR, None))
            b.call(api.fn("PyTuple_SetItem", I32, [PTR, I64, PTR]), [result, I64(i), item])
        return result
    if isinstance(t, NoneT):
        none = api.data("_Py_NoneStruct")
        b.call(api.fn("Py_IncRef", ir.VoidType(), [PTR]), [none])
        return none
    if t.is_bool:
        return b.call(api.fn("PyBool_FromLong", PTR, [I64]), [b.zext(v, I64)])
    if t.is_float:
        return b.call(api.fn("PyFloat_FromDouble", PTR, [F64]), [b.fpext(v, F64) if t.bits == 32 else v])
    if t.is_complex:
        re, im = b.extract_value(v, 0), b.extract_value(v, 1)
        if t.bits == 64:
            re, im = b.fpext(re, F64), b.fpext(im, F64)
        return b.call(api.fn("PyComplex_FromDoubles", PTR, [F64, F64]), [re, im])
    if t.info.signed:
        wide = b.sext(v, I64) if t.bits < 64 else v
        return b.call(api.fn("PyLong_FromLongLong", PTR, [I64]), [wide])
    wide = b.zext(v, I64) if t.bits < 64 else v
    return b.call(api.fn("PyLong_FromUnsignedLongLong", PTR, [I64]), [wide])


__all__ = ["add_vectorcall_entries", "vectorcall_name"]
