"""String methods, str()/repr()/format() and f-strings compiled in process (``aot``), compared with
CPython running the same functions on hypothesis text and numbers; no block left after many calls;
eight threads on small stacks in a child process."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pyexec.backends.llvm import aot
from pyexec.backends.llvm.array_box import live_blocks

TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=20)
PIECES = st.text(st.sampled_from("aAbß Σ.éx😀1\t"), max_size=8)
SOME = st.one_of(TEXT, PIECES)
FAST = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def cases(s: str, t: str) -> str:
    return s.upper() + "|" + s.lower() + "|" + t.upper()


def stripping(s: str, chars: str) -> str:
    return "|".join((s.strip(), s.lstrip(), s.rstrip(), s.strip(chars), s.lstrip(chars), s.rstrip(chars)))


def searching(s: str, t: str, a: int, b: int) -> int:
    return s.find(t) + 100 * s.count(t) + 10000 * s.find(t, a, b) + 10**6 * s.count(t, a)


def affixes(s: str, t: str, a: int) -> str:
    return f"{s.startswith(t)} {s.endswith(t)} {s.startswith(t, a)} {s.endswith(t, 0, a)}"


def replacing(s: str, old: str, new: str, k: int) -> str:
    return s.replace(old, new) + "|" + s.replace(old, new, k)


def predicates(s: str) -> str:
    return f"{s.isdigit()}{s.isalpha()}{s.isspace()}"


def joining(sep: str, a: str, b: str) -> str:
    return sep.join((a, b, a)) + sep.join([b]) + "".join(())


def greet(name: str) -> str:
    return f"Hello, {name}!"


def numbers(n: int, x: float, b: bool) -> str:
    return f"{n}|{n:d}|{n:5}|{n:<8}|{n:>8}|{n:^8}|{n:,}|{n:x}|{n:#b}|{n:+o}|{x}|{x:.3f}|{x:e}|{x:08.2f}|{x:,}" + \
        f"|{x:g}|{x:%}|{x:>12.4}|{b}|{b:>5}|{x!r}|" + str(n) + repr(x) + str(b) + format(x, ".2e")


def strings(s: str) -> str:
    return f"[{s:<8}][{s:>8}][{s:^8}][{s:*^9.3}][{s!s}]" + format(s, "")


def narrow(a: np.int8, u: np.uint64, f: np.float32) -> str:
    return str(a) + "|" + str(u) + "|" + str(f) + "|" + repr(f) + "|" + repr(a) + "|" + f"{f}|{u:_x}"


def complexes(z: complex, c: np.complex64) -> str:
    return f"{z}|{c}|" + str(z) + repr(z) + str(c) + repr(c)


def fizzbuzz(n: int) -> str:
    out = ""
    for i in range(1, n + 1):
        if i % 15 == 0:
            out += "FizzBuzz\n"
        elif i % 3 == 0:
            out += "Fizz\n"
        elif i % 5 == 0:
            out += "Buzz\n"
        else:
            out += f"{i}\n"
    return out


@pytest.fixture(scope="module")
def compiled():
    return {f.__name__: aot(f) for f in (cases, stripping, searching, affixes, replacing, predicates, joining, greet,
                                         numbers, strings, narrow, complexes, fizzbuzz)}


@FAST
@given(SOME, SOME)
def test_upper_lower_match_cpython(compiled, s, t):
    assert compiled["cases"](s, t) == cases(s, t)


@FAST
@given(SOME, PIECES)
def test_strip_family_matches_cpython(compiled, s, chars):
    assert compiled["stripping"](s, chars) == stripping(s, chars)


@FAST
@given(SOME, PIECES, st.integers(-10, 10), st.integers(-10, 10))
def test_find_count_startswith_endswith_match_cpython(compiled, s, t, a, b):
    assert compiled["searching"](s, t, a, b) == searching(s, t, a, b)
    assert compiled["affixes"](s, t, a) == affixes(s, t, a)


@FAST
@given(SOME, st.text(st.sampled_from("aß😀"), max_size=2), PIECES, st.integers(-1, 4))
def test_replace_matches_cpython(compiled, s, old, new, k):
    assert compiled["replacing"](s, old, new, k) == replacing(s, old, new, k)


@FAST
@given(SOME)
def test_predicates_match_cpython(compiled, s):
    assert compiled["predicates"](s) == predicates(s)


@FAST
@given(PIECES, SOME, SOME)
def test_join_of_a_written_tuple_or_list_matches_cpython(compiled, sep, a, b):
    assert compiled["joining"](sep, a, b) == joining(sep, a, b)


def test_the_seed_greeter():
    assert aot(greet)("wörld 😀") == "Hello, wörld 😀!"


@FAST
@given(st.integers(-(2**63), 2**63 - 1), st.one_of(st.floats(), st.sampled_from([0.1, 1e16, 1e-5, -0.0, 2.5])),
       st.booleans())
def test_fstrings_str_repr_format_of_numbers_match_cpython(compiled, n, x, b):
    assert compiled["numbers"](n, x, b) == numbers(n, x, b)


@FAST
@given(SOME)
def test_fstrings_of_strings_match_cpython(compiled, s):
    assert compiled["strings"](s) == strings(s)


@FAST
@given(st.integers(-128, 127), st.integers(0, 2**64 - 1), st.floats(width=32))
def test_numpy_scalars_print_as_numpy_prints_them(compiled, a, u, f):
    args = (np.int8(a), np.uint64(u), np.float32(f))
    assert compiled["narrow"](*args) == narrow(*args)


PARTS = st.one_of(st.floats(), st.sampled_from([0.0, -0.0, 1.0, 1e16, 1e-5, 1234567.0]))


@FAST
@given(PARTS, PARTS)
def test_complex_numbers_print_as_cpython_and_numpy_print_them(compiled, re, im):
    with np.errstate(over="ignore"):
        args = (complex(re, im), np.complex64(complex(re, im)))
    assert compiled["complexes"](*args) == complexes(*args)


def test_fizzbuzz_to_one_string():
    assert aot(fizzbuzz)(1000) == fizzbuzz(1000)


def test_no_block_left_after_many_calls(compiled):
    start = live_blocks()
    for k in range(2000):
        compiled["numbers"](k, k / 7, k % 2 == 0)
        compiled["replacing"]("héllo wörld", "l", "LL", 2)
        compiled["joining"](", ", "a", "é")
    assert live_blocks() == start


def test_eight_threads_on_small_stacks_in_a_child_process():
    script = textwrap.dedent("""
        import threading
        from pyexec.backends.llvm import aot

        def f(s: str, x: float) -> str:
            return f"{s.upper():>12}|{x:.3f}|{s.replace('a', 'ä')}"

        c = aot(f)
        want = f("straße", 2.5)
        bad = []
        def work():
            for _ in range(2000):
                if c("straße", 2.5) != want:
                    bad.append(1)
        threading.stack_size(256 * 1024)
        ts = [threading.Thread(target=work) for _ in range(8)]
        [t.start() for t in ts]
        [t.join() for t in ts]
        print("ok" if not bad else "bad")
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"


