"""``compile_llvm``: the three files, the header, symbol names, and C callers (skipped without a C compiler)."""

from __future__ import annotations

import ctypes
import math
import shutil
import subprocess
import textwrap

import numpy
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pyexec.backends.llvm import CCompilerError, InvalidSymbolNameError, compile_llvm
from pyexec.backends.llvm.cnames import check_symbol
from pyexec.backends.llvm.errors import NativeBuildError
from pyexec.backends.llvm.library import find_c_compiler
from pyexec.types import float32, float64, int8, int32, uint64

needs_cc = pytest.mark.skipif(shutil.which("cc") is None and shutil.which("gcc") is None,
                              reason="no C compiler (cc/gcc) on this machine")


def multiply(x: int, y: int) -> int:
    return x * y


def safe_div(a: int, b: int) -> int:
    """Floor division."""
    return a // b


def ratio(a: float, b: float) -> float:
    return a / b


def is_small(x: int) -> bool:
    return x < 10


def rotate(z: complex) -> complex:
    return z * 1j


@needs_cc
def test_writes_object_library_and_header(tmp_path):
    files = compile_llvm(multiply, "multiply", tmp_path)
    assert set(files) == {"object", "library", "header"}
    assert all(p.exists() for p in files.values())
    assert files["library"].suffix == ".so"
    header = files["header"].read_text()
    for text in ("#ifndef PYEXEC_MULTIPLY_H", 'extern "C"', "#include <stdint.h>", "#include <stdbool.h>",
                 "int64_t multiply(int64_t x, int64_t y);", "int32_t multiply_last_error(void);",
                 "const char *multiply_last_error_message(void);", "#define MULTIPLY_ZERO_DIVISION_ERROR 1"):
        assert text in header


@needs_cc
def test_c_program_uses_functions_and_the_error_status(tmp_path):
    files = compile_llvm([safe_div, ratio, is_small, rotate], "mathlib", tmp_path, opt=3)
    (tmp_path / "main.c").write_text(textwrap.dedent("""
        #include <stdio.h>
        #include <complex.h>
        #include "mathlib.h"
        int main(void) {
            printf("%lld\\n", (long long)safe_div(-7, 2));
            safe_div(1, 0);
            printf("%d %s\\n", mathlib_last_error(), mathlib_last_error_message());
            long long q = (long long)safe_div(9, 3);
            printf("%lld %d\\n", q, mathlib_last_error());
            printf("%g %d\\n", ratio(1.0, 4.0), is_small(3));
            ratio(1.0, 0.0);
            printf("%d %s\\n", mathlib_last_error(), mathlib_last_error_message());
            double _Complex z = rotate(1.0 + 2.0 * I);
            printf("%g %g\\n", creal(z), cimag(z));
            return 0;
        }
    """))
    exe = tmp_path / "main"
    subprocess.run([find_c_compiler()[0], str(tmp_path / "main.c"), "-I", str(tmp_path), str(files["object"]), "-lm",
                    "-o", str(exe)], check=True, capture_output=True)
    out = subprocess.run([str(exe)], capture_output=True, text=True, check=True).stdout.splitlines()
    assert out == ["-4", "1 integer division or modulo by zero", "3 0", "0.25 1", "1 float division by zero",
                   "-2 1"]


@needs_cc
def test_c_caller_gets_python_formatting_from_print(tmp_path):
    def report(x: float, n: int, ok: bool) -> None:
        print("x =", x, n, ok, x * 1e20, -0.0 * x)

    files = compile_llvm(report, "report", tmp_path)
    (tmp_path / "main.c").write_text('#include "report.h"\nint main(void){report(0.1, -3, 1); return 0;}\n')
    exe = tmp_path / "main"
    subprocess.run([find_c_compiler()[0], str(tmp_path / "main.c"), "-I", str(tmp_path), str(files["object"]), "-lm",
                    "-o", str(exe)], check=True, capture_output=True)
    out = subprocess.run([str(exe)], capture_output=True, text=True, check=True).stdout
    assert out == f"x = 0.1 -3 True {0.1 * 1e20!r} {-0.0 * 0.1!r}\n"


