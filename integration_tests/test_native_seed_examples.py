"""The seed reference's ``aot`` examples, each run as written in a fresh interpreter (native backend)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

pytest.importorskip("llvmlite")

EXAMPLES = {
    "power": ("""
        import pyexec

        @pyexec.aot
        def power(base: int, exp: int) -> int:
            result: int = 1
            for i in range(exp):
                result = result * base
            return result

        result = power(2, 10)  # 1024
        print(result)
    """, "1024"),
    "clamp_color": ("""
        from pyexec import aot, int32, uint8

        @aot
        def clamp_color(value: int32) -> uint8:
            if value < 0:
                return uint8(0)
            if value > 255:
                return uint8(255)
            return uint8(value)

        print(clamp_color(-5), clamp_color(128), clamp_color(999))
    """, "0 128 255"),
    "distance_float32": ("""
        from pyexec import aot, float32

        @aot
        def distance(x1: float32, y1: float32, x2: float32, y2: float32) -> float32:
            dx: float32 = x2 - x1
            dy: float32 = y2 - y1
            return float32((dx * dx + dy * dy) ** 0.5)

        print(distance(0.0, 0.0, 3.0, 4.0))
    """, "5.0"),
    "is_even": ("""
        from pyexec import aot, bool_

        @aot
        def is_even(n: int) -> bool_:
            return bool_(n % 2 == 0)

        print(is_even(4), is_even(7))
    """, "True False"),
    "factorial_while": ("""
        from pyexec import aot

        @aot
        def factorial(n: int) -> int:
            result: int = 1  # Type annotation required
            i: int = 1       # Type annotation required
            while i <= n:
                result = result * i
                i = i + 1
            return result

        print(factorial(10), factorial(20))
    """, "3628800 2432902008176640000"),
    "fib_aot": ("""
        from pyexec import aot

        @aot
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

        print(fib_aot(10))  # 55
    """, "55"),
    "is_prime": ("""
        from pyexec import aot

        @aot
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

        # Usage
        print(is_prime(17))  # True
        print(is_prime(18))  # False
    """, "True\nFalse"),
    "llvm_backend_features": ("""
        from pyexec import aot

        @aot
        def math_ops(a: int, b: int) -> int:
            add = a + b
            sub = a - b
            mul = a * b
            div = a / b  # Integer division
            mod = a % b
            fdiv = a // b  # Floor division
            pow = a ** b  # Power
            return add

        @aot
        def compare(a: int, b: int) -> bool:
            eq = a == b
            ne = a != b
            lt = a < b
            le = a <= b
            gt = a > b
            ge = a >= b
            return eq

        @aot
        def unary(x: int) -> int:
            neg = -x
            pos = +x
            return neg

        @aot
        def max_value(a: int, b: int) -> int:
            if a > b:
                return a
            else:
                return b

        @aot
        def sign(x: int) -> int:
            if x > 0:
                return 1
            elif x < 0:
                return -1
            else:
                return 0

        @aot
        def sum_to_n(n: int) -> int:
            total: int = 0
            i: int = 1
            while i <= n:
                total = total + i
                i = i + 1
            return total

        @aot
        def count_to_ten() -> int:
            total: int = 0
            for i in range(10):  # 0 to 9
                total = total + i
            return total

        @aot
        def sum_range(start: int, end: int) -> int:
            total: int = 0
            for i in range(start, end):
                total = total + i
            return total

        @aot
        def sum_evens(n: int) -> int:
            total: int = 0
            for i in range(0, n, 2):  # Step by 2
                total = total + i
            return total

        @aot
        def abs_value(x: int) -> int:
            return x if x >= 0 else -x

        @aot
        def swap_demo(a: int, b: int) -> int:
            temp: int = a
            a = b
            b = temp
            return a + b

        @aot
        def good_example(n: int) -> int:
            result: int = 0  # ✓ Type annotation
            for i in range(n):
                result = result + i
            return result

        print(math_ops(7, 2), compare(3, 3), unary(5), max_value(2, 9), sign(-4), sum_to_n(100))
        print(count_to_ten(), sum_range(3, 7), sum_evens(10), abs_value(-8), swap_demo(1, 2), good_example(5))
    """, "9 True -5 9 -1 5050\n45 18 20 8 3 10"),
}


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_seed_aot_example_runs_as_documented(name, tmp_path):
    source, expected = EXAMPLES[name]
    script = tmp_path / f"{name}.py"
    script.write_text(textwrap.dedent(source))
    env = {**os.environ, "PYEXEC_CACHE_DIR": str(tmp_path / "cache")}
    proc = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, env=env, timeout=180,
                          cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == expected