def wide(n: int) -> str:
    return f"{n:3000000000}"


def test_a_result_past_the_string_limit_is_memory_error():
    # 2**31 - 2 bytes is the most a string block holds (its length is an int32), as for s * k
    with pytest.raises(MemoryError):
        aot(wide)(5)


def only_formats(x: float) -> str:
    return f"{x:.3f}"


def test_a_module_whose_only_allocation_is_formatting_sets_up_its_block_list(tmp_path):
    # In process the routines are linked, not embedded: the module must still declare the allocator,
    # which is what makes its entry set up the call's list of blocks (a crash before this was fixed).
    script = textwrap.dedent("""
        from pyexec.backends.llvm import aot

        def only_formats(x: float) -> str:
            return f"{x:.3f}"

        print(aot(only_formats)(1.5))
    """)
    (tmp_path / "formats.py").write_text(script)
    done = subprocess.run([sys.executable, "-X", "dev", str(tmp_path / "formats.py")], capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == only_formats(1.5)


def shout(x: float, n: int) -> int:
    s = f"{x:.2f}|{n:,}".upper()
    return len(s) + s.count(",") * 1000


def test_a_c_library_embeds_the_string_routines(tmp_path, monkeypatch):
    import ctypes

    from pyexec.backends.llvm import compile_llvm
    from pyexec.backends.llvm.library import find_c_compiler

    try:
        find_c_compiler()
    except Exception as exc:  # no C compiler on this machine: the library cannot be linked
        pytest.skip(f"no C compiler: {exc}")
    monkeypatch.chdir(tmp_path)
    compile_llvm(shout, "shoutlib")
    lib = ctypes.CDLL(str(tmp_path / "shoutlib.so"))
    lib.shout.restype = ctypes.c_int64
    lib.shout.argtypes = [ctypes.c_double, ctypes.c_int64]
    assert [lib.shout(x, n) for x, n in ((3.14159, 1234567), (-0.005, 0))] == [shout(3.14159, 1234567),
                                                                               shout(-0.005, 0)]
