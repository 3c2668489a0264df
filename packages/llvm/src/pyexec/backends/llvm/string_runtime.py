"""The string runtime of compiled code: functions over ``pyexec.memory``'s string layout, as LLVM IR.

A ``str`` value is a pointer ``s`` to a block's data (docs/memory.md, tag 0x02)::

    s - 16   int64  the block's capacity in bytes (what the allocator gave; may exceed 4 + n + 1)
    s - 8    int32  refcount (negative: immortal, a literal: incref and decref skip it)
    s - 4    uint8  tag 0x02
    s - 3    uint8  flags: bit 0 FLAG_LARGE, bit 1 FLAG_ASCII (every byte < 0x80)
    s + 0    int32  n, the UTF-8 byte count in use
    s + 4    the n UTF-8 bytes, then a NUL

Blocks come from the target's allocator (``pyexec_rt_array_alloc``, native and wasm32 alike), linked into
the call's list like array storage, so a fault frees them with the rest. Each function here is defined
once per LLVM module (internal linkage) on first use, built with llvmlite, so the same text serves every
target. None of them raises: one that allocates returns NULL when memory runs out, and the lowering
(:mod:`pyexec.backends.llvm.lowering.strings`) turns that into MemoryError; bounds and arguments are checked
by the lowering before the call.

Costs: indices count code points. For an ASCII string (FLAG_ASCII) ``len``, ``s[i]`` and slicing are O(1)
per character (a slice with step 1 is one copy); for any other string they walk the UTF-8 bytes, O(n).
``s[i]`` and ``for ch in s`` of an ASCII character allocate nothing (a table of 128 immortal strings).

Example:
    >>> from llvmlite import ir
    >>> m = ir.Module()
    >>> str(string_function(m, "len").function_type)
    'i64 (ptr)'
"""

from __future__ import annotations

from collections.abc import Callable

from llvmlite import ir

I1 = ir.IntType(1)
I8 = ir.IntType(8)
I16 = ir.IntType(16)
I32 = ir.IntType(32)
I64 = ir.IntType(64)
PTR = ir.PointerType()
NULL = ir.Constant(PTR, None)

TAG_STRING = 0x02
"""The type tag of a string block (docs/memory.md)."""
FLAG_LARGE = 0x01
FLAG_ASCII = 0x02
"""Header flag: every byte of the string is below 0x80 (so a byte index is a code point index)."""
IMMORTAL = -(2**30)
"""The refcount of a literal (a constant global): negative, so incref and decref leave it alone."""
MAX_BYTES = 2**31 - 2
"""The largest UTF-8 byte count a string holds (its length field is an int32; one byte for the NUL)."""
HEADER = 32
ALLOC_FUNCTION = "pyexec_rt_array_alloc"
DECREF_FUNCTION = "pyexec_rt_decref"
ASCII_TABLE = "pyexec.str.ascii"
EMPTY = "pyexec.str.empty"


def literal_type(nbytes: int) -> ir.LiteralStructType:
    """The layout of a literal (a whole block, header included) holding ``nbytes`` UTF-8 bytes."""
    return ir.LiteralStructType([ir.ArrayType(I8, 16), I64, I32, I8, I8, I16, I32, ir.ArrayType(I8, nbytes + 1)])


def literal(module: ir.Module, text: str, name: str) -> ir.Value:
    """A string constant: an immortal block in read-only data; the value is the address of its data.

    Example:
        >>> m = ir.Module()
        >>> str(literal(m, "hé", "s").type)
        'ptr'
    """
    data = text.encode("utf-8")
    g = module.globals.get(name)
    if g is None:
        g = ir.GlobalVariable(module, literal_type(len(data)), name)
        g.linkage = "internal"
        g.global_constant = True
        g.align = 16
        g.initializer = _literal_init(data)
    return g.gep([I32(0), I32(6)])


