"""Lowering of string methods and formatting (:class:`~pyexec.frontend.ir.string_ops.StrMethod`,
:class:`~pyexec.frontend.ir.string_ops.StrFormat`) to calls of the runtime routines of
:mod:`pyexec.backends.llvm.string_methods` and :mod:`pyexec.backends.llvm.string_format`.

The routines come from one IR text for every target. In process they are compiled once per process
and linked (:func:`pyexec.backends.llvm.host_runtime.register_string_ops`); elsewhere they are added to
the module being lowered on first use (internal linkage). Natively ``pyexec_float_digits`` is defined
too (C's ``snprintf``/``strtod``); on wasm32 it stays declared: the module imports it from its host.

References follow the string rules (:mod:`pyexec.backends.llvm.lowering.strings`): a routine borrows its
arguments and returns a new string (NULL: MemoryError); temporaries are released after the call.

Example:
    >>> from pyexec.frontend import analyze_source
    >>> from pyexec.backends.llvm.lowering import lower_module
    >>> m = analyze_source("def f(s: str) -> str:\\n    return s.upper()\\n")
    >>> "pyexec_str_upper" in str(lower_module(m, triple="x86_64-unknown-linux-gnu", data_layout=""))
    True
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from llvmlite import ir

from pyexec.backends.llvm.string_format import (
    FUNCTIONS as FORMAT_FUNCTIONS,
)
from pyexec.backends.llvm.string_format import (
    build_float_digits_native,
    build_string_format,
)
from pyexec.backends.llvm.string_ir import ALLOC, seal
from pyexec.backends.llvm.string_methods import FUNCTIONS as METHOD_FUNCTIONS
from pyexec.backends.llvm.string_methods import STRIP_LEFT, STRIP_RIGHT, build_string_methods
from pyexec.frontend.ir.string_ops import StrFormat, StrMethod
from pyexec.frontend.ir.types import INT64, STR, UINT64, ScalarT

if TYPE_CHECKING:
    from pyexec.backends.llvm.lowering.function import FunctionLowering

I1 = ir.IntType(1)
I32 = ir.IntType(32)
I64 = ir.IntType(64)
F64 = ir.DoubleType()
PTR = ir.PointerType()
NULL = ir.Constant(PTR, None)
_TYPES = {"ptr": PTR, "i32": I32, "i64": I64, "double": F64, "void": ir.VoidType()}
_STRIP_SIDES = {"strip": STRIP_LEFT | STRIP_RIGHT, "lstrip": STRIP_LEFT, "rstrip": STRIP_RIGHT}
_FLOAT_TYPES = "eEfFgG%"
_NUMPY_NAMES = {"int8", "int16", "int32", "uint8", "uint16", "uint32", "uint64", "float32", "complex64"}
"""Types whose ``repr`` NumPy 2 spells ``np.<name>(...)`` (``int``, ``float`` and ``bool`` values are
taken as Python's, whose ``repr`` is the bare number)."""


def embed_string_ops(module: ir.Module, wasm: bool) -> None:
    """Define the method and formatting routines in ``module`` (once; internal linkage)."""
    if "pyexec_str_upper" in module.globals:
        return
    if ALLOC not in module.globals:
        ir.Function(module, ir.FunctionType(PTR, [PTR, I64]), ALLOC)
    before = set(module.globals)
    build_string_methods(module)
    build_string_format(module)
    if not wasm:
        build_float_digits_native(module)
    for name in set(module.globals) - before:
        g = module.globals[name]
        if isinstance(g, ir.Function) and g.blocks:
            g.linkage = "internal"
    seal(module)


class StringOpsLowering:
    """The ``expr_StrMethod``/``expr_StrFormat`` half of :class:`~pyexec.backends.llvm.lower.FunctionLowering`."""

    def string_op(self: FunctionLowering, name: str, *args: ir.Value) -> ir.Value:
        module = self.owner.module
        if self.owner.python_runtime:
            # in process the routines are compiled once and linked (host_runtime.register_string_ops)
            ret, params = {**METHOD_FUNCTIONS, **FORMAT_FUNCTIONS}[name]
            fn = self.owner.external(name, _TYPES[ret], [_TYPES[p] for p in params])
            # the entry sets up the call's block list when the module declares the allocator
            self.owner.external(ALLOC, PTR, [PTR, I64])
        else:
            embed_string_ops(module, self.owner.triple.startswith("wasm"))
            fn = module.globals[name]
        return self.b.call(fn, list(args))

    def expr_StrMethod(self: FunctionLowering, e: StrMethod) -> ir.Value:
        b = self.b
        s = self.expr(e.value)
        args = [self.expr(a) for a in e.args]
        m = e.method
        head = self.blocks_head()
        if m in ("upper", "lower"):
            out = self.made(self.string_op(f"pyexec_str_{m}", head, s))
        elif m in _STRIP_SIDES:
            chars = args[0] if args else NULL
            out = self.made(self.string_op("pyexec_str_strip", head, s, chars, I32(_STRIP_SIDES[m])))
        elif m in ("startswith", "endswith"):
            out = b.icmp_signed("!=", self.string_op(f"pyexec_str_{m}", s, *args), I32(0))
        elif m in ("find", "count"):
            out = self.string_op(f"pyexec_str_{m}", s, *args)
        elif m == "replace":
            out = self.made(self.string_op("pyexec_str_replace", head, s, *args))
        elif m in ("isdigit", "isalpha", "isspace"):
            out = b.icmp_signed("!=", self.string_op(f"pyexec_str_{m}", s), I32(0))
        else:
            assert m == "join"
            out = self.made(self.join_strings(s, args))
        self.release_temporary(e.value, s)
        for a, v in zip(e.args, args):
            if a.type == STR:
                self.release_temporary(a, v)
        return out

    def join_strings(self: FunctionLowering, sep: ir.Value, items: list[ir.Value]) -> ir.Value:
        """``sep.join(items)``: the items' pointers in a stack array for the runtime."""
        b = self.b
        with b.goto_block(self.entry_block):
            b.position_at_start(self.entry_block)
            array = b.alloca(ir.ArrayType(PTR, max(1, len(items))))
        for k, item in enumerate(items):
            b.store(item, b.gep(array, [I32(0), I32(k)]))
        first = b.gep(array, [I32(0), I32(0)])
        return self.string_op("pyexec_str_join", self.blocks_head(), sep, first, I64(len(items)))

    def expr_StrFormat(self: FunctionLowering, e: StrFormat) -> ir.Value:
        b = self.b
        t = e.value.type
        value = self.expr(e.value)
        spec = e.spec
        if t == STR:
            out = self.made(self.string_op("pyexec_fmt_str", self.blocks_head(), value, I32(ord(spec.fill)),
                                           I32(ord(spec.align)), I64(spec.width), I64(spec.precision)))
            self.release_temporary(e.value, value)
            return out
        assert isinstance(t, ScalarT)
        if t.is_complex:
            return self.format_complex(e, value)
        if t.is_bool and (e.conversion != "format" or spec.text == ""):
            return b.select(value, self.string_literal("True"), self.string_literal("False"))
        head = self.blocks_head()
        fields = (I32(ord(spec.fill)), I32(ord(spec.align)), I32(ord(spec.sign)), I32(int(spec.alt)),
                  I64(spec.width), I32(ord(spec.sep) if spec.sep else 0))
        if not t.is_float and spec.type not in _FLOAT_TYPES:
            wide = value if t.bits == 64 else (b.sext if t.info.signed and not t.is_bool else b.zext)(value, I64)
            out = self.string_op("pyexec_fmt_int", head, wide, I32(int(t == UINT64)), I32(ord(spec.type)), *fields)
        else:
            if not t.is_float:
                x = (b.uitofp if t == UINT64 or t.is_bool else b.sitofp)(value, F64)
            else:
                x = value if t.bits == 64 else b.fpext(value, F64)
            # str() of a float32 is NumPy's shortest float32 digits; format() works on the float64 value.
            single = I32(int(t.is_float and t.bits == 32 and e.conversion != "format"))
            out = self.string_op("pyexec_fmt_float", head, x, single, I32(ord(spec.type)), I64(spec.precision),
                                 *fields[:4], fields[4], fields[5])
        out = self.made(out)
        if e.conversion == "repr" and t.name in _NUMPY_NAMES and t != INT64:
            wrapped = self.made(self.join_strings(self.string_literal(""), [
                self.string_literal(f"np.{t.name}("), out, self.string_literal(")")]))
            self.string_decref(out)
            out = wrapped
        return out


    def format_complex(self: FunctionLowering, e: StrFormat, z: ir.Value) -> ir.Value:
        """CPython's ``(re+imj)``, or ``imj`` when the real part is +0.0; each part's shortest digits
        without ``.0`` (a complex64's as NumPy prints its float32 parts)."""
        b = self.b
        t = e.value.type
        assert isinstance(t, ScalarT)
        single = I32(int(t.bits == 64 and e.conversion != "format"))
        head = self.blocks_head()
        parts = [b.extract_value(z, k) for k in (0, 1)]
        if t.bits == 64:
            parts = [b.fpext(p, F64) for p in parts]
        re, im = parts

        def text(x: ir.Value, sign: str) -> ir.Value:
            return self.made(self.string_op("pyexec_fmt_float", head, x, single, I32(ord("j")), I64(-1),
                                            I32(ord(" ")), I32(ord(">")), I32(ord(sign)), I32(0), I64(0), I32(0)))

        re_text, im_signed, im_plain = text(re, "-"), text(im, "+"), text(im, "-")
        bits = b.bitcast(re, I64)
        bare = b.icmp_signed("==", bits, I64(0))  # +0.0 exactly: no parentheses, no real part
        empty = self.string_literal("")
        wrapped = e.conversion == "repr" and t.name in _NUMPY_NAMES  # np.complex64(1+2j): its own parentheses
        open_, close = ("np.complex64(", ")") if wrapped else ("(", "j)")
        pieces = [b.select(bare, self.string_literal(open_ if wrapped else ""), self.string_literal(open_)),
                  b.select(bare, empty, re_text), b.select(bare, im_plain, im_signed),
                  b.select(bare, self.string_literal("j" + close if wrapped else "j"),
                           self.string_literal("j" + close if wrapped else close))]
        out = self.made(self.join_strings(empty, pieces))
        for s in (re_text, im_signed, im_plain):
            self.string_decref(s)
        return out


__all__ = ["FORMAT_FUNCTIONS", "StringOpsLowering", "embed_string_ops"]
