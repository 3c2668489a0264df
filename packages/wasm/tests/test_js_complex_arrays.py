"""complex64/complex128 arrays through the generated JS glue in Node, the .d.ts and the demo page.

In JavaScript a complex array is the TypedArray of its parts (Float64Array for complex128, Float32Array
for complex64) with (re, im) interleaved, as NumPy lays it out; a result's ``shape`` ends with that 2.
Plain arrays take numbers (imaginary part 0) or [re, im] pairs.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess

import numpy as np
import pytest

from pyexec.backends.wasm import wasm_multi
from pyexec.types import complex64, complex128

NODE = shutil.which("node")
pytestmark = pytest.mark.skipif(NODE is None, reason="node is not installed (the JS glue is tested in Node)")


def cscale(a: complex128[:], re: float, im: float) -> complex128[::1]:
    return a * complex(re, im)


def csquare(a: complex64[:, :]) -> complex64[:, ::1]:
    return a * a


def cput(a: complex128[:], i: int, re: float, im: float) -> None:
    a[i] = complex(re, im)


def corner(a: complex128[:, :]) -> complex128[:, :]:
    return a[::2, ::-1]


def spiral(n: int) -> complex128[::1]:
    a = np.zeros(n, np.complex128)
    for i in range(n):
        a[i] = complex(i, -2 * i)
    return a


def parts_sum(a: complex128[:]) -> float:
    s = 0j
    for x in a:
        s += x
    return s.real * 1000 + s.imag


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("complex")
    files = wasm_multi([cscale, csquare, cput, corner, spiral, parts_sum], out / "cx.wasm")
    return out, files


def _node(cwd, script: str):
    (cwd / "run.mjs").write_text('import { loadCx, formatComplex128, formatComplex64 } from "./cx.js";\n'
                                 "const m = await loadCx();\n"
                                 "const live = () => m.instance.exports.pyexec_live_blocks();\n"
                                 "const plain = (r) => ({ data: Array.from(r), shape: r.shape });\n" + script)
    done = subprocess.run([NODE, "run.mjs"], capture_output=True, text=True, timeout=120, cwd=cwd)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_complex_typed_arrays_and_pairs_go_in_and_interleaved_parts_come_out_with_numpys_values(built):
    out, _ = built
    rng = np.random.default_rng(3)
    a = rng.normal(size=9) + 1j * rng.normal(size=9)
    g = (rng.normal(size=(3, 4)) + 1j * rng.normal(size=(3, 4))).astype(np.complex64)
    got = _node(out, f"""
const a = new Float64Array({json.dumps(a.view(np.float64).tolist())});
const g = new Float32Array({json.dumps(g.view(np.float32).ravel().tolist())});
console.log(JSON.stringify({{
  scaled: plain(m.cscale(a, 0.5, -2)),
  pairs: plain(m.cscale([1, [0, 1], [3, -4]], 0, 1)),
  square: plain(m.csquare({{ data: g, shape: [3, 4, 2] }})),
  logical: plain(m.csquare({{ data: g, shape: [3, 4] }})),
  corner: plain(m.corner({{ data: a.subarray(0, 12), shape: [3, 2] }})),
  spiral: plain(m.spiral(3)), empty: plain(m.spiral(0)),
  text: [formatComplex128(1, -2), formatComplex128(0, 3), formatComplex64(0.1, 1e7)],
  live: live(),
}}));
""")

    def back(result, dtype):
        data = np.array(result["data"], dtype=np.float64 if dtype == np.complex128 else np.float32)
        assert result["shape"][-1] == 2
        return data.view(dtype).reshape(result["shape"][:-1])

    scaled = back(got["scaled"], np.complex128)
    np.testing.assert_allclose(scaled, a * complex(0.5, -2), rtol=4e-16)  # NumPy's SIMD product may fuse
    np.testing.assert_array_equal(back(got["pairs"], np.complex128), np.array([1, 1j, 3 - 4j]) * 1j)
    for key in ("square", "logical"):
        np.testing.assert_allclose(back(got[key], np.complex64), g * g, rtol=4 * np.finfo(np.float32).eps)
    np.testing.assert_array_equal(back(got["corner"], np.complex128), a[:6].reshape(3, 2)[::2, ::-1])
    np.testing.assert_array_equal(back(got["spiral"], np.complex128), spiral(3))
    assert got["empty"] == {"data": [], "shape": [0, 2]}
    assert got["text"] == [str(1 - 2j), str(3j), str(np.complex64(0.1 + 1e7j))]
    assert got["live"] == 0


def test_written_complex_arguments_come_back_and_wrong_shapes_are_type_errors(built):
    out, _ = built
    got = _node(out, """