@pytest.mark.parametrize("name", ["int", "class", "printf", "pyexec_x", "main"])
def test_names_that_cannot_be_c_symbols_are_refused_with_a_hint(name):
    with pytest.raises(InvalidSymbolNameError, match="rename"):
        check_symbol(name)


@needs_cc
def test_function_named_like_libc_is_refused(tmp_path):
    def sqrt(x: float) -> float:
        return x

    with pytest.raises(InvalidSymbolNameError, match="C standard library"):
        compile_llvm(sqrt, "lib", tmp_path)


def test_missing_c_compiler_is_named_in_the_error(monkeypatch, tmp_path):
    monkeypatch.setenv("CC", "/nonexistent/cc-for-pyexec")
    with pytest.raises(CCompilerError, match="no C compiler found"):
        compile_llvm(multiply, "multiply", tmp_path)


def test_broken_c_compiler_is_reported(monkeypatch, tmp_path):
    monkeypatch.setenv("CC", "false")
    with pytest.raises(CCompilerError, match="broken"):
        compile_llvm(multiply, "multiply", tmp_path)


def depth(n: int) -> int:
    if n == 0:
        return 0
    return depth(n - 1) + 1


@needs_cc
def test_c_caller_gets_recursion_error_status_instead_of_a_crash(tmp_path):
    files = compile_llvm(depth, "deep", tmp_path)
    (tmp_path / "main.c").write_text('#include <stdio.h>\n#include "deep.h"\nint main(void){'
                                     'long long a = depth(1000); int e1 = deep_last_error();'
                                     'depth(1000000000); int e2 = deep_last_error();'
                                     'long long b = depth(7); printf("%lld %d %d %lld %d\\n", a, e1, e2, b,'
                                     ' deep_last_error()); return 0;}\n')
    exe = tmp_path / "main"
    subprocess.run([find_c_compiler()[0], str(tmp_path / "main.c"), "-I", str(tmp_path), str(files["object"]), "-lm",
                    "-o", str(exe)], check=True, capture_output=True)
    out = subprocess.run([str(exe)], capture_output=True, text=True, check=True).stdout
    assert out == "1000 0 5 7 0\n"


def show_values(x: float, y: float32, z: complex, k: uint64) -> None:
    print(x, y, z, k, round(x, 2), round(x * 1000.0, -2), sep="|")


@needs_cc
def test_c_runtime_formats_and_rounds_like_cpython(tmp_path):
    files = compile_llvm(show_values, "showlib", tmp_path)
    cases = [(0.1, 0.1, 1 + 2j, 2**64 - 1), (2.675, 1e-5, -0.0 - 3j, 0), (1e22, 3.4e38, 0j, 7),
             (-0.0, -2.5, complex(1.5, -0.0), 1), (123.456, 16777217.0, complex(1e16, 1e-7), 42),
             (float("inf"), float("nan"), complex(float("nan"), float("inf")), 3)]
    calls = "".join(f"show_values({_c_double(x)}, (float){_c_double(y)}, {_c_complex(z)}, {k}ULL);"
                    for x, y, z, k in cases)
    (tmp_path / "main.c").write_text("#include <math.h>\n#include <complex.h>\n#include \"showlib.h\"\n"
                                     f"int main(void){{{calls} return 0;}}\n")
    exe = tmp_path / "main"
    subprocess.run([find_c_compiler()[0], str(tmp_path / "main.c"), "-I", str(tmp_path), str(files["object"]), "-lm",
                    "-o", str(exe)], check=True, capture_output=True)
    out = subprocess.run([str(exe)], capture_output=True, text=True, check=True).stdout.splitlines()
    expected = ["|".join([str(x), str(numpy.float32(y)), str(z), str(k), str(round(x, 2)), str(round(x * 1000.0, -2))])
                for x, y, z, k in cases]
    assert out == expected


def _c_double(x: float) -> str:
    if x != x:
        return "NAN"
    if x in (float("inf"), float("-inf")):
        return "INFINITY" if x > 0 else "-INFINITY"
    return repr(x) if x != 0 or str(x)[0] != "-" else "-0.0"


