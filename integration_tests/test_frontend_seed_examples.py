# ruff: noqa: F841, B007  (the seed reference's examples, kept verbatim: unused locals and loop variables included)
"""Every seed example meant for aot / compile_llvm / wasm gives verified IR through the frontend.

The functions below are the seed reference's examples as users wrote them (LLVM Backend Details,
Type System, Examples), analysed from this real file with ``analyze_functions``. Decorators are
left off because the frontend strips them anyway (a test below checks a wrapping decorator).
"""

from __future__ import annotations

import functools
import math

import pytest

import pyexec.frontend as fe
from pyexec import bool_, complex128, float32, int32, int64, uint8

# --- LLVM Backend Details ---------------------------------------------------------------------


def math_ops(a: int, b: int) -> int:
    add = a + b
    sub = a - b
    mul = a * b
    div = a / b  # Integer division
    mod = a % b
    fdiv = a // b  # Floor division
    pow = a ** b  # Power
    return add


def compare(a: int, b: int) -> bool:
    eq = a == b
    ne = a != b
    lt = a < b
    le = a <= b
    gt = a > b
    ge = a >= b
    return eq


def unary(x: int) -> int:
    neg = -x
    pos = +x
    return neg


def max_value(a: int, b: int) -> int:
    if a > b:
        return a
    else:
        return b


def sign(x: int) -> int:
    if x > 0:
        return 1
    elif x < 0:
        return -1
    else:
        return 0


def sum_to_n(n: int) -> int:
    total: int = 0
    i: int = 1
    while i <= n:
        total = total + i
        i = i + 1
    return total


def count_to_ten() -> int:
    total: int = 0
    for i in range(10):  # 0 to 9
        total = total + i
    return total


def sum_range(start: int, end: int) -> int:
    total: int = 0
    for i in range(start, end):
        total = total + i
    return total


def sum_evens(n: int) -> int:
    total: int = 0
    for i in range(0, n, 2):  # Step by 2
        total = total + i
    return total


def abs_value(x: int) -> int:
    return x if x >= 0 else -x


def swap_demo(a: int, b: int) -> int:
    temp: int = a
    a = b
    b = temp
    return a + b


def good_example(n: int) -> int:
    result: int = 0  # ✓ Type annotation
    for i in range(n):
        result = result + i
    return result


def bad_example(n: int) -> int:
    result = 0  # the seed calls this an error; our locals are inferred
    return result


# --- Public API and Type System -----------------------------------------------------------------


def power(base: int, exp: int) -> int:
    result: int = 1
    for i in range(exp):
        result = result * base
    return result


def fibonacci(n: int) -> int:
    if n <= 1:
        return n
    return fibonacci(n - 1) + fibonacci(n - 2)


def multiply(x: int, y: int) -> int:
    return x * y


def square(x: int) -> int:
    return x * x


def fib_wasm(n: int) -> int:
    if n <= 1:
        return n
    a: int = 0
    b: int = 1
    for i in range(2, n + 1):
        temp: int = a + b
        a = b
        b = temp
    return b


def add(a: int, b: int) -> int:
    return a + b


def subtract(a: int, b: int) -> int:
    return a - b


def divide(a: int, b: int) -> int:
    return a // b


def clamp_color(value: int32) -> uint8:
    if value < 0:
        return uint8(0)
    if value > 255:
        return uint8(255)
    return uint8(value)


def distance_f32(x1: float32, y1: float32, x2: float32, y2: float32) -> float32:
    dx: float32 = x2 - x1
    dy: float32 = y2 - y1
    return float32((dx * dx + dy * dy) ** 0.5)


def mandelbrot(c: complex128, max_iter: int) -> int:
    z: complex128 = 0j
    for i in range(max_iter):
        if abs(z) > 2.0:
            return i
        z = z * z + c
    return max_iter


def is_even(n: int) -> bool_:
    return bool_(n % 2 == 0)


def factorial(n: int) -> int:
    result: int = 1  # Type annotation required
    i: int = 1       # Type annotation required
    while i <= n:
        result = result * i
        i = i + 1
    return result


def performance_tip(n: int) -> int64:
    result: int64 = 0
    for i in range(n):
        result = result + i
    return result


# --- Examples -----------------------------------------------------------------------------------


