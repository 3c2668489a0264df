"""Measure pyexec's wasm math against CPython: the linked libm (``libm="linked"``) and the engine's ``Math``
(``libm="host"``), per function, through the generated JS glue in Node; plus module size and speed.

Each function gets 40,000 inputs (a fixed seed; uniform in [-1, 1], [-20, 20] and [-750, 750], ±2**k for k
uniform over the whole exponent range, and edge values). A result counts as equal to CPython's when it
has the same bits (any NaN equals any NaN) or both raise the same exception. The third column compares
with CPython run with glibc's FMA code switched off (``GLIBC_TUNABLES=glibc.cpu.hwcaps=-AVX2,-FMA``), which
is the code the linked libm is built from.

Usage (from the repository root, with pyexec-wasm installed and Node on the PATH)::

    python packages/wasm/libm/measure_libm.py [--count 40000] [--repeat 2000000]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import shutil
import struct
import subprocess
import sys
import tempfile
from pathlib import Path

UNARY = ("exp", "expm1", "log", "log2", "log10", "log1p", "sin", "cos", "tan", "asin", "acos", "atan", "sinh",
         "cosh", "tanh")
BINARY = ("atan2", "hypot", "pow", "fmod")
EDGES = (0.0, -0.0, math.inf, -math.inf, math.nan, 5e-324, -5e-324, 2.2250738585072014e-308, 1.7976931348623157e308,
         -1.7976931348623157e308, 1.0, -1.0, 0.5, -0.5, 2.0, math.pi, -math.pi, math.pi / 2, math.pi / 4,
         709.782712893384, 709.7827128933841, -745.1332191019411, -745.1332191019412, 710.0, 1e-8, 1e22, 1e300,
         3.0, 0.1, 1e-300)


def sample(rng: random.Random) -> float:
    r = rng.random()
    if r < 0.25:
        return rng.uniform(-1, 1)
    if r < 0.45:
        return rng.uniform(-20, 20)
    if r < 0.60:
        return rng.uniform(-750, 750)
    if r < 0.95:
        return rng.choice((-1.0, 1.0)) * 2.0 ** rng.uniform(-1074, 1023.99)
    return rng.choice(EDGES)


def inputs(name: str, count: int, seed: int = 12) -> list[tuple[float, ...]]:
    """``count`` argument tuples for ``math.<name>`` (pow also gets many finite, in-range pairs)."""
    rng = random.Random(f"{seed}-{name}")
    if name == "pow":
        def pair() -> tuple[float, float]:
            r = rng.random()
            if r < 0.5:
                return rng.uniform(0, 10), rng.uniform(-60, 60)
            if r < 0.6:
                return -rng.uniform(0, 10), float(rng.randint(-60, 60))
            return sample(rng), sample(rng)
        return [pair() for _ in range(count)]
    arity = 2 if name in BINARY else 1
    return [tuple(sample(rng) for _ in range(arity)) for _ in range(count)]


def source() -> str:
    """The measured module: one function per libm function, and a timing loop for each."""
    lines = ["import math", ""]
    for name in UNARY + BINARY:
        params = "x: float, y: float" if name in BINARY else "x: float"
        args = "x, y" if name in BINARY else "x"
        lines += [f"def m_{name}({params}) -> float:", f"    return math.{name}({args})", ""]
        loop_args = "x, 1.25" if name in BINARY else "x"
        lines += [f"def t_{name}(n: int, x0: float, dx: float) -> float:", "    t = 0.0", "    x = x0",
                  "    for i in range(n):", f"        t += math.{name}({loop_args})", "        x += dx",
                  "    return t", ""]
    return "\n".join(lines)


TIMING = {  # [x0, x1): where every function stays in its domain and finite; each timing loop sweeps it
    "exp": (-5.0, 15.0), "expm1": (-5.0, 15.0), "log": (0.5, 20.0), "log2": (0.5, 20.0), "log10": (0.5, 20.0),
    "log1p": (0.5, 20.0), "sin": (-10.0, 30.0), "cos": (-10.0, 30.0), "tan": (-1.5, 1.5), "asin": (-0.99, 0.99),
    "acos": (-0.99, 0.99), "atan": (-10.0, 30.0), "sinh": (-5.0, 15.0), "cosh": (-5.0, 15.0), "tanh": (-5.0, 15.0),
    "atan2": (-10.0, 30.0), "hypot": (-10.0, 30.0), "pow": (0.5, 20.0), "fmod": (-10.0, 30.0),
}


NODE_SCRIPT = r"""
import fs from "node:fs";
import load from "./MODULE.js";
const [dir, names, repeat] = [process.argv[2], JSON.parse(process.argv[3]), Number(process.argv[4])];
const api = await load();
const out = {};
for (const name of names) {
  const buf = fs.readFileSync(`${dir}/${name}.in`);
  const a = new Float64Array(buf.buffer, buf.byteOffset, buf.length / 8);
  const arity = JSON.parse(fs.readFileSync(`${dir}/${name}.json`)).arity;
  const f = api[`m_${name}`];
  const values = new Float64Array(a.length / arity), errors = [];
  for (let i = 0; i < values.length; i++) {
    try {
      values[i] = arity === 1 ? f(a[i]) : f(a[2 * i], a[2 * i + 1]);
      errors.push("");
    } catch (e) { values[i] = 0; errors.push(e.pythonType || e.name); }
  }
  fs.writeFileSync(`${dir}/${name}.MODULE.out`, Buffer.from(values.buffer));
  const [x0, dx] = JSON.parse(fs.readFileSync(`${dir}/${name}.json`)).timing;
  const t = api[`t_${name}`];
  t(10000n, x0, dx);
  let best = Infinity;
  for (let k = 0; k < 3; k++) {
    const s = process.hrtime.bigint();
    t(BigInt(repeat), x0, dx);
    best = Math.min(best, Number(process.hrtime.bigint() - s) / repeat);
  }
  out[name] = { errors, ns: best };
}
console.log(JSON.stringify(out));
"""

REFERENCE = r"""
import json, math, struct, sys
d, names = sys.argv[1], json.loads(sys.argv[2])
out = {}
for name in names:
    arity = json.load(open(f"{d}/{name}.json"))["arity"]
    raw = open(f"{d}/{name}.in", "rb").read()
    xs = struct.unpack(f"<{len(raw) // 8}d", raw)
    res, errs = [], []
    for i in range(0, len(xs), arity):
        try:
            res.append(getattr(math, name)(*xs[i:i + arity])); errs.append("")
        except (ValueError, OverflowError) as e:
            res.append(0.0); errs.append(type(e).__name__)
    out[name] = {"bits": list(struct.unpack(f"<{len(res)}Q", struct.pack(f"<{len(res)}d", *res))), "errors": errs}
