"""The 128-bit helpers linked into every module, and the fast path of checked int multiplication."""

from __future__ import annotations

import itertools
import random

import pytest

from pyexec.backends.wasm import compile_ir_module, link, load
from pyexec.backends.wasm.compiler_builtins import BUILTINS_IR, with_fast_multiplication
from pyexec.frontend import analyze_source

I128_OPS = r"""
declare {i64, i1} @llvm.smul.with.overflow.i64(i64, i64)
define i64 @checked_mul(i64 %a, i64 %b) {
  %r = call {i64, i1} @llvm.smul.with.overflow.i64(i64 %a, i64 %b)
  %v = extractvalue {i64, i1} %r, 0
  %o = extractvalue {i64, i1} %r, 1
  %s = select i1 %o, i64 12345, i64 %v
  ret i64 %s
}
define i64 @shift128(i64 %lo, i64 %hi, i32 %n, i32 %kind) {
  %a = zext i64 %lo to i128
  %b = zext i64 %hi to i128
  %c = shl i128 %b, 64
  %x = or i128 %a, %c
  %nn = zext i32 %n to i128
  %l = shl i128 %x, %nn
  %r = lshr i128 %x, %nn
  %s = ashr i128 %x, %nn
  %is0 = icmp eq i32 %kind, 0
  %is1 = icmp eq i32 %kind, 1
  %t = select i1 %is1, i128 %r, i128 %s
  %u = select i1 %is0, i128 %l, i128 %t
  %h = lshr i128 %u, 64
  %low = trunc i128 %u to i64
  %high = trunc i128 %h to i64
  %mix = xor i64 %low, %high
  ret i64 %mix
}
"""

EDGES = [0, 1, -1, 2, -2, 2**31 - 1, 2**31, -(2**31), -(2**31) - 1, 2**32, -(2**32), 2**62, -(2**62), 2**63 - 1,
         -(2**63), 3037000499, -3037000499, 3037000500, -3037000500]


def _signed(v: int) -> int:
    v %= 2**64
    return v - 2**64 if v >= 2**63 else v


@pytest.mark.parametrize("optimize", [0, 2])
def test_multi3_and_128_bit_shifts_compute_exact_results(emit, instantiate, optimize):
    linked = link(emit(I128_OPS + BUILTINS_IR, optimize=optimize), ["checked_mul", "shift128"], host_functions=set())
    assert linked.imports == []  # no compiler-rt needed from anywhere else
    store, ex = instantiate(linked.wasm)
    rng = random.Random(5)
    values = EDGES + [rng.randint(-(2**63), 2**63 - 1) for _ in range(30)]
    for a, b in itertools.product(values, values[:20]):
        p = a * b
        assert ex["checked_mul"](store, a, b) == (p if -(2**63) <= p < 2**63 else 12345), (a, b)
    for _ in range(300):
        lo, hi = rng.randint(-(2**63), 2**63 - 1), rng.randint(-(2**63), 2**63 - 1)
        n, kind = rng.randint(0, 127), rng.randint(0, 2)
        x = (lo % 2**64) | ((hi % 2**64) << 64)
        if kind == 0:
            r = (x << n) % 2**128
        elif kind == 1:
            r = x >> n
        else:
            r = ((x - 2**128 if x >= 2**127 else x) >> n) % 2**128
        assert ex["shift128"](store, lo, hi, n, kind) == _signed((r % 2**64) ^ (r >> 64)), (lo, hi, n, kind)


def test_checked_multiplication_takes_the_fast_path_without_changing_results():
    module = analyze_source("def mul(a: int, b: int) -> int:\n    return a * b\n", "mul.py")
    loaded = load(compile_ir_module(module).wasm)
    rng = random.Random(7)
    values = EDGES + [rng.randint(-(2**63), 2**63 - 1) for _ in range(15)] + [rng.randint(-(2**34), 2**34)
                                                                              for _ in range(15)]
    for a, b in itertools.product(values, repeat=2):
        p = a * b
        if -(2**63) <= p < 2**63:
            assert loaded.mul(a, b) == p, (a, b)
        else:
            with pytest.raises(OverflowError):
                loaded.mul(a, b)


def test_fast_multiplication_rewrites_calls_but_keeps_one_declaration():
    text = ('  %r = call {i64, i1} @"llvm.smul.with.overflow.i64"(i64 %a, i64 %b)\n'
            'declare {i64, i1} @"llvm.smul.with.overflow.i64"(i64 %".1", i64 %".2")\n')
    out = with_fast_multiplication(text)
    assert '@"pyexec.smulo.i64"(i64 %a, i64 %b)' in out
    assert out.count("declare") == 1
