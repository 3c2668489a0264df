"""Innermost small loops are unrolled by 4 in wasm modules (-O2 and -O3): fewer back-edges, so fewer of
wasmtime's epoch checks. The annotation is checked on IR text; the meaning of compiled loops (remainders,
early exits, errors mid-loop with the writes before them kept) against CPython through wasmtime."""

from __future__ import annotations

import numpy as np
import pytest

from pyexec.backends.wasm.build import compile_functions
from pyexec.backends.wasm.loader import load
from pyexec.backends.wasm.loop_unroll import MAX_INSTRUCTIONS, unroll_count, with_unrolled_inner_loops
from pyexec.types import float64, int64

NESTED = """define void @f(i64 %n) {
entry:
  br label %outer
outer:
  %i = phi i64 [0, %entry], [%i2, %outer.next]
  br label %"inner"
inner:
  %j = phi i64 [0, %outer], [%j2, %"inner"]
  %j2 = add i64 %j, 1
  %c = icmp slt i64 %j2, %n
  br i1 %c, label %"inner", label %outer.next
outer.next:
  %i2 = add i64 %i, 1
  %d = icmp slt i64 %i2, %n
  br i1 %d, label %outer, label %done
done:
  ret void
}
!0 = !{ !"branch_weights", i32 1, i32 99 }
!1000 = !{ !"taken" }"""


def test_only_the_innermost_loop_gets_the_unroll_hint_with_fresh_metadata_ids():
    out = with_unrolled_inner_loops(NESTED)
    assert 'br i1 %c, label %"inner", label %outer.next, !llvm.loop !1001' in out
    assert "br i1 %d, label %outer, label %done\n" in out  # the outer loop is left alone
    assert out.count("!llvm.loop") == 1
    # three instructions: the smallest loops are unrolled the most
    assert '!1001 = distinct !{!1001, !1002}\n!1002 = !{!"llvm.loop.unroll.count", i32 16}' in out
    assert '!"llvm.loop.unroll.count", i32 4}' in with_unrolled_inner_loops(NESTED, 4)


def test_the_unroll_count_shrinks_as_the_loop_body_grows_from_16_to_4():
    assert [unroll_count(n) for n in (1, 32, 33, 64, 65, MAX_INSTRUCTIONS)] == [16, 16, 8, 8, 4, 4]


def test_a_large_loop_body_and_a_function_without_loops_are_left_alone():
    big = NESTED.replace("  %j2 = add i64 %j, 1\n", "  %j2 = add i64 %j, 1\n" * MAX_INSTRUCTIONS)
    assert with_unrolled_inner_loops(big).count("!llvm.loop") == 0
    plain = "define i64 @g(i64 %x) {\nentry:\n  ret i64 %x\n}"
    assert with_unrolled_inner_loops(plain) == plain


def scale_prefix(a: float64[:], n: int) -> None:
    for i in range(n):
        a[i] = a[i] * 2.0 + 1.0


def first_over(a: int64[:], limit: int) -> int:
    k = 0
    while k < len(a):
        if a[k] > limit:
            break
        k += 1
    return k


def strided_total(a: float64[:], step: int) -> float:
    total = 0.0
    for i in range(0, len(a), step):
        total += a[i] * (i + 1)
    return total


@pytest.fixture(scope="module", params=[1, 2, 3])
def mod(request):
    return load(compile_functions([scale_prefix, first_over, strided_total], optimize=request.param).wasm)


@pytest.mark.parametrize("size", [0, 1, 2, 3, 5, 8, 13, 15, 16, 17, 31, 33])
def test_unrolled_loops_give_cpythons_results_for_every_remainder(mod, size):
    rng = np.random.default_rng(size)
    a = rng.normal(size=size)
    for n in range(size + 1):
        got, want = a.copy(), a.copy()
        mod.scale_prefix(got, n)
        scale_prefix(want, n)
        assert np.array_equal(got, want)
    ints = rng.integers(0, 10, size=size)
    for limit in range(-1, 11):
        assert mod.first_over(ints, limit) == first_over(ints, limit)
    for step in (1, 2, 3, 5):
        assert mod.strided_total(a[::-1], step) == strided_total(a[::-1], step)


@pytest.mark.parametrize("size", [0, 1, 4, 5, 7])
def test_an_index_error_mid_loop_keeps_the_writes_made_before_it(mod, size):
    got, want = np.arange(float(size)), np.arange(float(size))
    with pytest.raises(IndexError):
        mod.scale_prefix(got, size + 3)
    with pytest.raises(IndexError):
        scale_prefix(want, size + 3)
    assert np.array_equal(got, want)
