"""A small structured builder for the string runtime's LLVM IR (:mod:`string_methods`, :mod:`string_format`).

The runtime routines are loops over UTF-8 bytes; writing them as raw IR text would bury the algorithm
in phi nodes. :class:`Routine` wraps llvmlite's builder with mutable locals (``alloca``; LLVM's
``mem2reg`` turns them back into registers), ``while``/``if`` blocks and the string layout of
docs/memory.md (``int32 n`` at ``s + 0``, UTF-8 bytes at ``s + 4``, NUL at ``s + 4 + n``; tag ``0x02`` at
``s - 4``; flags at ``s - 3``, bit 1 :data:`FLAG_ASCII`).

Sizes and indices are ``i64`` on every target: wasm32 truncates a ``getelementptr`` index, and no string
there reaches 2**31 bytes.

Example:
    >>> module = new_module()
    >>> r = Routine(module, "seven", I64, [])
    >>> r.ret(r.const(7))
    >>> "define i64 @seven()" in str(module)
    True
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager

from llvmlite import ir

I1 = ir.IntType(1)
I8 = ir.IntType(8)
I16 = ir.IntType(16)
I32 = ir.IntType(32)
I64 = ir.IntType(64)
F64 = ir.DoubleType()
PTR = ir.PointerType()
TAG_STRING = 0x02
FLAG_ASCII = 0x02
"""The header flag of a string whose bytes are all below 0x80 (docs/memory.md)."""
ALLOC = "pyexec_rt_array_alloc"


def new_module(name: str = "pyexec.strings") -> ir.Module:
    """An empty module with the runtime allocator declared."""
    module = ir.Module(name=name)
    ir.Function(module, ir.FunctionType(PTR, [PTR, I64]), ALLOC)
    return module


def function(module: ir.Module, name: str) -> ir.Function:
    """A function already declared or defined in ``module``."""
    return module.globals[name]


class Routine:
    """One runtime function under construction: a builder plus structured control flow."""

    def __init__(self, module: ir.Module, name: str, ret: ir.Type, args: Sequence[ir.Type],
                 internal: bool = False, visibility: str = "") -> None:
        self.module = module
        declared = module.globals.get(name)
        if isinstance(declared, ir.Function) and not declared.blocks:
            self.fn = declared  # declared by a caller built earlier: define it now
        else:
            self.fn = ir.Function(module, ir.FunctionType(ret, list(args)), name)
        _routines(module).append(self.fn)
        if internal:
            self.fn.linkage = "internal"
        elif visibility:
            self.fn.visibility = visibility
        self.args = self.fn.args
        entry = self.fn.append_basic_block("entry")
        self._allocas = ir.IRBuilder(entry)
        self.b = ir.IRBuilder(entry.function.append_basic_block("body"))
        self._allocas.branch(self.b.block)
        self._allocas.position_at_start(entry)

    # values ---------------------------------------------------------------------------------------------
    def const(self, v: int, ty: ir.Type = I64) -> ir.Constant:
        return ir.Constant(ty, v)

    def var(self, init: ir.Value | int, ty: ir.Type = I64) -> ir.AllocaInstr:
        """A mutable local, initialised where the routine is at."""
        slot = self._allocas.alloca(ty if isinstance(init, int) else init.type)
        self.b.store(self.const(init, ty) if isinstance(init, int) else init, slot)
        return slot

    def buffer(self, nbytes: int) -> ir.Value:
        """A stack buffer of ``nbytes`` bytes (for digits)."""
        return self._allocas.alloca(I8, size=ir.Constant(I64, nbytes))

    def get(self, slot: ir.AllocaInstr) -> ir.Value:
        return self.b.load(slot, typ=slot.allocated_type)

    def set(self, slot: ir.Value, v: ir.Value | int) -> None:
        self.b.store(self.const(v, slot.allocated_type) if isinstance(v, int) else v, slot)

    def add_to(self, slot: ir.Value, v: ir.Value | int) -> None:
        self.set(slot, self.b.add(self.get(slot), self.const(v) if isinstance(v, int) else v))

    def at(self, p: ir.Value, i: ir.Value | int) -> ir.Value:
        """``p + i`` (bytes)."""
        return self.b.gep(p, [self.const(i) if isinstance(i, int) else i], source_etype=I8)

    def load8(self, p: ir.Value, i: ir.Value | int) -> ir.Value:
        """The byte at ``p + i``, zero-extended to i64."""
        return self.b.zext(self.b.load(self.at(p, i), typ=I8), I64)

    def store8(self, p: ir.Value, i: ir.Value | int, v: ir.Value | int) -> None:
        val = self.const(v, I8) if isinstance(v, int) else self.b.trunc(v, I8) if v.type != I8 else v
        self.b.store(val, self.at(p, i))

    def load_i32(self, table: ir.Value, i: ir.Value) -> ir.Value:
        """Element ``i`` of an ``i32`` table, sign-extended to i64."""
        return self.b.sext(self.b.load(self.b.gep(table, [i], source_etype=I32), typ=I32), I64)

    def load_ptr(self, items: ir.Value, i: ir.Value) -> ir.Value:
        """Element ``i`` of an array of pointers (4 or 8 bytes, as the target's)."""
        return self.b.load(self.b.gep(items, [i], source_etype=PTR), typ=PTR)

    def icmp(self, op: str, a: ir.Value, b: ir.Value | int) -> ir.Value:
        return self.b.icmp_signed(op, a, self.const(b, a.type) if isinstance(b, int) else b)

    def ucmp(self, op: str, a: ir.Value, b: ir.Value | int) -> ir.Value:
        return self.b.icmp_unsigned(op, a, self.const(b, a.type) if isinstance(b, int) else b)

    def select(self, c: ir.Value, a: ir.Value | int, b: ir.Value | int) -> ir.Value:
        a = self.const(a) if isinstance(a, int) else a
        b = self.const(b, a.type) if isinstance(b, int) else b
        return self.b.select(c, a, b)

    def call(self, name: str, *args: ir.Value | int) -> ir.Value:
        fn = function(self.module, name)
        vals = [self.const(a, t) if isinstance(a, int) else a for a, t in zip(args, fn.function_type.args)]
        return self.b.call(fn, vals)

    def ret(self, v: ir.Value | int | None = None) -> None:
        if v is None:
            self.b.ret_void()
        else:
            self.b.ret(self.const(v, self.fn.function_type.return_type) if isinstance(v, int) else v)
        # Code after a return (in the same structured block) goes to an unreachable block.
        self.b.position_at_end(self.fn.append_basic_block("dead"))

    # strings --------------------------------------------------------------------------------------------
    def length(self, s: ir.Value) -> ir.Value:
        """The string's UTF-8 byte count."""
        return self.b.sext(self.b.load(s, typ=I32), I64)

    def data(self, s: ir.Value) -> ir.Value:
        return self.at(s, 4)

    def is_ascii(self, s: ir.Value) -> ir.Value:
        flags = self.load8(s, -3)
        return self.icmp("!=", self.b.and_(flags, self.const(FLAG_ASCII)), 0)

    # control flow ---------------------------------------------------------------------------------------
    @contextmanager
    def while_(self, cond: Callable[[], ir.Value]) -> Iterator[ir.Block]:
        """``while cond(): <body>``; yields the exit block (``self.b.branch(exit)`` is ``break``)."""
        head = self.fn.append_basic_block("while")
        body = self.fn.append_basic_block("do")
        done = self.fn.append_basic_block("done")
        self.b.branch(head)
        self.b.position_at_end(head)
        self.b.cbranch(cond(), body, done)
        self.b.position_at_end(body)
        self._loops.append((head, done))
        try:
            yield done
        finally:
            self._loops.pop()
        if not self.b.block.is_terminated:
            self.b.branch(head)
        self.b.position_at_end(done)

    def break_(self) -> None:
        self.b.branch(self._loops[-1][1])
        self.b.position_at_end(self.fn.append_basic_block("dead"))

    def continue_(self) -> None:
        self.b.branch(self._loops[-1][0])
        self.b.position_at_end(self.fn.append_basic_block("dead"))

    @property
    def _loops(self) -> list[tuple[ir.Block, ir.Block]]:
        if not hasattr(self, "_loop_stack"):
            self._loop_stack: list[tuple[ir.Block, ir.Block]] = []
        return self._loop_stack

    @contextmanager
    def if_(self, cond: ir.Value) -> Iterator[None]:
        with self.b.if_then(cond):
            yield

    @contextmanager
    def if_else(self, cond: ir.Value) -> Iterator[tuple[object, object]]:
        with self.b.if_else(cond) as (then, otherwise):
            yield then, otherwise


def _routines(module: ir.Module) -> list[ir.Function]:
    return module.__dict__.setdefault("pyexec_string_routines", [])


def seal(module: ir.Module) -> None:
    """End every block a :class:`Routine` left open (the unreachable code after a ``ret``) with
    ``unreachable``; other functions of the module (the lowering's, still being built) are not touched."""
    for fn in _routines(module):
        for block in fn.blocks:
            if not block.is_terminated:
                ir.IRBuilder(block).unreachable()


def range_table(module: ir.Module, name: str, rows: Sequence[Sequence[int]]) -> ir.GlobalVariable:
    """A constant ``i32`` array of the rows, flattened (the Unicode tables)."""
    flat = [int(x) for row in rows for x in row] or [0]
    ty = ir.ArrayType(I32, len(flat))
    g = ir.GlobalVariable(module, ty, name)
    g.initializer = ir.Constant(ty, flat)
    g.global_constant = True
    g.linkage = "internal"
    return g


__all__ = ["F64", "FLAG_ASCII", "I1", "I8", "I16", "I32", "I64", "PTR", "TAG_STRING", "Routine", "function",
           "new_module", "range_table", "seal"]
