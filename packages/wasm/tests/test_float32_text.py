"""print() of a float32 or complex64 from wasm writes what NumPy's str() writes, in the Python loader and in
the JS glue: the shortest round-tripping digits (ties to even), positional for 1e-4 <= |x| < 1e6, else
scientific (a fuzzer finding: large complex64 parts were printed positionally)."""

from __future__ import annotations

import json
import random
import shutil
import struct
import subprocess

import numpy as np
import pytest

from pyexec.backends.wasm.host_runtime import format_complex64, format_float32
from pyexec.backends.wasm.js_glue import glue_js

EDGES = [0.1, 1e7, 9999999.0, 999999.0, 1e6, 1e-4, 0.000100001, 3.4028235e38, 2.5e-45, 123456.7, 1.875013e10,
         -9.007199e15, 430737.625, -2039168.25, 65504.0, -0.0, 0.0, 1.5, -3125021700.0]


def float32_values(count: int, seed: int) -> list[float]:
    rng = random.Random(seed)
    values = EDGES + [struct.unpack("<f", struct.pack("<I", rng.getrandbits(32)))[0] for _ in range(count)]
    return [float(np.float32(v)) for v in values if v == v and abs(v) != float("inf")]


def test_the_python_loader_prints_float32_and_complex64_as_numpy_does():
    values = float32_values(20000, 1)
    rng = random.Random(2)
    for x in values:
        assert format_float32(x) == str(np.float32(x)), x
        y = values[rng.randrange(len(values))]
        assert format_complex64(x, y) == str(np.complex64(complex(x, y))), (x, y)


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed (it runs the JS glue)")
def test_the_js_glue_prints_float32_and_complex64_as_numpy_does(tmp_path):
    values = float32_values(5000, 3)
    rng = random.Random(4)
    pairs = [(x, values[rng.randrange(len(values))]) for x in values]
    (tmp_path / "glue.mjs").write_text(glue_js("unused.wasm", []) + "\nexport { formatComplex, float32Digits };\n")
    (tmp_path / "run.mjs").write_text(f"""import {{ formatFloat32, formatComplex, float32Digits }} from "./glue.mjs";
const values = {json.dumps(values)};
const pairs = {json.dumps(pairs)};
console.log(JSON.stringify([values.map(formatFloat32),
                            pairs.map(([a, b]) => formatComplex(a, b, (x) => float32Digits(x, false)))]));
""")
    done = subprocess.run([shutil.which("node"), "run.mjs"], capture_output=True, text=True, timeout=120,
                          cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    floats, complexes = json.loads(done.stdout)
    assert floats == [str(np.float32(x)) for x in values]
    assert complexes == [str(np.complex64(complex(a, b))) for a, b in pairs]