def _literal_init(data: bytes) -> ir.Constant:
    flags = FLAG_ASCII if data.isascii() else 0
    size = 4 + len(data) + 1
    t = literal_type(len(data))
    return ir.Constant(t, [ir.Constant(ir.ArrayType(I8, 16), None), I64(size), I32(IMMORTAL), I8(TAG_STRING),
                           I8(flags), I16(size), I32(len(data)), ir.Constant(ir.ArrayType(I8, len(data) + 1),
                                                                            bytearray(data + b"\0"))])


def ascii_char(b: ir.IRBuilder, byte: ir.Value) -> ir.Value:
    """The immortal one-character string of an ASCII byte (``i8`` below 0x80): no allocation."""
    module = b.module
    g = module.globals.get(ASCII_TABLE)
    entry = literal_type(1)
    if g is None:
        g = ir.GlobalVariable(module, ir.ArrayType(entry, 128), ASCII_TABLE)
        g.linkage = "internal"
        g.global_constant = True
        g.align = 16
        g.initializer = ir.Constant(ir.ArrayType(entry, 128), [_literal_init(bytes([c])) for c in range(128)])
    return b.gep(g, [I32(0), b.zext(byte, I32), I32(6)], inbounds=True)


def string_function(module: ir.Module, name: str) -> ir.Function:
    """The module's ``pyexec.str.<name>`` function, defined on first use (see :data:`FUNCTIONS`)."""
    symbol = f"pyexec.str.{name}"
    fn = module.globals.get(symbol)
    if fn is not None:
        return fn
    ret, params, build = FUNCTIONS[name]
    fn = ir.Function(module, ir.FunctionType(ret, params), symbol)
    fn.linkage = "internal"
    build(fn, ir.IRBuilder(fn.append_basic_block("entry")))
    return fn


def call(b: ir.IRBuilder, name: str, *args: ir.Value) -> ir.Value:
    """Call ``pyexec.str.<name>`` (defined on first use)."""
    return b.call(string_function(b.module, name), list(args))


# --- small pieces ------------------------------------------------------------------------------------


def _external(module: ir.Module, name: str, ret: ir.Type, args: list[ir.Type]) -> ir.Function:
    existing = module.globals.get(name)
    return existing if existing is not None else ir.Function(module, ir.FunctionType(ret, args), name)


def length_bytes(b: ir.IRBuilder, s: ir.Value) -> ir.Value:
    """``n``, the UTF-8 byte count, as ``i64``."""
    return b.zext(b.load(s, typ=I32), I64)


def text(b: ir.IRBuilder, s: ir.Value) -> ir.Value:
    """The address of the first UTF-8 byte."""
    return b.gep(s, [I64(4)], source_etype=I8)


def is_ascii(b: ir.IRBuilder, s: ir.Value) -> ir.Value:
    flags = b.load(b.gep(s, [I64(-3)], source_etype=I8), typ=I8)
    return b.icmp_unsigned("!=", b.and_(flags, I8(FLAG_ASCII)), I8(0))


def _var(b: ir.IRBuilder, t: ir.Type) -> ir.AllocaInstr:
    """A stack slot in the function's entry block (so a loop does not grow the stack)."""
    entry = b.function.entry_basic_block
    with b.goto_block(entry):
        b.position_at_start(entry)
        return b.alloca(t)


def _byte(b: ir.IRBuilder, base: ir.Value, k: ir.Value) -> ir.Value:
    return b.load(b.gep(base, [k], source_etype=I8), typ=I8)


def _loop(b: ir.IRBuilder, count: ir.Value, body: Callable[[ir.Value], None], name: str = "loop") -> None:
    """``body(i)`` for ``i`` in ``0 .. count - 1`` (``count`` an ``i64``, may be 0)."""
    fn = b.function
    pre = b.block
    loop, done = fn.append_basic_block(name), fn.append_basic_block(name + ".end")
    b.cbranch(b.icmp_signed(">", count, I64(0)), loop, done)
    b.position_at_end(loop)
    i = b.phi(I64)
    i.add_incoming(I64(0), pre)
    body(i)
    nxt = b.add(i, I64(1))
    i.add_incoming(nxt, b.block)
    b.cbranch(b.icmp_signed("<", nxt, count), loop, done)
    b.position_at_end(done)


