"""The libm linked into wasm modules with libm="linked": glibc's results, bit for bit, in wasmtime and Node."""

from __future__ import annotations

import ctypes.util
import importlib.util
import json
import math
import os
import platform
import random
import shutil
import struct
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pytest
import wasmtime

from pyexec.backends.wasm import compile_ir_module, load
from pyexec.backends.wasm.build import WasmBuildError, write_outputs
from pyexec.backends.wasm.codegen import emit_object, parse_module
from pyexec.backends.wasm.libm import BITCODE_PATH, LINKED_FUNCTIONS, link_libm, manifest
from pyexec.backends.wasm.link import link
from pyexec.frontend import analyze_source

UNARY = ("exp", "expm1", "log", "log2", "log10", "log1p", "sin", "cos", "tan", "asin", "acos", "atan", "sinh",
         "cosh", "tanh", "asinh", "acosh", "atanh", "cbrt", "erf", "erfc")
BINARY = ("atan2", "hypot", "pow", "fmod")
LIBM_DIR = Path(__file__).resolve().parents[1] / "libm"
EDGES = (0.0, -0.0, math.inf, -math.inf, math.nan, 5e-324, -5e-324, 2.2250738585072014e-308, 1.7976931348623157e308,
         1.0, -1.0, 0.5, 2.0, math.pi, -math.pi / 2, 709.782712893384, 709.7827128933841, -745.1332191019412, 1e22)


def _sample(rng: random.Random) -> float:
    r = rng.random()
    if r < 0.3:
        return rng.uniform(-1, 1)
    if r < 0.5:
        return rng.uniform(-20, 20)
    if r < 0.65:
        return rng.uniform(-750, 750)
    if r < 0.95:
        return rng.choice((-1.0, 1.0)) * 2.0 ** rng.uniform(-1074, 1023.99)
    return rng.choice(EDGES)


def _inputs(name: str, count: int) -> list[tuple[float, ...]]:
    rng = random.Random(f"libm-{name}")
    if name == "pow":  # mostly finite, in-range results, where the last bits are hard
        return [(rng.uniform(0, 10), rng.uniform(-60, 60)) if rng.random() < 0.6 else (_sample(rng), _sample(rng))
                for _ in range(count)]
    return [tuple(_sample(rng) for _ in range(2 if name in BINARY else 1)) for _ in range(count)]


NAN_BITS = 0x7FF8000000000000


def _bits(x: float) -> int:
    """The bits of ``x``, with every NaN as one (C and Python do not promise a NaN's sign or payload)."""
    return NAN_BITS if math.isnan(x) else struct.unpack("<Q", struct.pack("<d", x))[0]


def _math_module_source() -> str:
    lines = ["import math"]
    for name in UNARY + BINARY:
        params, args = ("x: float, y: float", "x, y") if name in BINARY else ("x: float", "x")
        lines += [f"def m_{name}({params}) -> float:", f"    return math.{name}({args})"]
    return "\n".join(lines) + "\n"


def _raw_libm_wasm() -> bytes:
    """A module exporting each linked libm function as it is (no Python semantics around the call)."""
    ir = []
    exports = {}
    for name in (*UNARY, *BINARY, "exp2", "ldexp"):
        params = "double %x, i32 %y" if name == "ldexp" else "double %x, double %y" if name in BINARY else "double %x"
        types = "double, i32" if name == "ldexp" else "double, double" if name in BINARY else "double"
        ir += [f"declare double @{name}({types})",
               f"define double @raw_{name}({params}) {{\n  %r = call double @{name}({params})\n  ret double %r\n}}"]
        exports[f"raw_{name}"] = f"raw_{name}"
    for name in ("sin", "pow"):
        params = "float %x, float %y" if name == "pow" else "float %x"
        types = "float, float" if name == "pow" else "float"
        ir += [f"declare float @{name}f({types})",
               f"define float @raw_{name}f({params}) {{\n  %r = call float @{name}f({params})\n  ret float %r\n}}"]
        exports[f"raw_{name}f"] = f"raw_{name}f"
    module = parse_module("\n".join(ir))
    link_libm(module)
    return link(emit_object(module, 2), exports, host_functions=set()).wasm


