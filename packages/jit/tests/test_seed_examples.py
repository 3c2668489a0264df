"""The seed reference's JIT examples, run as written there."""

from __future__ import annotations

import inspect

import numpy as np
import pytest

from pyexec.backends.jit import jit
from pyexec.types import complex128


@jit
def square(x: int) -> int:
    return x * x


@jit
def fib_jit(n: int) -> int:
    if n <= 1:
        return n
    return fib_jit(n - 1) + fib_jit(n - 2)


@jit
def matrix_multiply(A: np.ndarray, B: np.ndarray) -> np.ndarray:
    return A @ B


@jit
def mandelbrot(c: complex128, max_iter: int) -> int:
    z: complex128 = 0j
    for i in range(max_iter):
        if abs(z) > 2.0:
            return i
        z = z * z + c
    return max_iter


@jit
def matrix_power(A: np.ndarray, n: int) -> np.ndarray:
    """Compute matrix to the power of n."""
    result = np.eye(A.shape[0])
    for i in range(n):  # noqa: B007 (the seed example, verbatim)
        result = result @ A
    return result


@jit
def array_sum(arr):
    total = 0.0
    for i in range(len(arr)):
        total += arr[i]
    return total


def test_square_returns_the_product():
    assert square(7) == 49
    assert square(-3) == 9


def test_recursive_fibonacci_calls_itself_compiled():
    assert fib_jit(10) == 55
    assert fib_jit(20) == 6765


def test_matrix_multiply_with_the_matmul_operator():
    result = matrix_multiply(np.ones((3, 3)), np.eye(3))
    np.testing.assert_array_equal(result, np.ones((3, 3)))


@pytest.mark.parametrize("c", [0j, 0.3 + 0.5j, 1 + 1j, -2 + 0j, complex128(0.25 + 0.1j)])
def test_mandelbrot_with_complex128_matches_python(c):
    assert mandelbrot(c, 100) == mandelbrot.py_func(c, 100)


def test_matrix_power_of_an_integer_matrix_gives_the_fibonacci_matrix():
    A = np.array([[1, 1], [1, 0]])
    result = matrix_power(A, 10)
    np.testing.assert_array_equal(result, [[89.0, 55.0], [55.0, 34.0]])
    assert result.dtype == np.float64


def test_array_sum_loop_matches_builtin_sum():
    arr = np.random.default_rng(0).random(10_000)
    assert array_sum(arr) == pytest.approx(sum(arr), rel=1e-12)


def test_compiled_function_keeps_name_docstring_and_signature():
    assert matrix_power.__name__ == "matrix_power"
    assert matrix_power.__doc__ == "Compute matrix to the power of n."
    assert inspect.signature(matrix_power) == inspect.signature(matrix_power.py_func)
    assert list(inspect.signature(matrix_power).parameters) == ["A", "n"]
    assert matrix_power.__wrapped__ is matrix_power.py_func