def copy_bytes(b: ir.IRBuilder, dst: ir.Value, src: ir.Value, count: ir.Value) -> None:
    """Copy ``count`` bytes (no overlap): ``llvm.memcpy``, which every target pyexec links provides."""
    memcpy = _external(b.module, "llvm.memcpy.p0.p0.i64", ir.VoidType(), [PTR, PTR, I64, I1])
    b.call(memcpy, [dst, src, count, I1(0)])


def _count_code_points(b: ir.IRBuilder, base: ir.Value, nbytes: ir.Value) -> ir.Value:
    """How many bytes of ``base[0:nbytes]`` start a code point (are not 0b10xxxxxx)."""
    total = _var(b, I64)
    b.store(I64(0), total)

    def body(i: ir.Value) -> None:
        c = _byte(b, base, i)
        starts = b.icmp_unsigned("!=", b.and_(c, I8(0xC0)), I8(0x80))
        b.store(b.add(b.load(total, typ=I64), b.zext(starts, I64)), total)

    _loop(b, nbytes, body, "count")
    return b.load(total, typ=I64)


def _char_width(b: ir.IRBuilder, lead: ir.Value) -> ir.Value:
    """The byte width (1-4, ``i64``) of the UTF-8 sequence that starts with ``lead``."""
    x = b.zext(lead, I64)
    two = b.icmp_unsigned(">=", x, I64(0xC0))
    three = b.icmp_unsigned(">=", x, I64(0xE0))
    four = b.icmp_unsigned(">=", x, I64(0xF0))
    return b.add(I64(1), b.add(b.zext(two, I64), b.add(b.zext(three, I64), b.zext(four, I64))))


# --- the functions -----------------------------------------------------------------------------------


def _new(fn: ir.Function, b: ir.IRBuilder) -> None:
    """``new(head, nbytes, capacity, ascii) -> s``: a string of ``nbytes`` (contents unset, NUL written) in
    a block with room for ``capacity >= nbytes`` bytes of text; NULL when memory runs out or ``capacity`` is
    over :data:`MAX_BYTES`."""
    head, nbytes, capacity, ascii_ = fn.args
    with b.if_then(b.icmp_unsigned(">", capacity, I64(MAX_BYTES)), likely=False):
        b.ret(NULL)
    alloc = _external(b.module, ALLOC_FUNCTION, PTR, [PTR, I64])
    s = b.call(alloc, [head, b.add(capacity, I64(5))])
    with b.if_then(b.icmp_unsigned("==", s, NULL), likely=False):
        b.ret(NULL)
    b.store(I8(TAG_STRING), b.gep(s, [I64(-4)], source_etype=I8))
    flags_at = b.gep(s, [I64(-3)], source_etype=I8)
    b.store(b.or_(b.load(flags_at, typ=I8), b.select(ascii_, I8(FLAG_ASCII), I8(0))), flags_at)
    b.store(b.trunc(nbytes, I32), s)
    b.store(I8(0), b.gep(s, [b.add(nbytes, I64(4))], source_etype=I8))
    b.ret(s)


def new_string(b: ir.IRBuilder, head: ir.Value, nbytes: ir.Value, ascii_: ir.Value,
               capacity: ir.Value | None = None) -> ir.Value:
    """Call ``new``: a fresh string of ``nbytes`` (NULL: out of memory)."""
    return call(b, "new", head, nbytes, nbytes if capacity is None else capacity, ascii_)


def _len(fn: ir.Function, b: ir.IRBuilder) -> None:
    """``len(s) -> i64``: code points (O(1) when FLAG_ASCII)."""
    (s,) = fn.args
    nbytes = length_bytes(b, s)
    with b.if_then(is_ascii(b, s)):
        b.ret(nbytes)
    b.ret(_count_code_points(b, text(b, s), nbytes))


