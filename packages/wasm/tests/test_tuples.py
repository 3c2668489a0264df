"""Tuples of scalars across the wasm boundary: the Python loader (wasmtime) returns tuples and takes them,
the JS glue (Node) returns arrays and takes them, the .d.ts declares them, the HTML page shows them;
each compared with CPython."""

from __future__ import annotations

import json
import math
import shutil
import subprocess

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pyexec.backends.wasm import wasm_multi
from pyexec.backends.wasm.loader import load
from pyexec.types import float32, int8, uint64

NODE = shutil.which("node")


def split(x: int, y: float) -> tuple[int, float]:
    return (x * 2, y / 4)


def mixed(t: tuple[int8, bool, float32, uint64]) -> tuple[uint64, float32, int8, bool]:
    a, b, c, d = t
    return (d, c * 2, a + 1, not b)


def qr(a: int, b: int) -> tuple[int, int]:
    return divmod(a, b)


def walk(n: int) -> tuple[int, int, int]:
    s = 0
    k = 0
    for i, x in enumerate(range(n), 10):
        s += i * x
    for x, y in zip(range(n), range(100, 0, -7)):
        k += x * y
    return s, k, n


FUNCS = [split, mixed, qr, walk]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("tuples")
    files = wasm_multi(FUNCS, out / "tup.wasm")
    return out, files


def _norm(value):
    if isinstance(value, tuple):
        return tuple(_norm(v) for v in value)
    if hasattr(value, "dtype"):
        value = value.item()
    if isinstance(value, float):
        return "nan" if math.isnan(value) else (value, math.copysign(1.0, value))
    return value


def _outcome(fn, *args):
    try:
        return ("value", _norm(fn(*args)))
    except (ArithmeticError, ValueError) as exc:
        return ("raises", type(exc).__name__)


def test_python_loader_returns_tuples_that_agree_with_cpython(built):
    out, _ = built
    module = load(out / "tup.wasm")

    @settings(max_examples=60, deadline=None)
    @given(st.integers(-(2**62), 2**62 - 1), st.floats(), st.integers(-100, 100), st.integers(-3, 60))
    def check(x, y, b, n):
        assert _outcome(module.split, x, y) == _outcome(split, x, y)
        assert _outcome(module.qr, x, b) == _outcome(qr, x, b)
        assert _outcome(module.walk, n) == _outcome(walk, n)

    check()
    import numpy as np

    with np.errstate(all="ignore"):
        expected = mixed((np.int8(127), True, np.float32(1.5), np.uint64(2**64 - 1)))
    assert _norm(module.mixed((127, True, 1.5, 2**64 - 1))) == _norm(expected)
    assert type(module.split(1, 2.0)) is tuple


def test_python_loader_refuses_a_wrong_tuple_argument(built):
    out, _ = built
    module = load(out / "tup.wasm")
    with pytest.raises(TypeError, match=r"must be tuple\[int8, bool_, float32, uint64\], not list"):
        module.mixed([1, True, 1.0, 2])
    with pytest.raises(TypeError, match="a tuple of 4 items, not a tuple of 2"):
        module.mixed((1, True))
    with pytest.raises(OverflowError, match=r"argument 't\[0\]'=300 is out of range for int8"):
        module.mixed((300, True, 1.0, 2))


def test_dts_declares_tuples_as_arrays(built):
    _, files = built
    dts = files["dts"].read_text()
    assert "split(x: number | bigint, y: number): [number | bigint, number];" in dts
    assert "mixed(t: [number, boolean, number, number | bigint]): [number | bigint, number, number, boolean];" in dts


def test_html_page_shows_tuple_results_as_python_prints_them(built):
    _, files = built
    page = files["html"].read_text()
    assert 'data-kind="tuple" data-items="int,bool,float,int"' in page
    assert "Array.isArray(result)" in page


@pytest.mark.skipif(NODE is None, reason="node is not installed (the JS glue is tested in Node)")
def test_node_gets_arrays_with_bigints_past_2_53_and_passes_arrays(built):
    out, _ = built
    script = out / "run.mjs"
    script.write_text("""import { loadTup } from "./tup.js";
const m = await loadTup();
const show = (v) => JSON.stringify(v, (k, x) => (typeof x === "bigint" ? `${x}n` : x));
console.log(show(m.split(21, 3)));
console.log(show(m.split(2n ** 61n, -1)));
console.log(show(m.qr(-7, 2)));
console.log(show(m.mixed([127, true, 1.5, 2n ** 64n - 1n])));
console.log(show(m.walk(12)));
for (const f of [() => m.qr(1, 0), () => m.mixed([1, true]), () => m.mixed(5)]) {
  try { f(); console.log("no error"); } catch (e) { console.log(e.name, e.message); }
}
""")
    done = subprocess.run([NODE, str(script)], capture_output=True, text=True, timeout=60, cwd=out)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    s, k, n = walk(12)
    assert lines[:5] == [
        "[42,0.75]",
        json.dumps([f"{2**62}n", -0.25]).replace(" ", ""),
        "[-4,1]",
        json.dumps([f"{2**64 - 1}n", 3, -128, False]).replace(" ", ""),
        f"[{s},{k},{n}]",
    ]
    assert lines[5] == "ZeroDivisionError ZeroDivisionError: integer division or modulo by zero"
    shown = "tuple[int8, bool_, float32, uint64]"
    assert lines[6] == f"TypeError mixed(): argument t must be {shown}, an array of 4 items, not 2"
    assert lines[7] == f"TypeError mixed(): argument t must be {shown} (an array)"


