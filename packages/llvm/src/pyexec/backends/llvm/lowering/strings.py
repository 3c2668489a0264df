"""Lowering of Python strings: one ``expr_*``/``stmt_*`` method per string node, over the string runtime
(:mod:`pyexec.backends.llvm.string_runtime`).

A ``str`` value is a ``ptr`` to a block's data in ``pyexec.memory``'s string layout (int32 UTF-8 byte count,
the bytes, NUL; tag 0x02; docs/memory.md). A literal is an immortal constant block (no allocation, its
refcount negative so incref/decref skip it); every other string is a block of the call's list.

**References** follow the array rules, in one place (:class:`~pyexec.backends.llvm.lowering.arrays.ArrayLowering`
and :func:`~pyexec.backends.llvm.lowering.arrays.owned`): a string made by an expression (``a + b``, ``s[i]``,
a call's result…) is owned by its consumer, a name or a literal is borrowed; slots hold one reference; a
temporary is released right after its use; a fault frees the call's blocks at the entry.

**In place.** ``s = s + t`` (and ``s += t``) into a local calls the runtime's ``append``, which takes the
slot's reference: when it is the only one, the bytes go into the block's spare room (growing it 1.5×
when full), so building a long string in a loop is linear, as in CPython.

Example:
    >>> from pyexec.frontend import analyze_source
    >>> from pyexec.backends.llvm.lowering import lower_module
    >>> m = analyze_source("def f(s: str) -> int:\\n    return len(s + '!')\\n")
    >>> "pyexec.str.concat" in str(lower_module(m, triple="x86_64-unknown-linux-gnu", data_layout=""))
    True
"""

from __future__ import annotations

import hashlib
import sys
from typing import TYPE_CHECKING

from llvmlite import ir

from pyexec.backends.llvm import runtime as rt
from pyexec.backends.llvm import string_runtime as srt
from pyexec.backends.llvm.lowering.arrays import call_blocks_head, message_function, owned
from pyexec.frontend.ir import nodes as n
from pyexec.frontend.ir.string_ops import StrFormat, StrMethod
from pyexec.frontend.ir.types import StrT

if TYPE_CHECKING:
    from pyexec.backends.llvm.lowering.function import FunctionLowering

I1 = ir.IntType(1)
I8 = ir.IntType(8)
I32 = ir.IntType(32)
I64 = ir.IntType(64)
PTR = ir.PointerType()
NULL = ir.Constant(PTR, None)

ALLOCATING_NODES = (n.StrConcat, n.StrRepeat, n.StrIndex, n.StrSlice, n.StrChr, n.ForStr, StrMethod, StrFormat)
"""String nodes that may allocate a block (and so fault with MemoryError, or an index error)."""
FAULTING_NODES = (*ALLOCATING_NODES, n.StrOrd)


def allocates_strings(node: object) -> bool:
    """Whether an IR node may allocate a string block (the module then needs the call's block list)."""
    if isinstance(node, ALLOCATING_NODES):
        return True
    return isinstance(node, n.Assign) and isinstance(node.target.type, StrT) and not isinstance(
        node.value, (n.Name, n.Const))


def faults_locally(node: object) -> bool:
    """Whether a string node itself may set the error state (out of memory, an index, ord/chr's errors)."""
    return isinstance(node, FAULTING_NODES)