def _scan_ascii(fn: ir.Function, b: ir.IRBuilder) -> None:
    """``scan_ascii(s)``: set FLAG_ASCII when every byte is below 0x80."""
    (s,) = fn.args
    high = _var(b, I8)
    b.store(I8(0), high)
    base = text(b, s)
    _loop(b, length_bytes(b, s), lambda i: b.store(b.or_(b.load(high, typ=I8), _byte(b, base, i)), high), "scan")
    with b.if_then(b.icmp_unsigned("<", b.load(high, typ=I8), I8(0x80))):
        flags_at = b.gep(s, [I64(-3)], source_etype=I8)
        b.store(b.or_(b.load(flags_at, typ=I8), I8(FLAG_ASCII)), flags_at)
    b.ret_void()


def _from_utf8(fn: ir.Function, b: ir.IRBuilder) -> None:
    """``from_utf8(head, data, size) -> s``: a new string holding a copy of ``size`` bytes (already valid
    UTF-8: a Python ``str`` encoded, or bytes a C caller promises are UTF-8); NULL when memory runs out."""
    head, data, size = fn.args
    s = new_string(b, head, size, I1(0))
    with b.if_then(b.icmp_unsigned("==", s, NULL), likely=False):
        b.ret(NULL)
    copy_bytes(b, text(b, s), data, size)
    call(b, "scan_ascii", s)
    b.ret(s)


def _concat(fn: ir.Function, b: ir.IRBuilder) -> None:
    """``concat(head, a, c) -> s``: ``a + c``."""
    head, a, c = fn.args
    na, nc = length_bytes(b, a), length_bytes(b, c)
    total = b.add(na, nc)
    s = new_string(b, head, total, b.and_(is_ascii(b, a), is_ascii(b, c)))
    with b.if_then(b.icmp_unsigned("==", s, NULL), likely=False):
        b.ret(NULL)
    copy_bytes(b, text(b, s), text(b, a), na)
    copy_bytes(b, b.gep(text(b, s), [na], source_etype=I8), text(b, c), nc)
    b.ret(s)


def _append(fn: ir.Function, b: ir.IRBuilder) -> None:
    """``append(head, a, c) -> s``: ``a + c``, taking over the caller's reference to ``a``. When that is the
    only reference (refcount 1) the bytes of ``c`` go in place, into the block's spare room, or into a new
    block twice as large (the old one freed): amortised O(len(c)), as CPython's ``s += t``. Otherwise a new
    string, and ``a`` released."""
    head, a, c = fn.args
    na, nc = length_bytes(b, a), length_bytes(b, c)
    total = b.add(na, nc)
    rc = b.load(b.gep(a, [I64(-8)], source_etype=I8), typ=I32)
    alone = b.and_(b.icmp_signed("==", rc, I32(1)), b.icmp_unsigned("!=", a, c))
    decref = _external(b.module, DECREF_FUNCTION, ir.VoidType(), [PTR])
    with b.if_then(b.not_(alone)):
        s = call(b, "concat", head, a, c)
        with b.if_then(b.icmp_unsigned("!=", s, NULL), likely=True):
            b.call(decref, [a])
        b.ret(s)
    room = b.sub(b.load(b.gep(a, [I64(-16)], source_etype=I8), typ=I64), I64(5))
    ascii_ = b.and_(is_ascii(b, a), is_ascii(b, c))
    with b.if_then(b.icmp_unsigned("<=", total, room)):
        copy_bytes(b, b.gep(text(b, a), [na], source_etype=I8), text(b, c), nc)
        b.store(b.trunc(total, I32), a)
        b.store(I8(0), b.gep(text(b, a), [total], source_etype=I8))
        with b.if_then(b.not_(ascii_)):
            flags_at = b.gep(a, [I64(-3)], source_etype=I8)
            b.store(b.and_(b.load(flags_at, typ=I8), I8(~FLAG_ASCII & 0xFF)), flags_at)
        b.ret(a)
    grown = b.add(total, b.lshr(total, I64(1)))  # 1.5x the need: amortised O(1) per byte
    grown = b.select(b.icmp_unsigned("<", grown, I64(16)), I64(16), grown)
    grown = b.select(b.icmp_unsigned(">", grown, I64(MAX_BYTES)), total, grown)
    s = new_string(b, head, total, ascii_, grown)
    with b.if_then(b.icmp_unsigned("==", s, NULL), likely=False):
        b.ret(NULL)
    copy_bytes(b, text(b, s), text(b, a), na)
    copy_bytes(b, b.gep(text(b, s), [na], source_etype=I8), text(b, c), nc)
    b.call(decref, [a])
    b.ret(s)


