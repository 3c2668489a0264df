"""The ``str`` methods of compiled code, as runtime functions in LLVM IR (one text for native and wasm32).

Each routine works on strings in pyexec.memory's layout (see :mod:`pyexec.backends.llvm.string_ir`),
borrows its arguments and returns a NEW reference: a fresh block from ``pyexec_rt_array_alloc(head, 4 + n
+ 1)`` (tag 0x02, the ASCII flag set when every byte is below 0x80), or ``null`` when memory ran out (the
caller raises MemoryError). ``head`` is the calling code's per-call block list. Indices are code points,
as in Python; an ASCII string (header flag) takes the byte-indexed fast path.

| function | signature | Python |
|---|---|---|
| ``pyexec_str_upper``/``lower`` | ``(head, s) -> str`` | ``s.upper()`` (full case mapping, final sigma) |
| ``pyexec_str_strip`` | ``(head, s, chars or null, sides) -> str`` | sides 1 ``lstrip``, 2 ``rstrip``, 3 ``strip`` |
| ``pyexec_str_startswith``/``endswith`` | ``(s, x, start, end) -> i32`` | ``s.startswith(x, start, end)`` |
| ``pyexec_str_find``/``count`` | ``(s, sub, start, end) -> i64`` | ``s.find(sub, start, end)`` |
| ``pyexec_str_replace`` | ``(head, s, old, new, count) -> str`` | ``s.replace(old, new, count)`` (-1: all) |
| ``pyexec_str_isdigit``/``isalpha``/``isspace`` | ``(s) -> i32`` | ``s.isdigit()`` |
| ``pyexec_str_join`` | ``(head, sep, items, k) -> str`` | ``sep.join(items[:k])`` (an array of pointers) |

Omitted ``start``/``end`` are 0 and ``INT64_MAX``: Python's slice rules clamp them.
Unicode answers come from :mod:`pyexec.backends.llvm.string_unicode` (CPython's own tables).

Example:
    >>> "define i64 @pyexec_str_find" in string_methods_ir()
    True
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

from llvmlite import ir

from pyexec.backends.llvm.string_ir import (
    ALLOC,
    FLAG_ASCII,
    I1,
    I32,
    I64,
    PTR,
    TAG_STRING,
    Routine,
    function,
    new_module,
    range_table,
    seal,
)
from pyexec.backends.llvm.string_unicode import load_tables

FUNCTIONS = {
    "pyexec_str_upper": ("ptr", ("ptr", "ptr")),
    "pyexec_str_lower": ("ptr", ("ptr", "ptr")),
    "pyexec_str_strip": ("ptr", ("ptr", "ptr", "ptr", "i32")),
    "pyexec_str_startswith": ("i32", ("ptr", "ptr", "i64", "i64")),
    "pyexec_str_endswith": ("i32", ("ptr", "ptr", "i64", "i64")),
    "pyexec_str_find": ("i64", ("ptr", "ptr", "i64", "i64")),
    "pyexec_str_count": ("i64", ("ptr", "ptr", "i64", "i64")),
    "pyexec_str_replace": ("ptr", ("ptr", "ptr", "ptr", "ptr", "i64")),
    "pyexec_str_isdigit": ("i32", ("ptr",)),
    "pyexec_str_isalpha": ("i32", ("ptr",)),
    "pyexec_str_isspace": ("i32", ("ptr",)),
    "pyexec_str_join": ("ptr", ("ptr", "ptr", "ptr", "i64")),
    "pyexec_str_new": ("ptr", ("ptr", "i64")),
    "pyexec_str_finish": ("void", ("ptr",)),
}
"""The public routines: LLVM return type and parameter types (``pyexec_str_new``/``finish`` are the
allocation pair the formatting routines and the lowering share)."""

MAX_BYTES = 2**31 - 2
"""The most UTF-8 bytes a string holds; a longer result is NULL (MemoryError)."""
STRIP_LEFT = 1
STRIP_RIGHT = 2
SIGMA = 0x3A3
INT64_MAX = 2**63 - 1


# --- shared helpers --------------------------------------------------------------------------------------

def _helpers(module: ir.Module, v: str) -> None:
    # new(head, n): a string block of n bytes, length and NUL written, flags to be finished.
    r = Routine(module, "pyexec_str_new", PTR, [PTR, I64], visibility=v)
    head, n = r.args
    with r.if_(r.ucmp(">", n, MAX_BYTES)):  # the length field is an int32 (and one byte for the NUL)
        r.ret(ir.Constant(PTR, None))
    s = r.call(ALLOC, head, r.b.add(n, r.const(5)))
    with r.if_(r.b.icmp_unsigned("==", s, ir.Constant(PTR, None))):
        r.ret(ir.Constant(PTR, None))
    r.store8(s, -4, TAG_STRING)
    r.b.store(r.b.trunc(n, I32), s)
    r.store8(r.data(s), n, 0)
    r.ret(s)

    # finish(s): set the ASCII flag when every byte is below 0x80.
    r = Routine(module, "pyexec_str_finish", ir.VoidType(), [PTR], visibility=v)
    (s,) = r.args
    n = r.length(s)
    p = r.data(s)
    i = r.var(0)
    with r.while_(lambda: r.icmp("<", r.get(i), n)):
        with r.if_(r.ucmp(">=", r.load8(p, r.get(i)), 0x80)):
            r.ret()
        r.add_to(i, 1)
    r.store8(s, -3, r.b.or_(r.load8(s, -3), r.const(FLAG_ASCII)))
    r.ret()

    # decode(p, i) -> cp | (bytes << 32): one code point of valid UTF-8.
    r = Routine(module, "str.decode", I64, [PTR, I64], internal=True)
    p, i = r.args
    c0 = r.load8(p, i)

    def cont(k: int) -> ir.Value:
        return r.b.and_(r.load8(p, r.b.add(i, r.const(k))), r.const(0x3F))

    with r.if_(r.ucmp("<", c0, 0x80)):
        r.ret(r.b.or_(c0, r.const(1 << 32)))
    with r.if_(r.ucmp("<", c0, 0xE0)):
        cp = r.b.or_(r.b.shl(r.b.and_(c0, r.const(0x1F)), r.const(6)), cont(1))
        r.ret(r.b.or_(cp, r.const(2 << 32)))
    with r.if_(r.ucmp("<", c0, 0xF0)):
        cp = r.b.or_(r.b.or_(r.b.shl(r.b.and_(c0, r.const(0x0F)), r.const(12)), r.b.shl(cont(1), r.const(6))),
                     cont(2))
        r.ret(r.b.or_(cp, r.const(3 << 32)))
    cp = r.b.or_(r.b.or_(r.b.shl(r.b.and_(c0, r.const(0x07)), r.const(18)), r.b.shl(cont(1), r.const(12))),
                 r.b.or_(r.b.shl(cont(2), r.const(6)), cont(3)))
    r.ret(r.b.or_(cp, r.const(4 << 32)))

    # cplen(cp): its UTF-8 byte count.
    r = Routine(module, "str.cplen", I64, [I64], internal=True)
    (cp,) = r.args
    n = r.select(r.ucmp("<", cp, 0x80), 1, r.select(r.ucmp("<", cp, 0x800), 2,
                                                     r.select(r.ucmp("<", cp, 0x10000), 3, 4)))
    r.ret(n)

    # encode(p, o, cp) -> o + bytes; p null only counts.
    r = Routine(module, "str.encode", I64, [PTR, I64, I64], internal=True)
    p, o, cp = r.args
    n = r.call("str.cplen", cp)
    with r.if_(r.b.icmp_unsigned("==", p, ir.Constant(PTR, None))):
        r.ret(r.b.add(o, n))
    with r.if_(r.icmp("==", n, 1)):
        r.store8(p, o, cp)
        r.ret(r.b.add(o, n))
    lead = {2: 0xC0, 3: 0xE0, 4: 0xF0}
    for k in (2, 3, 4):
        with r.if_(r.icmp("==", n, k)):
            r.store8(p, o, r.b.or_(r.b.lshr(cp, r.const(6 * (k - 1))), r.const(lead[k])))
            for j in range(1, k):
                shift = 6 * (k - 1 - j)
                byte = r.b.or_(r.b.and_(r.b.lshr(cp, r.const(shift)), r.const(0x3F)), r.const(0x80))
                r.store8(p, r.b.add(o, r.const(j)), byte)
            r.ret(r.b.add(o, n))
    r.ret(r.b.add(o, n))

    # cpcount(p, from, to): code points in bytes [from, to).
    r = Routine(module, "str.cpcount", I64, [PTR, I64, I64], internal=True)
    p, lo, hi = r.args
    i = r.var(lo)
    k = r.var(0)
    with r.while_(lambda: r.icmp("<", r.get(i), hi)):
        cont_byte = r.icmp("==", r.b.and_(r.load8(p, r.get(i)), r.const(0xC0)), 0x80)
        r.add_to(k, r.b.zext(r.b.not_(cont_byte), I64))
        r.add_to(i, 1)
    r.ret(r.get(k))

    # length in code points
    r = Routine(module, "str.cplength", I64, [PTR], internal=True)
    (s,) = r.args
    with r.if_(r.is_ascii(s)):
        r.ret(r.length(s))
    r.ret(r.call("str.cpcount", r.data(s), 0, r.length(s)))

    # byteof(s, k): the byte offset of code point k (0 <= k <= length).
    r = Routine(module, "str.byteof", I64, [PTR, I64], internal=True)
    s, k = r.args
    with r.if_(r.is_ascii(s)):
        r.ret(k)
    p = r.data(s)
    n = r.length(s)
    i = r.var(0)
    seen = r.var(0)
    with r.while_(lambda: r.icmp("<", r.get(i), n)):
        lead_byte = r.icmp("!=", r.b.and_(r.load8(p, r.get(i)), r.const(0xC0)), 0x80)
        with r.if_(lead_byte):
            with r.if_(r.icmp("==", r.get(seen), k)):
                r.ret(r.get(i))
            r.add_to(seen, 1)
        r.add_to(i, 1)
    r.ret(n)

    # search(p, from, to, q, m) -> byte offset of q[0:m] in p[from:to], or -1.
    r = Routine(module, "str.search", I64, [PTR, I64, I64, PTR, I64], internal=True)
    p, lo, hi, q, m = r.args
    last = r.b.sub(hi, m)
    i = r.var(lo)
    with r.if_(r.icmp("==", m, 0)):
        r.ret(r.select(r.icmp("<=", lo, hi), lo, -1))
    first = r.load8(q, 0)
    with r.while_(lambda: r.icmp("<=", r.get(i), last)):
        at = r.get(i)
        with r.if_(r.icmp("==", r.load8(p, at), first)):
            j = r.var(1)
            with r.while_(lambda: r.b.and_(r.icmp("<", r.get(j), m),
                                           r.icmp("==", r.load8(p, r.b.add(at, r.get(j))), r.load8(q, r.get(j))))):
                r.add_to(j, 1)
            with r.if_(r.icmp("==", r.get(j), m)):
                r.ret(at)
        r.add_to(i, 1)
    r.ret(-1)

    # copy(dst, o, src, from, to) -> o + (to - from)
    r = Routine(module, "str.copy", I64, [PTR, I64, PTR, I64, I64], internal=True)
    dst, o, src, lo, hi = r.args
    n = r.b.sub(hi, lo)
    r.b.call(_memcpy(module), [r.at(dst, o), r.at(src, lo), n, ir.Constant(I1, 0)])
    r.ret(r.b.add(o, n))

    # substr(head, s, from, to): a fresh string of bytes [from, to).
    r = Routine(module, "str.substr", PTR, [PTR, PTR, I64, I64], internal=True)
    head, s, lo, hi = r.args
    out = r.call("pyexec_str_new", head, r.b.sub(hi, lo))
    with r.if_(r.b.icmp_unsigned("==", out, ir.Constant(PTR, None))):
        r.ret(out)
    r.call("str.copy", r.data(out), 0, r.data(s), lo, hi)
    with r.if_else(r.is_ascii(s)) as (then, otherwise):
        with then:
            r.store8(out, -3, r.b.or_(r.load8(out, -3), r.const(FLAG_ASCII)))
        with otherwise:
            r.call("pyexec_str_finish", out)
    r.ret(out)

    # slice bounds(s, start, end) -> clamps start and end as Python's slices do (code points);
    # returns start in the low half... two results: written to the two slots.
    r = Routine(module, "str.bounds", ir.VoidType(), [PTR, I64, I64, PTR, PTR], internal=True)
    s, start, end, start_out, end_out = r.args
    length = r.call("str.cplength", s)
    st = r.var(start)
    en = r.var(end)
    with r.if_(r.icmp(">", r.get(en), length)):
        r.set(en, length)
    with r.if_(r.icmp("<", r.get(en), 0)):
        r.set(en, r.b.add(r.get(en), length))
        with r.if_(r.icmp("<", r.get(en), 0)):
            r.set(en, 0)
    with r.if_(r.icmp("<", r.get(st), 0)):
        r.set(st, r.b.add(r.get(st), length))
        with r.if_(r.icmp("<", r.get(st), 0)):
            r.set(st, 0)
    r.b.store(r.get(st), start_out)
    r.b.store(r.get(en), end_out)
    r.ret()


@cache
def _memcpy_type() -> ir.FunctionType:
    return ir.FunctionType(ir.VoidType(), [PTR, PTR, I64, I1])


def _memcpy(module: ir.Module) -> ir.Function:
    name = "llvm.memcpy.p0.p0.i64"
    if name in module.globals:
        return module.globals[name]
    return ir.Function(module, _memcpy_type(), name)


# --- Unicode lookups -------------------------------------------------------------------------------------

def _unicode(module: ir.Module) -> None:
    tables = load_tables()
    for name in ("digit", "alpha", "space", "cased", "case_ignorable"):
        _range_lookup(module, name, tables[name])
    for name in ("upper", "lower"):
        _case_mapping(module, name, tables[name], tables[f"{name}_special"])


def _range_lookup(module: ir.Module, name: str, rows: list[list[int]]) -> None:
    g = range_table(module, f"str.table.{name}", rows)
    # in_<name>(cp): binary search for the last range starting at or before cp.
    r = Routine(module, f"str.in.{name}", I1, [I64], internal=True)
    (cp,) = r.args
    lo = r.var(0)
    hi = r.var(len(rows))
    with r.while_(lambda: r.icmp("<", r.get(lo), r.get(hi))):
        mid = r.b.lshr(r.b.add(r.get(lo), r.get(hi)), r.const(1))
        first = r.load_i32(g, r.b.mul(mid, r.const(2)))
        with r.if_else(r.icmp("<=", first, cp)) as (then, otherwise):
            with then:
                r.set(lo, r.b.add(mid, r.const(1)))
            with otherwise:
                r.set(hi, mid)
    k = r.b.sub(r.get(lo), r.const(1))
    with r.if_(r.icmp("<", k, 0)):
        r.ret(ir.Constant(I1, 0))
    last = r.load_i32(g, r.b.add(r.b.mul(k, r.const(2)), r.const(1)))
    r.ret(r.icmp("<=", cp, last))


def _case_mapping(module: ir.Module, name: str, runs: list[list[int]], special: list[list[Any]]) -> None:
    g = range_table(module, f"str.table.{name}", runs)
    keys = range_table(module, f"str.table.{name}.keys", [[c] for c, _ in special])
    vals = range_table(module, f"str.table.{name}.vals", [([*m, 0, 0, 0])[:3] for _, m in special])
    # put_<name>(out, o, cp) -> o after writing cp's mapping (out null: count only).
    r = Routine(module, f"str.put.{name}", I64, [PTR, I64, I64], internal=True)
    out, o, cp = r.args
    # Multi-code-point mappings first (few: a linear scan of sorted keys is short).
    i = r.var(0)
    with r.while_(lambda: r.icmp("<", r.get(i), len(special))):
        key = r.load_i32(keys, r.get(i))
        with r.if_(r.icmp(">", key, cp)):
            r.break_()
        with r.if_(r.icmp("==", key, cp)):
            at = r.var(o)
            for j in range(3):
                m = r.load_i32(vals, r.b.add(r.b.mul(r.get(i), r.const(3)), r.const(j)))
                with r.if_(r.icmp("!=", m, 0)):
                    r.set(at, r.call("str.encode", out, r.get(at), m))
            r.ret(r.get(at))
        r.add_to(i, 1)
    lo = r.var(0)
    hi = r.var(len(runs))
    with r.while_(lambda: r.icmp("<", r.get(lo), r.get(hi))):
        mid = r.b.lshr(r.b.add(r.get(lo), r.get(hi)), r.const(1))
        first = r.load_i32(g, r.b.mul(mid, r.const(4)))
        with r.if_else(r.icmp("<=", first, cp)) as (then, otherwise):
            with then:
                r.set(lo, r.b.add(mid, r.const(1)))
            with otherwise:
                r.set(hi, mid)
    mapped = r.var(cp)
    k = r.b.sub(r.get(lo), r.const(1))
    with r.if_(r.icmp(">=", k, 0)):
        base = r.b.mul(k, r.const(4))
        first = r.load_i32(g, base)
        last = r.load_i32(g, r.b.add(base, r.const(1)))
        step = r.load_i32(g, r.b.add(base, r.const(2)))
        delta = r.load_i32(g, r.b.add(base, r.const(3)))
        hit = r.b.and_(r.icmp("<=", cp, last), r.icmp("==", r.b.srem(r.b.sub(cp, first), step), 0))
        with r.if_(hit):
            r.set(mapped, r.b.add(cp, delta))
    r.ret(r.call("str.encode", out, o, r.get(mapped)))


def _is_space_cp(r: Routine, cp: ir.Value) -> ir.Value:
    return r.call("str.in.space", cp)


# --- the methods ----------------------------------------------------------------------------------------

def _case(module: ir.Module, name: str, v: str) -> None:
    r = Routine(module, f"pyexec_str_{name}", PTR, [PTR, PTR], visibility=v)
    head, s = r.args
    n = r.length(s)
    p = r.data(s)
    with r.if_(r.is_ascii(s)):
        out = r.call("pyexec_str_new", head, n)
        with r.if_(r.b.icmp_unsigned("==", out, ir.Constant(PTR, None))):
            r.ret(out)
        q = r.data(out)
        i = r.var(0)
        lo, hi = (ord("a"), ord("z")) if name == "upper" else (ord("A"), ord("Z"))
        with r.while_(lambda: r.icmp("<", r.get(i), n)):
            c = r.load8(p, r.get(i))
            flip = r.b.and_(r.ucmp(">=", c, lo), r.ucmp("<=", c, hi))
            r.store8(q, r.get(i), r.b.xor(c, r.b.select(flip, r.const(0x20), r.const(0))))
            r.add_to(i, 1)
        r.store8(out, -3, r.b.or_(r.load8(out, -3), r.const(FLAG_ASCII)))
        r.ret(out)
    null = ir.Constant(PTR, None)
    size = r.var(0)
    i = r.var(0)
    with r.while_(lambda: r.icmp("<", r.get(i), n)):
        d = r.call("str.decode", p, r.get(i))
        r.add_to(i, r.b.lshr(d, r.const(32)))
        r.set(size, r.call(f"str.put.{name}", null, r.get(size), r.b.and_(d, r.const(0xFFFFFFFF))))
    out = r.call("pyexec_str_new", head, r.get(size))
    with r.if_(r.b.icmp_unsigned("==", out, null)):
        r.ret(out)
    q = r.data(out)
    o = r.var(0)
    r.set(i, 0)
    with r.while_(lambda: r.icmp("<", r.get(i), n)):
        at = r.get(i)
        d = r.call("str.decode", p, at)
        cp = r.b.and_(d, r.const(0xFFFFFFFF))
        nxt = r.b.add(at, r.b.lshr(d, r.const(32)))
        r.set(i, nxt)
        if name == "lower":
            with r.if_(r.icmp("==", cp, SIGMA)):
                final = r.call("str.final_sigma", p, n, at, nxt)
                r.set(o, r.call("str.encode", q, r.get(o), r.select(final, 0x3C2, 0x3C3)))
                r.continue_()
        r.set(o, r.call(f"str.put.{name}", q, r.get(o), cp))
    r.call("pyexec_str_finish", out)
    r.ret(out)


def _final_sigma(module: ir.Module) -> None:
    # CPython's handle_capital_sigma: preceded by a cased letter (skipping case-ignorable ones) and not
    # followed by one.
    r = Routine(module, "str.final_sigma", I1, [PTR, I64, I64, I64], internal=True)
    p, n, at, nxt = r.args
    k = r.var(at)
    found = r.var(-1)
    with r.while_(lambda: r.icmp(">", r.get(k), 0)):
        r.add_to(k, -1)
        with r.while_(lambda: r.icmp("==", r.b.and_(r.load8(p, r.get(k)), r.const(0xC0)), 0x80)):
            r.add_to(k, -1)
        cp = r.b.and_(r.call("str.decode", p, r.get(k)), r.const(0xFFFFFFFF))
        with r.if_(r.b.not_(r.call("str.in.case_ignorable", cp))):
            r.set(found, cp)
            r.break_()
    before = r.get(found)
    with r.if_(r.icmp("<", before, 0)):
        r.ret(ir.Constant(I1, 0))
    with r.if_(r.b.not_(r.call("str.in.cased", before))):
        r.ret(ir.Constant(I1, 0))
    r.set(k, nxt)
    with r.while_(lambda: r.icmp("<", r.get(k), n)):
        d = r.call("str.decode", p, r.get(k))
        cp = r.b.and_(d, r.const(0xFFFFFFFF))
        with r.if_(r.b.not_(r.call("str.in.case_ignorable", cp))):
            r.ret(r.b.not_(r.call("str.in.cased", cp)))
        r.add_to(k, r.b.lshr(d, r.const(32)))
    r.ret(ir.Constant(I1, 1))


def _strip(module: ir.Module, v: str) -> None:
    # stripped(cp, chars): whitespace when chars is null, else a code point of chars.
    r = Routine(module, "str.strippable", I1, [I64, PTR], internal=True)
    cp, chars = r.args
    with r.if_(r.b.icmp_unsigned("==", chars, ir.Constant(PTR, None))):
        r.ret(_is_space_cp(r, cp))
    q = r.data(chars)
    m = r.length(chars)
    i = r.var(0)
    with r.while_(lambda: r.icmp("<", r.get(i), m)):
        d = r.call("str.decode", q, r.get(i))
        with r.if_(r.icmp("==", r.b.and_(d, r.const(0xFFFFFFFF)), cp)):
            r.ret(ir.Constant(I1, 1))
        r.add_to(i, r.b.lshr(d, r.const(32)))
    r.ret(ir.Constant(I1, 0))

    r = Routine(module, "pyexec_str_strip", PTR, [PTR, PTR, PTR, I32], visibility=v)
    head, s, chars, sides = r.args
    p = r.data(s)
    n = r.length(s)
    lo = r.var(0)
    hi = r.var(n)
    with r.if_(r.icmp("!=", r.b.and_(sides, r.const(STRIP_LEFT, I32)), 0)):
        with r.while_(lambda: r.icmp("<", r.get(lo), n)):
            d = r.call("str.decode", p, r.get(lo))
            with r.if_(r.b.not_(r.call("str.strippable", r.b.and_(d, r.const(0xFFFFFFFF)), chars))):
                r.break_()
            r.add_to(lo, r.b.lshr(d, r.const(32)))
    with r.if_(r.icmp("!=", r.b.and_(sides, r.const(STRIP_RIGHT, I32)), 0)):
        with r.while_(lambda: r.icmp(">", r.get(hi), r.get(lo))):
            k = r.var(r.b.sub(r.get(hi), r.const(1)))
            with r.while_(lambda: r.icmp("==", r.b.and_(r.load8(p, r.get(k)), r.const(0xC0)), 0x80)):
                r.add_to(k, -1)
            d = r.call("str.decode", p, r.get(k))
            with r.if_(r.b.not_(r.call("str.strippable", r.b.and_(d, r.const(0xFFFFFFFF)), chars))):
                r.break_()
            r.set(hi, r.get(k))
    r.ret(r.call("str.substr", head, s, r.get(lo), r.get(hi)))


def _affix(module: ir.Module, name: str, v: str) -> None:
    r = Routine(module, f"pyexec_str_{name}", I32, [PTR, PTR, I64, I64], visibility=v)
    s, x, start, end = r.args
    st_slot = r.var(0)
    en_slot = r.var(0)
    r.b.call(function(module, "str.bounds"), [s, start, end, st_slot, en_slot])
    st, en = r.get(st_slot), r.get(en_slot)
    # CPython's tailmatch: a start past the end, or a window shorter than x, never matches.
    with r.if_(r.icmp("<", en, st)):
        r.ret(r.const(0, I32))
    bs = r.call("str.byteof", s, st)
    be = r.call("str.byteof", s, en)
    m = r.length(x)
    with r.if_(r.icmp("<", r.b.sub(be, bs), m)):
        r.ret(r.const(0, I32))
    at = bs if name == "startswith" else r.b.sub(be, m)
    p = r.data(s)
    q = r.data(x)
    j = r.var(0)
    with r.while_(lambda: r.icmp("<", r.get(j), m)):
        with r.if_(r.icmp("!=", r.load8(p, r.b.add(at, r.get(j))), r.load8(q, r.get(j)))):
            r.ret(r.const(0, I32))
        r.add_to(j, 1)
    r.ret(r.const(1, I32))


def _find_count(module: ir.Module, name: str, v: str) -> None:
    r = Routine(module, f"pyexec_str_{name}", I64, [PTR, PTR, I64, I64], visibility=v)
    s, sub, start, end = r.args
    st_slot = r.var(0)
    en_slot = r.var(0)
    r.b.call(function(module, "str.bounds"), [s, start, end, st_slot, en_slot])
    st, en = r.get(st_slot), r.get(en_slot)
    m = r.length(sub)
    subcp = r.call("str.cplength", sub)
    with r.if_(r.icmp("<", r.b.sub(en, st), subcp)):
        r.ret(-1 if name == "find" else 0)
    bs = r.call("str.byteof", s, st)
    be = r.call("str.byteof", s, en)
    p = r.data(s)
    q = r.data(sub)
    if name == "find":
        at = r.call("str.search", p, bs, be, q, m)
        with r.if_(r.icmp("<", at, 0)):
            r.ret(-1)
        with r.if_(r.is_ascii(s)):
            r.ret(at)
        r.ret(r.call("str.cpcount", p, 0, at))
    else:
        with r.if_(r.icmp("==", m, 0)):
            r.ret(r.b.add(r.b.sub(en, st), r.const(1)))
        k = r.var(0)
        i = r.var(bs)
        with r.while_(lambda: r.const(1, I1)):
            at = r.call("str.search", p, r.get(i), be, q, m)
            with r.if_(r.icmp("<", at, 0)):
                r.break_()
            r.add_to(k, 1)
            r.set(i, r.b.add(at, m))
        r.ret(r.get(k))


def _replace(module: ir.Module, v: str) -> None:
    r = Routine(module, "pyexec_str_replace", PTR, [PTR, PTR, PTR, PTR, I64], visibility=v)
    head, s, old, new, limit = r.args
    p, n = r.data(s), r.length(s)
    q, m = r.data(old), r.length(old)
    w, wn = r.data(new), r.length(new)
    null = ir.Constant(PTR, None)
    # An unlimited count is the most there can be: n + 1 (empty old) or n / m.
    maxcount = r.select(r.icmp("<", limit, 0), INT64_MAX, limit)
    k = r.var(0)
    with r.if_else(r.icmp("==", m, 0)) as (then, otherwise):
        with then:
            cps = r.b.add(r.call("str.cplength", s), r.const(1))
            r.set(k, r.select(r.icmp("<", cps, maxcount), cps, maxcount))
        with otherwise:
            i = r.var(0)
            with r.while_(lambda: r.icmp("<", r.get(k), maxcount)):
                at = r.call("str.search", p, r.get(i), n, q, m)
                with r.if_(r.icmp("<", at, 0)):
                    r.break_()
                r.add_to(k, 1)
                r.set(i, r.b.add(at, m))
    count = r.get(k)
    size = r.b.add(n, r.b.mul(count, r.b.sub(wn, m)))
    out = r.call("pyexec_str_new", head, size)
    with r.if_(r.b.icmp_unsigned("==", out, null)):
        r.ret(out)
    d = r.data(out)
    o = r.var(0)
    i = r.var(0)
    done = r.var(0)
    with r.while_(lambda: r.icmp("<", r.get(done), count)):
        with r.if_else(r.icmp("==", m, 0)) as (then, otherwise):
            with then:
                # Empty old: new goes before each code point (and at the end).
                r.set(o, r.call("str.copy", d, r.get(o), w, 0, wn))
                with r.if_(r.icmp("<", r.get(i), n)):
                    step = r.b.lshr(r.call("str.decode", p, r.get(i)), r.const(32))
                    nxt = r.b.add(r.get(i), step)
                    r.set(o, r.call("str.copy", d, r.get(o), p, r.get(i), nxt))
                    r.set(i, nxt)
            with otherwise:
                at = r.call("str.search", p, r.get(i), n, q, m)
                r.set(o, r.call("str.copy", d, r.get(o), p, r.get(i), at))
                r.set(o, r.call("str.copy", d, r.get(o), w, 0, wn))
                r.set(i, r.b.add(at, m))
        r.add_to(done, 1)
    r.call("str.copy", d, r.get(o), p, r.get(i), n)
    with r.if_else(r.b.and_(r.is_ascii(s), r.is_ascii(new))) as (then, otherwise):
        with then:
            r.store8(out, -3, r.b.or_(r.load8(out, -3), r.const(FLAG_ASCII)))
        with otherwise:
            r.call("pyexec_str_finish", out)
    r.ret(out)


def _predicates(module: ir.Module, v: str) -> None:
    for name, test in _ASCII_TESTS.items():
        _predicate(module, name, test, v)


_ASCII_TESTS = {
        "digit": lambda r, c: r.b.and_(r.ucmp(">=", c, ord("0")), r.ucmp("<=", c, ord("9"))),
        "alpha": lambda r, c: r.b.and_(r.ucmp(">=", r.b.or_(c, r.const(0x20)), ord("a")),
                                       r.ucmp("<=", r.b.or_(c, r.const(0x20)), ord("z"))),
        # Python's ASCII whitespace: \t \n \v \f \r, the separators \x1c-\x1f and space.
        "space": lambda r, c: r.b.or_(r.b.and_(r.ucmp(">=", c, 9), r.ucmp("<=", c, 13)),
                                      r.b.and_(r.ucmp(">=", c, 0x1C), r.ucmp("<=", c, 0x20))),
}


def _predicate(module: ir.Module, name: str, test: Callable[[Routine, ir.Value], ir.Value], v: str) -> None:
    r = Routine(module, f"pyexec_str_is{name}", I32, [PTR], visibility=v)
    (s,) = r.args
    p, n = r.data(s), r.length(s)
    with r.if_(r.icmp("==", n, 0)):
        r.ret(r.const(0, I32))
    i = r.var(0)
    with r.while_(lambda: r.icmp("<", r.get(i), n)):
        c = r.load8(p, r.get(i))
        with r.if_else(r.ucmp("<", c, 0x80)) as (then, otherwise):
            with then:
                with r.if_(r.b.not_(test(r, c))):
                    r.ret(r.const(0, I32))
                r.add_to(i, 1)
            with otherwise:
                d = r.call("str.decode", p, r.get(i))
                with r.if_(r.b.not_(r.call(f"str.in.{name}", r.b.and_(d, r.const(0xFFFFFFFF))))):
                    r.ret(r.const(0, I32))
                r.add_to(i, r.b.lshr(d, r.const(32)))
    r.ret(r.const(1, I32))


def _join(module: ir.Module, v: str) -> None:
    r = Routine(module, "pyexec_str_join", PTR, [PTR, PTR, PTR, I64], visibility=v)
    head, sep, items, k = r.args
    sn = r.length(sep)
    size = r.var(r.b.mul(sn, r.select(r.icmp(">", k, 0), r.b.sub(k, r.const(1)), 0)))
    ascii_all = r.var(r.is_ascii(sep))
    i = r.var(0)
    with r.while_(lambda: r.icmp("<", r.get(i), k)):
        item = r.load_ptr(items, r.get(i))
        r.add_to(size, r.length(item))
        r.set(ascii_all, r.b.and_(r.get(ascii_all), r.is_ascii(item)))
        r.add_to(i, 1)
    out = r.call("pyexec_str_new", head, r.get(size))
    with r.if_(r.b.icmp_unsigned("==", out, ir.Constant(PTR, None))):
        r.ret(out)
    d = r.data(out)
    o = r.var(0)
    r.set(i, 0)
    with r.while_(lambda: r.icmp("<", r.get(i), k)):
        with r.if_(r.icmp(">", r.get(i), 0)):
            r.set(o, r.call("str.copy", d, r.get(o), r.data(sep), 0, sn))
        item = r.load_ptr(items, r.get(i))
        r.set(o, r.call("str.copy", d, r.get(o), r.data(item), 0, r.length(item)))
        r.add_to(i, 1)
    with r.if_else(r.get(ascii_all)) as (then, otherwise):
        with then:
            r.store8(out, -3, r.b.or_(r.load8(out, -3), r.const(FLAG_ASCII)))
        with otherwise:
            r.call("pyexec_str_finish", out)
    r.ret(out)


def build_string_methods(module: ir.Module, visibility: str = "") -> None:
    """Add the helpers and every method routine to ``module`` (made by ``string_ir.new_module``)."""
    _helpers(module, visibility)
    _unicode(module)
    _final_sigma(module)
    for name in ("upper", "lower"):
        _case(module, name, visibility)
    _strip(module, visibility)
    for name in ("startswith", "endswith"):
        _affix(module, name, visibility)
    for name in ("find", "count"):
        _find_count(module, name, visibility)
    _replace(module, visibility)
    _predicates(module, visibility)
    _join(module, visibility)
    seal(module)


def string_methods_ir(visibility: str = "") -> str:
    """The method routines as LLVM IR text, with ``pyexec_rt_array_alloc`` declared.

    Example:
        >>> "pyexec_str_upper" in string_methods_ir("hidden")
        True
    """
    module = new_module()
    build_string_methods(module, visibility)
    return str(module)


__all__ = ["FUNCTIONS", "STRIP_LEFT", "STRIP_RIGHT", "build_string_methods", "string_methods_ir"]
