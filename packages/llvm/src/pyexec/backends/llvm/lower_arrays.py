"""Lowering of NumPy arrays: the descriptor, element access with NumPy's bounds checks, and the rules
every array value follows, in one place.

**The descriptor.** An array value of type ``dtype[ndim]`` is the struct
``{ptr owner, ptr data, [ndim x i64] shape, [ndim x i64] strides}`` on every target (wasm32 too:
extents and strides are ``i64`` there as well). ``strides`` are in bytes and may be negative or zero;
element ``(i0, …, ik)`` lives at ``data + Σ ik * strides[k]``. Inside compiled code a descriptor is
an SSA value (LLVM passes it in registers or memory as it likes); at a C entry point it is passed by
pointer (``const <struct> *``).

**Who owns the memory.** ``owner`` is NULL for memory compiled code does not own: an array passed in
from Python (its buffer is held by the vectorcall entry for the whole call, see
:mod:`pyexec.backends.llvm.wrapper`) or from C (the caller keeps it alive for the call). Arrays
created by compiled code point ``owner`` at a block of ``pyexec.memory``'s layout (docs/memory.md);
the reference-count rules for those live here too, as the lowering of each construct that makes one
arrives.

**Elements.** A ``bool_`` element is one byte in memory (``i1`` in registers); every other element is
its scalar's LLVM type. Accesses are declared 1-byte aligned: a buffer from Python may be unaligned,
and on the targets pyexec supports an unaligned access costs nothing.

**Bounds.** A checked index ``i`` on an axis of extent ``n`` becomes ``i + n`` when negative, then
must satisfy ``0 <= i < n``; otherwise IndexError with NumPy's message, the original index in it
("index -7 is out of bounds for axis 0 with size 5"). The message is written at run time into the
per-call state's message room (native) or a module buffer (wasm, one call at a time per instance).

Example:
    >>> from pyexec.frontend.ir.types import ArrayT, FLOAT64
    >>> str(array_type(ArrayT(FLOAT64, 2, "A")))
    '{ptr, ptr, [2 x i64], [2 x i64]}'
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from llvmlite import ir

from pyexec.backends.llvm import runtime as rt
from pyexec.frontend.ir import nodes as n
from pyexec.frontend.ir.types import INT, ArrayT, ScalarT

if TYPE_CHECKING:
    from pyexec.backends.llvm.lower import FunctionLowering, ModuleLowering

I8 = ir.IntType(8)
I32 = ir.IntType(32)
I64 = ir.IntType(64)
PTR = ir.PointerType()

OWNER, DATA, SHAPE, STRIDES = range(4)
"""Fields of the descriptor."""
MESSAGE_ROOM = 128
"""Bytes for a message written at run time (the longest IndexError message is under 100)."""
INDEX_ERROR_FUNCTION = "pyexec.index_error"
MESSAGE_BUFFER_GLOBAL = "pyexec.error.buffer"


def array_type(t: ArrayT) -> ir.LiteralStructType:
    """The LLVM descriptor type of an array type (the same for both layouts)."""
    dims = ir.ArrayType(I64, t.ndim)
    return ir.LiteralStructType([PTR, PTR, dims, dims])


def element_type(t: ScalarT, llvm_type: ir.Type) -> ir.Type:
    """How an element is stored in memory: ``bool_`` is a byte."""
    return I8 if t.is_bool else llvm_type


def written_parameters(module: n.Module) -> dict[str, set[int]]:
    """For each function, the indices of the array parameters whose elements it may assign (itself, or
    through a local holding the same array, or through a function it passes the array to).

    The in-process entry asks for a writable buffer only for those, so a read-only NumPy array can be
    passed to a function that only reads it, and is refused with NumPy's ValueError otherwise.

    Example:
        >>> written_parameters(n.Module({}))
        {}
    """
    aliases: dict[str, dict[int, set[int]]] = {}  # function → id(variable) → parameter indices it may hold
    calls: dict[str, list[tuple[str, int, set[int]]]] = {}  # function → (callee, argument index, parameters)
    direct: dict[str, set[int]] = {}
    for name, fn in module.functions.items():
        held = {id(p): {p.index} for p in fn.params if isinstance(p.type, ArrayT)}
        stores: list[n.SetItem] = []
        found_calls: list[n.Call] = []
        changed = True
        while changed:  # locals assigned from a parameter (b = a) hold it too; iterate to a fixed point
            changed = False
            stack: list[object] = list(fn.body)
            while stack:
                node = stack.pop()
                if isinstance(node, n.Assign) and isinstance(node.target.type, ArrayT):
                    got = _held_by(node.value, held)
                    mine = held.setdefault(id(node.target), set())
                    if not got <= mine:
                        mine |= got
                        changed = True
                elif isinstance(node, n.ForRange):
                    stack.extend(node.body + node.orelse)
                elif isinstance(node, (n.If, n.While)):
                    stack.extend(node.body + node.orelse)
        stack = list(fn.body)
        while stack:
            node = stack.pop()
            if isinstance(node, n.SetItem):
                stores.append(node)
            if isinstance(node, n.Call):
                found_calls.append(node)
            stack.extend(_children(node))
        aliases[name] = held
        direct[name] = set().union(*(_held_by(s.array, held) for s in stores)) if stores else set()
        calls[name] = [(c.callee, k, _held_by(a, held)) for c in found_calls for k, a in enumerate(c.args)
                       if isinstance(a.type, ArrayT)]
    written = {name: set(s) for name, s in direct.items()}
    changed = True
    while changed:
        changed = False
        for name, edges in calls.items():
            for callee, k, params in edges:
                if k in written.get(callee, set()) and not params <= written[name]:
                    written[name] |= params
                    changed = True
    return written


def _held_by(e: n.Expr, held: dict[int, set[int]]) -> set[int]:
    """The parameters an array expression may be (a name of one, or of a local that holds one)."""
    if isinstance(e, n.Name):
        return set(held.get(id(e.var), set()))
    return set()


def _children(node: object) -> list[object]:
    out: list[object] = []
    for value in vars(node).values():
        if isinstance(value, list):
            out.extend(v for v in value if hasattr(v, "loc"))
        elif hasattr(value, "loc") and not isinstance(value, (n.Param, n.Local, n.Loc)):
            out.append(value)
    return out


# --- the module's helpers ------------------------------------------------------------------------


def message_function(owner: ModuleLowering, name: str, kind: int, pieces: list[str | int]) -> ir.Function:
    """An outlined, cold ``void name(state, i64 ...)`` that writes a message from ``pieces`` (text, or the
    index of an ``i64`` argument written in decimal) and raises error ``kind`` with it.

    Native code raises through the per-call state (unwinding to a guarded entry); wasm sets the error
    globals and returns (the caller then returns, as every fault does there)."""
    module = owner.module
    existing = module.globals.get(name)
    if existing is not None:
        return existing
    count = sum(1 for p in pieces if isinstance(p, int))
    fn = ir.Function(module, ir.FunctionType(ir.VoidType(), [PTR] + [I64] * count), name)
    fn.linkage = "internal"
    fn.attributes.add("noinline")
    fn.attributes.add("cold")
    state, *values = fn.args
    b = ir.IRBuilder(fn.append_basic_block("entry"))
    if owner.unwind:
        from pyexec.backends.llvm.lower import STATE_MESSAGE_ROOM, state_field

        room = state_field(b, state, STATE_MESSAGE_ROOM)
    else:
        room = module.globals.get(MESSAGE_BUFFER_GLOBAL)
        if room is None:
            room = ir.GlobalVariable(module, ir.ArrayType(I8, MESSAGE_ROOM), MESSAGE_BUFFER_GLOBAL)
            room.linkage = "internal"
            room.initializer = ir.Constant(ir.ArrayType(I8, MESSAGE_ROOM), None)
    at = b.bitcast(room, PTR)
    for piece in pieces:
        at = _append_text(b, at, piece) if isinstance(piece, str) else _append_int(b, at, values[piece])
    b.store(I8(0), at)
    message = b.bitcast(room, PTR)
    if owner.raise_function is not None:
        b.call(owner.raise_function, [state, I32(kind), message])
    else:
        b.store(I32(kind), owner.error_code)
        b.store(message, owner.error_message)
    b.ret_void()
    return fn


def index_error_function(owner: ModuleLowering) -> ir.Function:
    """``pyexec.index_error(state, index, axis, size)``: NumPy's IndexError, raised."""
    return message_function(owner, INDEX_ERROR_FUNCTION, rt.INDEX,
                            ["index ", 0, " is out of bounds for axis ", 1, " with size ", 2])