def _compare(fn: ir.Function, b: ir.IRBuilder) -> None:
    """``compare(a, c) -> i32``: negative, 0 or positive as ``a`` sorts before, equal to or after ``c``
    (unsigned bytes: UTF-8 byte order is code point order)."""
    a, c = fn.args
    na, nc = length_bytes(b, a), length_bytes(b, c)
    shorter = b.select(b.icmp_unsigned("<", na, nc), na, nc)
    ta, tc = text(b, a), text(b, c)

    def body(i: ir.Value) -> None:
        x, y = b.zext(_byte(b, ta, i), I32), b.zext(_byte(b, tc, i), I32)
        with b.if_then(b.icmp_unsigned("!=", x, y)):
            b.ret(b.sub(x, y))

    _loop(b, shorter, body, "cmp")
    b.ret(b.sub(b.zext(b.icmp_unsigned(">", na, nc), I32), b.zext(b.icmp_unsigned("<", na, nc), I32)))


def _equal(fn: ir.Function, b: ir.IRBuilder) -> None:
    """``equal(a, c) -> i1``: the same pointer, or the same length and bytes (lengths first)."""
    a, c = fn.args
    with b.if_then(b.icmp_unsigned("==", a, c)):
        b.ret(I1(1))
    na, nc = length_bytes(b, a), length_bytes(b, c)
    with b.if_then(b.icmp_unsigned("!=", na, nc)):
        b.ret(I1(0))
    ta, tc = text(b, a), text(b, c)

    def body(i: ir.Value) -> None:
        with b.if_then(b.icmp_unsigned("!=", _byte(b, ta, i), _byte(b, tc, i))):
            b.ret(I1(0))

    _loop(b, na, body, "eq")
    b.ret(I1(1))


def _find(fn: ir.Function, b: ir.IRBuilder) -> None:
    """``find(hay, needle) -> i64``: the byte offset of the first occurrence of ``needle``, or -1."""
    hay, needle = fn.args
    nh, nn = length_bytes(b, hay), length_bytes(b, needle)
    with b.if_then(b.icmp_unsigned(">", nn, nh)):
        b.ret(I64(-1))
    with b.if_then(b.icmp_unsigned("==", nn, I64(0))):
        b.ret(I64(0))
    th, tn = text(b, hay), text(b, needle)
    first = _byte(b, tn, I64(0))
    last = b.add(b.sub(nh, nn), I64(1))
    fn_ = b.function

    def at(i: ir.Value) -> None:
        with b.if_then(b.icmp_unsigned("==", _byte(b, th, i), first)):
            matched = _var(b, I1)
            b.store(I1(1), matched)
            pre = b.block
            inner, miss, done = (fn_.append_basic_block("find.inner"), fn_.append_basic_block("find.miss"),
                                 fn_.append_basic_block("find.done"))
            b.cbranch(b.icmp_unsigned(">", nn, I64(1)), inner, done)
            b.position_at_end(inner)
            k = b.phi(I64)
            k.add_incoming(I64(1), pre)
            same = b.icmp_unsigned("==", _byte(b, th, b.add(i, k)), _byte(b, tn, k))
            nxt = b.add(k, I64(1))
            cont = fn_.append_basic_block("find.more")
            k.add_incoming(nxt, cont)
            b.cbranch(same, cont, miss)
            b.position_at_end(cont)
            b.cbranch(b.icmp_unsigned("<", nxt, nn), inner, done)
            b.position_at_end(miss)
            b.store(I1(0), matched)
            b.branch(done)
            b.position_at_end(done)
            with b.if_then(b.load(matched, typ=I1)):
                b.ret(i)

    _loop(b, last, at, "find")
    b.ret(I64(-1))


