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
from collections.abc import Callable

import pytest

from pyexec.backends.llvm import aot
from pyexec.types import uint64

_PRELUDE = """
import sys, threading
from pyexec.backends.llvm import aot
"""


def run_case(code: str, *, timeout: float = 60, preexec_fn: Callable[[], None] | None = None) -> str:
    """Run ``code`` in a fresh interpreter; fail on a signal or a non-zero exit; return its stdout.

    The code is a file, not ``-c``: the frontend reads a function's source from its file.
    ``preexec_fn`` runs in the child before Python starts (to set a resource limit).
    """
    fd, path = tempfile.mkstemp(suffix=".py", prefix="pyexec_case_")
    with os.fdopen(fd, "w") as f:
        f.write(_PRELUDE + textwrap.dedent(code))
    try:
        proc = subprocess.run([sys.executable, path], capture_output=True, text=True, timeout=timeout,
                              preexec_fn=preexec_fn)
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

def down(n: int) -> int:
    if n == 0:
        return 1 // n
    return 1 + down(n - 1)

def deep(n: int) -> int:
    if n == 0:
        return 0
    return 1 + deep(n - 1)

# the order that crashed: an aot compile, the process's first Numba compile, then new aot functions
print(aot(square, cache=False)(7), numba.njit(twice)(21))
for func, arg, exc in ((down, 10, ZeroDivisionError), (deep, 10**8, RecursionError)):
    try:
        aot(func, cache=False)(arg)
    except exc as e:
        print("raised", type(e).__name__)
"""


@needs_numba
def test_aot_functions_compiled_after_numba_raise_zero_division_and_recursion_errors():
    assert run_case(_AFTER_NUMBA).splitlines() == ["49 42", "raised ZeroDivisionError", "raised RecursionError"]


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
    with pytest.raises(ZeroDivisionError, match=r"0\.0 cannot be raised to a negative power"):
        f(0, -1)
    with pytest.raises(ValueError):
        f(2, -1)  # CPython gives 0.5: documented, the result type would not be int
    assert f(0, 0) == 1 and f(-3, 3) == -27


def test_wasm_lowering_shares_the_zero_division_error_of_zero_to_a_negative_power():
    from pyexec.backends.llvm import lower_module
    from pyexec.frontend import analyze_functions

    text = str(lower_module(analyze_functions([_int_pow]), triple="wasm32-unknown-unknown", data_layout=""))
    assert "0.0 cannot be raised to a negative power" in text


# --- threads ----------------------------------------------------------------------------------------

_THREADS = """
import io

sys.setswitchinterval(1e-6)  # switch threads as often as CPython allows, inside print and round too

def work(n: int, k: int) -> float:
    s = 0.0
    for i in range(n):
        s += round(i * 0.37, 2)
        print(i, end="")
    return s / (n - k)  # ZeroDivisionError when n == k

def depth(n: int) -> int:
    if n == 0:
        return 0
    print("", end="")
    return 1 + depth(n - 1)

cwork, cdepth = aot(work, cache=False), aot(depth, cache=False)
sys.stdout, real_stdout = io.StringIO(), sys.stdout
results = {{}}

def run(t: int) -> None:
    got = []
    for rep in range(20):
        n = 40 + t
        try:
            got.append(cwork(n, n if (t + rep) % 3 == 0 else -1))
        except ZeroDivisionError:
            got.append("zde")
        got.append(cdepth(3000 + t))
    results[t] = got

threads = [threading.Thread(target=run, args=(t,)) for t in range({count})]
for th in threads:
    th.start()
for th in threads:
    th.join()
expected = {{}}
for t in range({count}):  # the same calls in Python (printing to the same sink)
    expected[t] = []
    for rep in range(20):
        n = 40 + t
        try:
            expected[t].append(work(n, n if (t + rep) % 3 == 0 else -1))
        except ZeroDivisionError:
            expected[t].append("zde")
        expected[t].append(3000 + t)
sys.stdout = real_stdout
for t in range({count}):
    assert results[t] == expected[t], (t, results[t][:6], expected[t][:6])
