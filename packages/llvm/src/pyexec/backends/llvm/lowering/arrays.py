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
from pyexec.frontend.ir.types import FLOAT64, INT, ArrayT, ScalarT, StrT

if TYPE_CHECKING:
    from pyexec.backends.llvm.lowering.function import FunctionLowering
    from pyexec.backends.llvm.lowering.module import ModuleLowering

I8 = ir.IntType(8)
F64 = ir.DoubleType()
I32 = ir.IntType(32)
I64 = ir.IntType(64)
PTR = ir.PointerType()

OWNER, DATA, SHAPE, STRIDES = range(4)
"""Fields of the descriptor."""
MATMUL_ROWS, MATMUL_COLS = 4, 8
"""The tile of ``a @ b``'s kernel: 4 rows × 8 columns of sums (8 vector registers of float64 on AVX2)."""
MATMUL_DEPTH = 128
"""How many ``k`` one pass of the tiles covers (a 128-column panel of ``a``, 128 rows of ``b``'s tile column)."""
MATMUL_BLOCK_ROWS = 64
"""How many rows of ``a`` (a multiple of ``MATMUL_ROWS``) pass over one packed tile column of ``b``."""
NUMPY_BUFFER = 8192
"""NumPy's default ufunc buffer size (``np.getbufsize()``): a reduction that casts adds one buffer at a time."""
MESSAGE_ROOM = 128
"""Bytes for a message written at run time (the longest IndexError message is under 100)."""
INDEX_ERROR_FUNCTION = "pyexec.index_error"
ALLOC_FUNCTION = "pyexec_rt_array_alloc"
INCREF_FUNCTION = "pyexec_rt_incref"
DECREF_FUNCTION = "pyexec_rt_decref"
MESSAGE_BUFFER_GLOBAL = "pyexec.error.buffer"
MESSAGE_TEXT_GLOBAL = "pyexec.error.text"
"""A C library's copy of the last message written at run time (thread-local, like the error code)."""
MESSAGE_FUNCTIONS_MARK = "pyexec.message.written"
"""Defined in a module that writes messages at run time (an internal marker constant)."""


def array_type(t: ArrayT) -> ir.LiteralStructType:
    """The LLVM descriptor type of an array type (the same for both layouts)."""
    dims = ir.ArrayType(I64, t.ndim)
    return ir.LiteralStructType([PTR, PTR, dims, dims])


def element_size(t: ScalarT) -> int:
    """Bytes per element (NumPy's itemsize)."""
    return 1 if t.is_bool else t.info.bits // 8


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
            if isinstance(node, n.FillArray):
                stores.append(n.SetItem(node.target, [], node.value, False, node.loc))
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
    if isinstance(e, (n.ArrayView, n.Transpose)):
        return _held_by(e.array, held)
    if isinstance(e, n.ArrayCast):
        return _held_by(e.value, held)
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
    if module.globals.get(MESSAGE_FUNCTIONS_MARK) is None:
        mark = ir.GlobalVariable(module, I8, MESSAGE_FUNCTIONS_MARK)
        mark.linkage = "internal"
        mark.global_constant = True
        mark.initializer = I8(1)
    count = sum(1 for p in pieces if isinstance(p, int))
    fn = ir.Function(module, ir.FunctionType(ir.VoidType(), [PTR] + [I64] * count), name)
    fn.linkage = "internal"
    fn.attributes.add("noinline")
    fn.attributes.add("cold")
    state, *values = fn.args
    b = ir.IRBuilder(fn.append_basic_block("entry"))
    if owner.unwind:
        from pyexec.backends.llvm.lowering.state import STATE_MESSAGE_ROOM, state_field

        room = state_field(b, state, STATE_MESSAGE_ROOM)
    else:
        room = module.globals.get(MESSAGE_BUFFER_GLOBAL)
        if room is None:
            room = ir.GlobalVariable(module, ir.ArrayType(I8, MESSAGE_ROOM), MESSAGE_BUFFER_GLOBAL)
            room.linkage = "internal"
            room.initializer = ir.Constant(ir.ArrayType(I8, MESSAGE_ROOM), None)
        room = b.gep(room, [I32(0), I32(0)])
    at = room
    for piece in pieces:
        at = _append_text(b, at, piece) if isinstance(piece, str) else _append_int(b, at, values[piece])
    b.store(I8(0), at)
    message = room
    if owner.raise_function is not None:
        b.call(owner.raise_function, [state, I32(kind), message])
    else:
        b.store(I32(kind), owner.error_code)
        b.store(message, owner.error_message)
    b.ret_void()
    return fn


def keep_message(b: ir.IRBuilder, module: ir.Module, code: ir.Value, message: ir.Value) -> ir.Value:
    """At a C entry, after a failed call: the message copied out of the call's state (which dies with the
    entry's frame) into the library's thread-local text buffer; the copy's address."""
    text = module.globals.get(MESSAGE_TEXT_GLOBAL)
    if text is None:
        text = ir.GlobalVariable(module, ir.ArrayType(I8, MESSAGE_ROOM), MESSAGE_TEXT_GLOBAL)
        text.linkage = "internal"
        text.initializer = ir.Constant(ir.ArrayType(I8, MESSAGE_ROOM), None)
    target = b.gep(text, [I32(0), I32(0)])  # the first byte (an i8 pointer, whatever the pointer mode)
    with b.if_then(b.icmp_signed("!=", code, I32(0))):
        pre = b.block
        loop = b.append_basic_block("message.copy")
        done = b.append_basic_block("message.copied")
        b.branch(loop)
        b.position_at_end(loop)
        k = b.phi(I64)
        k.add_incoming(I64(0), pre)
        ch = b.load(b.gep(message, [k], source_etype=I8), typ=I8)
        b.store(ch, b.gep(target, [k], source_etype=I8))
        nxt = b.add(k, I64(1))
        k.add_incoming(nxt, loop)
        more = b.and_(b.icmp_unsigned("!=", ch, I8(0)), b.icmp_unsigned("<", nxt, I64(MESSAGE_ROOM - 1)))
        b.cbranch(more, loop, done)
        b.position_at_end(done)
        b.store(I8(0), b.gep(target, [I64(MESSAGE_ROOM - 1)], source_etype=I8))
    return b.select(b.icmp_signed("!=", code, I32(0)), target, message)


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


def finish_blocks(b: ir.IRBuilder, module: ir.Module, head: ir.Value, code: ir.Value) -> None:
    """At an entry, after the body returned: a fault frees every block of the call still alive (no frame
    released its references on the way out); success unlinks what is left (the returned array)."""
    free_all = module.globals.get("pyexec_rt_free_all") or ir.Function(
        module, ir.FunctionType(ir.VoidType(), [PTR]), "pyexec_rt_free_all")
    detach_all = module.globals.get("pyexec_rt_detach_all") or ir.Function(
        module, ir.FunctionType(ir.VoidType(), [PTR]), "pyexec_rt_detach_all")
    with b.if_else(b.icmp_signed("!=", code, I32(0)), likely=False) as (failed, ok):
        with failed:
            b.call(free_all, [head])
        with ok:
            b.call(detach_all, [head])


WASM_CALL_BLOCKS_GLOBAL = "pyexec_rt_call_blocks"
"""wasm: the head of the per-call list of blocks is a module global (an instance runs one call at a time);
the wasm runtime defines it (:mod:`pyexec.backends.wasm.array_runtime`)."""


def call_blocks_head(module: ir.Module) -> ir.Value:
    """wasm: the address of the per-call block list's head (declared here, defined by the wasm runtime)."""
    head = module.globals.get(WASM_CALL_BLOCKS_GLOBAL)
    if head is None:
        head = ir.GlobalVariable(module, PTR, WASM_CALL_BLOCKS_GLOBAL)
    return head


def owned(e: n.Expr) -> bool:
    """Whether a heap value's expression (an array or a string) gives a new reference (a call's result, a new
    array, a string an operation made), which its consumer must take or release; otherwise it is borrowed
    from a variable (or is a literal string, which is immortal).

    Example:
        >>> owned(n.Const(1, None, n.Loc("f", 1, 0)))
        False
    """
    if isinstance(e.type, StrT):
        return not isinstance(e, (n.Name, n.Const))  # a str IfExp increfs a borrowed branch (own_branch)
    if isinstance(e, n.ArrayCast):
        return owned(e.value)
    if isinstance(e, (n.ArrayView, n.Transpose)):
        return owned(e.array)  # a view carries its base's reference when the base was new
    if isinstance(e, n.Reduce):
        return isinstance(e.type, ArrayT)  # along an axis: a new array
    return isinstance(e.type, ArrayT) and isinstance(e, (n.Call, n.ArrayNew, n.ArrayRange, n.ArrayCopy, n.ArrayMap,
                                                         n.MatMul, n.Eye, n.LinSpace))


PAIRWISE_BLOCK = 128
"""NumPy's ``PW_BLOCKSIZE``: scalars (real or imaginary parts) summed by 8 accumulators before halving."""


