"""The seed reference's JIT and compile() examples, each run as written in a fresh interpreter."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

EXAMPLES = {
    "quick_reference_square": (
        """
        import pyexec

        @pyexec.jit
        def func(x: int) -> int:
            return x * x

        print(func(12))
        """,
        "144",
    ),
    "fibonacci_jit": (
        """
        import pyexec

        @pyexec.jit
        def fib_jit(n: int) -> int:
            if n <= 1:
                return n
            return fib_jit(n - 1) + fib_jit(n - 2)

        print(fib_jit(10))  # 55
        """,
        "55",
    ),
    "matrix_multiply": (
        """
        import pyexec
        import numpy as np

        @pyexec.jit
        def matrix_multiply(A: np.ndarray, B: np.ndarray) -> np.ndarray:
            return A @ B

        result = matrix_multiply(np.ones((3, 3)), np.eye(3))
        print(result.tolist())
        """,
        "[[1.0, 1.0, 1.0], [1.0, 1.0, 1.0], [1.0, 1.0, 1.0]]",
    ),
    "mandelbrot_complex128": (
        """
        from pyexec import jit, complex128

        @jit
        def mandelbrot(c: complex128, max_iter: int) -> int:
            z: complex128 = 0j
            for i in range(max_iter):
                if abs(z) > 2.0:
                    return i
                z = z * z + c
            return max_iter

        print(mandelbrot(0.3 + 0.5j, 100), mandelbrot(1 + 1j, 100), mandelbrot(-1 + 0j, 50))
        """,
        "100 2 50",
    ),
    "matrix_power": (
        """
        import pyexec
        import numpy as np

        @pyexec.jit
        def matrix_power(A: np.ndarray, n: int) -> np.ndarray:
            \"\"\"Compute matrix to the power of n.\"\"\"
            result = np.eye(A.shape[0])
            for i in range(n):
                result = result @ A
            return result

        A = np.array([[1, 1], [1, 0]])
        print(matrix_power(A, 10))  # Fibonacci matrix
        """,
        "[[89. 55.]\n [55. 34.]]",
    ),
    "array_sum": (
        """
        import numpy as np
        import pyexec

        @pyexec.jit
        def array_sum(arr):
            total = 0.0
            for i in range(len(arr)):
                total += arr[i]
            return total

        print(array_sum(np.arange(1_000_000, dtype=np.float64)))
        """,
        "499999500000.0",
    ),
    "compile_development_mode": (
        """
        import pyexec

        @pyexec.compile
        def fibonacci(n: int) -> int:
            if n <= 1:
                return n
            return fibonacci(n - 1) + fibonacci(n - 2)

        result = fibonacci(10)  # Compiled on first call
        print(result)
        """,
        "55",
    ),
}


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_seed_jit_example_prints_what_the_reference_says(name: str, tmp_path: Path) -> None:
    code, expected = EXAMPLES[name]
    script = tmp_path / f"{name}.py"
    script.write_text(textwrap.dedent(code))
    env = {k: v for k, v in os.environ.items() if k != "PYEXEC_MODE"}
    result = subprocess.run([sys.executable, str(script)], cwd=tmp_path, capture_output=True, text=True,
                            timeout=300, env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == expected


def test_jit_error_in_a_script_names_the_script_line(tmp_path: Path) -> None:
    script = tmp_path / "broken.py"
    script.write_text(textwrap.dedent(
        """
        import pyexec

        @pyexec.jit
        def broken(x):
            return x + "text"

        broken(1)
        """
    ))
    result = subprocess.run([sys.executable, str(script)], cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert result.returncode == 1
    last = result.stderr.strip().splitlines()
    error_line = next(line for line in last if line.startswith("pyexec.backends.jit.errors.JitCompileError"))
    assert f"{script}:6: cannot JIT-compile 'broken'" in error_line


def test_unknown_mode_is_reported_before_anything_compiles(tmp_path: Path) -> None:
    script = tmp_path / "mode.py"
    script.write_text("import pyexec\n\n@pyexec.compile\ndef f(x: int) -> int:\n    return x\n")
    env = {**os.environ, "PYEXEC_MODE": "fast"}
    result = subprocess.run([sys.executable, str(script)], cwd=tmp_path, capture_output=True, text=True,
                            timeout=300, env=env)
    assert result.returncode == 1
    assert "PYEXEC_MODE='fast' is not a pyexec mode" in result.stderr
    assert "'development'" in result.stderr and "'production'" in result.stderr


@pytest.mark.parametrize("mode", ["development", "production"])
def test_the_original_array_sum_gives_the_same_result_in_both_modes(mode: str, tmp_path: Path) -> None:
    # production compiles through aot, which types the unannotated `arr` from the call's argument
    script = tmp_path / "array_sum_compile.py"
    script.write_text(textwrap.dedent(
        """
        import numpy as np
        import pyexec

        @pyexec.compile
        def array_sum(arr):
            total = 0.0
            for i in range(len(arr)):
                total += arr[i]
            return total

        print(type(array_sum).__name__, array_sum(np.arange(1_000_000, dtype=np.float64)),
              array_sum(np.arange(10, dtype=np.int32)[::-2]))
        """
    ))
    env = {**os.environ, "PYEXEC_MODE": mode}
    result = subprocess.run([sys.executable, str(script)], cwd=tmp_path, capture_output=True, text=True,
                            timeout=300, env=env)
    assert result.returncode == 0, result.stderr
    kind, total, strided = result.stdout.split()
    assert (total, strided) == ("499999500000.0", "25.0")
    assert kind == ("CompiledFunction" if mode == "production" else "JitFunction")


@pytest.mark.parametrize("name", ["matrix_multiply", "matrix_power", "array_sum"])
def test_the_original_array_examples_print_the_same_in_production_mode(name: str, tmp_path: Path) -> None:
    # the same scripts with @pyexec.compile and PYEXEC_MODE=production: aot, typed from the arguments
    code, expected = EXAMPLES[name]
    script = tmp_path / f"{name}_production.py"
    script.write_text(textwrap.dedent(code).replace("@pyexec.jit", "@pyexec.compile"))
    env = {**os.environ, "PYEXEC_MODE": "production"}
    result = subprocess.run([sys.executable, str(script)], cwd=tmp_path, capture_output=True, text=True,
                            timeout=300, env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == expected