@pytest.fixture(scope="module")
def raw_libm():
    engine = wasmtime.Engine()
    store = wasmtime.Store(engine)
    instance = wasmtime.Instance(store, wasmtime.Module(engine, _raw_libm_wasm()), [])
    return lambda name, *args: instance.exports(store)[f"raw_{name}"](store, *args)


@pytest.fixture(scope="module")
def math_source_module():
    return analyze_source(_math_module_source(), "libm_math.py")


def test_math_functions_are_imported_by_default_and_linked_with_libm_linked(math_source_module):
    linked = compile_ir_module(math_source_module, libm="linked")
    host = compile_ir_module(math_source_module)
    assert linked.imports == []
    assert set(host.imports) == set(UNARY + BINARY)


def test_an_unknown_libm_mode_is_refused_with_the_modes_named(math_source_module):
    with pytest.raises(WasmBuildError, match=r"libm must be 'linked' .* or 'host' .*not 'glibc'"):
        compile_ir_module(math_source_module, libm="glibc")


def test_a_libm_this_llvmlite_cannot_read_is_reported_with_what_to_do(math_source_module, monkeypatch, tmp_path):
    import pyexec.backends.wasm.libm as libm

    unreadable = tmp_path / "libm.bc"
    unreadable.write_bytes(b"BC\xc0\xde" + bytes(64))  # a bitcode header and nothing LLVM can read
    monkeypatch.setattr(libm, "BITCODE_PATH", unreadable)
    with pytest.raises(WasmBuildError, match=r"cannot read pyexec's linked libm.*upgrade llvmlite, or build with "
                                             r"libm='host'"):
        compile_ir_module(math_source_module, libm="linked")
    assert compile_ir_module(math_source_module, libm="host").imports  # the import-based path still builds


def test_only_the_libm_functions_a_module_calls_are_linked(math_source_module):
    only_exp = compile_ir_module(math_source_module, functions=["m_exp"], names=True, libm="linked").wasm
    only_sin = compile_ir_module(math_source_module, functions=["m_sin"], names=True, libm="linked").wasm
    assert b"__exp" in only_exp and b"__branred" not in only_exp  # sin's argument reduction stays out
    assert b"__branred" in only_sin and b"__exp_data" not in only_sin


def test_calls_the_code_generator_makes_are_linked_too():
    # frem and these intrinsics become libcalls only when LLVM emits the object, after the IR is linked
    ir = """
declare double @llvm.pow.f64(double, double)
declare float @llvm.sin.f32(float)
declare double @llvm.exp2.f64(double)
declare double @llvm.ldexp.f64.i32(double, i32)
define double @uses(double %x, float %y, i32 %n) {
  %a = frem double %x, 0x3FF8000000000000
  %b = call double @llvm.pow.f64(double %x, double %a)
  %c = call float @llvm.sin.f32(float %y)
  %d = fpext float %c to double
  %e = call double @llvm.exp2.f64(double %d)
  %f = call double @llvm.ldexp.f64.i32(double %e, i32 %n)
  %g = fadd double %b, %f
  ret double %g
}
"""
    module = parse_module(ir)
    assert link_libm(module) == ["exp2", "fmod", "ldexp", "pow", "sinf"]
    linked = link(emit_object(module, 2, optimized=False), {"uses": "uses"}, host_functions=set())
    assert linked.imports == []


def test_pow_of_two_keeps_math_pows_value_when_llvm_rewrites_it_to_exp2():
    module = analyze_source("import math\ndef p2(x: float) -> float:\n    return math.pow(2.0, x)\n", "p2.py")
    compiled = compile_ir_module(module, libm="linked")
    assert compiled.imports == []
    p2 = load(compiled.wasm).p2
    rng = random.Random(9)
    for x in [rng.uniform(-1100, 1100) for _ in range(300)] + [0.5, -0.0, 1023.5, -1074.0, -1075.5]:
        try:
            want = math.pow(2.0, x)
        except OverflowError:
            with pytest.raises(OverflowError):
                p2(x)
            continue
        assert _bits(p2(x)) == _bits(want), x


