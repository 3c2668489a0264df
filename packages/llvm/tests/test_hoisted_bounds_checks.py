"""Bounds checks hoisted out of innermost range loops (pyexec.backends.llvm.loop_versioning): a loop whose
indices are affine in its variable runs unchecked when a test before it proves them in bounds, and
otherwise raises IndexError at the same iteration, with the same message and the same elements already
written, as CPython running the same loop over NumPy arrays."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import threading

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pyexec.backends.llvm import aot
from pyexec.types import float64, int32


def shifted(a: float64[:], out: float64[:], lo: int, hi: int, step: int, c: int) -> int:
    count = 0
    for i in range(lo, hi, step):
        out[i] = a[i + c] * 2.0 + a[c - 1]
        count += 1
    return count


def stencil_rows(u: float64[:, :], v: float64[:, :], lo: int, hi: int, c: int) -> None:
    n = u.shape[0]
    for i in range(1, n - 1):
        for j in range(lo, hi):
            v[i, j] = 0.25 * (u[i - 1, j] + u[i + 1, j] + u[i, j - c] + u[i, j + 1])


def jacobi_sweep(u: float64[:, :], v: float64[:, :]) -> None:
    n, m = u.shape
    for i in range(1, n - 1):
        for j in range(1, m - 1):
            v[i, j] = 0.25 * (u[i - 1, j] + u[i + 1, j] + u[i, j - 1] + u[i, j + 1])


def loop_variable_reassigned(a: int32[:], n: int) -> int:
    t = 0
    for i in range(n):
        t += a[i]
        i = i * 2 + 1  # the index below is not the loop's: the loop keeps its per-access checks
        t += a[i]
    return t


def early_exit(a: float64[:], out: float64[:], n: int, stop_at: float) -> int:
    for i in range(n):
        if a[i] > stop_at:
            return i  # the loop may end before an index the test before it refused
        out[i + 1] = a[i]
    return -1


def outcome(fn, *args):
    try:
        return ("value", fn(*args))
    except (IndexError, OverflowError, ValueError) as exc:
        return ("raises", type(exc).__name__, str(exc))


SETTINGS = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
COMPILED = {f: aot(f) for f in (shifted, stencil_rows, jacobi_sweep, loop_variable_reassigned, early_exit)}
UNCHECKED = {f: aot(f, boundscheck=False) for f in (shifted, stencil_rows)}


@SETTINGS
@given(st.integers(0, 40), st.integers(-50, 50), st.integers(-50, 50), st.sampled_from([1, 2, 3, -1, -2]),
       st.integers(-45, 45), st.sampled_from([slice(None), slice(None, None, -1), slice(1, None, 2)]))
def test_an_affine_loop_raises_at_the_same_iteration_with_the_same_writes_as_cpython(n, lo, hi, step, c, view):
    a = np.arange(float(n + 7))[view]
    mine, theirs = np.zeros(n), np.zeros(n)
    got, expected = outcome(COMPILED[shifted], a, mine, lo, hi, step, c), outcome(shifted, a, theirs, lo, hi, step, c)
    assert got == expected
    assert np.array_equal(mine, theirs)  # the iterations before the failing one wrote what CPython wrote


@SETTINGS
@given(st.integers(2, 12), st.integers(1, 12), st.integers(-3, 14), st.integers(-3, 14), st.integers(-2, 3),
       st.booleans())
def test_a_2d_stencil_row_loop_matches_cpython_in_and_out_of_bounds(rows, cols, lo, hi, c, transpose):
    u = np.arange(float(rows * cols)).reshape(rows, cols) ** 1.5
    if transpose:
        u = np.ascontiguousarray(u.T).T  # Fortran order: strided rows
    mine, theirs = np.zeros_like(u), np.zeros_like(u)
    got = outcome(COMPILED[stencil_rows], u, mine, lo, hi, c)
    assert got == outcome(stencil_rows, u, theirs, lo, hi, c)
    assert np.array_equal(mine, theirs)


@SETTINGS
@given(st.integers(0, 30), st.integers(-30, 30), st.integers(1, 3), st.integers(-3, 3))
def test_without_bounds_checks_an_in_bounds_loop_computes_what_cpython_does(n, lo, step, c):
    a = np.arange(float(n + 10))
    hi = n
    lo = max(lo, 0)
    if not all(0 <= i + c < a.size and 0 <= c - 1 < a.size for i in range(lo, hi, step)):
        return  # out of bounds is undefined behaviour without checks
    mine, theirs = np.zeros(n), np.zeros(n)
    assert UNCHECKED[shifted](a, mine, lo, hi, step, c) == shifted(a, theirs, lo, hi, step, c)
    assert np.array_equal(mine, theirs)


@pytest.mark.parametrize("n", [0, 1, 3, 4, 5, 9])
def test_a_reassigned_loop_variable_keeps_the_checks_of_the_index_it_computes(n):
    a = np.arange(9, dtype=np.int32)
    assert outcome(COMPILED[loop_variable_reassigned], a, n) == outcome(loop_variable_reassigned, a, n)


@pytest.mark.parametrize(("n", "stop_at"), [(5, 2.5), (5, 100.0), (9, 100.0), (9, 6.5), (0, 0.0)])
def test_a_loop_that_returns_before_its_out_of_bounds_iteration_returns_as_cpython_does(n, stop_at):
    a = np.arange(9.0)
    mine, theirs = np.zeros(9), np.zeros(9)
    assert outcome(COMPILED[early_exit], a, mine, n, stop_at) == outcome(early_exit, a, theirs, n, stop_at)
    assert np.array_equal(mine, theirs)


def test_the_proven_copy_of_a_strided_2d_sweep_is_there_and_vectorised():
    f = COMPILED[jacobi_sweep]
    assert "for.unchecked" in f.inspect_llvm()
    # float64[:, :] has run-time strides: counted in elements, LLVM versions the loop on a unit stride
    assert "x double>" in f.inspect_llvm(optimized=True)  # SSE2 / NEON at least: <2 x double>
    u = np.arange(48.0).reshape(6, 8) ** 1.5
    for view in (u, u.T, u[::-1, ::2]):
        mine, theirs = np.zeros_like(view), np.zeros_like(view)
        f(view, mine)
        jacobi_sweep(view, theirs)
        assert np.array_equal(mine, theirs)


def test_hoisted_loops_from_eight_threads_with_small_stacks_in_a_child_process(tmp_path):
    # a wrong hoisted test would read or write outside the arrays: a signal in the child, not here
    script = tmp_path / "threads.py"
    script.write_text(textwrap.dedent("""
        import sys, threading
        import numpy as np
        sys.path.insert(0, %r)
        from test_hoisted_bounds_checks import COMPILED, shifted, outcome

        f = COMPILED[shifted]
        errors = []

        def work(k):
            for lo, hi, c in [(0, 50, 3), (0, 60, 3), (-5, 50, 2), (49, -1, -1), (0, 50, -60)]:
                for _ in range(200):
                    a, out, ref = np.arange(60.0 + k), np.zeros(50), np.zeros(50)
                    step = 1 if hi > lo else -1
                    if outcome(f, a, out, lo, hi, step, c) != outcome(shifted, a, ref, lo, hi, step, c) \\
                            or not np.array_equal(out, ref):
                        errors.append((k, lo, hi, c))

        threading.stack_size(256 * 1024)
        threads = [threading.Thread(target=work, args=(k,)) for k in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        print("ok" if not errors else errors[:3])
    """) % str(__import__("pathlib").Path(__file__).parent))
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"


def test_threads_in_process_see_their_own_results():
    f = COMPILED[stencil_rows]
    u = np.arange(30.0).reshape(5, 6)
    expected = np.zeros_like(u)
    stencil_rows(u, expected, 1, 5, 1)
    results: dict[int, bool] = {}

    def work(k: int) -> None:
        for _ in range(100):
            v = np.zeros_like(u)
            f(u, v, 1, 5, 1)
            results[k] = results.get(k, True) and np.array_equal(v, expected)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == {k: True for k in range(4)}