def _offset(fn: ir.Function, b: ir.IRBuilder) -> None:
    """``offset(s, k) -> i64``: the byte offset of code point ``k`` (``0 <= k <= len(s)``)."""
    s, k = fn.args
    with b.if_then(is_ascii(b, s)):
        b.ret(k)
    base = text(b, s)
    nbytes = length_bytes(b, s)
    seen = _var(b, I64)
    b.store(I64(0), seen)

    def body(i: ir.Value) -> None:
        starts = b.icmp_unsigned("!=", b.and_(_byte(b, base, i), I8(0xC0)), I8(0x80))
        with b.if_then(starts):
            now = b.load(seen, typ=I64)
            with b.if_then(b.icmp_unsigned("==", now, k)):
                b.ret(i)
            b.store(b.add(now, I64(1)), seen)

    _loop(b, nbytes, body, "offset")
    b.ret(nbytes)


def _char_at_byte(fn: ir.Function, b: ir.IRBuilder) -> None:
    """``char_at_byte(head, s, off) -> c``: the one-character string whose UTF-8 sequence starts at byte
    ``off`` (an ASCII one is immortal; NULL when memory runs out)."""
    head, s, off = fn.args
    lead = _byte(b, text(b, s), off)
    with b.if_then(b.icmp_unsigned("<", lead, I8(0x80)), likely=True):
        b.ret(ascii_char(b, lead))
    width = _char_width(b, lead)
    c = new_string(b, head, width, I1(0))
    with b.if_then(b.icmp_unsigned("==", c, NULL), likely=False):
        b.ret(NULL)
    copy_bytes(b, text(b, c), b.gep(text(b, s), [off], source_etype=I8), width)
    b.ret(c)


def _char_width_fn(fn: ir.Function, b: ir.IRBuilder) -> None:
    """``char_width(s, off) -> i64``: the byte width of the character at byte ``off``."""
    s, off = fn.args
    b.ret(_char_width(b, _byte(b, text(b, s), off)))


def _slice(fn: ir.Function, b: ir.IRBuilder) -> None:
    """``slice(head, s, start, count, step) -> t``: ``count`` code points from ``start`` by ``step`` (Python's
    already adjusted slice). An ASCII source with step 1 is one copy; other strings walk their bytes once."""
    head, s, start, count, step = fn.args
    src = text(b, s)
    ascii_ = is_ascii(b, s)
    with b.if_then(ascii_, likely=True):
        t = new_string(b, head, count, I1(1))
        with b.if_then(b.icmp_unsigned("==", t, NULL), likely=False):
            b.ret(NULL)
        with b.if_then(b.icmp_signed("==", step, I64(1)), likely=True):
            copy_bytes(b, text(b, t), b.gep(src, [start], source_etype=I8), count)
            b.ret(t)
        dst = text(b, t)
        _loop(b, count, lambda i: b.store(_byte(b, src, b.add(start, b.mul(i, step))),
                                          b.gep(dst, [i], source_etype=I8)), "slice.ascii")
        b.ret(t)
    # not ASCII: the result holds at most the source's bytes (distinct code points of it)
    nbytes = length_bytes(b, s)
    t = new_string(b, head, I64(0), I1(0), nbytes)
    with b.if_then(b.icmp_unsigned("==", t, NULL), likely=False):
        b.ret(NULL)
    dst = text(b, t)
    at = _var(b, I64)  # byte offset of the current source character
    out = _var(b, I64)  # bytes written
    b.store(call(b, "offset", s, b.select(b.icmp_signed(">", count, I64(0)), start, I64(0))), at)
    b.store(I64(0), out)

    def one(i: ir.Value) -> None:
        off = b.load(at, typ=I64)
        width = _char_width(b, _byte(b, src, off))
        copy_bytes(b, b.gep(dst, [b.load(out, typ=I64)], source_etype=I8), b.gep(src, [off], source_etype=I8),
                   width)
        b.store(b.add(b.load(out, typ=I64), width), out)
        with b.if_then(b.icmp_signed("<", b.add(i, I64(1)), count)):
            b.store(call(b, "advance", s, off, step), at)

    _loop(b, count, one, "slice")
    written = b.load(out, typ=I64)
    b.store(b.trunc(written, I32), t)
    b.store(I8(0), b.gep(dst, [written], source_etype=I8))
    call(b, "scan_ascii", t)
    b.ret(t)


