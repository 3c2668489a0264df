"""The compiler-rt functions LLVM's wasm32 code generator calls, written in LLVM IR and linked into every module.

wasm32 has no 128-bit integers, so LLVM lowers ``llvm.smul.with.overflow.i64`` (Python ``int``
multiplication) and 128-bit shifts to calls of compiler-rt's ``__multi3``/``__ashlti3``/``__lshrti3``/
``__ashrti3``. wasm-ld would take them from ``libclang_rt.builtins``; pyexec links these instead, so no
C toolchain is needed. Each is marked ``optnone`` so that LLVM cannot recognise the long multiplication and
turn it back into a call of itself. ABI: the 128-bit result is written through the first (sret) pointer,
each 128-bit argument is two i64 halves (low first).

Python's ``int`` multiplication checks for overflow with ``llvm.smul.with.overflow.i64``, which on wasm32
always calls ``__multi3`` (a 128-bit product through the shadow stack). :func:`with_fast_multiplication`
routes those checks through ``@pyexec.smulo.i64``: when both operands fit in 32 bits the product cannot
overflow and is one ``i64.mul``; only larger operands take the intrinsic (and ``__multi3``).

Example:
    >>> "define void @__multi3" in BUILTINS_IR
    True
"""

from __future__ import annotations

import re

