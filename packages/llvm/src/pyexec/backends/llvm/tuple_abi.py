"""How a tuple of scalars crosses a C entry point: a C struct passed and returned by value.

Inside compiled code a tuple is an LLVM literal struct of its items' register types (``i1`` for
bool), built with ``insertvalue`` and read with ``extractvalue``: no heap block and no reference count
(tuples of heap objects, when they come, will need counts). At a C entry point the tuple is the
struct the header declares (:func:`c_struct_type`), laid out as C lays it out (``bool`` one byte),
and passed as the platform's C ABI passes such a struct. This module implements x86-64 System V: a
struct of at most 16 bytes goes in registers, each eightbyte in an integer register if it holds an
integer, else in an SSE register (``{int64_t, double}`` returns in RAX and XMM0), as long as the
registers left suffice; a larger one, or one that no longer fits, goes in memory (a ``byval`` copy on
the stack for a parameter, a hidden ``sret`` pointer for a result). Other targets' C ABIs are refused
with a clear error rather than guessed.

Example:
    >>> from pyexec.frontend.ir.types import INT, FLOAT64, TupleT
    >>> [str(t) for t in sysv_pieces(TupleT((INT, FLOAT64)))]
    ['i64', 'double']
"""

from __future__ import annotations

from llvmlite import ir

from pyexec.backends.llvm.errors import NativeBuildError
from pyexec.frontend.ir.types import NoneT, ScalarT, StrT, TupleT, ValueT

I8 = ir.IntType(8)
I32 = ir.IntType(32)
I64 = ir.IntType(64)
F32 = ir.FloatType()
F64 = ir.DoubleType()


def memory_type(t: ScalarT) -> ir.Type:
    """A scalar as C stores it in a struct field (``bool`` is a byte, a complex two floats)."""
    if t.is_bool:
        return I8
    if t.is_complex:
        part = F32 if t.bits == 64 else F64
        return ir.LiteralStructType([part, part])
    if t.is_float:
        return F32 if t.bits == 32 else F64
    return ir.IntType(t.bits)


def c_struct_type(t: TupleT) -> ir.LiteralStructType:
    """The tuple's C struct (natural alignment: the same layout as the header's typedef)."""
    return ir.LiteralStructType([memory_type(i) for i in t.items])


def _size_align(t: ScalarT) -> tuple[int, int]:
    if t.is_bool:
        return 1, 1
    if t.is_complex:
        part = t.bits // 16
        return t.bits // 8, part
    return t.bits // 8, t.bits // 8


def layout(t: TupleT) -> tuple[list[int], int]:
    """Field offsets and total size of the tuple's C struct.

    Example:
        >>> from pyexec.frontend.ir.types import INT8, FLOAT64, TupleT
        >>> layout(TupleT((INT8, FLOAT64)))
        ([0, 8], 16)
    """
    offsets, at, widest = [], 0, 1
    for item in t.items:
        size, align = _size_align(item)
        at = (at + align - 1) // align * align
        offsets.append(at)
        at += size
        widest = max(widest, align)
    return offsets, (at + widest - 1) // widest * widest


def in_memory(t: TupleT) -> bool:
    """Whether System V passes the tuple's struct in memory whatever the registers (over 16 bytes)."""
    return layout(t)[1] > 16


def sysv_plan(params: list[ValueT], result: ValueT | NoneT) -> tuple[list[list[ir.Type] | None], bool]:
    """How an entry point's parameters travel: for each, the registers of a tuple (None: in memory, a
    ``byval`` pointer), ``[]`` for a scalar (LLVM places those as C does); and whether the result goes
    through a hidden ``sret`` pointer (which takes the first integer register)."""
    sret = isinstance(result, TupleT) and in_memory(result)
    ints, sses = (5 if sret else 6), 8
    plan: list[list[ir.Type] | None] = []
    for t in params:
        if isinstance(t, TupleT):
            if in_memory(t):
                plan.append(None)
                continue
            pieces = sysv_pieces(t)
            need_int = sum(1 for x in pieces if isinstance(x, ir.IntType))
            need_sse = len(pieces) - need_int
            if need_int > ints or need_sse > sses:
                plan.append(None)  # all eightbytes in registers or none: C passes it on the stack
                continue
            ints, sses = ints - need_int, sses - need_sse
            plan.append(pieces)
            continue
        plan.append([])
        if isinstance(t, StrT):  # pyexec_str {data, size}: two integer registers
            ints = max(ints - 2, 0)
            continue
        if t.is_complex:
            sses -= 2 if t.bits == 128 else 1
        elif t.is_float:
            sses -= 1
        else:
            ints -= 1
        ints, sses = max(ints, 0), max(sses, 0)
    return plan, sret


def load_fields(b: ir.IRBuilder, pointer: ir.Value, t: TupleT, register_type: ir.Type) -> ir.Value:
    """The tuple register value of a C struct in memory (a ``byval`` parameter)."""
    value = ir.Constant(register_type, ir.Undefined)
    for i, item in enumerate(t.items):
        v = b.load(b.gep(pointer, [I32(0), I32(i)]))
        if item.is_bool:
            v = b.icmp_unsigned("!=", v, I8(0))
        value = b.insert_value(value, v, i)
    return value


