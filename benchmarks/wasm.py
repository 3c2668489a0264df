"""WebAssembly figures measured side by side in one run: wasm in wasmtime vs native AOT vs CPython.

    python benchmarks/wasm.py              the kernels, the per-call cost and module sizes per -O level
    python benchmarks/wasm.py --repeat 9   more repetitions (medians are reported)
    python benchmarks/wasm.py --arrays     only the array kernels and the cost of passing 10^6 float64

Kernels (fib, tak, loop sum, is_prime, mandelbrot) each do enough work per call (milliseconds) that the
cost of calling into wasmtime from Python (reported on its own line) does not distort them. The wasm
module is built with ``optimize=2`` and run through ``pyexec.backends.wasm.load``; native AOT is
``pyexec.backends.llvm.aot(opt=2)``; both are warmed up before timing. The same module also runs in
Node (V8) through the generated JS glue, which separates the code LLVM emits from the engine running it.
fib and tak measure recursive calls: wasm code keeps no call-depth counter (the engine's own stack
exhaustion is the RecursionError), so their wasm/native ratios show what a call costs in each engine.
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

import numpy as np

from pyexec.types import float64


def fib(n: int) -> int:
    if n <= 1:
        return n
    return fib(n - 1) + fib(n - 2)


def loop_sum(n: int) -> int:
    total = 0
    for i in range(n):
        total += i % 7 * 3 - 1
    return total


def is_prime(n: int) -> bool:
    if n < 2:
        return False
    if n % 2 == 0:
        return n == 2
    d = 3
    while d * d <= n:
        if n % d == 0:
            return False
        d += 2
    return True


def mandelbrot(width: int, height: int, max_iter: int) -> int:
    inside = 0
    for py in range(height):
        for px in range(width):
            x0 = px / width * 3.5 - 2.5
            y0 = py / height * 2.0 - 1.0
            x = 0.0
            y = 0.0
            i = 0
            while x * x + y * y <= 4.0 and i < max_iter:
                x, y = x * x - y * y + x0, 2.0 * x * y + y0
                i += 1
            if i == max_iter:
                inside += 1
    return inside


def identity(x: int) -> int:
    return x


def tak(x: int, y: int, z: int) -> int:
    if y < x:
        return tak(tak(x - 1, y, z), tak(y - 1, z, x), tak(z - 1, x, y))
    return z


def fibonacci(n: int) -> int:
    """The README's example (recursive)."""
    if n <= 1:
        return n
    return fibonacci(n - 1) + fibonacci(n - 2)


def fibonacci_loop(n: int) -> int:
    """The original API's ``wasm(fibonacci, "fib.wasm")`` example (a loop)."""
    if n <= 1:
        return n
    a: int = 0
    b: int = 1
    for _ in range(2, n + 1):
        temp: int = a + b
        a = b
        b = temp
    return b


def array_sum(a: float64[:]) -> float:
    total = 0.0
    for x in a:
        total += x
    return total


def stencil(n: int, steps: int) -> float:
    a = np.zeros(n)
    b = np.zeros(n)
    for i in range(n):
        a[i] = i % 17 * 0.25
    for _ in range(steps):
        for i in range(1, n - 1):
            b[i] = (a[i - 1] + a[i] + a[i + 1]) / 3.0
        for i in range(1, n - 1):
            a[i] = b[i]
    total = 0.0
    for i in range(n):
        total += a[i]
    return total


def take(a: float64[:]) -> int:
    return len(a)


def give(n: int) -> float64[:]:
    return np.empty(n)


KERNELS: list[tuple[str, Callable[..., Any], tuple[Any, ...]]] = [
    ("fib(25)", fib, (25,)),
    ("tak(22, 16, 8)", tak, (22, 16, 8)),
    ("loop_sum(2_000_000)", loop_sum, (2_000_000,)),
    ("is_prime(10_000_000_000_037)", is_prime, (10_000_000_000_037,)),
    ("mandelbrot(160, 120, 200)", mandelbrot, (160, 120, 200)),
]