print("ok", len(results))
"""


@pytest.mark.parametrize("count", [2, 8])
def test_threads_calling_functions_that_print_round_fault_and_recurse_each_see_their_own_state(count):
    assert run_case(_THREADS.format(count=count), timeout=120).split() == ["ok", str(count)]


# --- small stacks -------------------------------------------------------------------------------------

_STACKS = """
def deep(n: int) -> int:
    if n == 0:
        return 0
    return 1 + deep(n - 1)

cdeep = aot(deep, cache=False)
outcomes = []

def run() -> None:
    try:
        cdeep(10**8)
        outcomes.append("returned")
    except RecursionError:
        outcomes.append("RecursionError")
    outcomes.append(cdeep(500))  # a shallow call still works on that thread afterwards

for kib in (256, 512, 1024, 8192):
    threading.stack_size(kib * 1024)
    th = threading.Thread(target=run)
    th.start()
    th.join()
threading.stack_size(0)
run()  # the main thread
print(*outcomes)
"""


def test_runaway_recursion_raises_recursion_error_on_threads_with_small_stacks():
    assert run_case(_STACKS).split() == ["RecursionError", "500"] * 5


def test_runaway_recursion_raises_recursion_error_under_a_small_ulimit_stack():
    if sys.platform == "win32":
        pytest.skip("ulimit -s is a Unix limit")
    import resource

    def limit_stack() -> None:
        resource.setrlimit(resource.RLIMIT_STACK, (512 * 1024, resource.getrlimit(resource.RLIMIT_STACK)[1]))

    assert run_case(_STACKS, preexec_fn=limit_stack).split() == ["RecursionError", "500"] * 5


_PTHREAD_MAIN = r'''
#include <pthread.h>
#include <stdio.h>
#include "deeplib.h"

static void *run(void *arg) {
    long *out = arg;
    out[0] = deep(100000000);
    out[1] = deeplib_last_error();
    out[2] = deep(300);
    out[3] = deeplib_last_error();
    return NULL;
}

int main(void) {
    long kib[] = {256, 512, 8192};
    for (int i = 0; i < 3; i++) {
        pthread_attr_t attr;
        pthread_t t;
        long out[4];
        pthread_attr_init(&attr);
        pthread_attr_setstacksize(&attr, kib[i] * 1024);
        if (pthread_create(&t, &attr, run, out) != 0) return 2;
        pthread_join(t, NULL);
        printf("%ld %ld %ld %ld\n", out[0], out[1], out[2], out[3]);
    }
    return 0;
}
'''


def _deep(n: int) -> int:
    if n == 0:
        return 0
    return 1 + _deep(n - 1)


def deep(n: int) -> int:
    return _deep(n)


@pytest.mark.skipif(shutil.which("gcc") is None and shutil.which("cc") is None, reason="no C compiler")
def test_a_c_thread_with_a_small_stack_gets_recursion_error_from_a_compile_llvm_library(tmp_path):
    from pyexec.backends.llvm import compile_llvm

    files = compile_llvm(deep, "deeplib", output_dir=tmp_path)
    (tmp_path / "main.c").write_text(_PTHREAD_MAIN)
    cc = shutil.which("gcc") or shutil.which("cc")
    subprocess.run([cc, "main.c", "-o", "main", "-I.", str(files["library"]), f"-Wl,-rpath,{tmp_path}", "-pthread"],
                   cwd=tmp_path, check=True, capture_output=True)
    proc = subprocess.run([str(tmp_path / "main")], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, f"exit status {proc.returncode}: {proc.stderr}"
    assert proc.stdout.splitlines() == ["0 5 300 0"] * 3  # 5: DEEPLIB_RECURSION_ERROR


# --- interrupts and exceptions from print --------------------------------------------------------------

_SIGINT = """
import os, signal, subprocess, time

{func}

f = aot({name}, cache=False)
f({warm})  # compiled, and the hook installed, before the signal is on its way
# the signal comes from another process: a Python timer thread could not run, since the compiled
# call holds the GIL (as any C extension's call does)
start = time.monotonic()
subprocess.Popen(["sh", "-c", f"sleep 0.3; kill -INT {{os.getpid()}}"])
try:
    f({arg})
    print("returned")