def _advance(fn: ir.Function, b: ir.IRBuilder) -> None:
    """``advance(s, off, step) -> off'``: the byte offset ``step`` code points away (either direction)."""
    s, off, step = fn.args
    src = text(b, s)
    at = _var(b, I64)
    b.store(off, at)
    forward = b.icmp_signed(">", step, I64(0))
    magnitude = b.select(forward, step, b.sub(I64(0), step))

    def one(_i: ir.Value) -> None:
        here = b.load(at, typ=I64)
        with b.if_else(forward) as (ahead, back):
            with ahead:
                b.store(b.add(here, _char_width(b, _byte(b, src, here))), at)
            with back:
                # back one byte, then over continuation bytes (0b10xxxxxx) to the lead byte
                fn_ = b.function
                pre = b.block
                loop, done = fn_.append_basic_block("back"), fn_.append_basic_block("back.end")
                b.branch(loop)
                b.position_at_end(loop)
                p = b.phi(I64)
                p.add_incoming(here, pre)
                q = b.sub(p, I64(1))
                p.add_incoming(q, loop)
                cont = b.icmp_unsigned("==", b.and_(_byte(b, src, q), I8(0xC0)), I8(0x80))
                b.cbranch(cont, loop, done)
                b.position_at_end(done)
                b.store(q, at)

    _loop(b, magnitude, one, "advance")
    b.ret(b.load(at, typ=I64))


def _repeat(fn: ir.Function, b: ir.IRBuilder) -> None:
    """``repeat(head, s, count) -> t``: ``s * count`` for ``count >= 1`` and a total the caller checked to be
    at most :data:`MAX_BYTES`; the copies double (log2(count) copies)."""
    head, s, count = fn.args
    n = length_bytes(b, s)
    total = b.mul(n, count)
    t = new_string(b, head, total, is_ascii(b, s))
    with b.if_then(b.icmp_unsigned("==", t, NULL), likely=False):
        b.ret(NULL)
    dst = text(b, t)
    with b.if_then(b.icmp_unsigned("==", total, I64(0))):
        b.ret(t)
    copy_bytes(b, dst, text(b, s), n)
    fn_ = b.function
    pre = b.block
    loop, done = fn_.append_basic_block("double"), fn_.append_basic_block("double.end")
    b.cbranch(b.icmp_unsigned("<", n, total), loop, done)
    b.position_at_end(loop)
    have = b.phi(I64)
    have.add_incoming(n, pre)
    chunk = b.select(b.icmp_unsigned("<", b.sub(total, have), have), b.sub(total, have), have)
    copy_bytes(b, b.gep(dst, [have], source_etype=I8), dst, chunk)
    nxt = b.add(have, chunk)
    have.add_incoming(nxt, loop)
    b.cbranch(b.icmp_unsigned("<", nxt, total), loop, done)
    b.position_at_end(done)
    b.ret(t)