def _c_complex(z: complex) -> str:
    return f"CMPLX({_c_double(z.real)}, {_c_double(z.imag)})"


def rounded(x: float, n: int) -> float:
    return round(x, n)


@needs_cc
@settings(max_examples=300, deadline=None)
@given(x=st.one_of(st.floats(allow_nan=False, allow_infinity=False), st.floats(-1e6, 1e6),
                   st.sampled_from([2.675, 0.5, 1.5, 2.5, -0.5, 0.125, 1e300, 5e-324, 123456.789])),
       n=st.integers(-20, 20))
def test_c_runtime_round_ndigits_matches_cpython(rounded_library, x, n):
    got = rounded_library(x, n)
    want = round(x, n)
    assert got == want and math.copysign(1.0, got) == math.copysign(1.0, want)


@pytest.fixture(scope="module")
def rounded_library(tmp_path_factory):
    out = tmp_path_factory.mktemp("rounded")
    files = compile_llvm(rounded, "roundlib", out)
    lib = ctypes.CDLL(str(files["library"]))
    fn = lib.rounded
    fn.restype = ctypes.c_double
    fn.argtypes = [ctypes.c_double, ctypes.c_int64]
    return fn


@needs_cc
def test_error_status_is_per_thread(tmp_path):
    files = compile_llvm(safe_div, "threaded", tmp_path)
    (tmp_path / "main.c").write_text(textwrap.dedent("""
        #include <pthread.h>
        #include <stdio.h>
        #include "threaded.h"

        static int seen[2];
        static void *worker(void *arg) {
            long id = (long)arg;
            for (int i = 0; i < 200000; i++) {
                safe_div(10, id == 0 ? 0 : 2);           /* thread 0 faults, thread 1 does not */
                int e = threaded_last_error();
                if (e != (id == 0 ? THREADED_ZERO_DIVISION_ERROR : THREADED_OK)) { seen[id] = 1; }
            }
            return NULL;
        }
        int main(void) {
            pthread_t t[2];
            for (long i = 0; i < 2; i++) pthread_create(&t[i], NULL, worker, (void *)i);
            for (int i = 0; i < 2; i++) pthread_join(t[i], NULL);
            printf("%d %d\\n", seen[0], seen[1]);
            return 0;
        }
    """))
    exe = tmp_path / "main"
    subprocess.run([find_c_compiler()[0], str(tmp_path / "main.c"), "-I", str(tmp_path), str(files["object"]), "-lm",
                    "-pthread", "-o", str(exe)], check=True, capture_output=True)
    assert subprocess.run([str(exe)], capture_output=True, text=True, check=True).stdout == "0 0\n"


def split(x: int, y: float) -> tuple[int, float]:
    return (x * 2, y / 4)


def mixed(t: tuple[int8, bool, float32]) -> tuple[float32, int8, bool]:
    a, b, c = t
    return (c * 2, a + 1, not b)


def pairs(p: tuple[float32, float32], q: tuple[float, float], r: tuple[int, int]) -> tuple[float, float]:
    return (p[0] + q[0] + r[0], p[1] * q[1] * r[1])


def qr(a: int, b: int) -> tuple[int, int]:
    return divmod(a, b)


