"""``compile_llvm`` as C and C++ users use it: the seed's examples, a C and a C++ program linked
against the shared library with the header, the object file linked statically, the error status
from C, and ``pyexec build --target native``. Skipped without a C (or C++) compiler."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

pytest.importorskip("llvmlite")

CC = shutil.which("gcc") or shutil.which("cc")
CXX = shutil.which("g++") or shutil.which("c++")
needs_cc = pytest.mark.skipif(CC is None, reason="no C compiler (gcc/cc) on this machine")
needs_cxx = pytest.mark.skipif(CXX is None, reason="no C++ compiler (g++) on this machine")


def _python(tmp_path: Path, source: str) -> str:
    script = tmp_path / "build_lib.py"
    script.write_text(textwrap.dedent(source))
    env = {**os.environ, "PYEXEC_CACHE_DIR": str(tmp_path / "cache")}
    proc = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, cwd=tmp_path, env=env,
                          timeout=180)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def _run(cmd: list[str], cwd: Path, env: dict | None = None) -> str:
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=cwd, env=env, timeout=120)
    assert proc.returncode == 0, f"{cmd}: {proc.stderr}"
    return proc.stdout


@needs_cc
def test_seed_multiply_example_with_the_seed_link_command(tmp_path):
    out = _python(tmp_path, """
        from pyexec import compile_llvm

        def multiply(x: int, y: int) -> int:
            return x * y

        files = compile_llvm(multiply, "multiply")
        print(files['object'])   # multiply.o
        print(files['library'])  # multiply.dll (or .so)
        print(files['header'])   # multiply.h
    """)
    assert [Path(line).name for line in out.split()] == ["multiply.o", "multiply.so", "multiply.h"]
    (tmp_path / "main.c").write_text(textwrap.dedent("""
        #include "multiply.h"
        #include <stdio.h>

        int main() {
            int64_t result = multiply(6, 7);
            printf("Result: %ld\\n", result);  // 42
            return 0;
        }
    """))
    _run([CC, "main.c", "-L.", "-lmultiply", "-o", "main"], tmp_path)
    env = {**os.environ, "LD_LIBRARY_PATH": str(tmp_path)}
    assert _run(["./main"], tmp_path, env) == "Result: 42\n"


@needs_cc
def test_seed_distance_example_linked_statically_from_the_object_file(tmp_path):
    _python(tmp_path, """
        from pyexec import compile_llvm

        def distance(x1: int, y1: int, x2: int, y2: int) -> int:
            \"\"\"Compute Manhattan distance.\"\"\"
            dx: int = x2 - x1
            dy: int = y2 - y1
            if dx < 0:
                dx = -dx
            if dy < 0:
                dy = -dy
            return dx + dy

        files = compile_llvm(distance, "distance")
    """)
    (tmp_path / "main.c").write_text(textwrap.dedent("""
        // main.c
        #include "distance.h"
        #include <stdio.h>

        int main() {
            int64_t dist = distance(0, 0, 3, 4);
            printf("Distance: %ld\\n", dist);  // 7
            return 0;
        }
    """))
    _run([CC, "main.c", "distance.o", "-lm", "-o", "main_static"], tmp_path)
    assert _run(["./main_static"], tmp_path) == "Distance: 7\n"
    assert "Compute Manhattan distance." in (tmp_path / "distance.h").read_text()


KERNELS = """
    import math

    from pyexec import compile_llvm

    def checked_mul(a: int, b: int) -> int:
        return a * b

    def mean(a: float, b: float) -> float:
        return (a + b) / 2

    def safe_sqrt(x: float) -> float:
        return math.sqrt(x)

    def check_positive(x: int) -> bool:
        assert x > 0, "x must be positive"
        return True

    def greet(n: int) -> None:
        for i in range(n):
            print("hello", i, i / 4)

    compile_llvm([checked_mul, mean, safe_sqrt, check_positive, greet], "kernels", "out", opt=3)
