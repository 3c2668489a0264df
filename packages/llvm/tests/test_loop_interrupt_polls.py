"""Where range loops poll for interrupts (pyexec.backends.llvm.lowering.statements): an innermost loop of
at most POLL_CHUNK iterations polls once on entry, a longer one in chunks of POLL_CHUNK, and a loop
holding a loop on each iteration. Each copy runs the loop exactly as CPython does: every trip count
around the chunk's size, nested, with break/continue/else, gives CPython's result. (Ctrl-C during
such loops: test_robustness_native.py's SIGINT tests.)"""

from __future__ import annotations

import pytest

from pyexec.backends.llvm import aot
from pyexec.backends.llvm.lowering.state import POLL_CHUNK

COUNTS = [0, 1, 2, POLL_CHUNK - 1, POLL_CHUNK, POLL_CHUNK + 1, 2 * POLL_CHUNK + 3]


def innermost(lo: int, hi: int, step: int) -> int:
    s = 0
    for i in range(lo, hi, step):
        s = (s * 31 + i) % 1000003
    else:
        s += 1
    return s


def nested(n: int, m: int) -> int:
    s = 0
    for i in range(n):
        for j in range(i % 3, m):
            if j == 5 and i == 1:
                continue
            if j > 2 * POLL_CHUNK:
                break
            s = (s * 31 + j + i) % 1000003
        else:
            s += 7
    return s


def nested_enumerate(n: int, m: int) -> int:
    s = 0
    for i, k in enumerate(range(n, 0, -1)):
        for j, x in zip(range(m), range(m, 0, -1)):
            s = (s * 31 + j * x + k) % 1000003
        s += i
    return s


@pytest.mark.parametrize("count", COUNTS)
def test_an_innermost_loop_of_any_trip_count_around_the_poll_chunk_matches_cpython(count):
    f = aot(innermost, cache=False)
    assert f(0, count, 1) == innermost(0, count, 1)
    assert f(count, 0, -1) == innermost(count, 0, -1)
    assert f(-count, count, 2) == innermost(-count, count, 2)


@pytest.mark.parametrize("inner", [0, 1, 4, POLL_CHUNK, POLL_CHUNK + 2])
def test_an_outer_loop_polling_on_each_iteration_runs_its_inner_loops_as_cpython(inner):
    f = aot(nested, cache=False)
    for outer in (0, 1, 3):
        assert f(outer, inner) == nested(outer, inner)


@pytest.mark.parametrize("inner", [0, 3, POLL_CHUNK + 1])
def test_nested_enumerate_and_zip_loops_poll_and_match_cpython(inner):
    f = aot(nested_enumerate, cache=False)
    for outer in (0, 2):
        assert f(outer, inner) == nested_enumerate(outer, inner)
