"""The seed reference's WASM examples, built as a user would (a script calling ``pyexec.wasm``/``wasm_multi``),
then run three ways: from Python in wasmtime (``pyexec.load_wasm``), and in Node through the generated ES-module
glue, exactly as the reference's JavaScript snippets use it (``const wasm = await loadSquare(); wasm.square(5)``)."""

from __future__ import annotations

import shutil
import subprocess
import textwrap
from pathlib import Path

import pytest

NODE = shutil.which("node")


def test_the_build_script_prints_what_the_reference_shows(seed_wasm_build) -> None:
    _, stdout = seed_wasm_build
    assert stdout.splitlines() == ["['dts', 'html', 'js', 'wasm']"] * 2


@pytest.fixture(scope="module")
def built(seed_wasm_build) -> Path:
    return seed_wasm_build[0]


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