"""


@needs_cc
def test_c_program_reads_the_error_status_after_each_call(tmp_path):
    _python(tmp_path, KERNELS)
    out = tmp_path / "out"
    (out / "main.c").write_text(textwrap.dedent("""
        #include <stdio.h>
        #include "kernels.h"

        static void report(const char *what) {
            printf("%s: %d %s\\n", what, kernels_last_error(), kernels_last_error_message());
        }

        int main(void) {
            long long r = checked_mul(3, 4); report("mul"); printf("%lld\\n", r);
            checked_mul(INT64_MAX, 2); report("overflow");
            double m = mean(1.0, 2.0); report("mean"); printf("%g\\n", m);
            safe_sqrt(-1.0); report("sqrt");
            check_positive(-5); report("assert");
            if (kernels_last_error() == KERNELS_ASSERTION_ERROR) printf("assertion code\\n");
            kernels_clear_error(); report("cleared");
            greet(2);
            fflush(stdout);
            return 0;
        }
    """))
    _run([CC, "main.c", "-I.", "-L.", "-lkernels", "-Wl,-rpath,$ORIGIN", "-o", "main"], out)
    assert _run(["./main"], out).splitlines() == [
        "mul: 0 ", "12", "overflow: 2 int overflow: the result of * does not fit in 64 bits", "mean: 0 ", "1.5",
        "sqrt: 3 math domain error", "assert: 4 x must be positive", "assertion code", "cleared: 0 ",
        "hello 0 0.0", "hello 1 0.25",
    ]


@needs_cxx
def test_cpp_program_links_against_the_shared_library(tmp_path):
    _python(tmp_path, """
        from pyexec import compile_llvm

        def hypot2(a: float, b: float) -> float:
            return a * a + b * b

        def rotate(z: complex) -> complex:
            return z * 1j

        def is_small(x: int) -> bool:
            return x < 10

        compile_llvm([hypot2, rotate, is_small], "geom")
    """)
    (tmp_path / "main.cpp").write_text(textwrap.dedent("""
        #include <iostream>
        #include "geom.h"

        int main() {
            std::cout << hypot2(3.0, 4.0) << "\\n";
            pyexec_complex128 z = rotate(pyexec_complex128{1.0, 2.0});
            std::cout << z.real << " " << z.imag << "\\n";
            std::cout << std::boolalpha << is_small(3) << " " << is_small(30) << "\\n";
            std::cout << geom_last_error() << "\\n";
            return 0;
        }
    """))
    _run([CXX, "main.cpp", "-I.", "-L.", "-lgeom", "-Wl,-rpath,$ORIGIN", "-o", "main"], tmp_path)
    assert _run(["./main"], tmp_path).splitlines() == ["25", "-2 1", "true false", "0"]


@needs_cc
def test_two_static_libraries_link_into_one_program(tmp_path):
    _python(tmp_path, """
        from pyexec import compile_llvm

        def one(x: float) -> None:
            print(x)

        def two(x: float) -> None:
            print(x, x)

        compile_llvm(one, "liba")
        compile_llvm(two, "libb")
    """)
    (tmp_path / "main.c").write_text('#include "liba.h"\n#include "libb.h"\nint main(void){one(0.5); two(1e22);'
                                     " return liba_last_error() + libb_last_error();}\n")
    _run([CC, "main.c", "liba.o", "libb.o", "-lm", "-o", "main"], tmp_path)
    assert _run(["./main"], tmp_path) == "0.5\n1e+22 1e+22\n"


@needs_cc
def test_cli_build_native_writes_the_three_files(tmp_path):
    (tmp_path / "shapes.py").write_text("def area(w: float, h: float) -> float:\n    return w * h\n")
    proc = subprocess.run([sys.executable, "-m", "pyexec.cli", "build", "shapes.py", "--target", "native", "-O", "3",
                           "--overflow", "wrap", "-o", "build"], capture_output=True, text=True, cwd=tmp_path,
                          timeout=180)
    assert proc.returncode == 0, proc.stderr
    assert [Path(p).name for p in proc.stdout.split()] == ["shapes.o", "shapes.so", "shapes.h"]
    assert "double area(double w, double h);" in (tmp_path / "build" / "shapes.h").read_text()


def test_cli_build_native_reports_compile_errors_without_a_traceback(tmp_path):
    (tmp_path / "bad.py").write_text('def bad(x: int) -> int:\n    return x + "a"\n')
    proc = subprocess.run([sys.executable, "-m", "pyexec.cli", "build", "bad.py", "--target", "native"],
                          capture_output=True, text=True, cwd=tmp_path, timeout=180)
    assert proc.returncode == 1
    assert "bad.py:2" in proc.stderr and "Traceback" not in proc.stderr
