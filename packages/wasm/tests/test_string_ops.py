"""String methods and formatting compiled to wasm: through the Python loader (wasmtime; its host gives
``pyexec_float_digits`` from Python's ``format``) and through the JS glue in Node (BigInt-exact digits,
ties to even: f"{0.125:.2f}" is '0.12', where JavaScript's toFixed gives '0.13'), compared with CPython."""

from __future__ import annotations

import json
import random
import shutil
import struct
import subprocess

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pyexec.backends.wasm import wasm_multi
from pyexec.backends.wasm.loader import load

NODE = shutil.which("node")
FAST = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=16)
TIES = [0.125, 0.375, 2.5, 0.5, 1.5, 1e22, 5e-324, 2.0**-24, 1e16, 1e-5, 0.0001, -0.0, 123456.789, 9.995,
        1.7976931348623157e308, 0.1, 1 / 3, float("inf"), float("nan"), 2.0**63]


def methods(s: str, t: str) -> str:
    return "|".join((s.upper(), s.lower(), s.strip(), s.rstrip(t), s.replace(t, "ß", 2), ", ".join((s, t)))) + \
        f"|{s.find(t)}|{s.count(t)}|{s.startswith(t)}|{s.endswith(t)}|{s.isdigit()}{s.isalpha()}{s.isspace()}"


def floats(x: float) -> str:
    return f"{x}|{x:.2f}|{x:.0f}|{x:.3e}|{x:g}|{x:,.1f}|{x:%}|{x:.10}|{x:>12.4}|{x:+08.2f}|" + repr(x)


def ints(n: int, u: np.uint64, b: bool) -> str:
    return f"{n}|{n:,}|{n:x}|{n:#b}|{n:^9}|{u}|{u:_X}|{b}|{b:>4}|" + str(n)


def narrow(f: np.float32) -> str:
    return str(f) + "|" + repr(f) + "|" + f"{f}"


def complexes(re: float, im: float) -> str:
    z = complex(re, im)  # a complex cannot cross the wasm boundary as one value
    return f"{z}|" + repr(z)


FUNCS = [methods, floats, ints, narrow, complexes]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("strops")
    wasm_multi(FUNCS, out / "strops.wasm")
    return out, load(out / "strops.wasm")


@FAST
@given(TEXT, st.text(st.sampled_from("aß 😀x"), max_size=2))
def test_methods_in_wasm_match_cpython(built, s, t):
    assert built[1].methods(s, t) == methods(s, t)


@FAST
@given(st.one_of(st.floats(), st.sampled_from(TIES)))
def test_float_formatting_in_wasm_matches_cpython_exactly(built, x):
    assert built[1].floats(x) == floats(x)


@FAST
@given(st.integers(-(2**63), 2**63 - 1), st.integers(0, 2**64 - 1), st.booleans())
def test_int_formatting_in_wasm_matches_cpython(built, n, u, b):
    assert built[1].ints(n, np.uint64(u), b) == ints(n, np.uint64(u), b)


@FAST
@given(st.floats(width=32))
def test_float32_text_in_wasm_matches_numpy(built, f):
    assert built[1].narrow(np.float32(f)) == narrow(np.float32(f))


@FAST
@given(st.floats(), st.floats())
def test_complex_text_in_wasm_matches_cpython(built, re, im):
    assert built[1].complexes(re, im) == complexes(re, im)


def test_wasm_formatting_leaves_the_heap_as_it_was(built):
    module = built[1]
    module.floats(0.5)
    heap = module.memory_manager()
    before = heap.live_count(), heap.get_usage()[0]
    for k in range(2000):
        module.floats(k / 7)
        module.methods("héllo wörld", "l")
        module.ints(k, np.uint64(k), k % 2 == 0)
    assert (heap.live_count(), heap.get_usage()[0]) == before


def _js(x: float) -> str:
    """The number's text for JavaScript's Number() ('inf' is 'Infinity' there)."""
    return {"inf": "Infinity", "-inf": "-Infinity"}.get(repr(x), repr(x))


def _random_doubles(count: int) -> list[float]:
    rng = random.Random(16)
    out = []
    while len(out) < count:
        x = struct.unpack("<d", struct.pack("<Q", rng.getrandbits(64)))[0]
        out.append(x)
    return out


@pytest.mark.skipif(NODE is None, reason="node is not installed (the JS glue is tested in Node)")
def test_node_formats_floats_exactly_with_ties_to_even(built):
    out, _ = built
    xs = [x for x in TIES if x == x] + _random_doubles(300) + [rng / 8 for rng in range(-40, 40)]
    with np.errstate(over="ignore"):
        singles = [float(np.float32(x)) for x in _random_doubles(100) if np.isfinite(np.float32(x))]
    singles += [float(np.float32(v)) for v in (0.1, 1e-45, 3e38, 1e6, 1e-4)]
    script = out / "run.mjs"
    script.write_text(f"""import {{ loadStrops }} from "./strops.js";
const m = await loadStrops();
const xs = {json.dumps([_js(x) for x in xs])}.map(Number);
const singles = {json.dumps([_js(x) for x in singles])}.map(Number);
console.log(JSON.stringify(xs.map((x) => m.floats(x))));
console.log(JSON.stringify(singles.map((x) => m.narrow(x))));
console.log(JSON.stringify([m.floats(NaN), m.methods("Straße ΑΣ", "ß"), m.ints(-1234567n, 255n, true)]));
""")
    done = subprocess.run([NODE, str(script)], capture_output=True, text=True, timeout=120, cwd=out)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert json.loads(lines[0]) == [floats(x) for x in xs]
    assert json.loads(lines[1]) == [narrow(np.float32(x)) for x in singles]
    assert json.loads(lines[2]) == [floats(float("nan")), methods("Straße ΑΣ", "ß"),
                                    ints(-1234567, np.uint64(255), True)]


def test_the_string_runtimes_loops_are_left_rolled():
    from pyexec.backends.wasm.loop_unroll import with_unrolled_inner_loops

    loop = """define {linkage}i64 @{name}(i64 %n) {{
entry:
  br label %head
head:
  %i = phi i64 [0, %entry], [%j, %head]
  %j = add i64 %i, 1
  %c = icmp slt i64 %j, %n
  br i1 %c, label %head, label %done
done:
  ret i64 %j
}}"""
    runtime = loop.format(linkage="internal ", name='"str.cpcount"')
    assert with_unrolled_inner_loops(runtime) == runtime
    assert "!llvm.loop" in with_unrolled_inner_loops(loop.format(linkage="", name="user_loop"))
