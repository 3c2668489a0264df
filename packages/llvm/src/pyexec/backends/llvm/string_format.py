"""Number and string formatting of compiled code (``str``, ``repr``, f-strings), as LLVM IR runtime
functions shared by native code and wasm32, printing exactly what CPython prints.

The format-spec mini-language is parsed at compile time (:mod:`pyexec.frontend.format_spec`); the
routines take its fields resolved (``fill`` a code point; ``align``, ``sign``, ``type`` ASCII codes;
``width``; ``sep`` ``,`` ``_`` or 0; ``precision`` or -1; ``alt`` 0/1):

| function | signature |
|---|---|
| ``pyexec_fmt_int`` | ``(head, v, unsigned, type, fill, align, sign, alt, width, sep) -> str`` |
| ``pyexec_fmt_float`` | ``(head, x, single, type, precision, fill, align, sign, alt, width, sep)`` |
| ``pyexec_fmt_str`` | ``(head, s, fill, align, width, precision) -> str`` |

``pyexec_fmt_float``'s ``type`` is one of ``r`` (``repr``/``str``/no type, CPython's ``float_repr_style
'short'``), ``j`` (the same digits without ``.0``: a part of a complex number), ``f F e E g G %`` and
``n`` (no type with a precision: ``'g'`` with at least one digit after the point). ``single`` asks for
float32's shortest round-trip digits (``str(np.float32(0.1)) == '0.1'``).

**Digits.** The layout (CPython's ``format_float_short``: where the point goes, the switch to an
exponent at ``1e16`` and ``1e-05``, zero padding, ``-0.0``, ``inf``, ``nan``), signs, grouping and
padding are IR here. The decimal digits themselves come from one function,
``pyexec_float_digits(x, mode, n, single, buf, decpt_out) -> count``: for a finite ``x >= 0`` it writes
the ASCII digits (no point) of the shortest round-trip string (mode 0), of ``n`` significant digits
(mode 2) or of ``n`` digits after the point (mode 3), correctly rounded (half-even on exact ties), and
stores the decimal point's position (``int32``: the value is ``0.<digits> * 10**decpt``). Natively it
is :func:`float_digits_native_ir` (C's ``snprintf`` ``%.*e`` / ``%.*f``, correctly rounded by glibc,
and ``strtod``/``strtof`` for the shortest round trip). On wasm there is no libc: the module imports
it from the host (the wasmtime loader answers with Python's own ``format``; the JS glue computes it
exactly).

Example:
    >>> "define ptr @pyexec_fmt_float" in string_format_ir()
    True
"""

from __future__ import annotations

from llvmlite import ir

from pyexec.backends.llvm.string_ir import F64, I1, I8, I32, I64, PTR, Routine, function, new_module, seal

FUNCTIONS = {
    "pyexec_fmt_int": ("ptr", ("ptr", "i64", "i32", "i32", "i32", "i32", "i32", "i32", "i64", "i32")),
    "pyexec_fmt_float": ("ptr", ("ptr", "double", "i32", "i32", "i64", "i32", "i32", "i32", "i32", "i64", "i32")),
    "pyexec_fmt_str": ("ptr", ("ptr", "ptr", "i32", "i32", "i64", "i64")),
}
"""The formatting routines: LLVM return type and parameter types."""
FLOAT_DIGITS = "pyexec_float_digits"
FLOAT_DIGITS_TYPE = ("i64", ("double", "i32", "i32", "i32", "ptr", "ptr"))
"""The digit generator: native IR on native targets, a host import on wasm."""
MAX_PRECISION = 100
"""The largest precision compiled code formats (its buffers are on the stack); more is a diagnostic."""
DIGITS_ROOM = 512
"""Bytes for digits: 309 integer digits of the largest double plus MAX_PRECISION and slack."""
MODE_SHORTEST, MODE_SIGNIFICANT, MODE_FIXED = 0, 2, 3


def _declare_digits(module: ir.Module) -> None:
    if FLOAT_DIGITS not in module.globals:
        ir.Function(module, ir.FunctionType(I64, [F64, I32, I32, I32, PTR, PTR]), FLOAT_DIGITS)


def _ensure_methods(module: ir.Module) -> None:
    # The allocation pair lives with the methods; declare it when this module is built alone.
    for name, (ret, args) in (("pyexec_str_new", (PTR, [PTR, I64])), ("pyexec_str_finish", (ir.VoidType(), [PTR]))):
        if name not in module.globals:
            ir.Function(module, ir.FunctionType(ret, args), name)
    if "str.cpcount.fmt" not in module.globals:
        r = Routine(module, "str.cpcount.fmt", I64, [PTR, I64, I64], internal=True)
        p, lo, hi = r.args
        i = r.var(lo)
        k = r.var(0)
        with r.while_(lambda: r.icmp("<", r.get(i), hi)):
            lead = r.icmp("!=", r.b.and_(r.load8(p, r.get(i)), r.const(0xC0)), 0x80)
            r.add_to(k, r.b.zext(lead, I64))
            r.add_to(i, 1)
        r.ret(r.get(k))