def _glibc_reference(calls: dict[str, list[tuple[float, ...]]]) -> dict[str, list[int]]:
    """The host glibc's results (its code without FMA, which the linked libm is built from), in a child."""
    script = r"""
import ctypes, ctypes.util, json, struct, sys
libm = ctypes.CDLL(ctypes.util.find_library("m"))
calls = json.loads(sys.stdin.read())
out = {}
for name, rows in calls.items():
    f = getattr(libm, name)
    f.restype = ctypes.c_double
    f.argtypes = [ctypes.c_double, ctypes.c_int] if name == "ldexp" else [ctypes.c_double] * len(rows[0])
    out[name] = [f(*row) for row in rows]
print(json.dumps(out))
"""
    env = {**os.environ, "GLIBC_TUNABLES": "glibc.cpu.hwcaps=-AVX2,-FMA"}
    out = subprocess.run([sys.executable, "-c", script], input=json.dumps(calls), capture_output=True, text=True,
                         env=env, check=True)
    return {name: [_bits(x) for x in values] for name, values in json.loads(out.stdout).items()}


def _host_is_glibc_236_x86_64() -> str | None:
    libc, version = platform.libc_ver()
    if sys.platform != "linux" or libc != "glibc" or platform.machine() != "x86_64":
        return f"the reference is glibc on x86-64 Linux; this is {sys.platform} {platform.machine()} {libc}"
    if version != manifest()["glibc"]:
        return f"the linked libm is glibc {manifest()['glibc']}'s code; this host's libm is glibc {version}"
    if ctypes.util.find_library("m") is None:
        return "libm.so is not found"
    return None


def test_linked_libm_gives_glibcs_bits_for_every_input(raw_libm):
    reason = _host_is_glibc_236_x86_64()
    if reason:
        pytest.skip(reason)
    calls = {name: _inputs(name, 1500) for name in (*UNARY, *BINARY, "exp2")}
    rng = random.Random(3)
    calls["ldexp"] = [(_sample(rng), rng.randint(-2200, 2200)) for _ in range(1500)]
    reference = _glibc_reference(calls)
    for name, rows in calls.items():
        wrong = [(row, raw_libm(name, *row)) for row, want in zip(rows, reference[name])
                 if _bits(raw_libm(name, *row)) != want]
        assert wrong == [], f"{name}: {len(wrong)} of {len(rows)} differ from glibc, e.g. {wrong[:3]}"


def test_float32_math_is_the_double_result_rounded_once(raw_libm):
    rng = random.Random(5)
    for _ in range(400):
        x, y = float(np.float32(rng.uniform(-30, 30))), float(np.float32(rng.uniform(0.1, 4)))
        assert raw_libm("sinf", x) == float(np.float32(raw_libm("sin", x)))
        assert raw_libm("powf", y, x) == float(np.float32(raw_libm("pow", y, x)))


def _cpython(name: str, args: tuple[float, ...]) -> tuple[int, str]:
    try:
        return _bits(getattr(math, name)(*args)), ""
    except (ValueError, OverflowError) as exc:
        return 0, type(exc).__name__


def _module_results(module, name: str, rows) -> list[tuple[int, str]]:
    f = getattr(module, f"m_{name}")
    out = []
    for row in rows:
        try:
            out.append((_bits(f(*row)), ""))
        except (ValueError, OverflowError) as exc:
            out.append((0, type(exc).__name__))
    return out


def test_math_in_wasm_raises_as_cpython_and_differs_only_in_rare_last_bits(math_source_module):
    # CPython on an FMA-capable x86-64 CPU runs glibc's FMA builds of exp, log, pow, sin, ... which differ
    # from the portable code (what the module carries) in the last bit on <0.1% of inputs (docs/backends/wasm.md).
    # Another C library (macOS, Windows, musl) has other algorithms: there only the exceptions are compared.
    on_glibc = platform.libc_ver()[0] == "glibc"
    module = load(compile_ir_module(math_source_module, libm="linked").wasm)
    for name in UNARY + BINARY:
        rows = _inputs(name, 1000)
        got = _module_results(module, name, rows)
        want = [_cpython(name, row) for row in rows]
        assert [g[1] for g in got] == [w[1] for w in want], name
        differ = [row for row, g, w in zip(rows, got, want) if g != w]
        assert len(differ) <= 5 or not on_glibc, f"{name}: {len(differ)} of {len(rows)} differ, e.g. {differ[:3]}"


