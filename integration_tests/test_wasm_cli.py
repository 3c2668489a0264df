"""``pyexec build FILE.py --target wasm``: the four files, the functions chosen with -f, clear errors."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

GAME = '''
def clamp(value: int, min_val: int, max_val: int) -> int:
    if value < min_val:
        return min_val
    if value > max_val:
        return max_val
    return value

def lerp(a: int, b: int, t: int) -> int:
    return a + ((b - a) * t) // 100

def _helper(x: int) -> int:
    return x
'''


def run_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pyexec.cli", *args], capture_output=True, text=True, cwd=cwd,
                          timeout=300)


@pytest.fixture
def game(tmp_path: Path) -> Path:
    path = tmp_path / "game.py"
    path.write_text(GAME)
    return path


def test_build_wasm_writes_module_glue_types_and_page(game: Path) -> None:
    import pyexec

    done = run_cli("build", game.name, "--target", "wasm", "-O", "3", "-o", "web", cwd=game.parent)
    assert done.returncode == 0, done.stderr
    web = game.parent / "web"
    assert done.stdout.split() == [str(Path("web") / f"game.{ext}") for ext in ("wasm", "js", "d.ts", "html")]
    module = pyexec.load_wasm(web / "game.wasm")
    assert (module.clamp(900, 0, 800), module.lerp(0, 100, 50)) == (800, 50)
    assert "_helper" not in dir(module)  # private functions are not exported by default


def test_build_wasm_exports_only_the_named_functions(game: Path) -> None:
    import pyexec

    done = run_cli("build", game.name, "--target", "wasm", "-f", "lerp", cwd=game.parent)
    assert done.returncode == 0, done.stderr
    module = pyexec.load_wasm(game.parent / "game.wasm")
    assert list(module.functions) == ["lerp"]


def test_build_wasm_reports_an_unknown_function_without_a_traceback(game: Path) -> None:
    done = run_cli("build", game.name, "--target", "wasm", "-f", "missing", cwd=game.parent)
    assert done.returncode == 1
    assert "missing" in done.stderr and "Traceback" not in done.stderr


def test_build_wasm_reports_a_missing_file(tmp_path: Path) -> None:
    done = run_cli("build", "nope.py", "--target", "wasm", cwd=tmp_path)
    assert done.returncode == 2 and "does not exist" in done.stderr