BUILTINS_IR = r"""
define void @__multi3(ptr %res, i64 %alo, i64 %ahi, i64 %blo, i64 %bhi) #0 {
entry:
  %a0 = and i64 %alo, 4294967295
  %a1 = lshr i64 %alo, 32
  %b0 = and i64 %blo, 4294967295
  %b1 = lshr i64 %blo, 32
  %p00 = mul i64 %a0, %b0
  %p01 = mul i64 %a0, %b1
  %p10 = mul i64 %a1, %b0
  %p11 = mul i64 %a1, %b1
  %p00h = lshr i64 %p00, 32
  %p01l = and i64 %p01, 4294967295
  %p10l = and i64 %p10, 4294967295
  %mid0 = add i64 %p00h, %p01l
  %mid = add i64 %mid0, %p10l
  %p00l = and i64 %p00, 4294967295
  %midl = shl i64 %mid, 32
  %lo = or i64 %p00l, %midl
  %p01h = lshr i64 %p01, 32
  %p10h = lshr i64 %p10, 32
  %midh = lshr i64 %mid, 32
  %h0 = add i64 %p11, %p01h
  %h1 = add i64 %h0, %p10h
  %h2 = add i64 %h1, %midh
  %c1 = mul i64 %alo, %bhi
  %c2 = mul i64 %ahi, %blo
  %h3 = add i64 %h2, %c1
  %hi = add i64 %h3, %c2
  store i64 %lo, ptr %res, align 8
  %hp = getelementptr i8, ptr %res, i32 8
  store i64 %hi, ptr %hp, align 8
  ret void
}

define void @__ashlti3(ptr %res, i64 %lo, i64 %hi, i32 %n) #0 {
entry:
  %big = icmp uge i32 %n, 64
  br i1 %big, label %wide, label %narrow
wide:
  %s1 = sub i32 %n, 64
  %s1w = zext i32 %s1 to i64
  %hiw = shl i64 %lo, %s1w
  store i64 0, ptr %res, align 8
  %hpw = getelementptr i8, ptr %res, i32 8
  store i64 %hiw, ptr %hpw, align 8
  ret void
narrow:
  %zero = icmp eq i32 %n, 0
  br i1 %zero, label %same, label %shift
same:
  store i64 %lo, ptr %res, align 8
  %hps = getelementptr i8, ptr %res, i32 8
  store i64 %hi, ptr %hps, align 8
  ret void
shift:
  %nw = zext i32 %n to i64
  %back = sub i64 64, %nw
  %lo2 = shl i64 %lo, %nw
  %hi2a = shl i64 %hi, %nw
  %carry = lshr i64 %lo, %back
  %hi2 = or i64 %hi2a, %carry
  store i64 %lo2, ptr %res, align 8
  %hp = getelementptr i8, ptr %res, i32 8
  store i64 %hi2, ptr %hp, align 8
  ret void
}

define void @__lshrti3(ptr %res, i64 %lo, i64 %hi, i32 %n) #0 {
entry:
  %big = icmp uge i32 %n, 64
  br i1 %big, label %wide, label %narrow
wide:
  %s1 = sub i32 %n, 64
  %s1w = zext i32 %s1 to i64
  %low = lshr i64 %hi, %s1w
  store i64 %low, ptr %res, align 8
  %hpw = getelementptr i8, ptr %res, i32 8
  store i64 0, ptr %hpw, align 8
  ret void
narrow:
  %zero = icmp eq i32 %n, 0
  br i1 %zero, label %same, label %shift
same:
  store i64 %lo, ptr %res, align 8
  %hps = getelementptr i8, ptr %res, i32 8
  store i64 %hi, ptr %hps, align 8
  ret void
shift:
  %nw = zext i32 %n to i64
  %back = sub i64 64, %nw
  %lo2a = lshr i64 %lo, %nw
  %carry = shl i64 %hi, %back
  %lo2 = or i64 %lo2a, %carry
  %hi2 = lshr i64 %hi, %nw
  store i64 %lo2, ptr %res, align 8
  %hp = getelementptr i8, ptr %res, i32 8
  store i64 %hi2, ptr %hp, align 8
  ret void
}

define void @__ashrti3(ptr %res, i64 %lo, i64 %hi, i32 %n) #0 {
entry:
  %big = icmp uge i32 %n, 64
  br i1 %big, label %wide, label %narrow
wide:
  %s1 = sub i32 %n, 64
  %s1w = zext i32 %s1 to i64
  %low = ashr i64 %hi, %s1w
  %sign = ashr i64 %hi, 63
  store i64 %low, ptr %res, align 8
  %hpw = getelementptr i8, ptr %res, i32 8
  store i64 %sign, ptr %hpw, align 8
  ret void
narrow:
  %zero = icmp eq i32 %n, 0
  br i1 %zero, label %same, label %shift
same:
  store i64 %lo, ptr %res, align 8
  %hps = getelementptr i8, ptr %res, i32 8
  store i64 %hi, ptr %hps, align 8
  ret void
shift:
  %nw = zext i32 %n to i64
  %back = sub i64 64, %nw
  %lo2a = lshr i64 %lo, %nw
  %carry = shl i64 %hi, %back
  %lo2 = or i64 %lo2a, %carry
  %hi2 = ashr i64 %hi, %nw
  store i64 %lo2, ptr %res, align 8
  %hp = getelementptr i8, ptr %res, i32 8
  store i64 %hi2, ptr %hp, align 8
  ret void
}

define internal {i64, i1} @pyexec.smulo.i64(i64 %a, i64 %b) #1 {
entry:
  %ra = add i64 %a, 2147483648
  %rb = add i64 %b, 2147483648
  %both = or i64 %ra, %rb
  %high = lshr i64 %both, 32
  %small = icmp eq i64 %high, 0
  br i1 %small, label %fast, label %wide
fast:
  %p = mul nsw i64 %a, %b
  %f1 = insertvalue {i64, i1} undef, i64 %p, 0
  %f2 = insertvalue {i64, i1} %f1, i1 false, 1
  ret {i64, i1} %f2
wide:
  %w = call {i64, i1} @llvm.smul.with.overflow.i64(i64 %a, i64 %b)
  ret {i64, i1} %w
}

attributes #0 = { noinline optnone nounwind }
attributes #1 = { alwaysinline nounwind }
"""
"""LLVM IR of the 128-bit helpers (target independent; parsed with the wasm32 triple)."""

BUILTIN_NAMES = ("__multi3", "__ashlti3", "__lshrti3", "__ashrti3")

_SMULO = re.compile(r'@"?llvm\.smul\.with\.overflow\.i64"?\(')
_SMULO_DECLARATION = "declare {i64, i1} @llvm.smul.with.overflow.i64(i64, i64)"


def with_fast_multiplication(llvm_ir: str) -> str:
    """Route the lowered module's checked ``i64`` multiplications through ``@pyexec.smulo.i64``.

    The module keeps (or gains) the intrinsic's declaration, which ``@pyexec.smulo.i64`` calls itself.

    Example:
        >>> text = with_fast_multiplication("  %r = call {i64, i1} @llvm.smul.with.overflow.i64(i64 %a, i64 %b)")
        >>> '@"pyexec.smulo.i64"(i64 %a' in text and _SMULO_DECLARATION in text
        True
    """
    lines = []
    declared = False
    for line in llvm_ir.splitlines():
        if line.startswith("declare") and _SMULO.search(line):
            declared = True
        else:
            line = _SMULO.sub('@"pyexec.smulo.i64"(', line)
        lines.append(line)
    if not declared:
        lines.append(_SMULO_DECLARATION)
    return "\n".join(lines) + "\n"