def median_seconds(func: Callable[..., Any], *args: Any, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        func(*args)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def per_call_seconds(func: Callable[..., Any], calls: int = 20_000) -> float:
    start = time.perf_counter()
    for i in range(calls):
        func(i)
    return (time.perf_counter() - start) / calls


NODE_TIMER = """
import { loadKernels } from "./kernels.js";
const m = await loadKernels();
const cases = JSON.parse(process.argv[2]);
const repeat = Number(process.argv[3]);
const out = {};
for (const [label, name, args] of cases) {
  m[name](...args);  // warm up (V8 tiers up hot code)
  const times = [];
  for (let k = 0; k < repeat; k++) { const t = performance.now(); m[name](...args); times.push(performance.now() - t); }
  times.sort((a, b) => a - b);
  out[label] = times[Math.floor(times.length / 2)] / 1e3;
}
console.log(JSON.stringify(out));
"""


def node_seconds(funcs: list[Callable[..., Any]], repeat: int) -> dict[str, float]:
    """The same wasm module, through the generated JS glue, timed in Node (V8) — {} without node."""
    from pyexec.backends.wasm import compile_functions, write_outputs

    node = shutil.which("node")
    if node is None:
        return {}
    with tempfile.TemporaryDirectory() as tmp:
        write_outputs(compile_functions(funcs, optimize=2), Path(tmp) / "kernels.wasm", generate_html=False)
        (Path(tmp) / "timer.mjs").write_text(NODE_TIMER)
        cases = json.dumps([[label, f.__name__, list(a)] for label, f, a in KERNELS])
        done = subprocess.run([node, "timer.mjs", cases, str(repeat)], cwd=tmp, capture_output=True, text=True,
                              timeout=600, check=True)
    return json.loads(done.stdout)


ARRAY_TIMER = """
import { loadArrays } from "./arrays.js";
const m = await loadArrays();
const repeat = Number(process.argv[2]);
const n = 1_000_000;
const input = new Float64Array(n);
for (let i = 0; i < n; i++) input[i] = (i % 13) * 0.5;
const time = (f) => {
  f();
  const times = [];
  for (let k = 0; k < repeat; k++) { const t = performance.now(); f(); times.push(performance.now() - t); }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)] / 1e3;
};
const copy = new Float64Array(n);
const inPlace = m.wasmArray("float64", n);
inPlace.data.set(input);
console.log(JSON.stringify({
  array_sum: time(() => m.array_sum(input)), stencil: time(() => m.stencil(100_000, 20)),
  array_sum_in_place: time(() => m.array_sum(inPlace)),
  take: time(() => m.take(input)), memcpy: time(() => copy.set(input)),
  // a new 8 MB buffer each time, so V8's allocator and GC state move these: interleaved rounds, the best
  ...(() => {
    const rounds = [0, 1, 2].map(() => [time(() => m.give(n)), time(() => input.slice())]);
    return { give: Math.min(...rounds.map((r) => r[0])), fresh: Math.min(...rounds.map((r) => r[1])) };
  })(),
}));
"""


def array_figures(repeat: int) -> None:
    """Array kernels wasm (wasmtime, Node) vs native aot, and the cost of passing 10^6 float64 each way."""
    from pyexec.backends.llvm import aot
    from pyexec.backends.wasm import compile_functions, load, write_outputs

    funcs = [array_sum, stencil, take, give]
    module = load(compile_functions(funcs, optimize=2).wasm)
    # the same module without wasmtime's epoch checks (no Ctrl-C during a call): what the checks cost
    fast = load(compile_functions(funcs, optimize=2).wasm, interruptible=False, start_timeout=None)
    n = 1_000_000
    data = (np.arange(n) % 13) * 0.5
    in_node: dict[str, float] = {}
    node = shutil.which("node")
    if node is not None:
        with tempfile.TemporaryDirectory() as tmp:
            write_outputs(compile_functions(funcs, optimize=2), Path(tmp) / "arrays.wasm", generate_html=False)
            (Path(tmp) / "timer.mjs").write_text(ARRAY_TIMER)
            done = subprocess.run([node, "timer.mjs", str(repeat)], cwd=tmp, capture_output=True, text=True,
                                  timeout=600, check=True)
            in_node = json.loads(done.stdout)
    print(f"\n  {'array kernel':<34}{'native aot':>13}{'wasm':>11}{'wasm/native':>13}{'no epoch':>11}"
          f"{'/native':>9}{'node wasm':>12}{'node/native':>13}")
    cases = [("array_sum(10^6 float64, copied in)", "array_sum", (data,), (data,)),
             ("array_sum(10^6, in a wasm_array)", "array_sum_in_place", (module.wasm_array(n),), (fast.wasm_array(n),)),
             ("stencil(100_000, 20) (made in wasm)", "stencil", (100_000, 20), (100_000, 20))]
    cases[1][2][0][:] = data
    cases[1][3][0][:] = data
    for label, key, kargs, fast_args in cases:
        name = key.removesuffix("_in_place")
        func = globals()[name]
        native = aot(func, opt=2, cache=False)
        compiled = getattr(module, name)
        assert native(*kargs) == compiled(*kargs), label
        assert native(*kargs) == getattr(fast, name)(*fast_args), label
        # interleaved rounds, best of each: the machine is shared, and load shifts between rounds
        rounds = [(median_seconds(native, *kargs, repeat=repeat), median_seconds(compiled, *kargs, repeat=repeat),
                   median_seconds(getattr(fast, name), *fast_args, repeat=repeat)) for _ in range(3)]
        t_native, t_wasm, t_fast = (min(r[k] for r in rounds) for k in range(3))
        t_node = in_node.get(key)
        node_cols = f"{t_node * 1e3:>10.2f}ms{t_node / t_native:>12.2f}x" if t_node else f"{'(no node)':>12}"
        print(f"  {label:<34}{t_native * 1e3:>11.2f}ms{t_wasm * 1e3:>9.2f}ms{t_wasm / t_native:>12.2f}x"
              f"{t_fast * 1e3:>9.2f}ms{t_fast / t_native:>8.2f}x{node_cols}")
    target = np.empty_like(data)
    t_memcpy = median_seconds(np.copyto, target, data, repeat=repeat)
    t_in = median_seconds(module.take, data, repeat=repeat)
    t_out = median_seconds(module.give, n, repeat=repeat)
    t_fresh = median_seconds(data.copy, repeat=repeat)
    # in: one copy into linear memory (compare with a memcpy into an existing array); out: one copy into a
    # new array (compare with ndarray.copy / TypedArray.slice, which also pay for the new memory's pages)
    print(f"\n  passing 10^6 float64 (8 MB), Python loader: in {t_in * 1e3:.2f} ms = {t_in / t_memcpy:.1f}x "
          f"np.copyto ({t_memcpy * 1e3:.2f} ms); out {t_out * 1e3:.2f} ms = {t_out / t_fresh:.1f}x ndarray.copy "
          f"({t_fresh * 1e3:.2f} ms)")
    if in_node:
        n_in, n_out, n_set, n_fresh = (in_node[k] for k in ("take", "give", "memcpy", "fresh"))
        print(f"  passing 10^6 float64, JS glue in Node: in {n_in * 1e3:.2f} ms = {n_in / n_set:.1f}x "
              f"TypedArray.set ({n_set * 1e3:.2f} ms); out {n_out * 1e3:.2f} ms = {n_out / n_fresh:.1f}x "
              f"TypedArray.slice ({n_fresh * 1e3:.2f} ms)")


def main() -> None:
    from pyexec.backends.llvm import aot
    from pyexec.backends.wasm import compile_functions, load, wasm

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--arrays", action="store_true", help="only the array kernels and the cost of passing arrays")
    args = parser.parse_args()
    if args.arrays:
        array_figures(args.repeat)
        return

    print(f"Python {sys.version.split()[0]}; medians of {args.repeat} runs; wasm at optimize=2 in wasmtime")
    funcs = [f for _, f, _ in KERNELS] + [identity]
    module = load(compile_functions(funcs, optimize=2).wasm)
    in_node = node_seconds(funcs, args.repeat)
    print(f"\n  {'kernel':<30}{'CPython':>11}{'native aot':>13}{'wasm':>11}{'wasm/native':>13}{'CPython/wasm':>14}"
          f"{'node wasm':>12}{'node/native':>13}")
    for label, func, kargs in KERNELS:
        native = aot(func, opt=2, cache=False)
        compiled = getattr(module, func.__name__)
        expected = func(*kargs)
        assert native(*kargs) == expected and compiled(*kargs) == expected, label
        t_py = median_seconds(func, *kargs, repeat=max(1, args.repeat // 2))
        t_native = median_seconds(native, *kargs, repeat=args.repeat)
        t_wasm = median_seconds(compiled, *kargs, repeat=args.repeat)
        t_node = in_node.get(label)
        node_cols = f"{t_node * 1e3:>10.2f}ms{t_node / t_native:>12.2f}x" if t_node else f"{'(no node)':>12}"
        print(f"  {label:<30}{t_py * 1e3:>9.2f}ms{t_native * 1e3:>11.2f}ms{t_wasm * 1e3:>9.2f}ms"
              f"{t_wasm / t_native:>12.2f}x{t_py / t_wasm:>13.1f}x{node_cols}")

    native_identity = aot(identity, opt=2, cache=False)
    native_identity(1)
    raw = module.functions["identity"]._func
    public = lambda x: raw(module._store, x)  # noqa: E731  (wasmtime-py's own Func.__call__, for reference)
    costs = [per_call_seconds(f) * 1e6 for f in (module.identity, public, native_identity, identity)]
    print(f"\n  per-call cost of identity(x): wasm via pyexec's loader {costs[0]:.1f} µs "
          f"(wasmtime-py's Func.__call__ alone {costs[1]:.1f} µs), native aot {costs[2]:.2f} µs, "
          f"CPython {costs[3]:.2f} µs")

    array_figures(args.repeat)

    print("\n  module sizes (bytes) per optimisation level:")
    print(f"  {'module':<52}" + "".join(f"{'-O' + str(o):>8}" for o in range(4)))
    with tempfile.TemporaryDirectory() as tmp:
        modules = [("fib.wasm: recursive fib (the kernel above)", [fib], None),
                   ("fib.wasm: the README's recursive fibonacci", [fibonacci], None),
                   ("fib.wasm: the original API's loop fibonacci", [fibonacci_loop], "fibonacci"),
                   ("kernels.wasm (fib, loop_sum, is_prime, mandelbrot)", [fib, loop_sum, is_prime, mandelbrot], None)]
        for label, group, export_name in modules:
            sizes = []
            for o in range(4):
                out = Path(tmp) / f"m{o}.wasm"
                if len(group) == 1:
                    wasm(group[0], out, optimize=o, export_name=export_name, generate_html=False)
                else:
                    out.write_bytes(compile_functions(group, optimize=o).wasm)
                sizes.append(out.stat().st_size)
            print(f"  {label:<52}" + "".join(f"{s:>8}" for s in sizes))


if __name__ == "__main__":
    main()
