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


# --- names from users and from the file system (issue 11 item 11, issue 12 item 6) -------------------

NAMES_SOURCE = '''
def then(x: int) -> int:
    return x + 1

def __proto__(x: int) -> int:
    return x + 2

def instance(x: int) -> int:
    return x + 3

def constructor(x: int) -> int:
    return x + 5

def toString(x: int) -> int:
    return x + 6

def partial(x: int) -> None:
    print("v", x, end="")

def line_then_partial(x: int) -> None:
    print("first")
    print(x, end=";")
'''


@pytest.fixture(scope="module")
def names_dir(tmp_path_factory):
    from pyexec.backends.wasm import compile_ir_module, write_outputs
    from pyexec.frontend import analyze_source

    out = tmp_path_factory.mktemp("names")
    write_outputs(compile_ir_module(analyze_source(NAMES_SOURCE, "names.py")), out / "names.wasm")
    return out


def test_user_function_names_never_replace_or_hide_the_api(names_dir):
    out = _node(names_dir, """import { loadNames } from "./names.js";
const m = await loadNames();          // resolves: a function named `then` does not make it a thenable
console.log(typeof m.then, m.functions.then(1));
console.log(m.__proto__(1), m.constructor(1), m.toString(1));
console.log(m.instance instanceof WebAssembly.Instance, m.memory instanceof WebAssembly.Memory);
console.log(m.functions.instance(1), m.functions.__proto__(1));
console.log(Object.keys(m).join(","));
console.log(Object.keys(m.functions).length);
""")
    assert out.splitlines() == [
        "undefined 2",
        "3 6 7",
        "true true",
        "4 3",
        "__proto__,constructor,toString,partial,line_then_partial",
        "7",
    ]


def test_names_the_api_owns_are_declared_only_under_functions_in_the_dts(names_dir):
    dts = (names_dir / "names.d.ts").read_text()
    exports = dts.split("export interface NamesExports {")[1].split("}")[0]
    functions = dts.split("export interface NamesFunctions {")[1].split("}")[0]
    assert "then(" not in exports and "then(x: number | bigint)" in functions
    assert "__proto__(x: number | bigint)" in exports
    assert "readonly instance: WebAssembly.Instance;" in exports and "instance(x" not in exports


def test_a_partial_line_printed_at_the_end_of_a_call_is_delivered(names_dir):
    out = _node(names_dir, """import { loadNames } from "./names.js";
const lines = [];
const m = await loadNames(undefined, { print: (line) => lines.push(line) });
m.functions.partial(5);
m.functions.line_then_partial(7);
console.log(JSON.stringify(lines));
""")
    assert json.loads(out) == ["v 5", "first", "7;"]


@pytest.mark.parametrize("file_name", ["a#b.wasm", "a&b.wasm", "new\nline.wasm", "q?x=1 %41.wasm", "\u2028ls.wasm"])
def test_file_names_are_escaped_for_js_urls_and_html(tmp_path, file_name):
    from urllib.parse import quote

    from pyexec.backends.wasm.js_glue import loader_name

    files = wasm_multi([fibonacci], tmp_path / file_name)
    stem = file_name[:-5]
    (tmp_path / "a").write_text("not this file")  # what "a#b.wasm" used to load, unescaped
    specifier = "./" + quote(stem + ".js", safe="")
    out = _node(tmp_path, f"import {{ {loader_name(stem)} as load }} from {json.dumps(specifier)};\n"
                          "const m = await load();\nconsole.log(m.fibonacci(10));\n")
    assert out == "55\n"
    page = files["html"].read_text()
    script = page.split('<script type="module">')[1]
    assert f'from "{specifier}";' in script
    assert "&amp;" not in script and "\n" not in specifier
    js = files["js"].read_text()
    assert all(line.startswith(("//", "const", "", " ", "*", "/", "export", "function", "async", "}", "{"))
               for line in js.splitlines())  # the name broke no line into stray code


TRAPS_WAT = """(module
  (func (export "rem") (param i64 i64) (result i64) local.get 0 local.get 1 i64.rem_s)
  (func (export "quot") (param i64 i64) (result i64) local.get 0 local.get 1 i64.div_s)
  (func (export "urem") (param i32 i32) (result i32) local.get 0 local.get 1 i32.rem_u)
  (func (export "trunc") (param f64) (result i64) local.get 0 i64.trunc_f64_s)
  (func (export "boom") (param i64) (result i64) unreachable)
  (func $deep (export "deep") (param i64) (result i64) local.get 0 call $deep))
"""
TRAP_CASES = [("rem", (7, 0)), ("quot", (5, 0)), ("urem", (1, 0)), ("quot", (-(2**63), -1)),
              ("trunc", (float("nan"),)), ("trunc", (1e300,)), ("boom", (1,)), ("deep", (1,))]


def test_traps_become_the_same_python_exceptions_in_node_and_in_the_python_loader(tmp_path):
    import wasmtime

    from pyexec.backends.wasm import WasmTrap, load
    from pyexec.backends.wasm.js_glue import glue_js
    from pyexec.backends.wasm.signature import ExportSignature, encode_signatures
    from pyexec.backends.wasm.wasm_binary import SECTION_CUSTOM, section

    sigs = [ExportSignature.parse(line) for line in (
        "rem(a:int,b:int)->int", "quot(a:int,b:int)->int", "urem(a:uint32,b:uint32)->uint32",
        "trunc(x:float64)->int", "boom(x:int)->int", "deep(x:int)->int")]
    wasm = wasmtime.wat2wasm(TRAPS_WAT) + section(SECTION_CUSTOM, encode_signatures(sigs), name="pyexec")
    (tmp_path / "traps.wasm").write_bytes(wasm)
    (tmp_path / "traps.js").write_text(glue_js("traps.wasm", sigs))
    calls = json.dumps([[name, [str(a) if isinstance(a, float) else a for a in args]] for name, args in TRAP_CASES])
    out = _node(tmp_path, f"""import {{ loadTraps }} from "./traps.js";
const m = await loadTraps();
for (const [name, args] of {calls}) {{
  try {{ m[name](...args.map((a) => typeof a === "string" ? Number(a) : BigInt(a))); console.log("none"); }}
  catch (e) {{ console.log(e.name); }}
}}
""")
    loaded = load(wasm)
    python = []
    for name, args in TRAP_CASES:
        try:
            getattr(loaded, name)(*args)
            python.append("none")
        except WasmTrap:
            python.append("RuntimeError")  # a WasmTrap is a RuntimeError; the glue has no subclass
        except Exception as exc:
            python.append(type(exc).__name__)
    assert out.splitlines() == python
    assert python == ["ZeroDivisionError", "ZeroDivisionError", "ZeroDivisionError", "OverflowError",
                      "OverflowError", "OverflowError", "RuntimeError", "RecursionError"]
