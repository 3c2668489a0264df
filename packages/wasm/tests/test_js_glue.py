"""The JS glue in Node: loading from a file, BigInt exactness, errors as JS Errors, CPython's float formatting."""

from __future__ import annotations

import json
import math
import shutil
import struct
import subprocess

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pyexec.backends.wasm import wasm_multi

NODE = shutil.which("node")
pytestmark = pytest.mark.skipif(NODE is None, reason="node is not installed (the JS glue is tested in Node)")


def fibonacci(n: int) -> int:
    a: int = 0
    b: int = 1
    for _ in range(n):
        a, b = b, a + b
    return a


def divide(a: int, b: int) -> int:
    return a // b


def is_even(n: int) -> bool:
    return n % 2 == 0


def show(x: float) -> None:
    print("value:", x, x > 0)


def depth(n: int) -> int:
    if n == 0:
        return 0
    return depth(n - 1) * 2 + 1


def _node(tmp_path, script: str) -> str:
    path = tmp_path / "run.mjs"
    path.write_text(script)
    done = subprocess.run([NODE, str(path)], capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("glue")
    wasm_multi([fibonacci, divide, is_even, show, depth], out / "lib.wasm")
    return out


def test_node_loads_the_module_from_its_file(built):
    out = _node(built, 'import { loadLib } from "./lib.js";\nconst m = await loadLib();\n'
                       'console.log(m.fibonacci(10), m.is_even(4), m.is_even(7));\n')
    assert out == "55 true false\n"


def test_i64_results_beyond_2_53_stay_exact_as_bigint(built):
    out = _node(built, 'import { loadLib } from "./lib.js";\nconst m = await loadLib();\n'
                       'const r = m.fibonacci(90);\nconsole.log(typeof r, String(r), typeof m.fibonacci(20));\n'
                       'console.log(String(m.divide(2n ** 62n + 1n, 1)));\n')
    assert out == f"bigint {fibonacci(90)} number\n{2**62 + 1}\n"


def test_faults_become_errors_named_after_the_python_exception(built):
    out = _node(built, """import { loadLib, PyexecError } from "./lib.js";
const m = await loadLib();
for (const f of [() => m.divide(1, 0), () => m.fibonacci(100), () => m.divide(2n ** 63n, 1), () => m.divide(0.5, 1)]) {
  try { f(); console.log("no error"); } catch (e) { console.log(e.name, e instanceof PyexecError, e.message); }
}
console.log(m.divide(7, 2));
""")
    lines = out.splitlines()
    assert lines[0] == "ZeroDivisionError true ZeroDivisionError: integer division or modulo by zero"
    assert lines[1].startswith("OverflowError true OverflowError: ")
    assert lines[2].startswith("OverflowError true") and "out of range for int" in lines[2]
    assert lines[3].startswith("TypeError false")
    assert lines[4] == "3"


def test_unbounded_recursion_is_a_recursion_error_and_the_module_stays_usable(built):
    out = _node(built, 'import { loadLib } from "./lib.js";\nconst m = await loadLib();\n'
                       'try { m.depth(10000000); } catch (e) { console.log(e.name); }\n'
                       'console.log(m.depth(10), m.divide(9, 2));\n')
    assert out == "RecursionError\n1023 4\n"


def test_print_goes_to_console_log_formatted_like_cpython(built):
    out = _node(built, 'import { loadLib } from "./lib.js";\nconst m = await loadLib();\n'
                       'm.show(0.1); m.show(-1e16); m.show(5);\n')
    assert out == "value: 0.1 True\nvalue: -1e+16 False\nvalue: 5.0 True\n"


def _bits(x: float) -> str:
    return struct.pack(">d", x).hex()


@settings(max_examples=1, deadline=None)
@given(st.lists(st.floats(), min_size=300, max_size=300))
def test_float_formatting_matches_cpython_repr(tmp_path_factory, values):
    edges = [0.0, -0.0, math.inf, -math.inf, math.nan, 1e16, 1e15, 1e-4, 1e-5, 5e-324, 1.7976931348623157e308,
             123456789012345680.0, 0.1, 1 / 3, 100.0, 2.5]
    values = edges + values
    tmp = tmp_path_factory.mktemp("fmt")
    (tmp / "glue.js").write_text(_glue_source())
    script = f"""import {{ formatFloat }} from "./glue.js";
const bits = {json.dumps([_bits(v) for v in values])};
const view = new DataView(new ArrayBuffer(8));
const text = bits.map((b) => {{ view.setBigUint64(0, BigInt("0x" + b)); return formatFloat(view.getFloat64(0)); }});
console.log(JSON.stringify(text));
"""
    out = json.loads(_node(tmp, script))
    assert out == [repr(v) for v in values]


@settings(max_examples=1, deadline=None)
@given(st.lists(st.tuples(st.floats(-1e6, 1e6), st.integers(-3, 8)), min_size=200, max_size=200))
def test_round_ndigits_matches_cpython(tmp_path_factory, cases):
    cases = [(2.675, 2), (0.125, 2), (0.375, 2), (2.5, 0), (-2.5, 0), (1234.5, -1), (-0.4, 0), *cases]
    tmp = tmp_path_factory.mktemp("round")
    (tmp / "glue.js").write_text(_glue_source())
    script = f"""import {{ roundNdigits, formatFloat }} from "./glue.js";
const cases = {json.dumps([[_bits(x), n] for x, n in cases])};
const view = new DataView(new ArrayBuffer(8));
console.log(JSON.stringify(cases.map(([b, n]) => {{
  view.setBigUint64(0, BigInt("0x" + b)); return formatFloat(roundNdigits(view.getFloat64(0), n)); }})));
"""
    out = json.loads(_node(tmp, script))
    assert out == [repr(round(x, n)) for x, n in cases]


def _glue_source() -> str:
    from pyexec.backends.wasm.js_glue import glue_js

    return glue_js("unused.wasm", [])