def _memcpy(r: Routine, dst: ir.Value, src: ir.Value, n: ir.Value) -> None:
    name = "llvm.memcpy.p0.p0.i64"
    fn = r.module.globals.get(name) or ir.Function(r.module, ir.FunctionType(ir.VoidType(), [PTR, PTR, I64, I1]),
                                                     name)
    r.b.call(fn, [dst, src, n, ir.Constant(I1, 0)])


def _put_cp(r: Routine, p: ir.Value, o: ir.AllocaInstr, cp: ir.Value, flen: ir.Value) -> None:
    """Write the fill code point (UTF-8, ``flen`` bytes) at ``p + o`` and advance ``o``."""
    at = r.get(o)
    with r.if_else(r.icmp("==", flen, 1)) as (then, otherwise):
        with then:
            r.store8(p, at, cp)
        with otherwise:
            lead = r.select(r.icmp("==", flen, 2), 0xC0, r.select(r.icmp("==", flen, 3), 0xE0, 0xF0))
            shift = r.b.mul(r.b.sub(flen, r.const(1)), r.const(6))
            r.store8(p, at, r.b.or_(r.b.lshr(cp, shift), lead))
            j = r.var(1)
            with r.while_(lambda: r.icmp("<", r.get(j), flen)):
                sh = r.b.mul(r.b.sub(r.b.sub(flen, r.const(1)), r.get(j)), r.const(6))
                byte = r.b.or_(r.b.and_(r.b.lshr(cp, sh), r.const(0x3F)), r.const(0x80))
                r.store8(p, r.b.add(at, r.get(j)), byte)
                r.add_to(j, 1)
    r.set(o, r.b.add(at, flen))