const typed = new Float64Array(6); m.cput(typed, 1, 5, 6);
const items = [1, [2, 3], 4]; m.cput(items, -1, 7, 8);
const errors = [];
for (const bad of [() => m.cscale(new Float64Array(3), 1, 1), () => m.cscale(new Float32Array(4), 1, 1),
                   () => m.cscale([[1, 2, 3]], 1, 1), () => m.cscale(["x"], 1, 1),
                   () => m.cput(new Float64Array(2), 1, 1, 1)]) {
  try { bad(); errors.push("none"); } catch (err) { errors.push(`${err.name}: ${err.message}`); }
}
console.log(JSON.stringify({ typed: Array.from(typed), items, errors, live: live() }));
""")
    assert got["typed"] == [0, 0, 5, 6, 0, 0]
    assert got["items"] == [[1, 0], [2, 3], [7, 8]]  # complex items are written back as [re, im] pairs
    assert got["errors"][0].endswith("(re, im) interleaved, an even length")
    assert got["errors"][1] == ("TypeError: cscale(): argument a must be a Float64Array for complex128[:], "
                                "not a Float32Array")
    assert "not rectangular" in got["errors"][2] and "a[0] must be a number" in got["errors"][3]
    assert got["errors"][4] == "IndexError: IndexError: index 1 is out of bounds for axis 0 with size 1"
    assert got["live"] == 0


def test_complex_wasm_arrays_and_in_memory_results_are_used_in_place(built):
    out, _ = built
    got = _node(out, """
const w = m.wasmArray("complex128", 3);
w.data.set([1, 2, 3, 4, 5, 6]);
const sum = m.parts_sum(w);
m.cput(w, 0, 9, -9);  // in place: nothing is copied back, the write is in the block
const after = Array.from(w.data);
w.release();
const kept = m.spiral.inMemory(4);
const keptSum = m.parts_sum(kept);
const length = kept.data.length;
kept.release();
console.log(JSON.stringify({ sum, after, keptSum, length, live: live() }));
""")
    assert got["sum"] == 9 * 1000 + 12 and got["after"] == [9, -9, 3, 4, 5, 6]
    assert got["keptSum"] == 6 * 1000 - 12 and got["length"] == 8
    assert got["live"] == 0


def test_the_declarations_name_the_interleaved_typed_arrays(built):
    _, files = built
    dts = files["dts"].read_text()
    assert "cscale: { (a: Float64Array | readonly (number | readonly [number, number])[] | WasmArray, re: number" in dts
    assert "csquare: { (a: { data: Float32Array | readonly (number | readonly [number, number])[]; " in dts
    assert "): Float32Array & { readonly shape: number[] };" in dts
    assert "export declare function formatComplex128(re: number, im: number): string;" in dts


def test_demo_page_reads_complex_literals_and_shows_complex_results(built, page_harness):
    out, files = built
    page = files["html"].read_text()
    assert 'id="cscale-result" data-complex="128"' in page and 'id="csquare-result" data-complex="64"' in page
    script = re.search(r'<script type="module">(.*)</script>', page, re.S).group(1)
    (out / "page.mjs").write_text(script)
    (out / "harness.mjs").write_text(page_harness)
    inputs = [["cscale-a", "1+2j, (3-4j), -5j, 2.5, 1e1-1e-1j", {"kind": "array", "element": "complex", "ndim": "1"}],
              ["cscale-re", "0", {"kind": "float"}], ["cscale-im", "1", {"kind": "float"}],
              ["cscale-result", "", {"complex": "128"}],
              ["csquare-a", '[["1+1j", 2], [[0, 3], "-1j"]]', {"kind": "array", "element": "complex", "ndim": "2"}],
              ["csquare-result", "", {"complex": "64"}],
              ["spiral-n", "2", {"kind": "int"}], ["spiral-result", "", {"complex": "128"}],
              ["parts_sum-a", "1+x", {"kind": "array", "element": "complex", "ndim": "1"}]]
    buttons = ["cscale", "csquare", "spiral", "parts_sum"]
    done = subprocess.run([NODE, "harness.mjs", json.dumps(inputs), json.dumps(buttons)],
                          capture_output=True, text=True, timeout=60, cwd=out)
    assert done.returncode == 0, done.stderr
    a = np.array([complex(t) for t in "1+2j, (3-4j), -5j, 2.5, 1e1-1e-1j".split(", ")]) * 1j  # as complex() reads them
    s = np.array([[complex("1+1j"), 2], [3j, complex("-1j")]], np.complex64)  # complex("-1j").real is +0.0
    s = s * s  # the function's own product: ** 2 signs some zero parts differently
    assert done.stdout.splitlines() == [
        "ready",
        f"[{', '.join(map(str, a.tolist()))}] shape (5,) ok",
        f"[{', '.join(str(np.complex64(z)) for z in s.ravel())}] shape (2, 2) ok",
        "[0j, (1-2j)] shape (2,) ok",
        'parts_sum-a: "1+x" is not a complex number such as 1+2j error',
    ]