def _append_text(b: ir.IRBuilder, at: ir.Value, text: str) -> ir.Value:
    for k, byte in enumerate(text.encode("ascii")):
        b.store(I8(byte), b.gep(at, [I64(k)], source_etype=I8))
    return b.gep(at, [I64(len(text))], source_etype=I8)


def _append_int(b: ir.IRBuilder, at: ir.Value, v: ir.Value) -> ir.Value:
    """Write ``v`` in decimal at ``at`` (no NUL); return the address after it. Digits are produced
    backwards into a 20-byte scratch area, then copied."""
    neg = b.icmp_signed("<", v, I64(0))
    magnitude = b.select(neg, b.sub(I64(0), v), v)  # INT64_MIN stays 2**63 read as unsigned
    with b.if_then(neg):
        b.store(I8(ord("-")), at)
    at = b.gep(at, [b.zext(neg, I64)], source_etype=I8)
    scratch_ptr = b.alloca(I8, size=I64(20))
    pre = b.block
    loop = b.append_basic_block("digits")
    copy = b.append_basic_block("digits.copy")
    done = b.append_basic_block("digits.done")
    b.branch(loop)
    b.position_at_end(loop)
    count = b.phi(I64)
    rest = b.phi(I64)
    count.add_incoming(I64(0), pre)
    rest.add_incoming(magnitude, pre)
    digit = b.trunc(b.urem(rest, I64(10)), I8)
    b.store(b.add(digit, I8(ord("0"))), b.gep(scratch_ptr, [b.sub(I64(19), count)], source_etype=I8))
    next_count = b.add(count, I64(1))
    next_rest = b.udiv(rest, I64(10))
    count.add_incoming(next_count, loop)
    rest.add_incoming(next_rest, loop)
    b.cbranch(b.icmp_unsigned("!=", next_rest, I64(0)), loop, copy)
    b.position_at_end(copy)
    k = b.phi(I64)
    k.add_incoming(I64(0), loop)
    source = b.gep(scratch_ptr, [b.add(b.sub(I64(20), next_count), k)], source_etype=I8)
    b.store(b.load(source, typ=I8), b.gep(at, [k], source_etype=I8))
    k_next = b.add(k, I64(1))
    k.add_incoming(k_next, copy)
    b.cbranch(b.icmp_unsigned("!=", k_next, next_count), copy, done)
    b.position_at_end(done)
    return b.gep(at, [next_count], source_etype=I8)