def test_threads_calling_one_module_each_get_their_own_tuple(built):
    # the result area is per function, not per call: the loader must copy it out under its lock
    import threading

    out, _ = built
    module = load(out / "tup.wasm")
    failures = []

    def worker(k):
        for i in range(3000):
            got = module.split(i * 8 + k, float(k))
            if got != split(i * 8 + k, float(k)):
                failures.append((k, i, got))

    threading.stack_size(256 * 1024)
    try:
        threads = [threading.Thread(target=worker, args=(k,)) for k in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        threading.stack_size(0)
    assert failures == []


@pytest.mark.skipif(NODE is None, reason="node is not installed (the page's script is run in Node)")
def test_demo_page_reads_tuple_inputs_and_shows_tuple_results(built, page_harness):
    import re

    out, files = built
    page = files["html"].read_text()
    script = re.search(r'<script type="module">(.*)</script>', page, re.S).group(1)
    (out / "page.mjs").write_text(script)
    (out / "harness.mjs").write_text(page_harness)
    inputs = [["split-x", "21", {"kind": "int"}], ["split-y", "3", {"kind": "float"}],
              ["mixed-t", "127, 1, 1.5, 18446744073709551615", {"kind": "tuple", "items": "int,bool,float,int"}],
              ["qr-a", "7", {"kind": "int"}], ["qr-b", "0", {"kind": "int"}]]
    done = subprocess.run([NODE, "harness.mjs", json.dumps(inputs), json.dumps(["split", "mixed", "qr"])],
                          capture_output=True, text=True, timeout=60, cwd=out)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "ready",
        "(42, 0.75) ok",
        "(18446744073709551615, 3, -128, False) ok",
        "ZeroDivisionError: integer division or modulo by zero error",
    ]


_NODE_DIFF = """import { loadTup } from "./tup.js";
const m = await loadTup();
const view = new DataView(new ArrayBuffer(8));
const decode = (v) => {
  if (Array.isArray(v)) return v.map(decode);
  if (v.f !== undefined) { view.setBigUint64(0, BigInt("0x" + v.f)); return view.getFloat64(0); }
  if (v.i !== undefined) return BigInt(v.i);
  return v.b;
};
const encodeFloat = (v) => {
  view.setFloat64(0, v); return { f: view.getBigUint64(0).toString(16).padStart(16, "0") };
};
const cases = JSON.parse(await (await import("node:fs/promises")).readFile("cases.json", "utf8"));
const out = cases.map(([fn, args, kinds]) => {
  try {
    const r = m[fn](...args.map(decode));
    // an item is an int when its Python type is (kinds): Numbers and BigInts alike print as integers
    return r.map((v, i) => (kinds[i] === "i" ? { i: String(v) } : kinds[i] === "b" ? { b: v } : encodeFloat(v)));
  } catch (e) { return e.name; }
});
console.log(JSON.stringify(out));
"""


def _bits(x: float) -> str:
    import struct

    return struct.pack(">d", x).hex()


def _enc(v):
    if isinstance(v, (tuple, list)):
        return [_enc(i) for i in v]
    if isinstance(v, bool):
        return {"b": v}
    if isinstance(v, int):
        return {"i": str(v)}
    return {"f": _bits(float(v))}


@pytest.mark.skipif(NODE is None, reason="node is not installed (the JS glue is tested in Node)")
@settings(max_examples=1, deadline=None)
@given(st.lists(st.tuples(st.integers(-(2**62), 2**62 - 1), st.floats(), st.integers(-50, 50), st.integers(-2, 40)),
                min_size=150, max_size=150))
def test_node_results_agree_with_cpython(built, cases):
    out, _ = built
    runs, expected = [], []
    for x, y, b, n in cases:
        for fn, args, kinds in (("split", [x, y], "if"), ("qr", [x, b], "ii"), ("walk", [n], "iii")):
            runs.append([fn, _enc(args), kinds])
            try:
                expected.append(_enc(globals()[fn](*args)))
            except ZeroDivisionError:
                expected.append("ZeroDivisionError")
    (out / "cases.json").write_text(json.dumps(runs))
    (out / "diff.mjs").write_text(_NODE_DIFF)
    done = subprocess.run([NODE, "diff.mjs"], capture_output=True, text=True, timeout=120, cwd=out)
    assert done.returncode == 0, done.stderr
    got = json.loads(done.stdout)
    for run, want, have in zip(runs, expected, got):
        assert have == want, run
    assert len(got) == len(expected)