print(json.dumps(out))
"""


def _same(a_bits: int, a_err: str, b_bits: int, b_err: str) -> bool:
    if a_err or b_err:
        return a_err == b_err
    a, b = struct.unpack("<2d", struct.pack("<2Q", a_bits, b_bits))
    return a_bits == b_bits or (math.isnan(a) and math.isnan(b))


def measure(count: int, repeat: int) -> dict[str, dict[str, float]]:
    """Per function: mismatch rates (%) of each mode against CPython, and ns per call in Node."""
    from pyexec.backends.wasm.build import compile_ir_module, write_outputs
    from pyexec.frontend import analyze_source

    names = list(UNARY + BINARY)
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        module = analyze_source(source(), "measured.py")
        sizes = {}
        for mode in ("linked", "host"):
            compiled = compile_ir_module(module, libm=mode)
            write_outputs(compiled, d / f"{mode}.wasm", generate_html=False)
            (d / f"{mode}.mjs").write_text(NODE_SCRIPT.replace("MODULE", mode), encoding="utf-8")
            for name in names:
                one = compile_ir_module(module, libm=mode, functions=[f"m_{name}"])
                sizes.setdefault(name, {})[mode] = len(one.wasm)
        for name in names:
            args = [x for tup in inputs(name, count) for x in tup]
            (d / f"{name}.in").write_bytes(struct.pack(f"<{len(args)}d", *args))
            x0, x1 = TIMING[name]
            (d / f"{name}.json").write_text(json.dumps({"arity": 2 if name in BINARY else 1,
                                                        "timing": [x0, (x1 - x0) / repeat]}))
        refs = {}
        for label, env in (("cpython", {}), ("nofma", {"GLIBC_TUNABLES": "glibc.cpu.hwcaps=-AVX2,-FMA"})):
            out = subprocess.run([sys.executable, "-c", REFERENCE, str(d), json.dumps(names)], check=True,
                                 capture_output=True, text=True, env={**os.environ, **env})
            refs[label] = json.loads(out.stdout)
        runs = {}
        for mode in ("linked", "host"):
            out = subprocess.run(["node", str(d / f"{mode}.mjs"), str(d), json.dumps(names), str(repeat)],
                                 capture_output=True, text=True)
            if out.returncode:
                raise RuntimeError(f"Node failed on the {mode} module: {out.stderr}")
            runs[mode] = json.loads(out.stdout)
        table: dict[str, dict[str, float]] = {}
        for name in names:
            row: dict[str, float] = {}
            for mode in ("linked", "host"):
                raw = (d / f"{name}.{mode}.out").read_bytes()
                bits = struct.unpack(f"<{len(raw) // 8}Q", raw)
                errors = runs[mode][name]["errors"]
                for label, ref in refs.items():
                    bad = sum(not _same(b, e, rb, re) for b, e, rb, re in
                              zip(bits, errors, ref[name]["bits"], ref[name]["errors"]))
                    row[f"{mode}_vs_{label}"] = 100.0 * bad / len(bits)
                row[f"{mode}_ns"] = runs[mode][name]["ns"]
                row[f"{mode}_bytes"] = sizes[name][mode]
            table[name] = row
    return table


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=40000, help="inputs per function")
    parser.add_argument("--repeat", type=int, default=2_000_000, help="calls per timing run")
    args = parser.parse_args(argv)
    if shutil.which("node") is None:
        print("measure_libm: Node is not on the PATH (it runs the JS glue)", file=sys.stderr)
        return 2
    table = measure(args.count, args.repeat)
    print(f"{args.count} inputs per function; mismatches against CPython {sys.version.split()[0]} on this machine "
          "(% of inputs); ns per call in Node's loop; bytes of a module exporting one function\n")
    print("| function | Math: vs CPython | linked: vs CPython | linked: vs CPython without FMA "
          "| ns Math | ns linked | bytes Math | bytes linked |")
    print("|---|---|---|---|---|---|---|---|")
    for name, r in table.items():
        print(f"| {name} | {r['host_vs_cpython']:.2f}% | {r['linked_vs_cpython']:.3f}% | {r['linked_vs_nofma']:.3f}% "
              f"| {r['host_ns']:.1f} | {r['linked_ns']:.1f} | {r['host_bytes']} | {r['linked_bytes']} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
