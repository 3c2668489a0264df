"""Fixtures shared by the integration tests."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

SEED_WASM_BUILD_SCRIPT = '''
from pyexec import wasm, wasm_multi

def square(x: int) -> int:
    return x * x

def fibonacci(n: int) -> int:
    if n <= 1:
        return n
    a: int = 0
    b: int = 1
    for i in range(2, n + 1):
        temp: int = a + b
        a = b
        b = temp
    return b

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

def multiply(a: int, b: int) -> int:
    return a * b

def divide(a: int, b: int) -> int:
    return a // b

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

files = wasm(square, "square.wasm")
print(sorted(files))
files = wasm(fibonacci, "fib.wasm", optimize=3)
files = wasm(fib_wasm, "version/fib.wasm")
files = wasm_multi([add, subtract, multiply, divide], "math.wasm")
print(sorted(files))
files = wasm_multi([clamp, lerp, collision], "game.wasm")
'''
"""The seed reference's WASM examples as a user's script: ``pyexec.wasm``/``wasm_multi`` calls."""


@pytest.fixture(scope="session")
def seed_wasm_build(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """Run the seed's WASM build script once; return its folder (the .wasm/.js/.d.ts/.html files) and stdout."""
    out = tmp_path_factory.mktemp("wasm_seed")
    (out / "version").mkdir()
    script = out / "build_examples.py"
    script.write_text(SEED_WASM_BUILD_SCRIPT)
    done = subprocess.run([sys.executable, str(script)], cwd=out, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return out, done.stdout
