"""The Python loader under threads, Ctrl-C, crafted files and odd arguments: an exception, never a crash.

Every case that could crash runs in a child process, so a signal is a test failure with the child's
output, not the end of the test run.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from pyexec.backends.wasm import WasmLoadError, compile_ir_module, load
from pyexec.backends.wasm.signature import SECTION_NAME
from pyexec.backends.wasm.wasm_binary import MAGIC, SECTION_CUSTOM, VERSION, read_sections, section
from pyexec.frontend import analyze_source

SOURCE = '''
from pyexec.types import float32

def fact(n: int) -> int:
    if n <= 1:
        return 1
    return n * fact(n - 1)

def depth(n: int) -> int:
    if n == 0:
        return 0
    return depth(n - 1) + 1

def div(a: int, b: int) -> int:
    return a // b

def show(x: int) -> None:
    print("x =", x)

def spin(n: int) -> int:
    total: int = 0
    for i in range(n):
        total = (total + i) % 1000003
    return total

def chatty(n: int) -> int:
    for i in range(n):
        print(i)
    return n

def scale(x: float, k: float) -> float:
    return x * k

def show32(x: float32) -> None:
    print(x)
'''


@pytest.fixture(scope="module")
def wasm_bytes() -> bytes:
    return compile_ir_module(analyze_source(SOURCE, "robust.py"), optimize=2).wasm


@pytest.fixture(scope="module")
def wasm_file(tmp_path_factory, wasm_bytes):
    path = tmp_path_factory.mktemp("robust") / "robust.wasm"
    path.write_bytes(wasm_bytes)
    return path


def _child(code: str, *, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True,
                          timeout=timeout)
    assert done.returncode == 0, f"child exited with {done.returncode}\n{done.stdout}\n{done.stderr}"
    return done


def _wat(text: str) -> bytes:
    import wasmtime

    return wasmtime.wat2wasm(text)


def _with_signatures(wasm: bytes, payload: bytes) -> bytes:
    """``wasm`` with its pyexec signature section replaced by ``payload``."""
    kept = [s for s in read_sections(wasm) if not (s.id == SECTION_CUSTOM and s.name == SECTION_NAME)]
    body = b"".join(section(s.id, s.payload, name=s.name) if s.id == SECTION_CUSTOM else section(s.id, s.payload)
                    for s in kept)
    return MAGIC + VERSION + body + section(SECTION_CUSTOM, payload, name=SECTION_NAME)


# --- threads ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("threads", [2, 8])
def test_threads_share_one_module_with_recursion_print_and_errors(wasm_file, threads):
    done = _child(f"""
        import io, sys, threading
        from pyexec.backends.wasm import load
        threading.stack_size(256 * 1024)      # small thread stacks: the wasm stack is not the thread's
        mod = load({str(wasm_file)!r})
        failures = []
        sys.stdout = io.StringIO()

        def work(k):
            try:
                for i in range(150):
                    assert mod.fact(20) == 2432902008176640000
                    assert mod.depth(2000 + k) == 2000 + k
                    mod.show(k)
                    try:
                        mod.div(i, 0)
                    except ZeroDivisionError:
                        pass
                    else:
                        raise AssertionError("no ZeroDivisionError")
                    assert mod.div(-7, 2) == -4
                    assert mod.scale(x=1.5, k=2) == 3.0
            except BaseException as exc:
                failures.append(repr(exc))

        pool = [threading.Thread(target=work, args=(k,)) for k in range({threads})]
        for t in pool: t.start()
        for t in pool: t.join()
        lines = sys.stdout.getvalue().splitlines()
        sys.stdout = sys.__stdout__
        assert not failures, failures[:3]
        assert sorted(lines) == sorted(f"x = {{k}}" for k in range({threads}) for _ in range(150)), lines[:5]
        print("ok")
    """)
    assert done.stdout == "ok\n"


def test_a_call_from_inside_a_call_of_the_same_module_is_a_runtime_error(wasm_file):
    done = _child(f"""
        import sys
        from pyexec.backends.wasm import load
        mod = load({str(wasm_file)!r})
        class Reenter:
            def write(self, text):
                mod.fact(3)
        sys.stdout = Reenter()
        try:
            mod.show(1)
        except RuntimeError as exc:
            sys.stdout = sys.__stdout__
            print("RuntimeError", "another call of the wasm module" in str(exc))
        print(mod.fact(5))
    """)
    assert done.stdout == "RuntimeError True\n120\n"


# --- Ctrl-C, start functions and host exceptions -----------------------------------------------------


@pytest.mark.parametrize("function", ["spin", "chatty"])
def test_ctrl_c_stops_a_long_call_with_keyboard_interrupt(wasm_file, function):
    done = _child(f"""
        import os, signal, sys, threading, time
        from pyexec.backends.wasm import load
        signal.signal(signal.SIGINT, signal.default_int_handler)  # as in a terminal, even if CI ignores SIGINT
        mod = load({str(wasm_file)!r})
        sys.stdout = open(os.devnull, "w")
        threading.Timer(0.3, lambda: os.kill(os.getpid(), signal.SIGINT)).start()
        start = time.monotonic()
        try:
            getattr(mod, {function!r})(10**15)
        except KeyboardInterrupt:
            outcome = "KeyboardInterrupt"
        else:
            outcome = "returned"
        elapsed = time.monotonic() - start
        sys.stdout = sys.__stdout__
        print(outcome, elapsed < 5, mod.fact(10))
        # outside wasm calls Ctrl-C behaves as before
        try:
            os.kill(os.getpid(), signal.SIGINT); time.sleep(1)
        except KeyboardInterrupt:
            print("plain KeyboardInterrupt")
    """)
    assert done.stdout == "KeyboardInterrupt True 3628800\nplain KeyboardInterrupt\n"


def test_an_uninterruptible_module_finishes_its_call_then_raises_keyboard_interrupt(wasm_file):
    # interruptible=False: no epoch checks in the code, so Ctrl-C waits for the call to return; results are
    # the same, from threads too, and the interruptible engine beside it still stops its calls
    done = _child(f"""
        import os, signal, threading, time
        from pyexec.backends.wasm import load
        signal.signal(signal.SIGINT, signal.default_int_handler)
        fast = load({str(wasm_file)!r}, interruptible=False, start_timeout=None)
        slow = load({str(wasm_file)!r})
        n = 1
        while True:  # a call long enough for the signal to come in the middle of it
            start = time.monotonic(); fast.spin(n); took = time.monotonic() - start
            if took > 0.4: break
            n *= 4
        answers = []
        pool = [threading.Thread(target=lambda: answers.append(fast.fact(20))) for _ in range(4)]
        for t in pool: t.start()
        for t in pool: t.join()
        threading.Timer(took / 4, lambda: os.kill(os.getpid(), signal.SIGINT)).start()
        start = time.monotonic()
        try:
            result = fast.spin(n)
        except KeyboardInterrupt:
            result = "KeyboardInterrupt"
        print(result, time.monotonic() - start > took / 2, answers == [2432902008176640000] * 4)
        threading.Timer(0.3, lambda: os.kill(os.getpid(), signal.SIGINT)).start()
        try:
            slow.spin(10**15)
        except KeyboardInterrupt:
            print("stopped")
        try:
            load({str(wasm_file)!r}, interruptible=False)
        except ValueError as exc:
            print("start_timeout=None" in str(exc))
    """)
    assert done.stdout == "KeyboardInterrupt True True\nstopped\nTrue\n"


def test_a_start_function_that_never_returns_is_stopped_with_a_load_error():
    looping = _wat("(module (func $start (loop br 0)) (start $start))")
    with pytest.raises(WasmLoadError, match=r"start function did not return within 0\.2 s"):
        load(looping, start_timeout=0.2)


def test_an_exception_from_sys_stdout_reaches_the_caller(wasm_file):
    done = _child(f"""
        import sys
        from pyexec.backends.wasm import load
        mod = load({str(wasm_file)!r})
        class Broken:
            def write(self, text):
                raise BrokenPipeError(32, "Broken pipe")
        sys.stdout = Broken()
        try:
            mod.show(1)
            outcome = "returned"
        except BrokenPipeError:
            outcome = "BrokenPipeError"
        sys.stdout = sys.__stdout__
        print(outcome, mod.depth(100))
    """)
    assert done.stdout == "BrokenPipeError 100\n"


# --- crafted files ------------------------------------------------------------------------------------


def test_an_error_code_global_outside_linear_memory_is_refused():
    wasm = _wat('(module (memory (export "memory") 1) (global (export "error.code") i32 (i32.const 70000))'
                ' (func (export "f") (result i32) i32.const 1))')
    with pytest.raises(WasmLoadError, match=r"'error\.code' holds address 70000, outside"):
        load(wasm)


def test_an_error_message_global_that_is_not_an_i32_global_is_refused():
    wasm = _wat('(module (memory (export "memory") 1) (func (export "error.message")))')
    with pytest.raises(WasmLoadError, match=r"'error\.message' is not an i32 global"):
        load(wasm)


@pytest.mark.parametrize("wat, message", [
    ('(module (func (export "f") (param v128)))', "v128"),
    ('(module (global (export "g") v128 (v128.const i64x2 0 0)))', "v128"),
    ('(module (func (export "f") (param externref)))', "externref"),
    ('(module (import "env" "memory" (memory 1)))', "not a function"),
])
def test_types_the_loader_does_not_handle_are_refused_without_a_crash(wat, message):
    done = _child(f"""
        import wasmtime
        from pyexec.backends.wasm import WasmLoadError, load
        try:
            load(wasmtime.wat2wasm({wat!r}))
        except WasmLoadError as exc:
            print(exc)
    """)
    assert message in done.stdout


@pytest.mark.parametrize("payload, message", [
    (b"\xff\xfe", "not UTF-8"),
    (b"fact(n)->int!", "malformed parameter"),
    (b"fact(n:quux)->int!", "malformed parameter"),
    (b"fact(n:int,n:int)->int!", "repeated parameter"),
    (b"fact(n:int)->int!\nfact(n:int)->int!", "twice"),
    (b"fact(n:int)->complex!", "unknown result type"),
    (b"fact(n:complex)->int!", "malformed parameter"),
    (b"nothing(n:int)->int", "no function of that name"),
    (b"fact(n:float32)->int!", "wasm type"),
    (b"fact(n:int)->None", "wasm type"),
    (b"fact(n:int, m:int)->int", "malformed"),
    (b"fact(", "malformed"),
])
def test_malformed_signature_sections_are_a_load_error(wasm_bytes, payload, message):
    with pytest.raises(WasmLoadError, match=message):
        load(_with_signatures(wasm_bytes, payload))


# --- arguments and printing -------------------------------------------------------------------------


def test_keyword_arguments_bind_by_parameter_name_as_in_python(wasm_bytes):
    mod = load(wasm_bytes)
    assert mod.div(b=2, a=-7) == -4 and mod.div(-7, b=2) == -4
    with pytest.raises(TypeError, match=r"div\(\) got multiple values for argument 'a'"):
        mod.div(1, a=2)
    with pytest.raises(TypeError, match=r"div\(\) got an unexpected keyword argument 'c'"):
        mod.div(1, 2, c=3)
    with pytest.raises(TypeError, match=r"div\(\) missing 2 required positional arguments: 'a' and 'b'"):
        mod.div()


@pytest.mark.parametrize("bad", [b"1.5", "1.5", bytearray(b"2"), 1j, None])
def test_float_parameters_refuse_what_the_native_backend_refuses(wasm_bytes, bad):
    mod = load(wasm_bytes)
    with pytest.raises(TypeError, match=r"scale\(\) argument 'x' must be a real number"):
        mod.scale(bad, 1.0)


def test_float_parameters_take_ints_bools_and_objects_with_float(wasm_bytes):
    import fractions

    import numpy as np

    mod = load(wasm_bytes)
    assert mod.scale(3, True) == 3.0
    assert mod.scale(fractions.Fraction(1, 4), 2) == 0.5
    assert mod.scale(np.float32(0.5), np.int64(4)) == 2.0


def test_print_of_the_largest_float32_is_what_numpy_prints(wasm_bytes, capsys):
    import numpy as np

    mod = load(wasm_bytes)
    largest = float(np.finfo(np.float32).max)
    mod.show32(largest)
    mod.show32(-largest)
    assert capsys.readouterr().out == f"{np.float32(largest)!s}\n{np.float32(-largest)!s}\n"