class StringLowering:
    """The string half of :class:`~pyexec.backends.llvm.lowering.function.FunctionLowering` (a mixin)."""

    def blocks_head(self: FunctionLowering) -> ir.Value:
        """Where this call's blocks are listed: the per-call state natively, a module global on wasm."""
        from pyexec.backends.llvm.lowering.state import STATE_BLOCKS, state_field

        if self.state is None:
            return call_blocks_head(self.owner.module)
        return state_field(self.b, self.state, STATE_BLOCKS)

    def string_literal(self: FunctionLowering, text: str) -> ir.Value:
        """A literal: one immortal constant per distinct text in the module (named by the text's digest, so
        the module's IR does not depend on the order functions are lowered in)."""
        digest = hashlib.blake2b(text.encode("utf-8"), digest_size=12).hexdigest()
        return srt.literal(self.owner.module, text, f"pyexec.str.literal.{digest}")

    def made(self: FunctionLowering, s: ir.Value) -> ir.Value:
        """A string the runtime just made: MemoryError when it is NULL."""
        self.fail_if(self.b.icmp_unsigned("==", s, NULL), rt.MEMORY, "cannot allocate memory for a string")
        return s

    def string_incref(self: FunctionLowering, s: ir.Value) -> None:
        with self.b.if_then(self.b.icmp_unsigned("!=", s, NULL)):
            self.b.call(self.owner.external("pyexec_rt_incref", ir.VoidType(), [PTR]), [s])

    def string_decref(self: FunctionLowering, s: ir.Value) -> None:
        with self.b.if_then(self.b.icmp_unsigned("!=", s, NULL)):
            self.b.call(self.owner.external("pyexec_rt_decref", ir.VoidType(), [PTR]), [s])

    def print_string(self: FunctionLowering, s: ir.Value) -> None:
        """``print`` of a string value: its UTF-8 bytes and their count (a NUL character is printed too)."""
        self.print_call("pyexec_print_text", [PTR, I64], [srt.text(self.b, s), srt.length_bytes(self.b, s)])

    def assign_append(self: FunctionLowering, s: n.Assign) -> bool:
        """``x = x + t`` into a string variable: the runtime's in-place ``append``. False: not that shape."""
        v = s.value
        if not (isinstance(v, n.StrConcat) and isinstance(v.left, n.Name) and v.left.var is s.target):
            return False
        slot = self.slot(s.target)
        right = self.expr(v.right)
        current = self.b.load(slot, typ=PTR)
        result = self.made(srt.call(self.b, "append", self.blocks_head(), current, right))
        self.b.store(result, slot)  # append took the slot's reference and gave back one
        self.release_temporary(v.right, right)
        return True

    # --- expressions ---------------------------------------------------------------------------------

    def expr_StrConcat(self: FunctionLowering, e: n.StrConcat) -> ir.Value:
        a, c = self.expr(e.left), self.expr(e.right)
        s = self.made(srt.call(self.b, "concat", self.blocks_head(), a, c))
        self.release_temporary(e.left, a)
        self.release_temporary(e.right, c)
        return s

    def expr_StrRepeat(self: FunctionLowering, e: n.StrRepeat) -> ir.Value:
        b = self.b
        v, k = self.expr(e.value), self.expr(e.count)
        nbytes = srt.length_bytes(b, v)
        empty = b.or_(b.icmp_signed("<=", k, I64(0)), b.icmp_unsigned("==", nbytes, I64(0)))
        with b.if_else(empty) as (none, some):
            with none:
                nothing = self.string_literal("")
                none_end = b.block
            with some:
                # CPython: OverflowError past Py_ssize_t; here also MemoryError past a block's int32 length
                limit = b.udiv(I64(2**63 - 1), b.select(empty, I64(1), nbytes))
                self.fail_if(b.icmp_unsigned(">", k, limit), rt.OVERFLOW, "repeated string is too long")
                self.fail_if(b.icmp_unsigned(">", b.mul(k, nbytes), I64(srt.MAX_BYTES)), rt.MEMORY,
                             "cannot allocate memory for a string")
                made = self.made(srt.call(b, "repeat", self.blocks_head(), v, k))
                some_end = b.block
        result = b.phi(PTR)
        result.add_incoming(nothing, none_end)
        result.add_incoming(made, some_end)
        self.release_temporary(e.value, v)
        return result

    def expr_StrLen(self: FunctionLowering, e: n.StrLen) -> ir.Value:
        v = self.expr(e.value)
        length = srt.call(self.b, "len", v)
        self.release_temporary(e.value, v)
        return length

    def expr_StrTruth(self: FunctionLowering, e: n.StrTruth) -> ir.Value:
        v = self.expr(e.value)
        full = self.b.icmp_unsigned("!=", srt.length_bytes(self.b, v), I64(0))
        self.release_temporary(e.value, v)
        return full

    def expr_StrIndex(self: FunctionLowering, e: n.StrIndex) -> ir.Value:
        b = self.b
        v, i = self.expr(e.value), self.expr(e.index)
        length = srt.call(b, "len", v)
        i = b.select(b.icmp_signed("<", i, I64(0)), b.add(i, length), i)
        outside = b.or_(b.icmp_signed("<", i, I64(0)), b.icmp_signed(">=", i, length))
        self.fail_if(outside, rt.INDEX, "string index out of range")
        offset = srt.call(b, "offset", v, i)
        c = self.made(srt.call(b, "char_at_byte", self.blocks_head(), v, offset))
        self.release_temporary(e.value, v)
        return c

    def expr_StrSlice(self: FunctionLowering, e: n.StrSlice) -> ir.Value:
        v = self.expr(e.value)
        start, count, step = self.slice_bounds(e.slice, srt.call(self.b, "len", v))
        s = self.made(srt.call(self.b, "slice", self.blocks_head(), v, start, count, step))
        self.release_temporary(e.value, v)
        return s

    def expr_StrCompare(self: FunctionLowering, e: n.StrCompare) -> ir.Value:
        b = self.b
        a, c = self.expr(e.left), self.expr(e.right)
        if e.op in ("eq", "ne"):
            same = srt.call(b, "equal", a, c)
            result = same if e.op == "eq" else b.not_(same)
        else:
            sign = srt.call(b, "compare", a, c)
            result = b.icmp_signed({"lt": "<", "le": "<=", "gt": ">", "ge": ">="}[e.op], sign, I32(0))
        self.release_temporary(e.left, a)
        self.release_temporary(e.right, c)
        return result

    def expr_StrContains(self: FunctionLowering, e: n.StrContains) -> ir.Value:
        b = self.b
        needle, hay = self.expr(e.needle), self.expr(e.haystack)
        found = b.icmp_signed(">=", srt.call(b, "find", hay, needle), I64(0))
        self.release_temporary(e.needle, needle)
        self.release_temporary(e.haystack, hay)
        return b.not_(found) if e.negate else found

    def expr_StrOrd(self: FunctionLowering, e: n.StrOrd) -> ir.Value:
        b = self.b
        v = self.expr(e.value)
        length = srt.call(b, "len", v)
        with b.if_then(b.icmp_signed("!=", length, I64(1)), likely=False):
            fn = message_function(self.owner, "pyexec.ord_error", rt.TYPE,
                                  ["ord() expected a character, but string of length ", 0, " found"])
            b.call(fn, ([self.state] if self.state is not None else [NULL]) + [length])
            self.return_zero()
        code = srt.call(b, "ord", v)
        self.release_temporary(e.value, v)
        return code

    def expr_StrChr(self: FunctionLowering, e: n.StrChr) -> ir.Value:
        b = self.b
        c = self.expr(e.value)
        if sys.version_info < (3, 13):
            # CPython before 3.13 reads the argument as a C int first (3.13 gives the ValueError below for any int)
            self.fail_if(b.icmp_unsigned(">", b.add(c, I64(2**31)), I64(2**32 - 1)), rt.OVERFLOW,
                         "Python int too large to convert to C int")
        self.fail_if(b.icmp_unsigned(">=", c, I64(0x110000)), rt.VALUE, "chr() arg not in range(0x110000)")
        surrogate = b.and_(b.icmp_unsigned(">=", c, I64(0xD800)), b.icmp_unsigned("<=", c, I64(0xDFFF)))
        self.fail_if(surrogate, rt.VALUE, "chr() arg is a surrogate code point (U+D800..U+DFFF), which a compiled "
                     "string (UTF-8) cannot hold")
        return self.made(srt.call(b, "chr", self.blocks_head(), c))

    # --- statements ----------------------------------------------------------------------------------

    def stmt_ForStr(self: FunctionLowering, s: n.ForStr) -> None:
        """Walk the string's UTF-8 bytes: each character is assigned to the loop variable (a new reference;
        the old value released), then the body runs; ``continue`` goes to the next character."""
        b = self.b
        v = self.expr(s.value)  # a name (the frontend's synthetic local): borrowed for the whole loop
        with b.goto_block(self.entry_block):
            b.position_at_start(self.entry_block)
            cursor = b.alloca(I64, name="str.cursor")
        b.store(I64(0), cursor)
        head, body, orelse, done = (self.new_block(x) for x in ("forstr.head", "forstr.body", "forstr.else",
                                                                 "forstr.end"))
        b.branch(head)
        b.position_at_end(head)
        self.poll_interrupt()
        at = b.load(cursor, typ=I64)
        b.cbranch(b.icmp_unsigned("<", at, srt.length_bytes(b, v)), body, orelse)
        b.position_at_end(body)
        ch = self.made(srt.call(b, "char_at_byte", self.blocks_head(), v, at))
        b.store(b.add(at, srt.call(b, "char_width", v, at)), cursor)
        slot = self.slot(s.var)
        old = b.load(slot, typ=PTR)
        b.store(ch, slot)
        self.string_decref(old)
        self.loops.append((head, done))
        self.stmts(s.body)
        self.loops.pop()
        if not b.block.is_terminated:
            b.branch(head)
        b.position_at_end(orelse)
        self.stmts(s.orelse)
        if not b.block.is_terminated:
            b.branch(done)
        b.position_at_end(done)