def pairwise_sum_function(owner: ModuleLowering, t: ScalarT, source: ScalarT | None = None) -> ir.Function:
    """``T pyexec.pairwise_sum.<t>(ptr data, i64 count, i64 stride)``: the sum of ``count`` elements of a float
    or complex dtype ``stride`` bytes apart, added in exactly NumPy's order (``pairwise_sum`` of
    numpy/_core/src/umath/loops_utils.h.src), so a compiled ``a.sum()`` equals ``numpy.sum(a)`` bit for bit.

    NumPy counts scalars (a complex element is two): under 8 it adds them one by one from 0; up to 128 it
    keeps 8 running sums (lane ``k`` takes scalar ``k`` of every block of 8, a ``<8 x T>`` vector here),
    adds them as ``((r0+r1)+(r2+r3))+((r4+r5)+(r6+r7))`` (complex: the real lanes 0, 2, 4, 6 and the
    imaginary lanes apart) and then the rest one by one; above 128 it halves, at a multiple of 8 scalars,
    and adds the two halves' sums. With ``source`` (an integer or bool dtype, ``t`` float64) each element is
    read as ``source`` and converted first, as NumPy's buffered cast hands it to the loop."""
    from pyexec.backends.llvm.lowering.types import llvm_type

    module = owner.module
    name = f"pyexec.pairwise_sum.{t}" + (f".from.{source}" if source is not None else "")
    existing = module.globals.get(name)
    if existing is not None:
        return existing
    ty = llvm_type(t)
    part = ty.elements[0] if t.is_complex else ty
    parts = 2 if t.is_complex else 1
    per_block = 8 // parts  # elements per block of 8 scalars
    item = element_size(source or t)
    stored = part if source is None else element_type(source, llvm_type(source))
    fn = ir.Function(module, ir.FunctionType(ty, [PTR, I64, I64]), name)
    fn.linkage = "internal"
    data, count, stride = fn.args
    vty = ir.VectorType(part, 8)
    b = ir.IRBuilder(fn.append_basic_block("entry"))
    zero = ir.Constant(part, 0.0)

    def address(i: ir.Value, k: int = 0) -> ir.Value:
        at = b.gep(data, [b.mul(i, stride)], source_etype=I8)
        return b.gep(at, [I64(k * (item // parts))], source_etype=I8) if k else at

    def convert(v: ir.Value, to: ir.Type) -> ir.Value:
        if source is None:
            return v
        return b.sitofp(v, to) if source.info.signed and not source.is_bool else b.uitofp(v, to)

    def load_parts(i: ir.Value) -> list[ir.Value]:
        return [convert(b.load(address(i, k), typ=stored, align=1), part) for k in range(parts)]

    def make(values: list[ir.Value]) -> ir.Value:
        if not t.is_complex:
            return values[0]
        out = ir.Constant(ty, ir.Undefined)
        return b.insert_value(b.insert_value(out, values[0], 0), values[1], 1)

    def add_one_by_one(start: ir.Value, sums: list[ir.Value], stop: ir.Value) -> list[ir.Value]:
        pre = b.block
        loop, done = fn.append_basic_block("rest"), fn.append_basic_block("rest.end")
        b.cbranch(b.icmp_signed("<", start, stop), loop, done)
        b.position_at_end(loop)
        i = b.phi(I64)
        i.add_incoming(start, pre)
        phis = []
        for s in sums:
            p = b.phi(part)
            p.add_incoming(s, pre)
            phis.append(p)
        new = [b.fadd(p, x) for p, x in zip(phis, load_parts(i))]
        nxt = b.add(i, I64(1))
        i.add_incoming(nxt, loop)
        for p, x in zip(phis, new):
            p.add_incoming(x, loop)
        b.cbranch(b.icmp_signed("<", nxt, stop), loop, done)
        b.position_at_end(done)
        out = []
        for s, x in zip(sums, new):
            q = b.phi(part)
            q.add_incoming(s, pre)
            q.add_incoming(x, loop)
            out.append(q)
        return out

    small, block, halves = (fn.append_basic_block(x) for x in ("small", "block", "halves"))
    scalars = b.mul(count, I64(parts))
    b.cbranch(b.icmp_signed("<", scalars, I64(8)), small,
              fn.append_basic_block("not_small"))
    b.position_at_end(fn.blocks[-1])
    b.cbranch(b.icmp_signed("<=", scalars, I64(PAIRWISE_BLOCK)), block, halves)

    b.position_at_end(small)
    b.ret(make(add_one_by_one(I64(0), [zero] * parts, count)))

    b.position_at_end(block)
    contiguous = b.icmp_signed("==", stride, I64(item))

    def load_block(i: ir.Value) -> ir.Value:
        # a contiguous block is one vector load; a strided one is gathered element by element
        with b.if_else(contiguous) as (dense, sparse):
            with dense:
                v_dense = convert(b.load(address(i), typ=ir.VectorType(stored, 8), align=1), vty)
                from_dense = b.block
            with sparse:
                v = ir.Constant(vty, ir.Undefined)
                for e in range(per_block):
                    for k, x in enumerate(load_parts(b.add(i, I64(e)))):
                        v = b.insert_element(v, x, I32(e * parts + k))
                from_sparse = b.block
        merged = b.phi(vty)
        merged.add_incoming(v_dense, from_dense)
        merged.add_incoming(v, from_sparse)
        return merged

    first = load_block(I64(0))
    whole = b.sub(count, b.srem(count, I64(per_block)))  # the elements in whole blocks
    pre = b.block
    loop, done = fn.append_basic_block("blocks"), fn.append_basic_block("blocks.end")
    b.cbranch(b.icmp_signed("<", I64(per_block), whole), loop, done)
    b.position_at_end(loop)
    i = b.phi(I64)
    acc = b.phi(vty)
    i.add_incoming(I64(per_block), pre)
    acc.add_incoming(first, pre)
    new = b.fadd(acc, load_block(i))
    nxt = b.add(i, I64(per_block))
    i.add_incoming(nxt, b.block)
    acc.add_incoming(new, b.block)
    loop_end = b.block
    b.cbranch(b.icmp_signed("<", nxt, whole), loop, done)
    b.position_at_end(done)
    r = b.phi(vty)
    r.add_incoming(first, pre)
    r.add_incoming(new, loop_end)
    lane = [b.extract_element(r, I32(k)) for k in range(8)]
    if t.is_complex:
        sums = [b.fadd(b.fadd(lane[k], lane[k + 2]), b.fadd(lane[k + 4], lane[k + 6])) for k in range(2)]
    else:
        sums = [b.fadd(b.fadd(b.fadd(lane[0], lane[1]), b.fadd(lane[2], lane[3])),
                       b.fadd(b.fadd(lane[4], lane[5]), b.fadd(lane[6], lane[7])))]
    b.ret(make(add_one_by_one(whole, sums, count)))

    b.position_at_end(halves)
    half = b.sdiv(scalars, I64(2))
    half = b.sdiv(b.sub(half, b.srem(half, I64(8))), I64(parts))  # a multiple of 8 scalars, in elements
    low = b.call(fn, [data, half, stride])
    high = b.call(fn, [address(half), b.sub(count, half), stride])
    if t.is_complex:
        b.ret(make([b.fadd(b.extract_value(low, k), b.extract_value(high, k)) for k in range(2)]))
    else:
        b.ret(b.fadd(low, high))
    return fn


# --- one function ----------------------------------------------------------------------------------


class ArrayLowering:
    """The array half of :class:`~pyexec.backends.llvm.lowering.function.FunctionLowering` (a mixin): one
    ``expr_*``/``stmt_*`` method per array node, and the reference rules of every heap value (arrays and
    strings, :mod:`pyexec.backends.llvm.lowering.strings`; a string's reference is its pointer, NULL when empty).

    **References.** Every array-typed parameter and local slot holds one reference: parameters are
    increfed on entry (a no-op for arrays from Python or C, whose ``owner`` is NULL or a tagged argument
    index), locals start as an empty descriptor. Assigning to a slot takes a reference to the new value
    (a borrowed value is increfed; an owned one, see :func:`owned`, is taken as is) and releases the old
    one. A returned array carries one reference to the caller (increfed if borrowed). Every slot is
    released on each return path. An owned value used any other way (indexed, passed to a call, dropped
    by an expression statement) is released right after that use. A fault releases nothing: the entry
    frees the call's blocks (:func:`finish_blocks`)."""

    def array_slots(self: FunctionLowering) -> list[n.Variable]:
        """The variables that hold a heap value (an array or a string): one reference each."""
        return [v for v in [*self.func.params, *self.func.locals] if isinstance(v.type, (ArrayT, StrT))]

    def enter_arrays(self: FunctionLowering) -> None:
        from pyexec.backends.llvm.lowering.types import llvm_type

        for v in self.array_slots():
            if isinstance(v, n.Param):
                self.incref(self.b.load(self.slot(v), typ=llvm_type(v.type)))
            else:
                self.b.store(ir.Constant(llvm_type(v.type), None), self.slot(v))

    def release_arrays(self: FunctionLowering) -> None:
        from pyexec.backends.llvm.lowering.types import llvm_type

        for v in self.array_slots():
            self.decref(self.b.load(self.slot(v), typ=llvm_type(v.type)))

    def assign_array(self: FunctionLowering, s: n.Assign) -> None:
        from pyexec.backends.llvm.lowering.types import llvm_type

        if isinstance(s.target.type, StrT) and self.assign_append(s):
            return
        value = self.expr(s.value)
        if not owned(s.value):
            self.incref(value)
        slot = self.slot(s.target)
        old = self.b.load(slot, typ=llvm_type(s.target.type))
        self.b.store(value, slot)
        self.decref(old)

    def return_reference(self: FunctionLowering, e: n.Expr, value: ir.Value) -> None:
        if isinstance(e.type, (ArrayT, StrT)) and not owned(e):
            self.incref(value)

    def release_temporary(self: FunctionLowering, e: n.Expr, value: ir.Value) -> None:
        if owned(e):
            self.decref(value)

    def owner_call(self: FunctionLowering, name: str, desc: ir.Value) -> None:
        """``name(owner)`` when the descriptor's owner is a block (not NULL, not a tagged argument)."""
        if not self.owner.allocates:
            return  # no block can reach a module that creates no array
        b = self.b
        owner = b.extract_value(desc, OWNER)
        is_block = b.icmp_unsigned("==", b.and_(b.ptrtoint(owner, I64), I64(1)), I64(0))
        is_block = b.and_(is_block, b.icmp_unsigned("!=", owner, ir.Constant(PTR, None)))
        with b.if_then(is_block):
            b.call(self.owner.external(name, ir.VoidType(), [PTR]), [owner])

    def incref(self: FunctionLowering, desc: ir.Value) -> None:
        if isinstance(desc.type, ir.PointerType):
            self.string_incref(desc)
            return
        self.owner_call(INCREF_FUNCTION, desc)

    def decref(self: FunctionLowering, desc: ir.Value) -> None:
        if isinstance(desc.type, ir.PointerType):
            self.string_decref(desc)
            return
        self.owner_call(DECREF_FUNCTION, desc)

    def expr_ArrayCast(self: FunctionLowering, e: n.ArrayCast) -> ir.Value:
        return self.expr(e.value)

    def new_array(self: FunctionLowering, t: ArrayT, extents: list[ir.Value]) -> ir.Value:
        """Allocate a C-contiguous array (NumPy's errors for a negative or too large shape)."""
        from pyexec.backends.llvm.lowering.state import STATE_BLOCKS, state_field
        from pyexec.backends.llvm.lowering.types import llvm_type

        b = self.b
        item = element_size(t.dtype)
        count = I64(1)
        too_big = ir.Constant(ir.IntType(1), 0)
        for x in extents:
            self.fail_if(b.icmp_signed("<", x, I64(0)), rt.VALUE, "negative dimensions are not allowed")
            pair = b.call(self.owner.external("llvm.umul.with.overflow.i64", ir.LiteralStructType(
                [I64, ir.IntType(1)]), [I64, I64]), [count, x])
            count = b.extract_value(pair, 0)
            too_big = b.or_(too_big, b.extract_value(pair, 1))
        pair = b.call(self.owner.external("llvm.umul.with.overflow.i64", ir.LiteralStructType(
            [I64, ir.IntType(1)]), [I64, I64]), [count, I64(item)])
        nbytes = b.extract_value(pair, 0)
        too_big = b.or_(b.or_(too_big, b.extract_value(pair, 1)), b.icmp_unsigned(">", nbytes, I64(2**62)))
        self.fail_if(too_big, rt.VALUE, "array is too big; `arr.size * arr.dtype.itemsize` is larger than the "
                     "maximum possible size.")
        # native: the list's head is in the call's state; wasm: a module global (one call at a time)
        head = call_blocks_head(self.owner.module) if self.state is None else state_field(b, self.state, STATE_BLOCKS)
        alloc = self.owner.external(ALLOC_FUNCTION, PTR, [PTR, I64])
        data = b.call(alloc, [head, nbytes])
        self.fail_if(b.icmp_unsigned("==", data, ir.Constant(PTR, None)), rt.MEMORY,
                     "cannot allocate memory for an array")
        desc = ir.Constant(llvm_type(t), ir.Undefined)
        desc = b.insert_value(desc, data, OWNER)
        desc = b.insert_value(desc, data, DATA)
        stride = I64(item)
        strides = []
        for k in reversed(range(t.ndim)):
            strides.append(stride)
            stride = b.mul(stride, extents[k])
        for k in range(t.ndim):
            desc = b.insert_value(desc, extents[k], [SHAPE, k])
            desc = b.insert_value(desc, strides[t.ndim - 1 - k], [STRIDES, k])
        self.new_count = count
        return desc

    def fill_flat(self: FunctionLowering, data: ir.Value, count: ir.Value, t: ScalarT,
                  element: object, stride: ir.Value | None = None) -> None:
        """Set ``count`` contiguous elements from ``data``: ``element(i)`` gives element ``i``'s value."""
        b = self.b
        pre = b.block
        loop, done = self.new_block("fill"), self.new_block("fill.end")
        b.cbranch(b.icmp_unsigned("!=", count, I64(0)), loop, done)
        b.position_at_end(loop)
        i = b.phi(I64)
        i.add_incoming(I64(0), pre)
        position = i if stride is None else b.mul(i, stride)
        address = b.gep(data, [b.mul(position, I64(element_size(t)))], source_etype=I8)
        self.store_element(element(i), address, t)  # type: ignore[operator]
        nxt = b.add(i, I64(1))
        i.add_incoming(nxt, b.block)
        b.cbranch(b.icmp_unsigned("!=", nxt, count), loop, done)
        b.position_at_end(done)

    def expr_ArrayView(self: FunctionLowering, e: n.ArrayView) -> ir.Value:
        """NumPy's basic indexing: integer items move the data pointer and drop their axis; slices follow
        Python's rules (``PySlice_AdjustIndices``), clamped to the axis."""
        from pyexec.backends.llvm.lowering.types import llvm_type

        b = self.b
        base = self.expr(e.array)
        values = [item if isinstance(item, n.Slice) else self.expr(item) for item in e.items]
        data = b.extract_value(base, DATA)
        out = b.insert_value(ir.Constant(llvm_type(e.type), ir.Undefined), b.extract_value(base, OWNER), OWNER)
        kept = 0
        for k, item in enumerate(values):
            extent = b.extract_value(base, [SHAPE, k])
            stride = b.extract_value(base, [STRIDES, k])
            if not isinstance(item, n.Slice):
                i = self.checked_index(item, extent, k)
                data = b.gep(data, [b.mul(i, stride)], source_etype=I8)
                continue
            start, length, step = self.slice_bounds(item, extent)
            data = b.gep(data, [b.mul(start, stride)], source_etype=I8)
            out = b.insert_value(out, length, [SHAPE, kept])
            out = b.insert_value(out, b.mul(stride, step), [STRIDES, kept])
            kept += 1
        return b.insert_value(out, data, DATA)

    def slice_bounds(self: FunctionLowering, s: n.Slice, extent: ir.Value) -> tuple[ir.Value, ir.Value, ir.Value]:
        """``(start, length, step)`` of ``start:stop:step`` on an axis of ``extent`` elements, as Python
        computes them (a zero step is ValueError)."""
        b = self.b
        if s.step is None:
            step = I64(1)
        else:
            step = self.expr(s.step)
            self.fail_if(b.icmp_signed("==", step, I64(0)), rt.VALUE, "slice step cannot be zero")
        down = b.icmp_signed("<", step, I64(0))

        def bound(part: n.Expr | None, default_up: ir.Value, default_down: ir.Value) -> ir.Value:
            if part is None:
                return b.select(down, default_down, default_up)
            v = self.expr(part)
            shifted = b.add(v, extent)
            low = b.select(down, I64(-1), I64(0))
            high = b.select(down, b.sub(extent, I64(1)), extent)
            negative = b.select(b.icmp_signed("<", shifted, I64(0)), low, shifted)
            clamped = b.select(b.icmp_signed(">=", v, extent), high, v)
            return b.select(b.icmp_signed("<", v, I64(0)), negative, clamped)

        start = bound(s.start, I64(0), b.sub(extent, I64(1)))
        stop = bound(s.stop, extent, I64(-1))
        span_up = b.sub(stop, start)
        span_down = b.sub(start, stop)
        magnitude = b.select(down, b.sub(I64(0), step), step)
        span = b.select(down, span_down, span_up)
        length = b.add(b.udiv(b.sub(span, I64(1)), magnitude), I64(1))
        nonempty = b.icmp_signed(">", span, I64(0))
        return start, b.select(nonempty, length, I64(0)), step

    def expr_Transpose(self: FunctionLowering, e: n.Transpose) -> ir.Value:
        b = self.b
        base = self.expr(e.array)
        out = base
        nd = e.type.ndim
        for k in range(nd):
            out = b.insert_value(out, b.extract_value(base, [SHAPE, nd - 1 - k]), [SHAPE, k])
            out = b.insert_value(out, b.extract_value(base, [STRIDES, nd - 1 - k]), [STRIDES, k])
        return out

    def loop_nest(self: FunctionLowering, extents: list[ir.Value], body: object, indices: list | None = None) -> None:
        """``body(indices)`` for every index tuple of ``extents``, last axis fastest (C order)."""
        b = self.b
        indices = indices or []
        if len(indices) == len(extents):
            body(indices)  # type: ignore[operator]
            return
        n_k = extents[len(indices)]
        pre = b.block
        loop, done = self.new_block("nest"), self.new_block("nest.end")
        b.cbranch(b.icmp_signed(">", n_k, I64(0)), loop, done)
        b.position_at_end(loop)
        i = b.phi(I64)
        i.add_incoming(I64(0), pre)
        self.loop_nest(extents, body, [*indices, i])
        nxt = b.add(i, I64(1))
        i.add_incoming(nxt, b.block)
        b.cbranch(b.icmp_signed("<", nxt, n_k), loop, done)
        b.position_at_end(done)

    def expr_ArrayCopy(self: FunctionLowering, e: n.ArrayCopy) -> ir.Value:
        b = self.b
        source = self.expr(e.array)
        st = e.array.type
        assert isinstance(st, ArrayT)
        extents = [b.extract_value(source, [SHAPE, k]) for k in range(st.ndim)]
        desc = self.new_array(e.type, extents)

        def copy(ix: list[ir.Value]) -> None:
            value = self.load_element(self.element_address(source, st, ix, False), st.dtype)
            self.store_element(value, self.element_address(desc, e.type, ix, False), st.dtype)

        self.loop_nest(extents, copy)
        self.release_temporary(e.array, source)
        return desc

    def stmt_FillArray(self: FunctionLowering, s: n.FillArray) -> None:
        if isinstance(s.value.type, ArrayT):
            self.copy_into(s)
            return
        value = self.expr(s.value)  # Python evaluates the value first
        target = self.expr(s.target)
        t = s.target.type
        assert isinstance(t, ArrayT)
        extents = [self.b.extract_value(target, [SHAPE, k]) for k in range(t.ndim)]
        self.loop_nest(extents, lambda ix: self.store_element(value, self.element_address(target, t, ix, False),
                                                              t.dtype))
        self.release_temporary(s.target, target)

    def expr_Reduce(self: FunctionLowering, e: n.Reduce) -> ir.Value:
        """Reductions in C order, with NumPy's result types, empty-axis errors and NaN rules: over the whole
        array, or along one axis into a new array."""
        b = self.b
        source = self.expr(e.array)
        t = e.array.type
        assert isinstance(t, ArrayT)
        extents = [b.extract_value(source, [SHAPE, k]) for k in range(t.ndim)]
        inner_axes = list(range(t.ndim)) if e.axis is None else [e.axis]
        outer_axes = [k for k in range(t.ndim) if k not in inner_axes]
        inner = [extents[k] for k in inner_axes]
        count = inner[0]
        for x in inner[1:]:
            count = b.mul(count, x)
        if e.op in ("min", "max", "argmin", "argmax"):
            word = {"min": "minimum", "max": "maximum"}.get(e.op)
            message = (f"zero-size array to reduction operation {word} which has no identity" if word
                       else f"attempt to get {e.op} of an empty sequence")
            self.fail_if(b.icmp_signed("==", count, I64(0)), rt.VALUE, message)
        result_t = e.type.dtype if isinstance(e.type, ArrayT) else e.type

        def at(outer_ix: list[ir.Value]) -> ir.Value:
            def element(inner_ix: list[ir.Value]) -> ir.Value:
                full: list[ir.Value] = [I64(0)] * t.ndim
                for k, v in zip(outer_axes, outer_ix):
                    full[k] = v
                for k, v in zip(inner_axes, inner_ix):
                    full[k] = v
                return self.load_element(self.element_address(source, t, full, False), t.dtype)

            if e.op == "mean" and e.axis is None and not (t.dtype.is_float or t.dtype.is_complex):
                return self.reduce_scalar(e.op, t.dtype, result_t, inner, count, element,
                                          lambda: self.buffered_sum(source, t, extents, count, element))
            if not (e.op in ("sum", "mean") and t.dtype == result_t and (result_t.is_float or result_t.is_complex)):
                return self.reduce_scalar(e.op, t.dtype, result_t, inner, count, element)

            def summed() -> ir.Value:
                if e.axis is None:
                    return self.pairwise_whole(source, t, extents)
                # NumPy sums pairwise when the reduced axis is its iterator's inner loop (the smallest stride),
                # and otherwise adds row after row into the output: element by element, in order
                data = b.extract_value(source, DATA)
                for k, v in zip(outer_axes, outer_ix):
                    data = b.gep(data, [b.mul(v, b.extract_value(source, [STRIDES, k]))], source_etype=I8)
                step = b.extract_value(source, [STRIDES, e.axis])
                inner_loop = ir.Constant(ir.IntType(1), 1)
                for k in outer_axes:
                    longer = b.icmp_signed("<=", self.magnitude(step), self.magnitude(b.extract_value(
                        source, [STRIDES, k])))
                    inner_loop = b.and_(inner_loop, b.or_(longer, b.icmp_signed("<=", extents[k], I64(1))))
                with b.if_else(inner_loop) as (pairwise, in_order):
                    with pairwise:
                        by_pairs = self.plus_zero(b.call(pairwise_sum_function(self.owner, t.dtype),
                                                         [data, count, step]), t.dtype)
                        from_pairs = b.block
                    with in_order:
                        one_by_one = self.reduce_scalar("sum", t.dtype, result_t, inner, count, element)
                        from_order = b.block
                got = b.phi(by_pairs.type)
                got.add_incoming(by_pairs, from_pairs)
                got.add_incoming(one_by_one, from_order)
                return got

            return self.reduce_scalar(e.op, t.dtype, result_t, inner, count, element, summed)

        if not isinstance(e.type, ArrayT):
            result = at([])
        else:
            outer = [extents[k] for k in outer_axes]
            out = self.new_array(e.type, outer)
            self.loop_nest(outer, lambda ix: self.store_element(
                at(ix), self.element_address(out, e.type, ix, False), result_t))
            result = out
        self.release_temporary(e.array, source)
        return result

    def reduce_scalar(self: FunctionLowering, op: str, d: ScalarT, acc_t: ScalarT, extents: list[ir.Value],
                      count: ir.Value, element: object, summed: object = None) -> ir.Value:
        """One reduction over the index space ``extents``; ``element(ix)`` loads an element. For a sum or
        mean, ``summed()`` (when given) computes the sum in NumPy's own order instead of one by one."""
        from pyexec.backends.llvm.lowering.types import llvm_type

        b = self.b

        def slot(ty: ir.Type, initial: ir.Value) -> ir.AllocaInstr:
            with b.goto_entry_block():
                at = b.alloca(ty)
            b.store(initial, at)
            return at

        if op in ("sum", "prod", "mean"):
            ty = llvm_type(acc_t)
            one = op == "prod"
            if acc_t.is_complex:
                part = ty.elements[0]
                init = ir.Constant(ty, [ir.Constant(part, 1.0 if one else 0.0), ir.Constant(part, 0.0)])
            elif acc_t.is_float:
                init = ir.Constant(ty, 1.0 if one else 0.0)
            else:
                init = ir.Constant(ty, 1 if one else 0)
            acc = slot(ty, init)

            def accumulate(ix: list[ir.Value]) -> None:
                x = element(ix)  # type: ignore[operator]
                x = self.cast(x, d, acc_t) if d != acc_t else x
                cur = b.load(acc, typ=ty)
                if acc_t.is_complex:
                    new = self.complex_binop("mul" if one else "add", cur, x, acc_t)
                elif acc_t.is_float:
                    new = b.fmul(cur, x) if one else b.fadd(cur, x)
                else:
                    new = b.mul(cur, x) if one else b.add(cur, x)
                b.store(new, acc)

            if summed is None:
                self.loop_nest(extents, accumulate)
                result = b.load(acc, typ=ty)
            else:
                result = summed()  # type: ignore[operator]
            if op == "mean":
                if acc_t.is_complex:
                    part = ty.elements[0]
                    result = self.complex_mean(result, count, ty)
                else:
                    result = b.fdiv(result, b.sitofp(count, ty))
            return result
        ty = llvm_type(d)
        best = slot(ty, element([I64(0)] * len(extents)))  # type: ignore[operator]
        best_index = slot(I64, I64(0))
        flat = slot(I64, I64(0))
        smaller = op in ("min", "argmin")

        def better(x: ir.Value, cur: ir.Value) -> ir.Value:
            sym = "<" if smaller else ">"
            if d.is_complex:
                # NumPy's order for complex numbers: lexicographic (real part, then imaginary part); an
                # element with a NaN part is the extreme, and the first one stays (its minimum/maximum
                # loops and argmin/argmax agree on this)
                xr, xi, cr, ci = (b.extract_value(x, 0), b.extract_value(x, 1), b.extract_value(cur, 0),
                                  b.extract_value(cur, 1))
                nan_x = b.or_(b.fcmp_unordered("uno", xr, xr), b.fcmp_unordered("uno", xi, xi))
                nan_cur = b.or_(b.fcmp_unordered("uno", cr, cr), b.fcmp_unordered("uno", ci, ci))
                ahead = b.or_(b.fcmp_ordered(sym, xr, cr), b.and_(b.fcmp_ordered("==", xr, cr),
                                                                  b.fcmp_ordered(sym, xi, ci)))
                return b.and_(b.not_(nan_cur), b.or_(nan_x, ahead))
            if d.is_float:
                nan_x = b.fcmp_unordered("uno", x, x)
                nan_cur = b.fcmp_unordered("uno", cur, cur)
                return b.and_(b.not_(nan_cur), b.or_(nan_x, b.fcmp_ordered(sym, x, cur)))
            if d.info.signed and not d.is_bool:
                return b.icmp_signed(sym, x, cur)
            return b.icmp_unsigned(sym, x, cur)

        def visit(ix: list[ir.Value]) -> None:
            x = element(ix)  # type: ignore[operator]
            cur = b.load(best, typ=ty)
            k = b.load(flat, typ=I64)
            take = better(x, cur)
            b.store(b.select(take, x, cur), best)
            b.store(b.select(take, k, b.load(best_index, typ=I64)), best_index)
            b.store(b.add(k, I64(1)), flat)

        self.loop_nest(extents, visit)
        if op in ("argmin", "argmax"):
            return b.load(best_index, typ=I64)
        return b.load(best, typ=ty)

    def complex_mean(self: FunctionLowering, total: ir.Value, count: ir.Value, ty: ir.Type) -> ir.Value:
        """``total / count`` as ``numpy.mean`` divides: by the count as an ``intp`` scalar, which promotes to
        complex128, through NumPy's complex division (Smith's method: times ``1 / count``); an empty mean is
        NaN, as NumPy's division by a zero complex gives."""
        b = self.b
        part = ty.elements[0]
        zero, one = ir.Constant(F64, 0.0), ir.Constant(F64, 1.0)
        re, im = b.extract_value(total, 0), b.extract_value(total, 1)
        if part != F64:
            re, im = b.fpext(re, F64), b.fpext(im, F64)
        k = b.sitofp(count, F64)
        rat = b.fdiv(zero, k)
        scl = b.fdiv(one, b.fadd(k, b.fmul(zero, rat)))
        empty = b.icmp_signed("==", count, I64(0))
        re_out = b.select(empty, b.fdiv(re, zero), b.fmul(b.fadd(re, b.fmul(im, rat)), scl))
        im_out = b.select(empty, b.fdiv(im, zero), b.fmul(b.fsub(im, b.fmul(re, rat)), scl))
        if part != F64:
            re_out, im_out = b.fptrunc(re_out, part), b.fptrunc(im_out, part)
        return self.make_complex(re_out, im_out, ty)

    def magnitude(self: FunctionLowering, v: ir.Value) -> ir.Value:
        return self.b.select(self.b.icmp_signed("<", v, I64(0)), self.b.sub(I64(0), v), v)

    def plus_zero(self: FunctionLowering, v: ir.Value, t: ScalarT) -> ir.Value:
        """``0 + v`` as NumPy's reduction adds its result to the identity (a sum of ``-0.0`` is ``0.0``)."""
        b = self.b
        if not t.is_complex:
            return b.fadd(ir.Constant(v.type, 0.0), v)
        zero = ir.Constant(v.type.elements[0], 0.0)
        return self.make_complex(b.fadd(zero, b.extract_value(v, 0)), b.fadd(zero, b.extract_value(v, 1)), v.type)

    def buffered_sum(self: FunctionLowering, source: ir.Value, t: ArrayT, extents: list[ir.Value], count: ir.Value,
                     element: object) -> ir.Value:
        """The float64 sum ``numpy.mean`` takes of an integer or bool array: NumPy casts it through a buffer
        of :data:`NUMPY_BUFFER` elements and adds each buffer's pairwise sum to the total in turn. Matched
        bit for bit for a 1-D array (any stride) and a contiguous one; another n-D view adds in C order."""
        b = self.b
        pairwise = pairwise_sum_function(self.owner, FLOAT64, t.dtype)
        data = b.extract_value(source, DATA)
        item = I64(element_size(t.dtype))
        with b.goto_entry_block():
            slot = b.alloca(F64)
        b.store(ir.Constant(F64, 0.0), slot)

        def chunks(total: ir.Value, stride: ir.Value) -> None:
            def chunk(k: ir.Value) -> None:
                first = b.mul(k, I64(NUMPY_BUFFER))
                left = b.sub(total, first)
                size = b.select(b.icmp_signed("<", left, I64(NUMPY_BUFFER)), left, I64(NUMPY_BUFFER))
                at = b.gep(data, [b.mul(first, stride)], source_etype=I8)
                b.store(b.fadd(b.load(slot, typ=F64), b.call(pairwise, [at, size, stride])), slot)

            self.counted_loop(I64(0), b.sdiv(b.add(total, I64(NUMPY_BUFFER - 1)), I64(NUMPY_BUFFER)), chunk)

        if t.ndim == 1:
            chunks(extents[0], b.extract_value(source, [STRIDES, 0]))
            return b.load(slot, typ=F64)
        with b.if_else(self.dense(source, t, extents)) as (flat, other):
            with flat:
                chunks(count, item)
            with other:
                b.store(self.reduce_scalar("sum", t.dtype, FLOAT64, extents, count, element), slot)
        return b.load(slot, typ=F64)

    def dense(self: FunctionLowering, source: ir.Value, t: ArrayT, extents: list[ir.Value]) -> ir.Value:
        """Whether an array's elements fill one contiguous block, in C or Fortran order (NumPy's flags: an
        axis of extent 1 may have any stride)."""
        b = self.b
        strides = [b.extract_value(source, [STRIDES, k]) for k in range(t.ndim)]

        def packed(order: list[int]) -> ir.Value:
            ok, expected = ir.Constant(ir.IntType(1), 1), I64(element_size(t.dtype))
            for k in order:
                ok = b.and_(ok, b.or_(b.icmp_signed("==", strides[k], expected),
                                      b.icmp_signed("==", extents[k], I64(1))))
                expected = b.mul(expected, extents[k])
            return ok

        return b.or_(packed(list(reversed(range(t.ndim)))), packed(list(range(t.ndim))))

    def pairwise_whole(self: FunctionLowering, source: ir.Value, t: ArrayT, extents: list[ir.Value]) -> ir.Value:
        """The sum of a whole float or complex array in NumPy's order: a 1-D array (any stride) or one whose
        elements fill a contiguous block (C or Fortran order) is one pairwise sum, which NumPy's reduction
        gives bit for bit. Another n-D view sums each last-axis row pairwise and adds the rows in C order
        (NumPy buffers such views in chunks of rows; the result agrees with it to rounding)."""
        from pyexec.backends.llvm.lowering.types import llvm_type

        b = self.b
        pairwise = pairwise_sum_function(self.owner, t.dtype)
        data = b.extract_value(source, DATA)
        item = I64(element_size(t.dtype))
        if t.ndim == 1:
            return self.plus_zero(b.call(pairwise, [data, extents[0], b.extract_value(source, [STRIDES, 0])]),
                                  t.dtype)
        strides = [b.extract_value(source, [STRIDES, k]) for k in range(t.ndim)]
        size = extents[0]
        for x in extents[1:]:
            size = b.mul(size, x)

        contiguous = self.dense(source, t, extents)
        ty = llvm_type(t.dtype)
        with b.goto_entry_block():
            slot = b.alloca(ty)
        with b.if_else(contiguous) as (flat, rows):
            with flat:
                b.store(self.plus_zero(b.call(pairwise, [data, size, item]), t.dtype), slot)
            with rows:
                zero = ir.Constant(ty.elements[0], 0.0) if t.dtype.is_complex else ir.Constant(ty, 0.0)
                b.store(self.make_complex(zero, zero, ty) if t.dtype.is_complex else zero, slot)

                def row(ix: list[ir.Value]) -> None:
                    at = data
                    for k, v in enumerate(ix):
                        at = b.gep(at, [b.mul(v, strides[k])], source_etype=I8)
                    part = b.call(pairwise, [at, extents[-1], strides[-1]])
                    self.store_sum(slot, part, t.dtype)

                self.loop_nest(extents[:-1], row)
        return b.load(slot, typ=ty)

    def store_sum(self: FunctionLowering, slot: ir.Value, v: ir.Value, t: ScalarT) -> None:
        b = self.b
        cur = b.load(slot, typ=v.type)
        b.store(self.complex_binop("add", cur, v, t) if t.is_complex else b.fadd(cur, v), slot)

    def broadcast_extents(self: FunctionLowering, arrays: list[tuple[ir.Value, ArrayT]], ndim: int) -> list[ir.Value]:
        """NumPy's broadcast shape of arrays (aligned on their last axes)."""
        b = self.b
        extents = []
        for k in range(ndim):
            cur = I64(1)
            for desc, t in arrays:
                axis = k - (ndim - t.ndim)
                if axis < 0:
                    continue
                x = b.extract_value(desc, [SHAPE, axis])
                clash = b.and_(b.and_(b.icmp_signed("!=", cur, I64(1)), b.icmp_signed("!=", x, I64(1))),
                               b.icmp_signed("!=", x, cur))
                self.fail_if(clash, rt.VALUE, "operands could not be broadcast together")
                cur = b.select(b.icmp_signed("!=", x, I64(1)), x, cur)
            extents.append(cur)
        return extents

    def broadcast_address(self: FunctionLowering, desc: ir.Value, t: ArrayT, strides: list[ir.Value],
                          ix: list[ir.Value]) -> ir.Value:
        offset = I64(0)
        for axis in range(t.ndim):
            offset = self.b.add(offset, self.b.mul(ix[len(ix) - t.ndim + axis], strides[axis]))
        return self.b.gep(self.b.extract_value(desc, DATA), [offset], source_etype=I8)

    def expr_ArrayMap(self: FunctionLowering, e: n.ArrayMap) -> ir.Value:
        b = self.b
        values = [self.expr(a) for a in e.args]
        arrays = [(v, a.type) for v, a in zip(values, e.args) if isinstance(a.type, ArrayT)]
        extents = self.broadcast_extents(arrays, e.type.ndim)  # type: ignore[arg-type]
        # a broadcast axis (extent 1) reads its one element again: stride 0
        strides = {id(v): [b.select(b.icmp_signed("==", b.extract_value(v, [SHAPE, k]), I64(1)), I64(0),
                                    b.extract_value(v, [STRIDES, k])) for k in range(t.ndim)] for v, t in arrays}
        out = self.new_array(e.type, extents)
        # a signed Python int compared with uint64 elements: by value (see n.ArrayMap); a negative one
        # decides every element alike, so its sign is tested once, before the loop
        negative: list[tuple[int, ir.Value]] = [
            (k, b.icmp_signed("<", v, ir.Constant(v.type, 0))) for k, (v, a) in enumerate(zip(values, e.args))
            if not isinstance(a.type, ArrayT) and a.type != e.compute and e.compute.is_integer
            and e.op in ("eq", "ne", "lt", "le", "gt", "ge")]

        def body(ix: list[ir.Value]) -> None:
            operands = []
            for v, a in zip(values, e.args):
                t = a.type
                if isinstance(t, ArrayT):
                    x = self.load_element(self.broadcast_address(v, t, strides[id(v)], ix), t.dtype)
                    operands.append(self.cast(x, t.dtype, e.compute) if t.dtype != e.compute else x)
                else:
                    operands.append(v)
            result = self.elementwise_value(e.op, operands, e.compute)
            for k, is_negative in negative:
                # x < 0 beside an unsigned element: `a > x`, `a >= x`, `a != x` hold, the others do not
                holds = e.op in (("gt", "ge", "ne") if k == 1 else ("lt", "le", "ne"))
                result = b.select(is_negative, ir.Constant(ir.IntType(1), int(holds)), result)
            self.store_element(result, self.element_address(out, e.type, ix, False), e.type.dtype)

        self.loop_nest(extents, body)
        for v, a in zip(values, e.args):
            self.release_temporary(a, v)
        return out

    def elementwise_value(self: FunctionLowering, op: str, xs: list[ir.Value], t: ScalarT) -> ir.Value:
        """One element of an elementwise operation, with NumPy's array semantics (no exceptions)."""
        b = self.b
        if op in ("eq", "ne", "lt", "le", "gt", "ge"):
            return self.compare(op, xs[0], xs[1], t)
        if op == "astype":
            return xs[0]  # the operand was converted to ``t`` already
        if op == "invert":
            return b.xor(xs[0], ir.Constant(xs[0].type, -1 if not t.is_bool else 1))
        if op == "neg":
            (x,) = xs
            if t.is_complex:
                return self.make_complex(b.fneg(b.extract_value(x, 0)), b.fneg(b.extract_value(x, 1)), x.type)
            return b.fneg(x) if t.is_float else b.neg(x)
        if op in ("sqrt", "exp", "log", "sin", "cos", "tan"):
            return self.call_intrinsic("llvm.sqrt", xs[0]) if op == "sqrt" else self.libm(op, xs[0])
        if op == "abs":
            (x,) = xs
            if t.is_float:
                return self.call_intrinsic("llvm.fabs", x)
            if t.info.signed:
                return b.select(b.icmp_signed("<", x, ir.Constant(x.type, 0)), b.neg(x), x)
            return x
        x, y = xs
        if op == "pow":
            return self.call_intrinsic("llvm.pow", x, y) if t.is_float else self.int_pow(x, y, t, t)
        if op in ("floordiv", "mod"):
            return self.numpy_float_divmod(op, x, y) if t.is_float else self.numpy_int_divmod(op, x, y, t)
        if op in ("lshift", "rshift", "bitand", "bitor", "bitxor"):
            return self.int_binop(op, x, y, t)  # a fixed width: NumPy's shifts, nothing raises
        if t.is_complex:
            if op == "truediv":
                parts = (b.extract_value(x, 0), b.extract_value(x, 1), b.extract_value(y, 0), b.extract_value(y, 1))
                return self.complex_div_numpy(*parts, x.type)
            return self.complex_binop(op, x, y, t)
        if t.is_float:
            return {"add": b.fadd, "sub": b.fsub, "mul": b.fmul, "truediv": b.fdiv}[op](x, y)
        return {"add": b.add, "sub": b.sub, "mul": b.mul}[op](x, y)

    def numpy_float_divmod(self: FunctionLowering, op: str, a: ir.Value, c: ir.Value) -> ir.Value:
        """NumPy's ``npy_divmod``: ``//`` or ``%`` of floats, with no exception (a zero divisor gives inf/NaN)."""
        b = self.b
        zero = ir.Constant(a.type, 0.0)
        mod = b.frem(a, c)
        div = b.fdiv(b.fsub(a, mod), c)
        fix = b.and_(b.fcmp_unordered("!=", mod, zero),
                     b.icmp_unsigned("!=", b.fcmp_ordered("<", c, zero), b.fcmp_ordered("<", mod, zero)))
        mod2 = b.select(fix, b.fadd(mod, c), b.select(b.fcmp_unordered("!=", mod, zero), mod,
                                                     self.call_intrinsic("llvm.copysign", zero, c)))
        div = b.select(fix, b.fsub(div, ir.Constant(a.type, 1.0)), div)
        floor = self.call_intrinsic("llvm.floor", div)
        floor = b.select(b.fcmp_ordered(">", b.fsub(div, floor), ir.Constant(a.type, 0.5)),
                         b.fadd(floor, ir.Constant(a.type, 1.0)), floor)
        floor = b.select(b.fcmp_unordered("!=", div, zero), floor,
                         self.call_intrinsic("llvm.copysign", zero, b.fdiv(a, c)))
        by_zero = b.fcmp_ordered("==", c, zero)
        if op == "mod":
            return b.select(by_zero, mod, mod2)
        return b.select(by_zero, b.fdiv(a, c), floor)

    def numpy_int_divmod(self: FunctionLowering, op: str, a: ir.Value, c: ir.Value, t: ScalarT) -> ir.Value:
        """NumPy's integer ``//`` and ``%``: by zero gives 0, ``MIN // -1`` wraps to ``MIN``; floor semantics."""
        b = self.b
        ty = a.type
        zero, one = ir.Constant(ty, 0), ir.Constant(ty, 1)
        is_zero = b.icmp_unsigned("==", c, zero)
        safe = b.select(is_zero, one, c)  # the machine division never sees 0 (or MIN / -1 below)
        if not t.info.signed:
            result = b.udiv(a, safe) if op == "floordiv" else b.urem(a, safe)
            return b.select(is_zero, zero, result)
        minus_one = b.icmp_signed("==", safe, ir.Constant(ty, -1))
        safe = b.select(minus_one, one, safe)
        q = b.sdiv(a, safe)
        r = b.srem(a, safe)
        adjust = b.and_(b.icmp_signed("!=", r, zero),
                        b.icmp_unsigned("!=", b.icmp_signed("<", r, zero), b.icmp_signed("<", safe, zero)))
        q = b.select(adjust, b.sub(q, one), q)
        r = b.select(adjust, b.add(r, safe), r)
        q = b.select(minus_one, b.neg(a), q)
        r = b.select(minus_one, zero, r)
        return b.select(is_zero, zero, q if op == "floordiv" else r)

    def expr_MatMul(self: FunctionLowering, e: n.MatMul) -> ir.Value:
        """``a @ b``: each result element a dot product in ``compute``, in order of the inner index."""
        from pyexec.backends.llvm.lowering.types import llvm_type

        b = self.b
        left, right = self.expr(e.left), self.expr(e.right)
        lt, rt_ = e.left.type, e.right.type
        assert isinstance(lt, ArrayT) and isinstance(rt_, ArrayT)
        inner_l = b.extract_value(left, [SHAPE, lt.ndim - 1])
        inner_r = b.extract_value(right, [SHAPE, 0])
        self.fail_if(b.icmp_signed("!=", inner_l, inner_r), rt.VALUE,
                     "matmul: Input operand 1 has a mismatch in its core dimension 0")
        c = e.compute
        ty = llvm_type(c)
        zero = ir.Constant(ty, [ir.Constant(ty.elements[0], 0.0)] * 2) if c.is_complex else \
            ir.Constant(ty, 0.0 if c.is_float else 0)
        with b.goto_entry_block():
            acc = b.alloca(ty)

        def dot(row: list[ir.Value], col: list[ir.Value]) -> ir.Value:
            b.store(zero, acc)

            def step(p: list[ir.Value]) -> None:
                x = self.load_element(self.element_address(left, lt, [*row, p[0]], False), lt.dtype)
                y = self.load_element(self.element_address(right, rt_, [p[0], *col], False), rt_.dtype)
                x = self.cast(x, lt.dtype, c) if lt.dtype != c else x
                y = self.cast(y, rt_.dtype, c) if rt_.dtype != c else y
                cur = b.load(acc, typ=ty)
                b.store(self.elementwise_value("add", [cur, self.elementwise_value("mul", [x, y], c)], c), acc)

            self.loop_nest([inner_l], step)
            return b.load(acc, typ=ty)

        if not isinstance(e.type, ArrayT):
            result = dot([], [])
        elif lt.ndim == 2 and rt_.ndim == 2 and (c.is_float or c.is_integer):
            result = self.matmul_tiled(left, lt, right, rt_, e.type, inner_l, dot)
        else:
            rows = [b.extract_value(left, [SHAPE, 0])] if lt.ndim == 2 else []
            cols = [b.extract_value(right, [SHAPE, 1])] if rt_.ndim == 2 else []
            out = self.new_array(e.type, rows + cols)

            def cell(ix: list[ir.Value]) -> None:
                row, col = ix[:len(rows)], ix[len(rows):]
                self.store_element(dot(row, col), self.element_address(out, e.type, ix, False), c)

            self.loop_nest(rows + cols, cell)
            result = out
        self.release_temporary(e.left, left)
        self.release_temporary(e.right, right)
        return result

    def counted_loop(self: FunctionLowering, start: ir.Value, stop: ir.Value, body: object) -> None:
        """``body(i)`` for ``i`` in ``range(start, stop)``."""
        b = self.b
        pre = b.block
        loop, done = self.new_block("range"), self.new_block("range.end")
        b.cbranch(b.icmp_signed("<", start, stop), loop, done)
        b.position_at_end(loop)
        i = b.phi(I64)
        i.add_incoming(start, pre)
        body(i)  # type: ignore[operator]
        nxt = b.add(i, I64(1))
        i.add_incoming(nxt, b.block)
        b.cbranch(b.icmp_signed("<", nxt, stop), loop, done)
        b.position_at_end(done)

    def matmul_tiled(self: FunctionLowering, left: ir.Value, lt: ArrayT, right: ir.Value, rt_: ArrayT,
                     t: ArrayT, inner: ir.Value, dot: object) -> ir.Value:
        """2-D ``a @ b`` for real and integer dtypes, by tiles of ``MATMUL_ROWS`` × ``MATMUL_COLS`` elements.

        A tile's sums stay in vector registers while ``k`` runs: each step loads one row piece of ``b`` and
        adds it, times ``a[i + r, k]``, to every row ``r`` of the tile (the register blocking of a BLAS
        micro-kernel; ``b``'s pieces are packed, ``a`` is read in place). Elements outside whole tiles go
        through ``dot``, the scalar dot product. Every element sums its products in order of ``k``, as the
        scalar loop does (no fused multiply-add, no reassociation), so the result does not depend on the
        tiling; NumPy's BLAS sums in another order, so float results agree with NumPy's to rounding, not bit
        for bit."""
        from pyexec.backends.llvm.lowering.types import llvm_type

        b = self.b
        c = t.dtype
        ty = llvm_type(c)
        item = element_size(c)
        rows, cols = MATMUL_ROWS, MATMUL_COLS
        vty = ir.VectorType(ty, cols)
        n_rows = b.extract_value(left, [SHAPE, 0])
        n_cols = b.extract_value(right, [SHAPE, 1])
        out = self.new_array(t, [n_rows, n_cols])
        out_data = b.extract_value(out, DATA)
        whole_rows = b.mul(b.sdiv(n_rows, I64(rows)), I64(rows))
        whole_cols = b.mul(b.sdiv(n_cols, I64(cols)), I64(cols))
        b_data = b.extract_value(right, DATA)
        b_row_stride = b.extract_value(right, [STRIDES, 0])
        b_col_stride = b.extract_value(right, [STRIDES, 1])
        b_ty = element_type(rt_.dtype, llvm_type(rt_.dtype))
        zero = ir.Constant(vty, [ir.Constant(ty, 0.0 if c.is_float else 0)] * cols)
        with b.goto_entry_block():
            sums = [b.alloca(vty) for _ in range(rows)]  # promoted to registers by SROA
            # b's tile column for one panel, packed contiguous (and cast to ``c``): 8 KiB for float64. Its rows
            # in ``b`` lie a row stride apart, which for a power-of-two width maps them to one cache set
            packed = b.alloca(vty, size=I64(MATMUL_DEPTH))

        def b_piece(k: ir.Value, j: ir.Value) -> ir.Value:
            at = b.gep(b_data, [b.mul(k, b_row_stride)], source_etype=I8)
            if rt_.layout == "C" and rt_.dtype == c:
                return b.load(b.gep(at, [j], source_etype=b_ty), typ=vty, align=1)
            piece = ir.Constant(vty, ir.Undefined)
            for q in range(cols):
                address = b.gep(at, [b.mul(b.add(j, I64(q)), b_col_stride)], source_etype=I8)
                y = self.load_element(address, rt_.dtype)
                piece = b.insert_element(piece, self.cast(y, rt_.dtype, c) if rt_.dtype != c else y, I64(q))
            return piece

        # k runs in panels of MATMUL_DEPTH: a's panel stays in the L2 cache and b's tile column in L1 while
        # the tiles pass over them; a tile's sums go to ``out`` between panels (still in order of k)
        self.fill_flat(out_data, self.new_count, c, lambda _: zero.constant[0])
        n_panels = b.sdiv(b.add(inner, I64(MATMUL_DEPTH - 1)), I64(MATMUL_DEPTH))

        def panel(p: ir.Value) -> None:
            k0 = b.mul(p, I64(MATMUL_DEPTH))
            k1 = b.add(k0, I64(MATMUL_DEPTH))
            k1 = b.select(b.icmp_signed("<", inner, k1), inner, k1)
            # rows of tiles in blocks of MATMUL_BLOCK_ROWS, so the block of a's panel stays in cache across b
            tile_rows = b.sdiv(n_rows, I64(rows))
            per_block = MATMUL_BLOCK_ROWS // rows
            n_blocks = b.sdiv(b.add(tile_rows, I64(per_block - 1)), I64(per_block))

            def row_block(q: ir.Value) -> None:
                it0 = b.mul(q, I64(per_block))
                it1 = b.add(it0, I64(per_block))
                it1 = b.select(b.icmp_signed("<", tile_rows, it1), tile_rows, it1)
                self.counted_loop(I64(0), b.sdiv(n_cols, I64(cols)), lambda jt: tile_col(jt, k0, k1, it0, it1))

            self.counted_loop(I64(0), n_blocks, row_block)

        def tile_col(jt: ir.Value, k0: ir.Value, k1: ir.Value, it0: ir.Value, it1: ir.Value) -> None:
            j = b.mul(jt, I64(cols))

            def pack(k: ir.Value) -> None:
                b.store(b_piece(k, j), b.gep(packed, [b.sub(k, k0)]))

            self.counted_loop(k0, k1, pack)

            def tile_row(it: ir.Value) -> None:
                i = b.mul(it, I64(rows))
                for r, acc in enumerate(sums):
                    b.store(b.load(tile_address(i, r, j), typ=vty, align=1), acc)

                def over_k(k: ir.Value) -> None:
                    piece = b.load(b.gep(packed, [b.sub(k, k0)]), typ=vty)
                    for r, acc in enumerate(sums):
                        x = self.load_element(self.element_address(left, lt, [b.add(i, I64(r)), k], False), lt.dtype)
                        x = self.cast(x, lt.dtype, c) if lt.dtype != c else x
                        spread = b.shuffle_vector(b.insert_element(ir.Constant(vty, ir.Undefined), x, I64(0)),
                                                  ir.Constant(vty, ir.Undefined),
                                                  ir.Constant(ir.VectorType(ir.IntType(32), cols), [0] * cols))
                        cur = b.load(acc, typ=vty)
                        b.store(self.elementwise_value("add", [cur, self.elementwise_value("mul", [spread, piece], c)],
                                                       c), acc)

                self.counted_loop(k0, k1, over_k)
                for r, acc in enumerate(sums):
                    b.store(b.load(acc, typ=vty), tile_address(i, r, j), align=1)

            self.counted_loop(it0, it1, tile_row)

        def tile_address(i: ir.Value, r: int, j: ir.Value) -> ir.Value:
            return b.gep(out_data, [b.add(b.mul(b.add(i, I64(r)), n_cols), j)], source_etype=ty)

        self.counted_loop(I64(0), n_panels, panel)

        def cell(ix: list[ir.Value]) -> None:
            self.store_element(dot([ix[0]], [ix[1]]),  # type: ignore[operator]
                               b.gep(out_data, [b.mul(b.add(b.mul(ix[0], n_cols), ix[1]), I64(item))],
                                     source_etype=I8), c)

        # the right strip (every row, the columns past whole tiles), then the bottom strip under the tiles
        self.counted_loop(I64(0), n_rows, lambda i: self.counted_loop(whole_cols, n_cols, lambda j: cell([i, j])))
        self.counted_loop(whole_rows, n_rows, lambda i: self.counted_loop(I64(0), whole_cols, lambda j: cell([i, j])))
        return out

    def expr_LinSpace(self: FunctionLowering, e: n.LinSpace) -> ir.Value:
        b = self.b
        start, stop, num = self.expr(e.start), self.expr(e.stop), self.expr(e.num)
        with b.if_then(b.icmp_signed("<", num, I64(0)), likely=False):
            fn = message_function(self.owner, "pyexec.linspace_error", rt.VALUE,
                                  ["Number of samples, ", 0, ", must be non-negative."])
            b.call(fn, [self.state if self.state is not None else ir.Constant(PTR, None), num])
            self.return_zero()
        div = b.sitofp(b.sub(num, I64(1)), F64)
        delta = b.fsub(stop, start)
        step = b.fdiv(delta, div)
        step_zero = b.fcmp_ordered("==", step, ir.Constant(F64, 0.0))
        desc = self.new_array(e.type, [num])

        def value(i: ir.Value) -> ir.Value:
            x = b.sitofp(i, F64)
            by_step = b.fadd(b.fmul(x, step), start)
            by_div = b.fadd(b.fmul(b.fdiv(x, div), delta), start)
            v = b.select(step_zero, by_div, by_step)
            last = b.and_(b.icmp_signed(">", num, I64(1)), b.icmp_signed("==", i, b.sub(num, I64(1))))
            v = b.select(last, stop, v)
            return b.select(b.icmp_signed("==", num, I64(1)), start, v)

        self.fill_flat(b.extract_value(desc, DATA), num, e.type.dtype, value)
        return desc

    def expr_Eye(self: FunctionLowering, e: n.Eye) -> ir.Value:
        from pyexec.backends.llvm.lowering.types import constant

        b = self.b
        rows = self.expr(e.rows)
        cols = rows if e.cols is None else self.expr(e.cols)
        desc = self.new_array(e.type, [rows, cols])
        d = e.type.dtype
        zero, one = constant(0, d), constant(1, d)
        self.fill_flat(b.extract_value(desc, DATA), self.new_count, d, lambda i: zero)
        diagonal = b.select(b.icmp_signed("<", rows, cols), rows, cols)
        step = b.add(cols, I64(1))  # from (i, i) to (i + 1, i + 1) in C order
        self.fill_flat(b.extract_value(desc, DATA), diagonal, d, lambda i: one, stride=step)
        return desc

    def byte_range(self: FunctionLowering, desc: ir.Value, t: ArrayT) -> tuple[ir.Value, ir.Value, ir.Value]:
        """The lowest and one-past-highest byte an array touches, and whether it is empty."""
        b = self.b
        lo, hi, empty = I64(0), I64(element_size(t.dtype)), ir.Constant(ir.IntType(1), 0)
        for k in range(t.ndim):
            extent = b.extract_value(desc, [SHAPE, k])
            empty = b.or_(empty, b.icmp_signed("==", extent, I64(0)))
            span = b.mul(b.sub(extent, I64(1)), b.extract_value(desc, [STRIDES, k]))
            negative = b.icmp_signed("<", span, I64(0))
            lo = b.add(lo, b.select(negative, span, I64(0)))
            hi = b.add(hi, b.select(negative, I64(0), span))
        base = b.ptrtoint(b.extract_value(desc, DATA), I64)
        return b.add(base, lo), b.add(base, hi), empty

    def copy_into(self: FunctionLowering, s: n.FillArray) -> None:
        """``target[...] = source`` with broadcasting; an overlapping source is copied first."""
        from pyexec.backends.llvm.lowering.types import llvm_type

        b = self.b
        source = self.expr(s.value)
        target = self.expr(s.target)
        st, tt = s.value.type, s.target.type
        assert isinstance(st, ArrayT) and isinstance(tt, ArrayT)
        extents = [b.extract_value(target, [SHAPE, k]) for k in range(tt.ndim)]
        for k in range(st.ndim):
            x = b.extract_value(source, [SHAPE, k])
            want = extents[tt.ndim - st.ndim + k]
            bad = b.and_(b.icmp_signed("!=", x, I64(1)), b.icmp_signed("!=", x, want))
            self.fail_if(bad, rt.VALUE, "could not broadcast input array into the target's shape")
        s_lo, s_hi, s_empty = self.byte_range(source, st)
        t_lo, t_hi, t_empty = self.byte_range(target, tt)
        apart = b.or_(b.icmp_unsigned("<=", s_hi, t_lo), b.icmp_unsigned("<=", t_hi, s_lo))
        overlap = b.not_(b.or_(b.or_(s_empty, t_empty), apart))
        copy_t = ArrayT(st.dtype, st.ndim, "C")
        with b.goto_entry_block():
            slot = b.alloca(llvm_type(st))
        b.store(source, slot)
        with b.if_then(overlap, likely=False):
            src_extents = [b.extract_value(source, [SHAPE, k]) for k in range(st.ndim)]
            tmp = self.new_array(copy_t, src_extents)

            def copy(ix: list[ir.Value]) -> None:
                v = self.load_element(self.element_address(source, st, ix, False), st.dtype)
                self.store_element(v, self.element_address(tmp, copy_t, ix, False), st.dtype)

            self.loop_nest(src_extents, copy)
            b.store(tmp, slot)
        reading = b.load(slot, typ=llvm_type(st))
        strides = [b.select(b.icmp_signed("==", b.extract_value(reading, [SHAPE, k]), I64(1)), I64(0),
                            b.extract_value(reading, [STRIDES, k])) for k in range(st.ndim)]

        def body(ix: list[ir.Value]) -> None:
            v = self.load_element(self.broadcast_address(reading, st, strides, ix), st.dtype)
            v = self.cast(v, st.dtype, tt.dtype) if st.dtype != tt.dtype else v
            self.store_element(v, self.element_address(target, tt, ix, False), tt.dtype)

        self.loop_nest(extents, body)
        with b.if_then(overlap, likely=False):
            self.decref(reading)  # the temporary copy
        self.release_temporary(s.target, target)
        self.release_temporary(s.value, source)

    def expr_ArrayNew(self: FunctionLowering, e: n.ArrayNew) -> ir.Value:
        extents = [self.expr(x) for x in e.shape]
        fill = self.expr(e.fill) if e.fill is not None else None
        desc = self.new_array(e.type, extents)
        if fill is not None:
            self.fill_flat(self.b.extract_value(desc, DATA), self.new_count, e.type.dtype, lambda i: fill)
        return desc

    def expr_ArrayRange(self: FunctionLowering, e: n.ArrayRange) -> ir.Value:
        b = self.b
        start, stop, step = self.expr(e.start), self.expr(e.stop), self.expr(e.step)
        t = e.type.dtype
        if t.is_integer:
            self.fail_if(b.icmp_signed("==", step, I64(0)), rt.ZERO_DIVISION, "division by zero")
            # ceil((stop - start) / step) exactly, in unsigned arithmetic as range() counts (no i128: MCJIT
            # has no compiler-rt for its division)
            up = b.icmp_signed(">", step, I64(0))
            nonempty = b.select(up, b.icmp_signed("<", start, stop), b.icmp_signed(">", start, stop))
            span = b.select(up, b.sub(stop, start), b.sub(start, stop))
            stride = b.select(up, step, b.sub(I64(0), step))
            count = b.add(b.udiv(b.sub(span, I64(1)), stride), I64(1))
            length = b.select(nonempty, count, I64(0))
            desc = self.new_array(e.type, [length])
            self.fill_flat(b.extract_value(desc, DATA), length, t, lambda i: b.add(start, b.mul(i, step)))
            return desc
        self.fail_if(b.fcmp_ordered("==", step, ir.Constant(step.type, 0.0)), rt.ZERO_DIVISION, "division by zero")
        n_float = self.call_intrinsic("llvm.ceil", b.fdiv(b.fsub(stop, start), step))
        ok = b.fcmp_ordered(">", n_float, ir.Constant(n_float.type, 0.0))
        self.fail_if(b.and_(ok, b.fcmp_ordered(">=", n_float, ir.Constant(n_float.type, 2.0**62))), rt.VALUE,
                     "Maximum allowed size exceeded")
        length = b.select(ok, b.fptosi(n_float, I64), I64(0))  # NaN (inf - inf) is an empty range
        delta = b.fsub(b.fadd(start, step), start)
        desc = self.new_array(e.type, [length])
        self.fill_flat(b.extract_value(desc, DATA), length, t,
                       lambda i: b.fadd(start, b.fmul(b.sitofp(i, start.type), delta)))
        return desc

    def expr_ArrayShape(self: FunctionLowering, e: n.ArrayShape) -> ir.Value:
        array = self.expr(e.array)
        extent = self.b.extract_value(array, [SHAPE, e.axis])
        self.release_temporary(e.array, array)
        return extent

    def expr_ArraySize(self: FunctionLowering, e: n.ArraySize) -> ir.Value:
        array = self.expr(e.array)
        t = e.array.type
        assert isinstance(t, ArrayT)
        size = self.b.extract_value(array, [SHAPE, 0])
        for k in range(1, t.ndim):
            size = self.b.mul(size, self.b.extract_value(array, [SHAPE, k]))  # fits: the array exists
        self.release_temporary(e.array, array)
        return size

    def expr_GetItem(self: FunctionLowering, e: n.GetItem) -> ir.Value:
        array = self.expr(e.array)
        indices = [self.expr(i) for i in e.indices]
        if id(e) in self.proven_in_bounds:
            address = self.proven_address(array, e.array.type, indices)  # type: ignore[arg-type]
        else:
            address = self.element_address(array, e.array.type, indices, e.boundscheck)  # type: ignore[arg-type]
        value = self.load_element(address, e.type)
        self.release_temporary(e.array, array)
        return value

    def stmt_SetItem(self: FunctionLowering, s: n.SetItem) -> None:
        # Python evaluates the value first; NumPy converts it after checking the index
        fit = s.value if isinstance(s.value, n.FitInt) else None
        value = self.expr(fit.value if fit is not None else s.value)
        array = self.expr(s.array)
        indices = [self.expr(i) for i in s.indices]
        t = s.array.type
        assert isinstance(t, ArrayT)
        if id(s) in self.proven_in_bounds:
            address = self.proven_address(array, t, indices)
        else:
            address = self.element_address(array, t, indices, s.boundscheck)
        if fit is not None:
            value = self.fit_int(value, fit)
        self.store_element(value, address, t.dtype)
        self.release_temporary(s.array, array)

    def element_address(self: FunctionLowering, array: ir.Value, t: ArrayT, indices: list[ir.Value],
                        boundscheck: bool) -> ir.Value:
        b = self.b
        offset = None
        for k, i in enumerate(indices):
            extent = b.extract_value(array, [SHAPE, k])
            if boundscheck:
                i = self.checked_index(i, extent, k)
            stride = I64(element_size(t.dtype)) if (t.layout == "C" and k == t.ndim - 1) \
                else b.extract_value(array, [STRIDES, k])
            term = b.mul(i, stride)
            offset = term if offset is None else b.add(offset, term)
        data = b.extract_value(array, DATA)
        return b.gep(data, [offset], source_etype=I8)

    def proven_address(self: FunctionLowering, array: ir.Value, t: ArrayT, indices: list[ir.Value]) -> ir.Value:
        """An element's address when a test before the loop proved every index in bounds and every stride a
        whole number of elements (:mod:`pyexec.backends.llvm.lowering.loop_versioning`): no check, no negative index,
        and strides counted in elements, so LLVM's vectoriser can version the loop on a unit stride."""
        from pyexec.backends.llvm.lowering.types import llvm_type

        b = self.b
        item = element_size(t.dtype)
        offset = None
        for k, i in enumerate(indices):
            if t.layout == "C" and k == t.ndim - 1:
                term = i
            else:
                term = b.mul(i, b.ashr(b.extract_value(array, [STRIDES, k]), I64(item.bit_length() - 1)))
            offset = term if offset is None else b.add(offset, term)
        return b.gep(b.extract_value(array, DATA), [offset], source_etype=element_type(t.dtype, llvm_type(t.dtype)))

    def checked_index(self: FunctionLowering, i: ir.Value, extent: ir.Value, axis: int) -> ir.Value:
        """A Python index made non-negative, and IndexError unless it is inside the axis."""
        b = self.b
        adjusted = b.select(b.icmp_signed("<", i, I64(0)), b.add(i, extent), i)
        if not self.owner.boundscheck:
            return adjusted  # aot(boundscheck=False): an index outside the axis is undefined behaviour
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
        from pyexec.backends.llvm.lowering.types import llvm_type

        b = self.b
        source = e.value.type
        huge = None  # a uint64 value at or above 2**63: outside every signed type (NumPy's own message)
        if source.is_float:
            v = self.cast(v, source, INT)  # int(x): NaN is ValueError, inf and too large OverflowError
        elif v.type.width < 64:
            v = b.sext(v, I64) if source.info.signed else b.zext(v, I64)
        elif not source.info.signed:
            huge = b.icmp_signed("<", v, I64(0))
        info = e.type.info
        outside = b.icmp_signed("<", v, I64(info.min_value))
        if info.max_value < 2**63 - 1:
            outside = b.or_(outside, b.icmp_signed(">", v, I64(info.max_value)))
        if huge is not None:
            self.fail_if(huge, rt.OVERFLOW, "Python int too large to convert to C long")
        with b.if_then(outside, likely=False):
            fn = message_function(self.owner, f"pyexec.bounds_error.{e.type}", rt.OVERFLOW,
                                  ["Python integer ", 0, f" out of bounds for {e.type}"])
            b.call(fn, [self.state if self.state is not None else ir.Constant(PTR, None), v])
            self.return_zero()
        ty = llvm_type(e.type)
        return b.trunc(v, ty) if ty.width < 64 else v

    def load_element(self: FunctionLowering, address: ir.Value, t: ScalarT) -> ir.Value:
        from pyexec.backends.llvm.lowering.types import llvm_type

        value = self.b.load(address, typ=element_type(t, llvm_type(t)), align=1)
        return self.b.icmp_unsigned("!=", value, I8(0)) if t.is_bool else value

    def store_element(self: FunctionLowering, value: ir.Value, address: ir.Value, t: ScalarT) -> None:
        if t.is_bool:
            value = self.b.zext(value, I8)
        self.b.store(value, address, align=1)


__all__ = [
    "ALLOC_FUNCTION",
    "MESSAGE_FUNCTIONS_MARK",
    "ArrayLowering",
    "array_type",
    "element_size",
    "element_type",
    "finish_blocks",
    "index_error_function",
    "keep_message",
    "message_function",
    "owned",
    "written_parameters",
]
