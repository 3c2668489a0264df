"""Issue 16's promise: ``pyexec.compile`` in production mode runs the seed's greeter and a string-returning
fizzbuzz through ``aot``, and ``pyexec.wasm`` builds the same (decorated) functions for the browser."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

PROGRAM = textwrap.dedent('''
    import json, sys
    import pyexec

    @pyexec.compile
    def greet(name: str) -> str:
        return f"Hello, {name}!"

    @pyexec.compile
    def fizzbuzz(n: int) -> str:
        out = ""
        for i in range(1, n + 1):
            if i % 15 == 0:
                out += "FizzBuzz\\n"
            elif i % 3 == 0:
                out += "Fizz\\n"
            elif i % 5 == 0:
                out += "Buzz\\n"
            else:
                out += f"{i}\\n"
        return out

    folder = sys.argv[1]
    pyexec.wasm(greet, folder + "/greet")       # the decorated function: its Python original is built
    pyexec.wasm(fizzbuzz, folder + "/fizzbuzz")
    print(json.dumps([type(greet).__name__, greet("Wörld 🌍"), greet(""), fizzbuzz(100)]))
''')

NODE = textwrap.dedent('''
    import loadGreet from "./greet.js";
    import loadFizz from "./fizzbuzz.js";
    import { readFile } from "node:fs/promises";
    const g = await loadGreet(await readFile(new URL("./greet.wasm", import.meta.url)));
    const f = await loadFizz(await readFile(new URL("./fizzbuzz.wasm", import.meta.url)));
    console.log(JSON.stringify([g.greet("Wörld 🌍"), f.fizzbuzz(100)]));
''')


def expected_fizzbuzz(n: int) -> str:
    return "".join("FizzBuzz\n" if i % 15 == 0 else "Fizz\n" if i % 3 == 0 else "Buzz\n" if i % 5 == 0
                   else f"{i}\n" for i in range(1, n + 1))


def test_greeter_and_fizzbuzz_run_through_aot_in_production_mode_and_build_for_the_browser(tmp_path: Path):
    (tmp_path / "program.py").write_text(PROGRAM)
    env = {**os.environ, "PYEXEC_MODE": "production"}
    run = subprocess.run([sys.executable, str(tmp_path / "program.py"), str(tmp_path)], capture_output=True,
                         text=True, timeout=600, env=env)
    assert run.returncode == 0, run.stderr
    kind, hello, empty, fizz = json.loads(run.stdout)
    assert kind == "CompiledFunction"  # aot, not the JIT
    assert (hello, empty, fizz) == ("Hello, Wörld 🌍!", "Hello, !", expected_fizzbuzz(100))
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed: the browser modules were built but not run")
    (tmp_path / "run.mjs").write_text(NODE)
    ran = subprocess.run([node, str(tmp_path / "run.mjs")], capture_output=True, text=True, timeout=120)
    assert ran.returncode == 0, ran.stderr
    assert json.loads(ran.stdout) == ["Hello, Wörld 🌍!", expected_fizzbuzz(100)]