def store_fields(b: ir.IRBuilder, value: ir.Value, t: TupleT, pointer: ir.Value) -> None:
    """Write a tuple register value as its C struct (an ``sret`` result)."""
    for i, item in enumerate(t.items):
        v = b.extract_value(value, i)
        b.store(b.zext(v, I8) if item.is_bool else v, b.gep(pointer, [I32(0), I32(i)]))


def sysv_pieces(t: TupleT) -> list[ir.Type]:
    """The registers (as LLVM types) that carry a struct of at most 16 bytes under x86-64 System V."""
    offsets, size = layout(t)
    assert size <= 16, "in memory, not in registers"
    pieces: list[ir.Type] = []
    for start in range(0, size, 8):
        end = min(start + 8, size)
        inside = [(o, item) for o, item in zip(offsets, t.items)
                  if o < end and o + _size_align(item)[0] > start]
        floats = all(item.is_float or item.is_complex for _, item in inside)
        if not floats:
            pieces.append(ir.IntType((end - start) * 8))
        elif end - start <= 4:
            pieces.append(F32)
        elif all(item.bits == 32 or (item.is_complex and item.bits == 64) for _, item in inside):
            pieces.append(ir.VectorType(F32, 2) if end - start > 4 else F32)
        else:
            pieces.append(F64)
    return pieces


def check_c_target(triple: str, t: TupleT, function: str) -> None:
    """Refuse a tuple at a C entry point on a target whose struct rules are not implemented."""
    if not triple.startswith("x86_64") or "windows" in triple or "msvc" in triple:
        raise NativeBuildError(f"{function}(): a {t} parameter or result at the C boundary is only supported on "
                               f"x86-64 System V (Linux, macOS, BSD), not {triple}; call it from Python (aot) "
                               "or pass the items separately")


def check_c_strings(triple: str, params: list[ValueT], function: str) -> None:
    """A ``pyexec_str`` parameter (16 bytes, two integer eightbytes) travels in two integer registers, or wholly
    in memory when only one is left (x86-64 System V and AArch64 alike); the entry takes it as two scalars, so a
    parameter list that would split one is refused rather than miscompiled, and so is Windows (by reference)."""
    if "windows" in triple or "msvc" in triple:
        raise NativeBuildError(f"{function}(): a str parameter or result at the C boundary is not supported on "
                               f"{triple} yet; call it from Python (aot)")
    left = 8 if triple.startswith(("aarch64", "arm64")) else 6
    for t in params:
        if isinstance(t, StrT):
            if left == 1:
                raise NativeBuildError(f"{function}(): a str parameter would be split between the last integer "
                                       "register and the stack, which C does not do; put the str parameters "
                                       "before the integer ones")
            left = max(left - 2, 0)
        elif isinstance(t, TupleT) or (isinstance(t, ScalarT) and (t.is_float or t.is_complex)):
            continue  # tuples are checked by sysv_plan; floats take SSE/FP registers
        else:
            left = max(left - 1, 0)


def to_pieces(b: ir.IRBuilder, value: ir.Value, t: TupleT, entry_block: ir.Block) -> list[ir.Value]:
    """A tuple register value as the ABI pieces of its C struct (through a stack slot)."""
    slot = _slot(b, entry_block)
    for i, item in enumerate(t.items):
        v = b.extract_value(value, i)
        if item.is_bool:
            v = b.zext(v, I8)
        b.store(v, _field(b, slot, t, i))
    return [b.load(_eightbyte(b, slot, k, p)) for k, p in enumerate(sysv_pieces(t))]


def from_pieces(b: ir.IRBuilder, pieces: list[ir.Value], t: TupleT, entry_block: ir.Block,
                register_type: ir.Type) -> ir.Value:
    """The tuple register value from the ABI pieces of its C struct."""
    slot = _slot(b, entry_block)
    for k, p in enumerate(pieces):
        b.store(p, _eightbyte(b, slot, k, p.type))
    value = ir.Constant(register_type, ir.Undefined)
    for i, item in enumerate(t.items):
        v = b.load(_field(b, slot, t, i))
        if item.is_bool:
            v = b.icmp_unsigned("!=", v, I8(0))
        value = b.insert_value(value, v, i)
    return value


def _slot(b: ir.IRBuilder, entry_block: ir.Block) -> ir.Value:
    # 16 bytes, 8-aligned: room for both eightbytes whatever the struct's own size
    with b.goto_block(entry_block):
        b.position_at_start(entry_block)
        slot = b.alloca(ir.ArrayType(I64, 2))
    return slot


def _field(b: ir.IRBuilder, slot: ir.Value, t: TupleT, i: int) -> ir.Value:
    struct = c_struct_type(t)
    return b.gep(b.bitcast(slot, struct.as_pointer()), [I32(0), I32(i)])


def _eightbyte(b: ir.IRBuilder, slot: ir.Value, k: int, piece: ir.Type) -> ir.Value:
    return b.bitcast(b.gep(slot, [I32(0), I32(k)]), piece.as_pointer())


__all__ = ["c_struct_type", "check_c_target", "from_pieces", "in_memory", "layout", "load_fields", "memory_type",
           "store_fields", "sysv_pieces", "sysv_plan", "to_pieces"]