def _ord(fn: ir.Function, b: ir.IRBuilder) -> None:
    """``ord(s) -> i64``: the code point of the first character (decoded from UTF-8)."""
    (s,) = fn.args
    src = text(b, s)
    lead = b.zext(_byte(b, src, I64(0)), I64)
    with b.if_then(b.icmp_unsigned("<", lead, I64(0x80)), likely=True):
        b.ret(lead)
    width = _char_width(b, _byte(b, src, I64(0)))
    mask = b.select(b.icmp_unsigned("==", width, I64(2)), I64(0x1F),
                    b.select(b.icmp_unsigned("==", width, I64(3)), I64(0x0F), I64(0x07)))
    value = _var(b, I64)
    b.store(b.and_(lead, mask), value)

    def more(i: ir.Value) -> None:
        c = b.zext(_byte(b, src, b.add(i, I64(1))), I64)
        b.store(b.or_(b.shl(b.load(value, typ=I64), I64(6)), b.and_(c, I64(0x3F))), value)

    _loop(b, b.sub(width, I64(1)), more, "ord")
    b.ret(b.load(value, typ=I64))


def _chr(fn: ir.Function, b: ir.IRBuilder) -> None:
    """``chr(head, c) -> s``: the string of code point ``c`` (the caller checked 0 <= c < 0x110000 and not a
    surrogate); NULL when memory runs out."""
    head, c = fn.args
    with b.if_then(b.icmp_unsigned("<", c, I64(0x80)), likely=True):
        b.ret(ascii_char(b, b.trunc(c, I8)))
    width = b.add(I64(2), b.add(b.zext(b.icmp_unsigned(">=", c, I64(0x800)), I64),
                                b.zext(b.icmp_unsigned(">=", c, I64(0x10000)), I64)))
    s = new_string(b, head, width, I1(0))
    with b.if_then(b.icmp_unsigned("==", s, NULL), likely=False):
        b.ret(NULL)
    dst = text(b, s)
    lead_bits = b.select(b.icmp_unsigned("==", width, I64(2)), I64(0xC0),
                         b.select(b.icmp_unsigned("==", width, I64(3)), I64(0xE0), I64(0xF0)))
    shift = b.mul(b.sub(width, I64(1)), I64(6))
    b.store(b.trunc(b.or_(lead_bits, b.lshr(c, shift)), I8), dst)

    def tail(i: ir.Value) -> None:
        bits = b.lshr(c, b.mul(b.sub(b.sub(width, I64(2)), i), I64(6)))
        b.store(b.trunc(b.or_(I64(0x80), b.and_(bits, I64(0x3F))), I8), b.gep(dst, [b.add(i, I64(1))],
                                                                                source_etype=I8))

    _loop(b, b.sub(width, I64(1)), tail, "chr")
    b.ret(s)


FUNCTIONS: dict[str, tuple[ir.Type, list[ir.Type], Callable[[ir.Function, ir.IRBuilder], None]]] = {
    "new": (PTR, [PTR, I64, I64, I1], _new),
    "len": (I64, [PTR], _len),
    "scan_ascii": (ir.VoidType(), [PTR], _scan_ascii),
    "from_utf8": (PTR, [PTR, PTR, I64], _from_utf8),
    "concat": (PTR, [PTR, PTR, PTR], _concat),
    "append": (PTR, [PTR, PTR, PTR], _append),
    "compare": (I32, [PTR, PTR], _compare),
    "equal": (I1, [PTR, PTR], _equal),
    "find": (I64, [PTR, PTR], _find),
    "offset": (I64, [PTR, I64], _offset),
    "char_at_byte": (PTR, [PTR, PTR, I64], _char_at_byte),
    "char_width": (I64, [PTR, I64], _char_width_fn),
    "slice": (PTR, [PTR, PTR, I64, I64, I64], _slice),
    "advance": (I64, [PTR, I64, I64], _advance),
    "repeat": (PTR, [PTR, PTR, I64], _repeat),
    "ord": (I64, [PTR], _ord),
    "chr": (PTR, [PTR, I64], _chr),
}
"""Each function: return type, parameter types, and the builder of its body."""


__all__ = ["ASCII_TABLE", "FLAG_ASCII", "FUNCTIONS", "IMMORTAL", "MAX_BYTES", "TAG_STRING", "ascii_char", "call",
           "copy_bytes", "is_ascii", "length_bytes", "literal", "new_string", "string_function", "text"]