def fib_aot(n: int) -> int:
    if n <= 1:
        return n
    a: int = 0
    b: int = 1
    for i in range(2, n + 1):
        temp: int = a + b
        a = b
        b = temp
    return b


def is_prime(n: int) -> bool:
    if n < 2:
        return False
    if n == 2:
        return True
    if n % 2 == 0:
        return False

    i: int = 3
    while i * i <= n:
        if n % i == 0:
            return False
        i = i + 2
    return True


def distance(x1: int, y1: int, x2: int, y2: int) -> int:
    """Compute Manhattan distance."""
    dx: int = x2 - x1
    dy: int = y2 - y1
    if dx < 0:
        dx = -dx
    if dy < 0:
        dy = -dy
    return dx + dy


def clamp(value: int, min_val: int, max_val: int) -> int:
    """Clamp value to range."""
    if value < min_val:
        return min_val
    if value > max_val:
        return max_val
    return value


def lerp(a: int, b: int, t: int) -> int:
    """Linear interpolation (t in 0-100)."""
    return a + ((b - a) * t) // 100


def collision(x1: int, y1: int, w1: int, h1: int,
              x2: int, y2: int, w2: int, h2: int) -> bool:
    """Check AABB collision."""
    return not (x1 + w1 < x2 or
                x2 + w2 < x1 or
                y1 + h1 < y2 or
                y2 + h2 < y1)


def hypotenuse(a: float, b: float) -> float:
    return math.sqrt(a * a + b * b)


SEED_EXAMPLES = [
    math_ops, compare, unary, max_value, sign, sum_to_n, count_to_ten, sum_range, sum_evens, abs_value,
    swap_demo, good_example, bad_example, power, fibonacci, multiply, square, fib_wasm, add, subtract, divide,
    clamp_color, distance_f32, mandelbrot, is_even, factorial, performance_tip, fib_aot, is_prime, distance,
    clamp, lerp, collision, hypotenuse,
]


@pytest.mark.parametrize("func", SEED_EXAMPLES, ids=[f.__name__ for f in SEED_EXAMPLES])
def test_seed_example_gives_verified_ir(func: object) -> None:
    module = fe.analyze_functions([func])
    fe.verify_module(module)
    assert func.__name__ in module.functions  # type: ignore[attr-defined]
    assert fe.print_module(module).startswith(f"module {__file__!r}")


def test_math_ops_locals_are_inferred_with_true_division_as_float() -> None:
    fn = fe.analyze_functions([math_ops]).functions["math_ops"]
    types = {local.name: str(local.type) for local in fn.locals}
    assert types == {"add": "int", "sub": "int", "mul": "int", "div": "float64", "mod": "int", "fdiv": "int",
                     "pow": "int"}


def test_fixed_width_examples_keep_their_types() -> None:
    module = fe.analyze_functions([clamp_color, is_even, distance_f32])
    sigs = {name: (str(fn.params[0].type), str(fn.return_type)) for name, fn in module.functions.items()}
    assert sigs == {"clamp_color": ("int32", "uint8"), "is_even": ("int", "bool_"),
                    "distance_f32": ("float32", "float32")}
    printed = fe.print_function(module.functions["distance_f32"])
    assert "pow<float32>(" in printed and "0.5:float32" in printed


def test_game_logic_functions_compile_together_as_one_module() -> None:
    module = fe.analyze_functions([clamp, lerp, collision])
    fe.verify_module(module)
    assert list(module.functions) == ["clamp", "lerp", "collision"]
    assert module.functions["lerp"].docstring == "Linear interpolation (t in 0-100)."


def test_wasm_multi_math_module() -> None:
    module = fe.analyze_functions([add, subtract, multiply, divide])
    fe.verify_module(module)
    assert [str(f.return_type) for f in module.functions.values()] == ["int"] * 4


def test_a_decorator_exposing_wrapped_is_seen_through() -> None:
    def fake_aot(func):  # what pyexec's aot wrappers do: keep the original as __wrapped__
        @functools.wraps(func)
        def wrapper(*args):
            return func(*args)
        return wrapper

    wrapped = fake_aot(fibonacci)
    module = fe.analyze_functions([wrapped])
    fe.verify_module(module)
    assert "call fibonacci<int>" in fe.print_module(module)