# --- the C boundary (compile_llvm's entry points; the in-process one is in wrapper.py) ---------------------

C_RESULT = ir.LiteralStructType([PTR, I64, PTR])
"""``pyexec_str_result``: ``{const char *data; int64_t size; void *owner;}`` (written through the last parameter)."""


class CStrings:
    """A C entry's string arguments and result: ``pyexec_str {const char *data; int64_t size;}`` by value in,
    copied into blocks on the entry's own list (one reference each, released after the call, freed with the
    list after a fault); a returned string written to ``pyexec_str_result *result`` with its block as owner
    (the caller releases it with ``<base>_str_release``)."""

    def __init__(self, owner: object, b: ir.IRBuilder, result: ir.Value | None) -> None:
        self.owner = owner
        self.b = b
        self.result = result
        self.blocks: list[ir.Value] = []
        with b.goto_entry_block():
            self.head = b.alloca(PTR, name="str.args")
        b.store(NULL, self.head)
        if result is not None:
            b.store(ir.Constant(C_RESULT, None), result)  # all zero after a failed call

    def argument(self, data: ir.Value, size: ir.Value, fail: object) -> ir.Value:
        """A block holding a copy of the caller's UTF-8 bytes; ``fail(code, text)`` ends the entry when memory
        runs out or the size is negative."""
        b = self.b
        bad = b.or_(b.icmp_signed("<", size, I64(0)), b.icmp_signed(">", size, I64(srt.MAX_BYTES)))
        with b.if_then(bad, likely=False):
            self.release_all()
            fail(rt.VALUE, "a string argument's size is negative or over 2**31 - 2 bytes")  # type: ignore[operator]
        block = srt.call(b, "from_utf8", self.head, data, b.select(bad, I64(0), size))
        with b.if_then(b.icmp_unsigned("==", block, NULL), likely=False):
            self.release_all()
            fail(rt.MEMORY, "cannot allocate memory for a string argument")  # type: ignore[operator]
        self.blocks.append(block)
        return block

    def release_all(self) -> None:
        self.b.call(srt._external(self.b.module, "pyexec_rt_free_all", ir.VoidType(), [PTR]), [self.head])

    def finish(self, code: ir.Value, value: ir.Value | None) -> None:
        """After the call: success releases the entry's references (then unlinks a block the result still
        holds) and writes the result; a fault frees the arguments' blocks."""
        b = self.b
        with b.if_else(b.icmp_signed("==", code, I32(0)), likely=True) as (ok, failed):
            with ok:
                decref = srt._external(b.module, "pyexec_rt_decref", ir.VoidType(), [PTR])
                for block in self.blocks:
                    b.call(decref, [block])
                if self.blocks:
                    b.call(srt._external(b.module, "pyexec_rt_detach_all", ir.VoidType(), [PTR]), [self.head])
                if self.result is not None and value is not None:
                    out = ir.Constant(C_RESULT, ir.Undefined)
                    out = b.insert_value(out, srt.text(b, value), 0)
                    out = b.insert_value(out, srt.length_bytes(b, value), 1)
                    out = b.insert_value(out, value, 2)
                    b.store(out, self.result)
            with failed:
                if self.blocks:
                    self.release_all()


def own_branch(lowering: FunctionLowering, e: n.Expr, value: ir.Value) -> None:
    """A branch of an ``if``-``else`` expression of type ``str`` (owned as a whole): a borrowed branch value is
    increfed, so that the result always carries one reference."""
    if isinstance(e.type, StrT) and not owned(e):
        lowering.string_incref(value)


__all__ = ["ALLOCATING_NODES", "C_RESULT", "CStrings", "StringLowering", "allocates_strings", "faults_locally",
           "own_branch"]
