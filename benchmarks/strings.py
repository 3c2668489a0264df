"""String kernels measured side by side in one run (issue 16): pyexec ``aot`` and wasm (wasmtime, Node)
against CPython and Numba.

    python benchmarks/strings.py              every kernel, medians of 5 runs
    python benchmarks/strings.py --repeat 9   more repetitions
    python benchmarks/strings.py --quick      smaller inputs (a smoke run)

Kernels: fizzbuzz to one string (10^5 lines), a Caesar cipher over 10^6 characters, counting the words
of a text (10^6 characters, ``ch.isspace()`` per character), and formatting 10^5 floats into one string
(``f"{x:.3f}"`` and ``repr``). The same Python source is compiled by every tool; a kernel a tool cannot
compile is reported as such, with the reason. Figures are measured, never asserted.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any


def fizzbuzz(n: int) -> str:
    out = ""
    for i in range(1, n + 1):
        if i % 15 == 0:
            out += "FizzBuzz\n"
        elif i % 3 == 0:
            out += "Fizz\n"
        elif i % 5 == 0:
            out += "Buzz\n"
        else:
            out += str(i) + "\n"
    return out


def caesar(s: str, k: int) -> str:
    out = ""
    for ch in s:
        c = ord(ch)
        if 97 <= c <= 122:
            out += chr((c - 97 + k) % 26 + 97)
        elif 65 <= c <= 90:
            out += chr((c - 65 + k) % 26 + 65)
        else:
            out += ch
    return out


def count_words(text: str) -> int:
    words = 0
    inside = False
    for ch in text:
        if ch.isspace():
            inside = False
        elif not inside:
            inside = True
            words += 1
    return words


def format_floats(n: int) -> str:
    out = ""
    for i in range(n):
        x = i * 0.37 + 0.001
        out += f"{x:.3f} " + repr(x / 7) + "\n"
    return out


KERNELS: list[Callable[..., Any]] = [fizzbuzz, caesar, count_words, format_floats]

NODE_TIMER = """import { loadStrings } from "./strings.js";
import { readFileSync } from "node:fs";
const [cases, repeat] = [JSON.parse(readFileSync("cases.json", "utf8")), Number(process.argv[2])];
const m = await loadStrings();
const out = {};
for (const [name, args] of cases) {
  m[name](...args);
  const times = [];
  for (let r = 0; r < repeat; r++) {
    const start = process.hrtime.bigint();
    m[name](...args);
    times.push(Number(process.hrtime.bigint() - start) / 1e9);
  }
  times.sort((a, b) => a - b);
  out[name] = times[Math.floor(times.length / 2)];
}
console.log(JSON.stringify(out));
"""


def median_seconds(func: Callable[..., Any], *args: Any, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        func(*args)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def text_of(size: int) -> str:
    words = ["lorem", "ipsum", "Dolor", "sit", "amet,", "consectetur", "café", "naïve", "x", "Zebra\n"]
    out, k = [], 0
    while sum(map(len, out)) + len(out) < size:
        out.append(words[k % len(words)])
        k += 7
    return " ".join(out)[:size]


def numba_kernels() -> tuple[dict[str, Any], dict[str, str]]:
    """Numba's compiled kernels, and why the others are not (its first call compiles)."""
    try:
        import numba
    except ImportError:
        return {}, {f.__name__: "Numba is not installed" for f in KERNELS}
    return {f.__name__: numba.njit(f) for f in KERNELS}, {}


def node_seconds(wasm_dir: Path, cases: list[tuple[str, list[Any]]], repeat: int) -> dict[str, float]:
    node = shutil.which("node")
    if node is None:
        return {}
    (wasm_dir / "timer.mjs").write_text(NODE_TIMER)
    (wasm_dir / "cases.json").write_text(json.dumps(cases))
    done = subprocess.run([node, "timer.mjs", str(repeat)], cwd=wasm_dir, capture_output=True, text=True,
                          timeout=3600)
    if done.returncode != 0:
        print(f"  (node failed: {done.stderr.strip().splitlines()[-1:]})")
        return {}
    return json.loads(done.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    from pyexec.backends.llvm import aot
    from pyexec.backends.wasm import wasm_multi
    from pyexec.backends.wasm.loader import load

    scale = 10 if args.quick else 1
    text = text_of(10**6 // scale)
    inputs = {"fizzbuzz": (10**5 // scale,), "caesar": (text, 3), "count_words": (text,),
              "format_floats": (10**5 // scale,)}
    start = time.perf_counter()
    native = {f.__name__: aot(f) for f in KERNELS}
    small = {"fizzbuzz": (3,), "caesar": ("ab", 1), "count_words": ("a b",), "format_floats": (2,)}
    for name, fn in native.items():
        fn(*small[name])  # aot compiles on the first call
    compile_native = time.perf_counter() - start
    tmp = Path(tempfile.mkdtemp(prefix="pyexec-strings-"))
    start = time.perf_counter()
    wasm_multi(KERNELS, tmp / "strings.wasm", generate_html=False)
    compile_wasm = time.perf_counter() - start
    wasm = load(tmp / "strings.wasm")
    jitted, no_numba = numba_kernels()
    node = node_seconds(tmp, [(k, list(v)) for k, v in inputs.items()], args.repeat)
    print(f"compile: pyexec aot {compile_native:.2f} s (4 kernels, first calls), pyexec wasm {compile_wasm:.2f} s")
    print(f"\n  {'kernel':<15}{'CPython':>11}{'pyexec aot':>13}{'wasm':>11}{'node wasm':>11}{'numba':>11}"
          f"{'   CPython / aot':>17}{'CPython / wasm':>16}{'numba / aot':>13}")
    for f in KERNELS:
        name = f.__name__
        a = inputs[name]
        want = f(*a)
        for label, fn in (("aot", native[name]), ("wasm", getattr(wasm, name))):
            got = fn(*a)
            if got != want:
                print(f"  {name}: {label} result differs from CPython")
        t_py = median_seconds(f, *a, repeat=args.repeat)
        t_aot = median_seconds(native[name], *a, repeat=args.repeat)
        t_wasm = median_seconds(getattr(wasm, name), *a, repeat=args.repeat)
        t_node = node.get(name)
        t_nb: float | None = None
        if name in jitted:
            try:
                if jitted[name](*a) != want:
                    no_numba[name] = "result differs"
                else:
                    t_nb = median_seconds(jitted[name], *a, repeat=args.repeat)
            except Exception as exc:  # Numba's typing errors: reported, not raised
                no_numba[name] = type(exc).__name__ + ": " + str(exc).strip().splitlines()[0][:60]

        def ms(t: float | None) -> str:
            return f"{t * 1e3:>9.1f}ms" if t is not None else f"{'-':>11}"

        nb_ratio = f"{t_nb / t_aot:>12.1f}x" if t_nb is not None else f"{'-':>13}"
        print(f"  {name:<15}{ms(t_py)}{ms(t_aot):>13}{ms(t_wasm)}{ms(t_node)}{ms(t_nb)}"
              f"{t_py / t_aot:>16.1f}x{t_py / t_wasm:>15.1f}x{nb_ratio}")
    for name, why in no_numba.items():
        print(f"  numba {name}: {why}")
    numba_version = ""
    try:
        import numba

        numba_version = f", Numba {numba.__version__}"
    except ImportError:
        pass
    print(f"\nPython {sys.version.split()[0]}{numba_version}; medians of {args.repeat}; text {len(text):,} chars")


if __name__ == "__main__":
    main()