def _assemble(module: ir.Module) -> None:
    """``fmt.assemble``: sign, prefix, grouped digits, rest, padded to width (CPython's fill_number)."""
    r = Routine(module, "fmt.assemble", PTR,
                [PTR, I64, PTR, I64, PTR, I64, PTR, I64, I64, I64, I64, I64, I64], internal=True)
    head, sign, prefix, plen, digits, dlen, rest, rlen, fill, align, width, sep, group = r.args
    signlen = r.select(r.icmp("!=", sign, 0), 1, 0)
    zero_pad = r.b.and_(r.icmp("==", fill, ord("0")), r.icmp("==", align, ord("=")))
    min_width = r.select(zero_pad, r.b.sub(width, r.b.add(signlen, r.b.add(plen, rlen))), 0)
    grouped = r.var(dlen)

    def group_loop(write: ir.Value | None, end: ir.Value | None) -> ir.Value:
        # CPython's _PyUnicode_InsertThousandsGrouping with a repeating group size: right to left, each
        # group padded with zeros up to the minimum width (zero padding goes inside the grouping).
        remaining = r.var(dlen)
        mw = r.var(r.select(r.icmp(">", min_width, 0), min_width, 0))
        count = r.var(0)
        use_sep = r.var(0)
        src = r.var(dlen)
        with r.while_(lambda: r.const(1, I1)):
            rem = r.get(remaining)
            big = r.select(r.icmp(">", rem, r.get(mw)), rem, r.get(mw))
            big = r.select(r.icmp(">", big, 1), big, 1)
            size = r.select(r.icmp("<", group, big), group, big)
            zeros = r.b.sub(size, rem)
            zeros = r.select(r.icmp(">", zeros, 0), zeros, 0)
            chars = r.select(r.icmp("<", rem, size), rem, size)
            chars = r.select(r.icmp(">", chars, 0), chars, 0)
            with r.if_(r.icmp("!=", r.get(use_sep), 0)):
                r.add_to(count, 1)
                if write is not None:
                    r.store8(write, r.b.sub(end, r.get(count)), sep)
            if write is not None:
                k = r.var(0)
                with r.while_(lambda: r.icmp("<", r.get(k), chars)):
                    r.add_to(src, -1)
                    r.add_to(count, 1)
                    r.store8(write, r.b.sub(end, r.get(count)), r.load8(digits, r.get(src)))
                    r.add_to(k, 1)
                r.set(k, 0)
                with r.while_(lambda: r.icmp("<", r.get(k), zeros)):
                    r.add_to(count, 1)
                    r.store8(write, r.b.sub(end, r.get(count)), ord("0"))
                    r.add_to(k, 1)
            else:
                r.add_to(count, r.b.add(zeros, chars))
            r.set(use_sep, 1)
            r.set(remaining, r.b.sub(rem, chars))
            r.set(mw, r.b.sub(r.get(mw), group))
            with r.if_(r.b.and_(r.icmp("<=", r.get(remaining), 0), r.icmp("<=", r.get(mw), 0))):
                r.break_()
            r.add_to(mw, -1)
        return r.get(count)

    with r.if_(r.icmp("!=", sep, 0)):
        r.set(grouped, group_loop(None, None))
    total = r.b.add(r.b.add(signlen, plen), r.b.add(r.get(grouped), rlen))
    pad = r.b.sub(width, total)
    pad = r.select(r.icmp(">", pad, 0), pad, 0)
    flen = r.select(r.ucmp("<", fill, 0x80), 1, r.select(r.ucmp("<", fill, 0x800), 2,
                                                           r.select(r.ucmp("<", fill, 0x10000), 3, 4)))
    out = r.call("pyexec_str_new", head, r.b.add(total, r.b.mul(pad, flen)))
    with r.if_(r.b.icmp_unsigned("==", out, ir.Constant(PTR, None))):
        r.ret(out)
    q = r.data(out)
    left = r.select(r.icmp("==", align, ord(">")), pad,
                    r.select(r.icmp("==", align, ord("^")), r.b.sdiv(pad, r.const(2)), 0))
    middle = r.select(r.icmp("==", align, ord("=")), pad, 0)
    right = r.b.sub(r.b.sub(pad, left), middle)
    o = r.var(0)
    i = r.var(0)
    with r.while_(lambda: r.icmp("<", r.get(i), left)):
        _put_cp(r, q, o, fill, flen)
        r.add_to(i, 1)
    with r.if_(r.icmp("!=", sign, 0)):
        r.store8(q, r.get(o), sign)
        r.add_to(o, 1)
    _memcpy(r, r.at(q, r.get(o)), prefix, plen)
    r.add_to(o, plen)
    r.set(i, 0)
    with r.while_(lambda: r.icmp("<", r.get(i), middle)):
        _put_cp(r, q, o, fill, flen)
        r.add_to(i, 1)
    with r.if_else(r.icmp("!=", sep, 0)) as (then, otherwise):
        with then:
            group_loop(q, r.b.add(r.get(o), r.get(grouped)))
        with otherwise:
            _memcpy(r, r.at(q, r.get(o)), digits, dlen)
    r.add_to(o, r.get(grouped))
    _memcpy(r, r.at(q, r.get(o)), rest, rlen)
    r.add_to(o, rlen)
    r.set(i, 0)
    with r.while_(lambda: r.icmp("<", r.get(i), right)):
        _put_cp(r, q, o, fill, flen)
        r.add_to(i, 1)
    r.call("pyexec_str_finish", out)
    r.ret(out)


def _fmt_int(module: ir.Module, v: str) -> None:
    r = Routine(module, "pyexec_fmt_int", PTR, [PTR, I64, I32, I32, I32, I32, I32, I32, I64, I32], visibility=v)
    head, value, unsigned, kind, fill, align, sign, alt, width, sep = r.args
    kind = r.b.zext(kind, I64)
    negative = r.b.and_(r.icmp("==", unsigned, r.const(0, I32)), r.icmp("<", value, 0))
    mag = r.var(r.select(negative, r.b.sub(r.const(0), value), value))
    base = r.select(r.b.or_(r.icmp("==", kind, ord("x")), r.icmp("==", kind, ord("X"))), 16,
                    r.select(r.icmp("==", kind, ord("o")), 8, r.select(r.icmp("==", kind, ord("b")), 2, 10)))
    letter = r.select(r.icmp("==", kind, ord("X")), ord("A") - 10, ord("a") - 10)
    buf = r.buffer(72)
    pos = r.var(72)
    with r.while_(lambda: r.const(1, I1)):
        m = r.get(mag)
        d = r.b.urem(m, base)
        ch = r.select(r.ucmp("<", d, 10), r.b.add(d, r.const(ord("0"))), r.b.add(d, letter))
        r.add_to(pos, -1)
        r.store8(buf, r.get(pos), ch)
        r.set(mag, r.b.udiv(m, base))
        with r.if_(r.icmp("==", r.get(mag), 0)):
            r.break_()
    sign = r.b.zext(sign, I64)
    signch = r.select(negative, ord("-"), r.select(r.icmp("==", sign, ord("+")), ord("+"),
                                                   r.select(r.icmp("==", sign, ord(" ")), ord(" "), 0)))
    prefix = r.buffer(2)
    r.store8(prefix, 0, ord("0"))
    r.store8(prefix, 1, kind)
    plen = r.select(r.b.and_(r.icmp("!=", alt, r.const(0, I32)), r.icmp("!=", base, 10)), 2, 0)
    group = r.select(r.icmp("==", base, 10), 3, 4)
    digits = r.at(buf, r.get(pos))
    out = r.call("fmt.assemble", head, signch, prefix, plen, digits, r.b.sub(r.const(72), r.get(pos)), buf, 0,
                 r.b.zext(fill, I64), r.b.zext(align, I64), width, r.b.zext(sep, I64), group)
    r.ret(out)