except KeyboardInterrupt:
    print("KeyboardInterrupt", time.monotonic() - start < 20)
"""

_SPIN = """
def spin(n: int) -> int:
    s = 0
    i = 0
    while i < n:
        s = (s * 31 + i) % 1000003
        i += 1
    return s
"""

_SPIN_RANGE = """
def spin_range(n: int) -> int:
    s = 0
    for i in range(n):
        s = (s * 31 + i) % 1000003
    return s
"""

_NESTED_SHORT = """
def nested_short(n: int) -> int:
    # an outer loop polls on each iteration; its inner loops (0 or 3 iterations) only on entry
    s = 0
    for i in range(n):
        for j in range(i % 2 * 3):
            s = (s * 31 + j) % 1000003
        s = (s + i) % 1000003
    return s
"""

_NESTED_LONG_INNER = """
def nested_long_inner(n: int) -> int:
    # the inner loop is long: it runs in chunks, each polling
    s = 0
    for i in range(2):
        for j in range(n):
            s = (s * 31 + j) % 1000003
    return s
"""

_FIB = """
def fib(n: int) -> int:
    if n < 2:
        return n
    return fib(n - 1) + fib(n - 2)
"""


@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT from kill(1) is Unix only")
@pytest.mark.parametrize(("func", "name", "warm", "arg"),
                         [(_SPIN, "spin", 10, 10**15), (_SPIN_RANGE, "spin_range", 10, 10**15), (_FIB, "fib", 10, 200),
                          (_NESTED_SHORT, "nested_short", 10, 10**15),
                          (_NESTED_LONG_INNER, "nested_long_inner", 10, 10**15)],
                         ids=["while-loop", "range-loop", "recursion", "outer-loop-of-short-loops",
                              "long-inner-loop"])
def test_sigint_during_a_long_compiled_call_raises_keyboard_interrupt(func, name, warm, arg):
    out = run_case(_SIGINT.format(func=func, name=name, warm=warm, arg=arg))
    assert out.split() == ["KeyboardInterrupt", "True"]


def test_an_exception_from_stdout_write_propagates_out_of_compiled_print():
    out = run_case("""
    class Pipe:
        writes = 0

        def write(self, text):
            Pipe.writes += 1
            if Pipe.writes == 5:
                raise BrokenPipeError(32, "Broken pipe")
            return len(text)

    def chatty(n: int) -> int:
        for i in range(n):
            print(i)
        return n

    f = aot(chatty, cache=False)
    real, sys.stdout = sys.stdout, Pipe()
    try:
        f(1000)
        outcome = "returned"
    except BrokenPipeError as e:
        outcome = type(e).__name__
    sys.stdout = real
    print(outcome, Pipe.writes)
    sys.stdout = None  # like print(): no stdout, no output and no error
    f(3)
    sys.stdout = real
    print("done")
    """)
    assert out.split() == ["BrokenPipeError", "5", "done"]


@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT from kill(1) is Unix only")
def test_sigint_while_compiled_code_prints_raises_keyboard_interrupt():
    out = run_case("""
    import io, os, subprocess

    def chatty(n: int) -> int:
        for i in range(n):
            print(i)
        return n

    f = aot(chatty, cache=False)
    real, sys.stdout = sys.stdout, io.StringIO()
    f(1)
    subprocess.Popen(["sh", "-c", f"sleep 0.3; kill -INT {os.getpid()}"])
    try:
        for _ in range(1000):
            f(10**5)
            sys.stdout.seek(0)
            sys.stdout.truncate()
        outcome = "returned"
    except KeyboardInterrupt:
        outcome = "KeyboardInterrupt"
    sys.stdout = real
    print(outcome)
    """)
    assert out.split() == ["KeyboardInterrupt"]


@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT from kill(1) is Unix only")
def test_a_python_sigint_handler_runs_during_a_compiled_loop_and_its_exception_propagates():
    out = run_case("""
    import os, signal, subprocess, time

    def stop(signum, frame):
        raise RuntimeError("stopped by handler")

    signal.signal(signal.SIGINT, stop)

    def spin(n: int) -> int:
        s = 0
        i = 0
        while i < n:
            s = (s * 31 + i) % 1000003
            i += 1
        return s

    f = aot(spin, cache=False)
    f(10)
    subprocess.Popen(["sh", "-c", f"sleep 0.3; kill -INT {os.getpid()}"])
    try:
        f(10**15)
    except RuntimeError as e:
        print(e)
    # with no compiled call running, Python handles SIGINT as usual
    signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        os.kill(os.getpid(), signal.SIGINT)
        time.sleep(5)
    except KeyboardInterrupt:
        print("KeyboardInterrupt")
    """)
    assert out.splitlines() == ["stopped by handler", "KeyboardInterrupt"]


def test_on_a_stack_that_is_not_its_threads_the_recursion_limit_falls_back_to_1_mib_below_the_entry():
    import ctypes

    from pyexec.backends.llvm import host_runtime, runtime

    host_runtime.register_symbols()
    stack_limit = ctypes.CFUNCTYPE(ctypes.c_uint64, ctypes.c_uint64)(host_runtime._host["pyexec_stack_limit"])
    here = ctypes.addressof(ctypes.create_string_buffer(64))  # a heap address, as on a foreign stack
    assert stack_limit(here) == here - runtime.STACK_BUDGET


def test_threads_compiling_the_first_functions_of_the_process_at_once_all_work():
    out = run_case("""
    def f0(n: int) -> int:
        return 1 // n

    def f1(n: int) -> int:
        if n == 0:
            return 1 // n
        return f1(n - 1) + 1

    def f2(n: int) -> int:
        s = 0
        for i in range(n):
            s += i
        return s // (n - 2)

    def f3(n: int) -> int:
        print("", end="")
        return 1 // (n - 3)

    funcs = [f0, f1, f2, f3] * 2
    results = []

    def run(k: int) -> None:
        try:
            results.append((k, f"returned {aot(funcs[k], cache=False)(k % 4)!r}"))
        except BaseException as exc:  # every outcome is reported, so a failure says what happened
            results.append((k, type(exc).__name__ if isinstance(exc, ZeroDivisionError) else repr(exc)))

    threads = [threading.Thread(target=run, args=(k,)) for k in range(8)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    print(sorted(results))
    """)
    assert out.strip() == str([(k, "ZeroDivisionError") for k in range(8)])


# --- recursion LLVM could turn into a loop ------------------------------------------------------------

_TAIL_FORMS = """
from pyexec.types import uint64

def up(n: int) -> int:
    return up(n + 1)

def accumulate(n: int, total: int) -> int:
    if n == 0:
        return total
    return accumulate(n - 1, total + n)

def count(n: uint64) -> uint64:
    if n == 0:
        return uint64(0)
    return count(n - uint64(1)) + uint64(1)

def nothing(n: int) -> None:
    nothing(n)

calls = [(aot(up, cache=False), (0,)), (aot(accumulate, cache=False), (-1, 0)),
         (aot(count, cache=False), (2**64 - 1,)), (aot(nothing, cache=False), (1,))]
outcomes = []

def run() -> None:
    seen = []
    for func, args in calls:
        try:
            func(*args)
            seen.append("returned")
        except RecursionError:
            seen.append("RecursionError")
    seen.append(str(calls[1][0](100, 0)))  # the same functions still work on that thread afterwards
    outcomes.append(" ".join(seen))  # one append per thread: the threads' lines never interleave

for kib in (256, 8192):
    threading.stack_size(kib * 1024)
    pool = [threading.Thread(target=run) for _ in range(2)]
    for th in pool: th.start()
    for th in pool: th.join()
threading.stack_size(0)
run()  # the main thread
print(*outcomes)
"""


def test_tail_and_accumulator_runaway_recursion_raises_recursion_error_instead_of_looping_forever():
    # tail-recursion elimination would make these loops whose frame never moves, so the stack check never
    # fires and the call hangs; every call that may recurse is emitted `notail`
    assert run_case(_TAIL_FORMS).split() == (["RecursionError"] * 4 + ["5050"]) * 5
