"""The seed reference's WASM examples, built as a user would (a script calling ``pyexec.wasm``/``wasm_multi``),
then run three ways: from Python in wasmtime (``pyexec.load_wasm``), and in Node through the generated ES-module
glue, exactly as the reference's JavaScript snippets use it (``const wasm = await loadSquare(); wasm.square(5)``)."""

from __future__ import annotations

import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

BUILD_SCRIPT = '''
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

NODE = shutil.which("node")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wasm_seed")
    (out / "version").mkdir()
    script = out / "build_examples.py"
    script.write_text(BUILD_SCRIPT)
    done = subprocess.run([sys.executable, str(script)], cwd=out, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["['dts', 'html', 'js', 'wasm']"] * 2
    return out


def test_square_runs_in_wasmtime(built: Path) -> None:
    import pyexec

    assert pyexec.load_wasm(built / "square.wasm").square(5) == 25


def test_fibonacci_optimize_3_runs_in_wasmtime(built: Path) -> None:
    import pyexec

    fib = pyexec.load_wasm(built / "fib.wasm")
    assert [fib.fibonacci(n) for n in (0, 1, 2, 10, 90)] == [0, 1, 1, 55, 2880067194370816120]
    with pytest.raises(OverflowError):
        fib.fibonacci(93)
    assert pyexec.load_wasm(built / "version" / "fib.wasm").fib_wasm(10) == 55


def test_math_module_runs_in_wasmtime(built: Path) -> None:
    import pyexec

    m = pyexec.load_wasm(built / "math.wasm")
    assert (m.add(10, 5), m.subtract(10, 5), m.multiply(10, 5), m.divide(10, 5)) == (15, 5, 50, 2)
    assert m.divide(-7, 2) == -4
    with pytest.raises(ZeroDivisionError, match="integer division or modulo by zero"):
        m.divide(1, 0)


def test_game_logic_runs_in_wasmtime(built: Path) -> None:
    import pyexec

    game = pyexec.load_wasm(built / "game.wasm")
    assert (game.clamp(900, 0, 800), game.clamp(-5, 0, 600), game.clamp(42, 0, 600)) == (800, 0, 42)
    assert game.lerp(0, 100, 50) == 50 and game.lerp(10, -3, 33) == 10 + ((-3 - 10) * 33) // 100
    assert game.collision(0, 0, 32, 32, 10, 10, 32, 32) is True
    assert game.collision(0, 0, 32, 32, 100, 100, 32, 32) is False


NODE_SCRIPT = '''
import { loadSquare } from "./square.js";
import { loadFib } from "./fib.js";
import { loadFib as loadFibVersion } from "./version/fib.js";
import { loadMath } from "./math.js";
import { loadGame } from "./game.js";

const wasm = await loadSquare();
console.log(wasm.square(5));  // 25

const fibModule = await loadFib();
console.log(fibModule.fibonacci(10), String(fibModule.fibonacci(90)));

const fib = await loadFibVersion();
console.log(fib.fib_wasm(10));  // 55

const math = await loadMath();
console.log(math.add(10, 5), math.subtract(10, 5), math.multiply(10, 5), math.divide(10, 5));
try { math.divide(1, 0); } catch (e) { console.log(e.name, e.message); }

const game = await loadGame();
const playerX = 900, playerY = -4, oldX = 0, targetX = 100;
let x = game.clamp(playerX, 0, 800);
let y = game.clamp(playerY, 0, 600);
let newX = game.lerp(oldX, targetX, 50);
console.log(x, y, newX);
if (game.collision(10, 10, 32, 32, 20, 20, 32, 32)) {
    console.log("Collision detected!");
}
'''


@pytest.mark.skipif(NODE is None, reason="node is not installed")
def test_examples_run_in_node_through_the_js_glue(built: Path) -> None:
    script = built / "seed_examples.mjs"
    script.write_text(textwrap.dedent(NODE_SCRIPT))
    done = subprocess.run([NODE, str(script)], cwd=built, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "25",
        "55 2880067194370816120",
        "55",
        "15 5 50 2",
        "ZeroDivisionError ZeroDivisionError: integer division or modulo by zero",
        "800 0 50",
        "Collision detected!",
    ]