def _fmt_float(module: ir.Module, v: str) -> None:
    r = Routine(module, "pyexec_fmt_float", PTR, [PTR, F64, I32, I32, I64, I32, I32, I32, I32, I64, I32],
                visibility=v)
    head, x, single, kind, precision, fill, align, sign, alt, width, sep = r.args
    kind = r.b.zext(kind, I64)
    sign = r.b.zext(sign, I64)
    alt = r.icmp("!=", alt, r.const(0, I32))
    upper = r.b.or_(r.b.or_(r.icmp("==", kind, ord("E")), r.icmp("==", kind, ord("F"))),
                    r.icmp("==", kind, ord("G")))
    lower_kind = r.b.or_(kind, r.select(upper, 0x20, 0))
    pct = r.icmp("==", kind, ord("%"))
    val = r.b.select(pct, r.b.fmul(x, ir.Constant(F64, 100.0)), x)
    bits = r.b.bitcast(val, I64)
    isnan = r.b.fcmp_unordered("uno", val, val)
    negative = r.b.and_(r.icmp("<", bits, 0), r.b.not_(isnan))
    mag = r.b.select(negative, r.b.fneg(val), val)
    signch = r.select(negative, ord("-"), r.select(r.icmp("==", sign, ord("+")), ord("+"),
                                                   r.select(r.icmp("==", sign, ord(" ")), ord(" "), 0)))
    text = r.buffer(640)
    tlen = r.var(0)
    fill64, align64, sep64 = r.b.zext(fill, I64), r.b.zext(align, I64), r.b.zext(sep, I64)
    isinf = r.b.fcmp_ordered("==", mag, ir.Constant(F64, float("inf")))
    with r.if_(r.b.or_(isnan, isinf)):
        word = r.buffer(4)
        for k, (a, b) in enumerate(zip("nan", "inf")):
            ch = r.select(isnan, ord(a), ord(b))
            r.store8(word, k, r.b.sub(ch, r.select(upper, 0x20, 0)))
        r.store8(word, 3, ord("%"))
        wlen = r.select(pct, 4, 3)
        r.ret(r.call("fmt.assemble", head, signch, word, 0, word, 0, word, wlen, fill64, align64, width, 0, 3))
    # The digits, then CPython's format_float_short on them.
    digits = r.buffer(512)
    decpt_slot = r.var(0, I32)
    prec = r.var(precision)
    add_dot_0 = r.var(r.const(0, I1))
    is_j = r.icmp("==", lower_kind, ord("j"))  # a complex number's part: repr digits, no ".0"
    is_r = r.b.or_(r.icmp("==", lower_kind, ord("r")), is_j)
    is_n = r.icmp("==", lower_kind, ord("n"))
    is_g = r.b.or_(r.icmp("==", lower_kind, ord("g")), is_n)
    is_e = r.icmp("==", lower_kind, ord("e"))
    r.set(add_dot_0, r.b.and_(r.b.or_(is_r, is_n), r.b.not_(is_j)))
    with r.if_(r.b.and_(r.b.not_(is_r), r.icmp("<", r.get(prec), 0))):
        r.set(prec, 6)
    with r.if_(r.b.and_(is_g, r.icmp("==", r.get(prec), 0))):
        r.set(prec, 1)
    mode = r.select(is_r, 0, r.select(r.b.or_(is_e, is_g), 2, 3))
    ndig_req = r.select(is_e, r.b.add(r.get(prec), r.const(1)), r.get(prec))
    nd = r.call(FLOAT_DIGITS, mag, r.b.trunc(mode, I32), r.b.trunc(ndig_req, I32), single, digits, decpt_slot)
    # Strip trailing zeros (dtoa gives none) and leading zeros of fixed mode; zero is "0" at 1.
    ndig = r.var(nd)
    with r.while_(lambda: r.b.and_(r.icmp(">", r.get(ndig), 1),
                                   r.icmp("==", r.load8(digits, r.b.sub(r.get(ndig), r.const(1))), ord("0")))):
        r.add_to(ndig, -1)
    with r.if_(r.b.and_(r.icmp("==", r.get(ndig), 1), r.icmp("==", r.load8(digits, 0), ord("0")))):
        r.set(decpt_slot, 1)
    decpt = r.var(r.b.sext(r.get(decpt_slot), I64))
    dlen = r.get(ndig)
    p = r.get(prec)
    use_exp = r.var(r.const(0, I1))
    vend = r.var(dlen)
    with r.if_(is_e):
        r.set(use_exp, r.const(1, I1))
        r.set(vend, r.b.add(p, r.const(1)))
    with r.if_(r.icmp("==", lower_kind, ord("f"))):
        r.set(vend, r.b.add(r.get(decpt), p))
    with r.if_(r.icmp("==", lower_kind, ord("%"))):
        r.set(vend, r.b.add(r.get(decpt), p))
    with r.if_(is_g):
        limit = r.select(r.get(add_dot_0), r.b.sub(p, r.const(1)), p)
        r.set(use_exp, r.b.or_(r.icmp("<=", r.get(decpt), -4), r.icmp(">", r.get(decpt), limit)))
        with r.if_(alt):
            r.set(vend, p)
    with r.if_(is_r):
        r.set(use_exp, r.b.or_(r.icmp("<=", r.get(decpt), -4), r.icmp(">", r.get(decpt), 16)))
        # NumPy's str of a float32 is positional only for 1e-4 <= |x| < 1e6 (and 0), by value.
        positional32 = r.b.or_(r.b.fcmp_ordered("==", mag, ir.Constant(F64, 0.0)),
                               r.b.and_(r.b.fcmp_ordered(">=", mag, ir.Constant(F64, 1e-4)),
                                        r.b.fcmp_ordered("<", mag, ir.Constant(F64, 1e6))))
        with r.if_(r.icmp("!=", single, r.const(0, I32))):
            r.set(use_exp, r.b.not_(positional32))
    exp = r.var(0)
    with r.if_(r.get(use_exp)):
        r.set(exp, r.b.sub(r.get(decpt), r.const(1)))
        r.set(decpt, 1)
    d = r.get(decpt)
    vstart = r.select(r.icmp("<=", d, 0), r.b.sub(d, r.const(1)), 0)
    floor = r.select(r.b.and_(r.b.not_(r.get(use_exp)), r.get(add_dot_0)), r.b.add(d, r.const(1)), d)
    with r.if_(r.icmp("<", r.get(vend), floor)):
        r.set(vend, floor)
    o = tlen

    def put(ch: ir.Value | int) -> None:
        r.store8(text, r.get(o), ch)
        r.add_to(o, 1)

    def zeros(count: ir.Value) -> None:
        k = r.var(0)
        with r.while_(lambda: r.icmp("<", r.get(k), count)):
            put(ord("0"))
            r.add_to(k, 1)

    def copy(lo: ir.Value | int, hi: ir.Value) -> None:
        k = r.var(lo)
        with r.while_(lambda: r.icmp("<", r.get(k), hi)):
            put(r.load8(digits, r.get(k)))
            r.add_to(k, 1)

    with r.if_else(r.icmp("<=", d, 0)) as (then, otherwise):
        with then:
            zeros(r.b.sub(d, vstart))
            put(ord("."))
            zeros(r.b.sub(r.const(0), d))
        with otherwise:
            zeros(r.b.sub(r.const(0), vstart))
    with r.if_else(r.b.and_(r.icmp(">", d, 0), r.icmp("<=", d, dlen))) as (then, otherwise):
        with then:
            copy(0, d)
            put(ord("."))
            copy(d, dlen)
        with otherwise:
            copy(0, dlen)
    with r.if_else(r.icmp("<", dlen, d)) as (then, otherwise):
        with then:
            zeros(r.b.sub(d, dlen))
            put(ord("."))
            zeros(r.b.sub(r.get(vend), d))
        with otherwise:
            zeros(r.b.sub(r.get(vend), dlen))
    with r.if_(r.b.and_(r.icmp("==", r.load8(text, r.b.sub(r.get(o), r.const(1))), ord(".")), r.b.not_(alt))):
        r.add_to(o, -1)
    with r.if_(r.get(use_exp)):
        put(r.select(upper, ord("E"), ord("e")))
        e = r.get(exp)
        put(r.select(r.icmp("<", e, 0), ord("-"), ord("+")))
        ae = r.select(r.icmp("<", e, 0), r.b.sub(r.const(0), e), e)
        with r.if_(r.icmp(">=", ae, 100)):
            put(r.b.add(r.b.sdiv(ae, r.const(100)), r.const(ord("0"))))
        put(r.b.add(r.b.srem(r.b.sdiv(ae, r.const(10)), r.const(10)), r.const(ord("0"))))
        put(r.b.add(r.b.srem(ae, r.const(10)), r.const(ord("0"))))
    with r.if_(pct):
        put(ord("%"))
    # The integer part (grouped) is what comes before '.', 'e' or '%'.
    n_int = r.var(0)
    with r.while_(lambda: r.b.and_(r.icmp("<", r.get(n_int), r.get(o)),
                                   r.ucmp("<=", r.b.sub(r.load8(text, r.get(n_int)), r.const(ord("0"))), 9))):
        r.add_to(n_int, 1)
    ni = r.get(n_int)
    out = r.call("fmt.assemble", head, signch, text, 0, text, ni, r.at(text, ni), r.b.sub(r.get(o), ni),
                 fill64, align64, width, sep64, 3)
    r.ret(out)