# --- one function ----------------------------------------------------------------------------------


class ArrayLowering:
    """The array half of :class:`~pyexec.backends.llvm.lower.FunctionLowering` (a mixin): one
    ``expr_*``/``stmt_*`` method per array node."""

    def expr_ArrayShape(self: FunctionLowering, e: n.ArrayShape) -> ir.Value:
        array = self.expr(e.array)
        return self.b.extract_value(array, [SHAPE, e.axis])

    def expr_ArraySize(self: FunctionLowering, e: n.ArraySize) -> ir.Value:
        array = self.expr(e.array)
        t = e.array.type
        assert isinstance(t, ArrayT)
        size = self.b.extract_value(array, [SHAPE, 0])
        for k in range(1, t.ndim):
            size = self.b.mul(size, self.b.extract_value(array, [SHAPE, k]))  # fits: the array exists
        return size

    def expr_GetItem(self: FunctionLowering, e: n.GetItem) -> ir.Value:
        array = self.expr(e.array)
        indices = [self.expr(i) for i in e.indices]
        address = self.element_address(array, e.array.type, indices, e.boundscheck)  # type: ignore[arg-type]
        return self.load_element(address, e.type)

    def stmt_SetItem(self: FunctionLowering, s: n.SetItem) -> None:
        # Python evaluates the value first; NumPy converts it after checking the index
        fit = s.value if isinstance(s.value, n.FitInt) else None
        value = self.expr(fit.value if fit is not None else s.value)
        array = self.expr(s.array)
        indices = [self.expr(i) for i in s.indices]
        t = s.array.type
        assert isinstance(t, ArrayT)
        address = self.element_address(array, t, indices, s.boundscheck)
        if fit is not None:
            value = self.fit_int(value, fit)
        self.store_element(value, address, t.dtype)

    def element_address(self: FunctionLowering, array: ir.Value, t: ArrayT, indices: list[ir.Value],
                        boundscheck: bool) -> ir.Value:
        b = self.b
        offset = None
        for k, i in enumerate(indices):
            extent = b.extract_value(array, [SHAPE, k])
            if boundscheck:
                i = self.checked_index(i, extent, k)
            stride = I64(t.dtype.info.bits // 8) if (t.layout == "C" and k == t.ndim - 1) \
                else b.extract_value(array, [STRIDES, k])
            term = b.mul(i, stride)
            offset = term if offset is None else b.add(offset, term)
        data = b.extract_value(array, DATA)
        return b.gep(data, [offset], source_etype=I8)

    def checked_index(self: FunctionLowering, i: ir.Value, extent: ir.Value, axis: int) -> ir.Value:
        """A Python index made non-negative, and IndexError unless it is inside the axis."""
        b = self.b
        adjusted = b.select(b.icmp_signed("<", i, I64(0)), b.add(i, extent), i)
        outside = b.icmp_unsigned(">=", adjusted, extent)
        with b.if_then(outside, likely=False):
            fn = index_error_function(self.owner)
            state = self.state if self.state is not None else ir.Constant(PTR, None)
            b.call(fn, [state, i, I64(axis), extent])
            self.return_zero()
        return adjusted

    def expr_FitInt(self: FunctionLowering, e: n.FitInt) -> ir.Value:
        """A Python number stored into a NumPy integer: ``int()``, then OverflowError unless it fits."""
        return self.fit_int(self.expr(e.value), e)

    def fit_int(self: FunctionLowering, v: ir.Value, e: n.FitInt) -> ir.Value:
        from pyexec.backends.llvm.lower import llvm_type

        if e.value.type.is_float:
            v = self.cast(v, e.value.type, INT)  # int(x): NaN is ValueError, inf and too large OverflowError
        info = e.type.info
        b = self.b
        outside = b.icmp_signed("<", v, I64(info.min_value))
        if info.max_value < 2**63 - 1:
            outside = b.or_(outside, b.icmp_signed(">", v, I64(info.max_value)))
        with b.if_then(outside, likely=False):
            fn = message_function(self.owner, f"pyexec.bounds_error.{e.type}", rt.OVERFLOW,
                                  ["Python integer ", 0, f" out of bounds for {e.type}"])
            b.call(fn, [self.state if self.state is not None else ir.Constant(PTR, None), v])
            self.return_zero()
        ty = llvm_type(e.type)
        return b.trunc(v, ty) if ty.width < 64 else v

    def load_element(self: FunctionLowering, address: ir.Value, t: ScalarT) -> ir.Value:
        from pyexec.backends.llvm.lower import llvm_type

        value = self.b.load(address, typ=element_type(t, llvm_type(t)), align=1)
        return self.b.icmp_unsigned("!=", value, I8(0)) if t.is_bool else value

    def store_element(self: FunctionLowering, value: ir.Value, address: ir.Value, t: ScalarT) -> None:
        if t.is_bool:
            value = self.b.zext(value, I8)
        self.b.store(value, address, align=1)


__all__ = ["ArrayLowering", "array_type", "element_type", "index_error_function", "message_function",
           "written_parameters"]