@needs_cc
def test_c_program_passes_and_receives_tuples_as_structs(tmp_path):
    files = compile_llvm([split, mixed, pairs, qr], "tuples", tmp_path)
    header = files["header"].read_text()
    assert "typedef struct { int64_t f0; double f1; } tuples_tuple_int64_float64;" in header
    assert "typedef struct { int8_t f0; bool f1; float f2; } tuples_tuple_int8_bool_float32;" in header
    assert "tuples_tuple_float64_float64 pairs(tuples_tuple_float32_float32 p, tuples_tuple_float64_float64 q, " \
        "tuples_tuple_int64_int64 r);" in header
    (tmp_path / "main.c").write_text(textwrap.dedent("""
        #include <stdio.h>
        #include "tuples.h"
        int main(void) {
            tuples_tuple_int64_float64 s = split(-21, 3.0);
            printf("%lld %g\\n", (long long)s.f0, s.f1);
            tuples_tuple_int8_bool_float32 in = {127, true, 1.5f};
            tuples_tuple_float32_int8_bool m = mixed(in);
            printf("%g %d %d\\n", m.f0, m.f1, m.f2);
            tuples_tuple_float32_float32 p = {1.5f, 2.0f};
            tuples_tuple_float64_float64 q = {10.0, 0.5};
            tuples_tuple_int64_int64 r = {100, -3};
            tuples_tuple_float64_float64 out = pairs(p, q, r);
            printf("%g %g\\n", out.f0, out.f1);
            tuples_tuple_int64_int64 d = qr(-7, 2);
            printf("%lld %lld %d\\n", (long long)d.f0, (long long)d.f1, tuples_last_error());
            qr(1, 0);
            printf("%d %s\\n", tuples_last_error(), tuples_last_error_message());
            return 0;
        }
    """))
    exe = tmp_path / "main"
    subprocess.run([find_c_compiler()[0], str(tmp_path / "main.c"), "-I", str(tmp_path), str(files["object"]), "-lm",
                    "-o", str(exe)], check=True, capture_output=True)
    out = subprocess.run([str(exe)], capture_output=True, text=True, check=True).stdout.splitlines()
    assert out == ["-42 0.75", "3 -128 0", "111.5 -3", "-4 1 0", "1 integer division or modulo by zero"]


def big(a: int, t: tuple[int, float, int8], u: tuple[float32, float32, float32, float32, float32]) \
        -> tuple[int, int, float, bool]:
    return (a + t[0], t[2] * 2, t[1] + u[4], u[0] > 1)


def crowded(a: int, b: int, c: int, d: int, e: int, f: float, t: tuple[int, int]) -> tuple[int, int]:
    return (a + b + c + d + e + t[0], t[1] - int(f))


@needs_cc
def test_c_program_passes_large_tuples_in_memory_as_c_does(tmp_path):
    # over 16 bytes: a byval copy for a parameter, a hidden sret pointer for the result; a tuple that no
    # longer fits in the registers left (crowded's t) goes on the stack too
    files = compile_llvm([big, crowded], "large", tmp_path)
    (tmp_path / "main.c").write_text(textwrap.dedent("""
        #include <stdio.h>
        #include "large.h"
        int main(void) {
            large_tuple_int64_float64_int8 t = {40, 0.5, -7};
            large_tuple_float32_float32_float32_float32_float32 u = {1.5f, 0, 0, 0, 2.25f};
            large_tuple_int64_int64_float64_bool r = big(2, t, u);
            printf("%lld %lld %g %d\\n", (long long)r.f0, (long long)r.f1, r.f2, r.f3);
            large_tuple_int64_int64 q = {100, 50};
            large_tuple_int64_int64 c = crowded(1, 2, 3, 4, 5, 9.5, q);
            printf("%lld %lld\\n", (long long)c.f0, (long long)c.f1);
            return 0;
        }
    """))
    exe = tmp_path / "main"
    subprocess.run([find_c_compiler()[0], str(tmp_path / "main.c"), "-I", str(tmp_path), str(files["object"]), "-lm",
                    "-o", str(exe)], check=True, capture_output=True)
    out = subprocess.run([str(exe)], capture_output=True, text=True, check=True).stdout.splitlines()
    assert out == ["42 -14 2.75 1", "115 41"]


def test_a_tuple_at_the_c_boundary_of_another_abi_is_refused_clearly(tmp_path):
    from pyexec.backends.llvm.lowering import lower_module
    from pyexec.frontend import analyze_functions

    module = analyze_functions([crowded])
    with pytest.raises(NativeBuildError, match="only supported on x86-64 System V"):
        lower_module(module, triple="aarch64-unknown-linux-gnu", data_layout="")


_ITEM_C = {"int8": ("int8_t", "%d", "(int)"), "int16": ("int16_t", "%d", "(int)"), "int32": ("int32_t", "%d", "(int)"),
           "int": ("int64_t", "%lld", "(long long)"), "uint8": ("uint8_t", "%u", "(unsigned)"),
           "uint64": ("uint64_t", "%llu", "(unsigned long long)"), "float32": ("float", "%.9g", "(double)"),
           "float": ("double", "%.17g", ""), "bool": ("bool", "%d", "(int)"), "complex64": ("", "", ""),
           "complex": ("", "", "")}