def _fmt_str(module: ir.Module, v: str) -> None:
    r = Routine(module, "pyexec_fmt_str", PTR, [PTR, PTR, I32, I32, I64, I64], visibility=v)
    head, s, fill, align, width, precision = r.args
    p = r.data(s)
    n = r.length(s)
    # Bytes of the first `precision` code points (all of them when precision < 0).
    end = r.var(n)
    cps = r.var(0)
    with r.if_(r.icmp(">=", precision, 0)):
        i = r.var(0)
        with r.while_(lambda: r.icmp("<", r.get(i), n)):
            lead = r.icmp("!=", r.b.and_(r.load8(p, r.get(i)), r.const(0xC0)), 0x80)
            with r.if_(lead):
                with r.if_(r.icmp("==", r.get(cps), precision)):
                    r.set(end, r.get(i))
                    r.break_()
                r.add_to(cps, 1)
            r.add_to(i, 1)
    with r.if_(r.icmp("<", precision, 0)):
        r.set(cps, r.call("str.cpcount.fmt", p, 0, n))
    # fmt.assemble counts its parts in bytes, so hand it the width that leaves the right padding.
    extra = r.b.sub(r.get(end), r.get(cps))
    out = r.call("fmt.assemble", head, 0, p, 0, p, 0, p, r.get(end), r.b.zext(fill, I64), r.b.zext(align, I64),
                 r.select(r.icmp(">", width, 0), r.b.add(width, extra), width), 0, 3)
    r.ret(out)


