"""The example set that ``pyexec demo`` compiles with every backend.

Plain typed Python: CPython runs it as it is, and each backend must agree with CPython.

Example:
    >>> from pyexec.cli.demo_examples import fibonacci, count_primes
    >>> fibonacci(10), count_primes(30)
    (55, 10)
"""

from __future__ import annotations


def fibonacci(n: int) -> int:
    """The n-th Fibonacci number, recursively (a call-heavy integer kernel)."""
    if n <= 1:
        return n
    return fibonacci(n - 1) + fibonacci(n - 2)


def is_prime(n: int) -> bool:
    """True when n is prime, by trial division."""
    if n < 2:
        return False
    if n % 2 == 0:
        return n == 2
    i = 3
    while i * i <= n:
        if n % i == 0:
            return False
        i += 2
    return True


def count_primes(limit: int) -> int:
    """How many primes are below ``limit`` (calls ``is_prime`` for each number)."""
    count = 0
    for k in range(limit):
        if is_prime(k):
            count += 1
    return count


def mandelbrot_area(size: int, max_iter: int) -> float:
    """The area of the Mandelbrot set estimated on a size × size grid (a float kernel)."""
    inside = 0
    for py in range(size):
        for px in range(size):
            x0 = -2.0 + 2.5 * px / size
            y0 = -1.25 + 2.5 * py / size
            x = 0.0
            y = 0.0
            i = 0
            while x * x + y * y <= 4.0 and i < max_iter:
                x, y = x * x - y * y + x0, 2.0 * x * y + y0
                i += 1
            if i == max_iter:
                inside += 1
    return 6.25 * inside / (size * size)


def run_examples(fib_n: int, prime_limit: int, size: int, max_iter: int) -> str:
    """Every example once, one result per line (the entry point of the demo's executable)."""
    return f"{fibonacci(fib_n)}\n{count_primes(prime_limit)}\n{mandelbrot_area(size, max_iter)!r}"


EXAMPLES = {
    "fibonacci": (fibonacci, (30,)),
    "count_primes": (count_primes, (300_000,)),
    "mandelbrot_area": (mandelbrot_area, (300, 200)),
}
"""What the demo runs: name → (function, arguments)."""

COMPILED = [fibonacci, is_prime, count_primes, mandelbrot_area]
"""The functions pyexec's own compiler builds into one module (``count_primes`` calls ``is_prime``)."""