def _item_value(name: str, k: int) -> str:
    """A C literal for item ``k`` of that type (and its Python value printed the same way)."""
    if name in ("float32", "float"):
        return repr(k * 1.25 - 3.5)
    if name == "bool":
        return "1" if k % 2 else "0"
    if name in ("complex64", "complex"):
        return f"{k + 0.5} + {k - 2.25} * I"
    return str({"int8": -100 + k, "uint8": 200 + k, "uint64": 2**63 + k}.get(name, -(10**6) * (k + 1) + k))


@needs_cc
def test_tuples_of_many_shapes_cross_the_c_boundary_as_the_c_compiler_passes_them(tmp_path):
    # every shape class of x86-64 System V: one or two eightbytes, INTEGER/SSE mixes, packed floats,
    # complex items, structs over 16 bytes, and structs that no longer fit in the registers left
    import importlib.util
    import random

    rng = random.Random(16)
    names = list(_ITEM_C)
    shapes = [["int", "float"], ["float32", "float32"], ["int8", "bool", "float32"], ["float32", "int32"],
              ["complex64"], ["complex"], ["float32", "float32", "float32"], ["int", "int", "int"],
              ["uint8", "float", "uint64"]]
    shapes += [[rng.choice(names) for _ in range(rng.randint(1, 5))] for _ in range(9)]
    py = ["from pyexec.types import int8, int16, int32, uint8, uint64, float32, complex64\n"]
    for k, shape in enumerate(shapes):
        t = f"tuple[{', '.join(shape)}]"
        py.append(f"def echo{k}(t: {t}) -> {t}:\n    return t\n")
        py.append(f"def mix{k}(a: int, f: float, t: {t}, g: float32, b: int8) -> {t}:\n    return t\n")
        py.append(f"def crowd{k}(a: int, b: int, c: int, d: int, e: int, t: {t}, z: int) -> {t}:\n    return t\n")
        py.append(f"def after{k}(a: int, b: int, c: int, d: int, e: int, t: {t}, z: int) -> int:\n    return z - e\n")
    (tmp_path / "shapes.py").write_text("\n".join(py))
    spec = importlib.util.spec_from_file_location("shapes", tmp_path / "shapes.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    funcs = [getattr(mod, f"{kind}{k}") for k in range(len(shapes)) for kind in ("echo", "mix", "crowd", "after")]
    files = compile_llvm(funcs, "shapes", tmp_path)
    header = files["header"].read_text()
    body, expected = [], []
    for k, shape in enumerate(shapes):
        tname = "shapes_tuple_" + "_".join({"int": "int64", "float": "float64", "bool": "bool",
                                            "complex": "complex128"}.get(s, s) for s in shape)
        assert f"}} {tname};" in header
        init = ", ".join(_item_value(s, i + k) for i, s in enumerate(shape))
        body.append(f"{{ {tname} t = {{{init}}};")
        for call in (f"echo{k}(t)", f"mix{k}(1, 2.0, t, 3.0f, 4)", f"crowd{k}(1, 2, 3, 4, 5, t, 6)"):
            body.append(f"  {{ {tname} r = {call};")
            for i, s in enumerate(shape):
                if s in ("complex64", "complex"):
                    body.append(f'    printf("%.9g %.9g\\n", (double)creal(r.f{i}), (double)cimag(r.f{i}));')
                else:
                    _, fmt, cast = _ITEM_C[s]
                    body.append(f'    printf("{fmt}\\n", {cast}r.f{i});')
            body.append("  }")
            for i, s in enumerate(shape):
                v = _item_value(s, i + k)
                if s in ("complex64", "complex"):
                    re_, im = k + i + 0.5, k + i - 2.25
                    expected.append(f"{re_:.9g} {im:.9g}")
                elif s in ("float32", "float"):
                    expected.append(f"{float(v):.9g}" if s == "float32" else f"{float(v):.17g}")
                else:
                    expected.append(str(int(v)))
        body.append(f'  printf("%lld\\n", (long long)after{k}(1, 2, 3, 4, 5, t, 6)); }}')
        expected.append("1")
    (tmp_path / "main.c").write_text('#include <stdio.h>\n#include <complex.h>\n#include "shapes.h"\n'
                                     "int main(void) {\n" + "\n".join(body) + "\nreturn 0;\n}\n")
    exe = tmp_path / "main"
    subprocess.run([find_c_compiler()[0], str(tmp_path / "main.c"), "-I", str(tmp_path), str(files["object"]), "-lm",
                    "-o", str(exe)], check=True, capture_output=True)
    out = subprocess.run([str(exe)], capture_output=True, text=True, check=True).stdout.splitlines()
    assert out == expected


def column_sum(a: float64[:, :], j: int) -> float:
    t = 0.0
    for i in range(a.shape[0]):
        t += a[i, j]
    return t


def scale_row(a: int32[:, ::1], i: int, k: int32) -> None:
    for j in range(a.shape[1]):
        a[i, j] *= k


@needs_cc
def test_c_callers_pass_array_descriptors_with_any_strides_and_get_index_errors(tmp_path):
    files = compile_llvm([column_sum, scale_row], "arrays", tmp_path)
    header = files["header"].read_text()
    assert "typedef struct { void *owner; double *data; int64_t shape[2]; int64_t strides[2]; } " \
           "pyexec_array_f64_2d;" in header
    assert "double column_sum(const pyexec_array_f64_2d *a, int64_t j);" in header
    (tmp_path / "main.c").write_text(textwrap.dedent("""
        #include <stdio.h>
        #include "arrays.h"
        int main(void) {
            double m[3][4];
            for (int i = 0; i < 3; i++) for (int j = 0; j < 4; j++) m[i][j] = 10 * i + j;
            /* the transpose, as a view: shape (4, 3), strides (8, 32) */
            pyexec_array_f64_2d t = {0, &m[0][0], {4, 3}, {8, 32}};
            printf("%g\\n", column_sum(&t, 1));   /* m[1][0..3] = 10+11+12+13 */
            column_sum(&t, 3);
            printf("%d %s\\n", arrays_last_error(), arrays_last_error_message());
            int32_t v[2][3] = {{1, 2, 3}, {4, 5, 6}};
            pyexec_array_i32_2d c = {0, &v[0][0], {2, 3}, {12, 4}};
            scale_row(&c, -1, 10);
            printf("%d %d %d %d\\n", v[1][0], v[1][2], v[0][0], arrays_last_error());
            return 0;
        }
    """))
    exe = tmp_path / "main"
    subprocess.run([find_c_compiler()[0], str(tmp_path / "main.c"), "-I", str(tmp_path), str(files["object"]), "-lm",
                    "-o", str(exe)], check=True, capture_output=True)
    out = subprocess.run([str(exe)], capture_output=True, text=True, check=True).stdout.splitlines()
    assert out == ["46", "7 index 3 is out of bounds for axis 1 with size 3", "40 60 1 0"]


def checked_total(n: int, i: int) -> float:
    a = np.ones(n)
    b = np.arange(0.0, n, 1.0)
    t = 0.0
    for x in b:
        t += x
    return t + a[i]


@needs_cc
def test_arrays_created_in_a_c_library_are_freed_on_success_and_on_a_fault(tmp_path):
    files = compile_llvm(checked_total, "made", tmp_path)
    (tmp_path / "main.c").write_text(textwrap.dedent("""
        #include <stdio.h>
        #include "made.h"
        int main(void) {
            double t = 0;
            for (int k = 0; k < 20000; k++) t += checked_total(100, k % 2 ? 5 : 500);
            printf("%g %d\\n", checked_total(4, -1), made_last_error());
            checked_total(4, 4);
            printf("%d %s\\n", made_last_error(), made_last_error_message());
            checked_total(-1, 0);
            printf("%d %s\\n", made_last_error(), made_last_error_message());
            printf("%g\\n", t);
            return 0;
        }
    """))
    exe = tmp_path / "main"
    subprocess.run([find_c_compiler()[0], "-fsanitize=address", str(tmp_path / "main.c"), "-I", str(tmp_path),
                    str(files["object"]), "-lm", "-o", str(exe)], check=True, capture_output=True)
    done = subprocess.run([str(exe)], capture_output=True, text=True, env={"ASAN_OPTIONS": "detect_leaks=1"})
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["7 0", "7 index 4 is out of bounds for axis 0 with size 4",
                                        "3 negative dimensions are not allowed", "4.951e+07"]


def ramp(n: int, step: float) -> float64[:, ::1]:
    a = np.zeros((n, 2))
    for i in range(n):
        a[i, 0] = i * step
        a[i, 1] = -i * step
    return a


def tail_of(a: float64[:]) -> float64[:]:
    return a[1:]


@needs_cc
def test_c_callers_get_returned_arrays_through_a_result_pointer_and_release_them(tmp_path):
    files = compile_llvm([ramp, tail_of], "ret", tmp_path)
    header = files["header"].read_text()
    assert "void ramp(int64_t n, double step, pyexec_array_f64_2d *result);" in header
    assert "void ret_array_release(void *owner);" in header
    (tmp_path / "main.c").write_text(textwrap.dedent("""
        #include <stdio.h>
        #include "ret.h"
        int main(void) {
            pyexec_array_f64_2d r;
            for (int k = 0; k < 1000; k++) { ramp(3, 0.5, &r); ret_array_release(r.owner); }
            ramp(3, 0.5, &r);
            printf("%d %lld %lld %g %g\\n", ret_last_error(), (long long)r.shape[0], (long long)r.strides[0],
                   r.data[2 * 2], r.data[2 * 2 + 1]);
            ret_array_release(r.owner);
            ramp(-1, 0.5, &r);
            printf("%d %p %s\\n", ret_last_error(), r.data, ret_last_error_message());
            double v[4] = {1, 2, 3, 4};
            pyexec_array_f64_1d a = {0, v, {4}, {8}}, t;
            tail_of(&a, &t);
            printf("%lld %g %d\\n", (long long)t.shape[0], t.data[0], t.owner == 0);
            ret_array_release(t.owner);
            return 0;
        }
    """))
    exe = tmp_path / "main"
    subprocess.run([find_c_compiler()[0], "-fsanitize=address", str(tmp_path / "main.c"), "-I", str(tmp_path),
                    str(files["object"]), "-lm", "-o", str(exe)], check=True, capture_output=True)
    done = subprocess.run([str(exe)], capture_output=True, text=True, env={"ASAN_OPTIONS": "detect_leaks=1"})
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["0 3 16 1 -1", "3 (nil) negative dimensions are not allowed", "3 2 1"]


needs_cxx = pytest.mark.skipif(shutil.which("g++") is None and shutil.which("c++") is None,
                               reason="no C++ compiler (g++/c++) on this machine")


@needs_cxx
def test_cpp_callers_pass_and_receive_arrays_through_the_same_header(tmp_path):
    # the header must compile as C++ (extern "C", no C-only syntax) and the descriptors must be usable there
    files = compile_llvm([column_sum, scale_row, ramp], "cxxarrays", tmp_path)
    (tmp_path / "main.cpp").write_text(textwrap.dedent("""
        #include <cstdio>
        #include <vector>
        #include "cxxarrays.h"
        int main() {
            std::vector<double> m(12);
            for (int i = 0; i < 3; i++) for (int j = 0; j < 4; j++) m[i * 4 + j] = 10 * i + j;
            pyexec_array_f64_2d t = {nullptr, m.data(), {4, 3}, {8, 32}};
            std::printf("%g\\n", column_sum(&t, 1));
            column_sum(&t, 3);
            std::printf("%d %s\\n", cxxarrays_last_error(), cxxarrays_last_error_message());
            std::vector<int32_t> v = {1, 2, 3, 4, 5, 6};
            pyexec_array_i32_2d c = {nullptr, v.data(), {2, 3}, {12, 4}};
            scale_row(&c, -1, 10);
            std::printf("%d %d %d %d\\n", v[3], v[5], v[0], cxxarrays_last_error());
            pyexec_array_f64_2d r;
            ramp(3, 0.5, &r);
            std::printf("%d %lld %g %g\\n", cxxarrays_last_error(), (long long)r.shape[0], r.data[4], r.data[5]);
            cxxarrays_array_release(r.owner);
            return 0;
        }
    """))
    exe = tmp_path / "main"
    cxx = shutil.which("g++") or shutil.which("c++")
    built = subprocess.run([cxx, "-std=c++17", "-Wall", "-Werror", "-fsanitize=address", str(tmp_path / "main.cpp"),
                            "-I", str(tmp_path), str(files["object"]), "-lm", "-o", str(exe)],
                           capture_output=True, text=True)
    assert built.returncode == 0, built.stderr
    done = subprocess.run([str(exe)], capture_output=True, text=True, env={"ASAN_OPTIONS": "detect_leaks=1"})
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["46", "7 index 3 is out of bounds for axis 1 with size 3", "40 60 1 0",
                                        "0 3 1 -1"]


def weighted(a: np.ndarray, w, k: int) -> float:
    t = 0.0
    for i in range(a.shape[0]):
        t += a[i, k] * w[i]
    return t


def products(a, b):
    return a @ b


@needs_cc
def test_signature_completes_bare_and_missing_annotations_for_c_callers(tmp_path):
    files = compile_llvm(weighted, "weighted", tmp_path, signature=[float64[:, :], float32[::1], None])
    header = files["header"].read_text()
    assert "double weighted(const pyexec_array_f64_2d *a, const pyexec_array_f32_1d *w, int64_t k);" in header
    files = compile_llvm(products, "products", tmp_path, signature=[float64[:, ::1], float64[:, ::1]])
    assert "void products(const pyexec_array_f64_2d *a, const pyexec_array_f64_2d *b, pyexec_array_f64_2d *result);" \
        in files["header"].read_text()
    (tmp_path / "main.c").write_text(textwrap.dedent("""
        #include <stdio.h>
        #include "weighted.h"
        #include "products.h"
        int main(void) {
            double m[2][3] = {{1, 2, 3}, {4, 5, 6}};
            float w[2] = {0.5f, 2.0f};
            pyexec_array_f64_2d a = {0, &m[0][0], {2, 3}, {24, 8}};
            pyexec_array_f32_1d v = {0, w, {2}, {4}};
            printf("%g\\n", weighted(&a, &v, 2));
            double id[3][3] = {{1, 0, 0}, {0, 1, 0}, {0, 0, 2}};
            pyexec_array_f64_2d e = {0, &id[0][0], {3, 3}, {24, 8}}, r;
            products(&a, &e, &r);
            printf("%d %g %g\\n", products_last_error(), r.data[2], r.data[5]);
            products_array_release(r.owner);
            products(&e, &a, &r);
            printf("%d %s\\n", products_last_error(), products_last_error_message());
            return 0;
        }
    """))
    exe = tmp_path / "main"
    subprocess.run([find_c_compiler()[0], str(tmp_path / "main.c"), "-I", str(tmp_path), str(tmp_path / "weighted.o"),
                    str(tmp_path / "products.o"), "-lm", "-o", str(exe)], check=True, capture_output=True)
    out = subprocess.run([str(exe)], capture_output=True, text=True, check=True).stdout.splitlines()
    assert out == ["13.5", "0 6 12", "3 matmul: Input operand 1 has a mismatch in its core dimension 0"]


def test_a_wrong_signature_is_a_type_error_naming_the_parameter(tmp_path):
    with pytest.raises(TypeError, match=r"2 types for the 3 parameters of weighted\(a, w, k\)"):
        compile_llvm(weighted, "w", tmp_path, signature=[float64[:, :], float64[:]])
    with pytest.raises(TypeError, match="'w' is not a type compiled code takes"):
        compile_llvm(weighted, "w", tmp_path, signature=[float64[:, :], list, None])
    with pytest.raises(TypeError, match=r"parameter 'k' of weighted\(\) the type float64, but its annotation says int"):
        compile_llvm(weighted, "w", tmp_path, signature=[float64[:, :], float64[:], float])
    with pytest.raises(TypeError, match="one function"):
        compile_llvm([weighted, products], "w", tmp_path, signature=[None, None, None])