@pytest.mark.skipif(shutil.which("node") is None, reason="Node is not installed (it runs the JS glue)")
def test_node_computes_the_same_bits_as_wasmtime_with_the_linked_libm(math_source_module, tmp_path):
    compiled = compile_ir_module(math_source_module, libm="linked")
    files = write_outputs(compiled, tmp_path / "m.wasm", generate_html=False)
    calls = {name: _inputs(name, 300) for name in UNARY + BINARY}
    # repr() round-trips every float, and JavaScript's Number() reads it (with inf and nan spelled its way)
    spelled = {"inf": "Infinity", "-inf": "-Infinity", "nan": "NaN"}
    (tmp_path / "calls.json").write_text(json.dumps({k: [[spelled.get(repr(x), repr(x)) for x in row] for row in v]
                                                     for k, v in calls.items()}))
    (tmp_path / "run.mjs").write_text("""
import fs from "node:fs";
import load from "./m.js";
const api = await load();
const calls = JSON.parse(fs.readFileSync(new URL("./calls.json", import.meta.url)));
const view = new DataView(new ArrayBuffer(8));
const out = {};
for (const [name, rows] of Object.entries(calls)) {
  out[name] = rows.map((row) => {
    try {
      const r = api[`m_${name}`](...row.map(Number));
      if (Number.isNaN(r)) return ["nan", ""];
      view.setFloat64(0, r, true);
      return [view.getBigUint64(0, true).toString(), ""];
    } catch (e) { return ["0", e.pythonType || e.name]; }
  });
}
console.log(JSON.stringify(out));
""")
    out = subprocess.run(["node", str(tmp_path / "run.mjs")], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    node = json.loads(out.stdout)
    module = load(files["wasm"])
    for name, rows in calls.items():
        here = [(str(b) if b != NAN_BITS else "nan", e) for b, e in _module_results(module, name, rows)]
        assert [tuple(r) for r in node[name]] == here, name


def test_the_linked_libm_keeps_no_mutable_global_state():
    import llvmlite.binding as llvm

    text = str(llvm.parse_bitcode(BITCODE_PATH.read_bytes()))
    variables = [line for line in text.splitlines() if line.startswith("@")]
    assert variables and all(" constant " in line for line in variables), [
        line[:80] for line in variables if " constant " not in line]


def test_the_linked_libm_gives_the_same_results_from_several_threads(math_source_module):
    wasm = compile_ir_module(math_source_module, libm="linked").wasm
    rows = {name: _inputs(name, 60) for name in UNARY + BINARY}
    expected = {name: _module_results(load(wasm), name, r) for name, r in rows.items()}
    results: list[bool] = []

    def work() -> None:
        module = load(wasm)
        results.append(all(_module_results(module, name, r) == expected[name] for name, r in rows.items()))

    old = threading.stack_size(512 * 1024)  # small thread stacks: the libm runs on wasm's own stack
    try:
        threads = [threading.Thread(target=work) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        threading.stack_size(old)
    assert results == [True] * 4


def _rebuild_skip_reason() -> str | None:
    if importlib.util.find_spec("ziglang") is None:
        return "ziglang is not installed (it provides the C compiler that builds the libm)"
    spec = importlib.util.spec_from_file_location("build_libm", LIBM_DIR / "build_libm.py")
    build_libm = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(build_libm)  # type: ignore[union-attr]
    info = manifest()
    if build_libm.zig_version() != info["zig"]:
        return f"zig {build_libm.zig_version()} is installed; the shipped libm was built with zig {info['zig']}"
    if build_libm.llvmlite_version() != info["llvmlite"]:
        return f"llvmlite {build_libm.llvmlite_version()} is installed; the libm was linked with {info['llvmlite']}"
    try:
        build_libm.find_glibc_source(None)
    except build_libm.BuildError:
        return ("glibc 2.36's source tarball is not here (set PYEXEC_GLIBC_SOURCE, or apt-get install "
                "glibc-source on Debian 12)")
    return None


def test_linked_libm_rebuilds_to_the_same_bytes():
    reason = _rebuild_skip_reason()
    if reason:
        pytest.skip(reason)
    out = subprocess.run([sys.executable, str(LIBM_DIR / "build_libm.py"), "--check"], capture_output=True,
                         text=True, timeout=600)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "identical" in out.stdout


def test_the_shipped_libm_matches_its_manifest():
    import hashlib

    info = manifest()
    assert hashlib.sha256(BITCODE_PATH.read_bytes()).hexdigest() == info["bitcode_sha256"]
    assert set(info["functions"]) == LINKED_FUNCTIONS