def build_string_format(module: ir.Module, visibility: str = "") -> None:
    """Add the formatting routines to ``module``; ``pyexec_float_digits`` is declared, not defined."""
    _ensure_methods(module)
    _declare_digits(module)
    _assemble(module)
    _fmt_int(module, visibility)
    _fmt_float(module, visibility)
    _fmt_str(module, visibility)
    seal(module)


def string_format_ir(visibility: str = "") -> str:
    """The formatting routines as LLVM IR text.

    Example:
        >>> "declare i64 @pyexec_float_digits" in string_format_ir().replace('"', "")
        True
    """
    module = new_module("pyexec.format")
    build_string_format(module, visibility)
    return str(module)


def float_digits_native_ir(visibility: str = "") -> str:
    """``pyexec_float_digits`` on a C library: ``snprintf`` ``%.*e``/``%.*f`` and ``strtod``/``strtof``.

    Example:
        >>> "snprintf" in float_digits_native_ir()
        True
    """
    module = new_module("pyexec.float_digits")
    build_float_digits_native(module, visibility)
    return str(module)


def build_float_digits_native(module: ir.Module, visibility: str = "") -> None:
    """Add the native ``pyexec_float_digits`` (and its C library declarations) to ``module``."""
    snprintf = ir.Function(module, ir.FunctionType(I32, [PTR, I64, PTR], var_arg=True), "snprintf")
    strtod = ir.Function(module, ir.FunctionType(F64, [PTR, PTR]), "strtod")
    strtof = ir.Function(module, ir.FunctionType(ir.FloatType(), [PTR, PTR]), "strtof")
    formats = {}
    for name, text in (("e", "%.*e"), ("f", "%.*f")):
        data = bytearray(text.encode() + b"\0")
        g = ir.GlobalVariable(module, ir.ArrayType(I8, len(data)), f"fmt.{name}")
        g.initializer = ir.Constant(ir.ArrayType(I8, len(data)), data)
        g.global_constant = True
        g.linkage = "internal"
        formats[name] = g
    # digits.parse(text, out, decpt_out): "d.ddde+XX" -> digits "dddd", point at XX + 1.
    r = Routine(module, "digits.parse", I64, [PTR, PTR, PTR], internal=True)
    tmp, out, decpt_out = r.args
    got = r.var(0)
    k = r.var(0)
    with r.while_(lambda: r.icmp("!=", r.load8(tmp, r.get(k)), ord("e"))):
        ch = r.load8(tmp, r.get(k))
        with r.if_(r.icmp("!=", ch, ord("."))):
            r.store8(out, r.get(got), ch)
            r.add_to(got, 1)
        r.add_to(k, 1)
    negexp = r.icmp("==", r.load8(tmp, r.b.add(r.get(k), r.const(1))), ord("-"))
    r.add_to(k, 2)
    e = r.var(0)
    with r.while_(lambda: r.ucmp("<=", r.b.sub(r.load8(tmp, r.get(k)), r.const(ord("0"))), 9)):
        r.set(e, r.b.add(r.b.mul(r.get(e), r.const(10)), r.b.sub(r.load8(tmp, r.get(k)), r.const(ord("0")))))
        r.add_to(k, 1)
    ev = r.select(negexp, r.b.sub(r.const(0), r.get(e)), r.get(e))
    r.b.store(r.b.trunc(r.b.add(ev, r.const(1)), I32), decpt_out)
    r.ret(r.get(got))

    # digits.back(text, single): the text read back as a double (or a float, widened).
    r = Routine(module, "digits.back", F64, [PTR, I32], internal=True)
    tmp, single = r.args
    null = ir.Constant(PTR, None)
    with r.if_(r.icmp("!=", single, r.const(0, I32))):
        r.ret(r.b.fpext(r.b.call(strtof, [tmp, null]), F64))
    r.ret(r.b.call(strtod, [tmp, null]))

    # digits.try(x, p, single, tmp, out, decpt_out, check) -> count: p significant digits of x in out;
    # with check, -1 unless they (or the next decimal up) read back as x.
    r = Routine(module, "digits.try", I64, [F64, I64, I32, PTR, PTR, PTR, I1], internal=True)
    x, p, single, tmp, out, decpt_out, check = r.args
    r.b.call(snprintf, [tmp, r.const(DIGITS_ROOM), formats["e"], r.b.trunc(r.b.sub(p, r.const(1)), I32), x])
    nd = r.call("digits.parse", tmp, out, decpt_out)
    with r.if_(r.b.not_(check)):
        r.ret(nd)
    back = r.call("digits.back", tmp, single)
    with r.if_(r.b.fcmp_ordered("==", back, x)):
        r.ret(nd)
    with r.if_(r.b.fcmp_ordered("<", back, x)):
        decpt = r.var(r.b.sext(r.b.load(decpt_out, typ=I32), I64))
        k = r.var(r.b.sub(nd, r.const(1)))
        with r.while_(lambda: r.icmp(">=", r.get(k), 0)):
            with r.if_(r.icmp("!=", r.load8(out, r.get(k)), ord("9"))):
                r.store8(out, r.get(k), r.b.add(r.load8(out, r.get(k)), r.const(1)))
                r.break_()
            r.store8(out, r.get(k), ord("0"))
            r.add_to(k, -1)
        with r.if_(r.icmp("<", r.get(k), 0)):
            r.store8(out, 0, ord("1"))
            r.add_to(decpt, 1)
        # "0.<digits>e<decpt>" for the read back
        r.store8(tmp, 0, ord("0"))
        r.store8(tmp, 1, ord("."))
        _copy_bytes(r, r.at(tmp, 2), out, nd)
        at = r.var(r.b.add(nd, r.const(2)))
        r.store8(tmp, r.get(at), ord("e"))
        r.add_to(at, 1)
        dv = r.get(decpt)
        with r.if_(r.icmp("<", dv, 0)):
            r.store8(tmp, r.get(at), ord("-"))
            r.add_to(at, 1)
        av = r.select(r.icmp("<", dv, 0), r.b.sub(r.const(0), dv), dv)
        for div in (100, 10, 1):
            r.store8(tmp, r.get(at), r.b.add(r.b.urem(r.b.udiv(av, r.const(div)), r.const(10)), r.const(48)))
            r.add_to(at, 1)
        r.store8(tmp, r.get(at), 0)
        with r.if_(r.b.fcmp_ordered("==", r.call("digits.back", tmp, single), x)):
            r.b.store(r.b.trunc(r.get(decpt), I32), decpt_out)
            r.ret(nd)
    r.ret(-1)

    r = Routine(module, FLOAT_DIGITS, I64, [F64, I32, I32, I32, PTR, PTR], visibility=visibility)
    x, mode, n, single, out, decpt_out = r.args
    tmp = r.buffer(DIGITS_ROOM)
    room = r.const(DIGITS_ROOM)
    mode = r.b.zext(mode, I64)
    with r.if_(r.icmp("==", mode, MODE_FIXED)):
        length = r.b.sext(r.b.call(snprintf, [tmp, room, formats["f"], n, x]), I64)
        k = r.var(0)
        got = r.var(0)
        point = r.var(length)
        with r.while_(lambda: r.icmp("<", r.get(k), length)):
            ch = r.load8(tmp, r.get(k))
            with r.if_else(r.icmp("==", ch, ord("."))) as (then, otherwise):
                with then:
                    r.set(point, r.get(k))
                with otherwise:
                    r.store8(out, r.get(got), ch)
                    r.add_to(got, 1)
            r.add_to(k, 1)
        # Leading zeros move the point: "0.0012" is digits "12" with the point at -2.
        lead = r.var(0)
        with r.while_(lambda: r.b.and_(r.icmp("<", r.get(lead), r.b.sub(r.get(got), r.const(1))),
                                       r.icmp("==", r.load8(out, r.get(lead)), ord("0")))):
            r.add_to(lead, 1)
        _memmove_left(r, out, r.get(lead), r.get(got))
        r.b.store(r.b.trunc(r.b.sub(r.get(point), r.get(lead)), I32), decpt_out)
        r.ret(r.b.sub(r.get(got), r.get(lead)))
    # Significant digits: "%.*e" with n - 1 decimals. Shortest: the fewest digits that read back as x
    # (subnormals: by bisection over 1..17, 1..9 for a float32); at each length the correctly rounded candidate,
    # or, when it falls below x and fails, the next decimal up (a power of two's rounding interval is
    # wider above it: 2**-24 is 5.960464477539063e-08).
    with r.if_(r.icmp("!=", mode, MODE_SHORTEST)):
        r.ret(r.call("digits.try", x, r.b.sext(n, I64), single, tmp, out, decpt_out, r.const(0, I1)))
    is_single = r.icmp("!=", single, r.const(0, I32))
    # A normal number whose digits at DBL_DIG (FLT_DIG) read back has its shortest digits there, zeros
    # stripped: decimals that short map to distinct doubles. One probe for most numbers; then 16 and 17.
    normal = r.b.fcmp_ordered(">=", x, r.b.select(is_single, ir.Constant(F64, 1.1754943508222875e-38),
                                                 ir.Constant(F64, 2.2250738585072014e-308)))
    with r.if_(normal):
        p = r.var(r.select(is_single, 6, 15))
        last = r.select(is_single, 9, 17)
        with r.while_(lambda: r.icmp("<", r.get(p), last)):
            got = r.call("digits.try", x, r.get(p), single, tmp, out, decpt_out, r.const(1, I1))
            with r.if_(r.icmp(">=", got, 0)):
                r.ret(got)
            r.add_to(p, 1)
        r.ret(r.call("digits.try", x, last, single, tmp, out, decpt_out, r.const(0, I1)))
    lo = r.var(1)
    hi = r.var(r.select(is_single, 9, 17))
    with r.while_(lambda: r.icmp("<", r.get(lo), r.get(hi))):
        mid = r.b.lshr(r.b.add(r.get(lo), r.get(hi)), r.const(1))
        got = r.call("digits.try", x, mid, single, tmp, out, decpt_out, r.const(1, I1))
        with r.if_else(r.icmp(">=", got, 0)) as (then, otherwise):
            with then:
                r.set(hi, mid)
            with otherwise:
                r.set(lo, r.b.add(mid, r.const(1)))
    nd = r.call("digits.try", x, r.get(hi), single, tmp, out, decpt_out, r.const(1, I1))
    with r.if_(r.icmp("<", nd, 0)):
        r.ret(r.call("digits.try", x, r.get(hi), single, tmp, out, decpt_out, r.const(0, I1)))
    r.ret(nd)
    seal(module)


def _copy_bytes(r: Routine, dst: ir.Value, src: ir.Value, n: ir.Value) -> None:
    k = r.var(0)
    with r.while_(lambda: r.icmp("<", r.get(k), n)):
        r.store8(dst, r.get(k), r.load8(src, r.get(k)))
        r.add_to(k, 1)


def _memmove_left(r: Routine, p: ir.Value, by: ir.Value, n: ir.Value) -> None:
    k = r.var(by)
    with r.while_(lambda: r.icmp("<", r.get(k), n)):
        r.store8(p, r.b.sub(r.get(k), by), r.load8(p, r.get(k)))
        r.add_to(k, 1)


__all__ = ["FLOAT_DIGITS", "FUNCTIONS", "MAX_PRECISION", "build_float_digits_native", "build_string_format",
           "float_digits_native_ir",
           "function", "string_format_ir"]
