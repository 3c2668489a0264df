"""``pyexec demo``: one example set through every backend on this machine, checked against CPython.

The examples (``pyexec.cli.demo_examples``: fibonacci, is_prime/count_primes, a Mandelbrot
float kernel) run in CPython, then with the JIT, in-process AOT, a ``.so`` called from a freshly
compiled C program, a ``.wasm`` in wasmtime (and in Node when it is installed) and, with
``--with-exe``, a Nuitka executable. Every result must equal CPython's; the table shows results,
compile times and speed-ups. Exit status 1 when any backend disagrees or fails.

Example:
    $ pyexec demo
    $ pyexec demo --with-exe --quick
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pyexec.cli import demo_examples

QUICK_ARGS = {"fibonacci": (20,), "count_primes": (2_000,), "mandelbrot_area": (24, 50)}


class Unavailable(Exception):
    """A backend this machine cannot run (a missing tool or distribution); the row says why."""


@dataclass
class Row:
    backend: str
    results: dict[str, Any] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    compile_seconds: float | None = None
    skipped: str | None = None
    failed: str | None = None


def _median_time(call: Callable[[], Any], repeat: int) -> tuple[Any, float]:
    times, value = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        value = call()
        times.append(time.perf_counter() - start)
    return value, statistics.median(times)


def _require(module: str, distribution: str) -> None:
    if importlib.util.find_spec(module) is None:
        raise Unavailable(f"{distribution} is not installed")


class Demo:
    """Runs the example set through each backend; each ``backend_*`` method fills one row."""

    def __init__(self, workdir: Path, examples: dict[str, tuple[Callable, tuple]], repeat: int) -> None:
        self.workdir = workdir
        self.examples = examples
        self.repeat = repeat

    def _time_all(self, row: Row, functions: dict[str, Callable]) -> None:
        for name, (_, args) in self.examples.items():
            fn = functions[name]
            row.results[name], row.seconds[name] = _median_time(lambda fn=fn, args=args: fn(*args), self.repeat)

    def backend_cpython(self, row: Row) -> None:
        self._time_all(row, {name: fn for name, (fn, _) in self.examples.items()})

    def backend_jit(self, row: Row) -> None:
        _require("pyexec.backends.jit", "pyexec-jit")
        from pyexec.backends.jit import jit

        start = time.perf_counter()
        # Numba resolves globals when it compiles: give the JIT a fresh copy of the example module
        # whose functions are the jitted ones, so calls between them (and recursion) stay compiled.
        spec = importlib.util.find_spec(demo_examples.__name__)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        for fn in demo_examples.COMPILED:
            setattr(module, fn.__name__, jit(getattr(module, fn.__name__)))
        compiled = {name: getattr(module, name) for name in self.examples}
        for name, args in QUICK_ARGS.items():
            compiled[name](*args)  # the first call compiles
        row.compile_seconds = time.perf_counter() - start
        self._time_all(row, compiled)

    def backend_aot(self, row: Row) -> None:
        _require("pyexec.backends.llvm", "pyexec-llvm")
        from pyexec.backends.llvm import aot

        start = time.perf_counter()
        compiled = {name: aot(fn, cache=False) for name, (fn, _) in self.examples.items()}
        for name, args in QUICK_ARGS.items():
            compiled[name](*args)  # aot compiles on the first call
        row.compile_seconds = time.perf_counter() - start
        self._time_all(row, compiled)

    def backend_c(self, row: Row) -> None:
        _require("pyexec.backends.llvm", "pyexec-llvm")
        from pyexec.backends.llvm import compile_llvm

        cc = os.environ.get("CC") or shutil.which("cc") or shutil.which("gcc")
        if cc is None:
            raise Unavailable("no C compiler (set CC or install gcc)")
        out = self.workdir / "c"
        start = time.perf_counter()
        files = compile_llvm(demo_examples.COMPILED, "demo", output_dir=out)
        row.compile_seconds = time.perf_counter() - start
        main_c = out / "main.c"
        main_c.write_text(_c_program(self.examples, self.repeat))
        exe = out / "demo_main"
        subprocess.run([cc, "-O2", "-o", str(exe), str(main_c), f"-I{out}", str(files["library"]),
                        f"-Wl,-rpath,{out}"], check=True, capture_output=True, text=True)
        lines = subprocess.run([str(exe)], check=True, capture_output=True, text=True).stdout.splitlines()
        for line in lines:
            name, value, seconds = line.split()
            row.results[name] = _parse(self.examples[name][0], value)
            row.seconds[name] = float(seconds)

    def backend_wasmtime(self, row: Row) -> None:
        _require("pyexec.backends.wasm", "pyexec-wasm")
        from pyexec.backends.wasm import load, wasm_multi

        start = time.perf_counter()
        files = wasm_multi(demo_examples.COMPILED, str(self.workdir / "wasm" / "demo.wasm"))
        module = load(files["wasm"])
        row.compile_seconds = time.perf_counter() - start
        self._time_all(row, {name: getattr(module, name) for name in self.examples})
        self.wasm_files = files

    def backend_node(self, row: Row) -> None:
        node = shutil.which("node")
        if node is None:
            raise Unavailable("node is not installed")
        files = getattr(self, "wasm_files", None)
        if files is None:
            raise Unavailable("the wasm module was not built")
        script = self.workdir / "wasm" / "run_demo.mjs"
        script.write_text(_node_program(Path(files["js"]).name, self.examples, self.repeat))
        out = subprocess.run([node, str(script)], check=True, capture_output=True, text=True,
                             cwd=script.parent).stdout
        for name, (value, seconds) in json.loads(out).items():
            row.results[name] = _parse(self.examples[name][0], str(value))
            row.seconds[name] = seconds

    def backend_exe(self, row: Row) -> None:
        _require("pyexec.backends.nuitka", "pyexec-nuitka")
        from pyexec.backends.nuitka import aot_compile

        # The executable is built from a standalone copy of the example module, as a user's script would be.
        folder = self.workdir / "exe"
        folder.mkdir(parents=True, exist_ok=True)
        script = folder / "pyexec_demo_examples.py"
        script.write_text(Path(demo_examples.__file__).read_text(encoding="utf-8"), encoding="utf-8")
        spec = importlib.util.spec_from_file_location("pyexec_demo_examples", script)
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module
        spec.loader.exec_module(module)
        start = time.perf_counter()
        exe = aot_compile(module.run_examples, str(folder / "pyexec_demo"))
        row.compile_seconds = time.perf_counter() - start
        args = [str(a) for name in ("fibonacci", "count_primes", "mandelbrot_area") for a in self.examples[name][1]]
        started = time.perf_counter()
        out = subprocess.run([str(exe), *args], check=True, capture_output=True, text=True).stdout.split()
        total = time.perf_counter() - started
        for name, value in zip(self.examples, out):
            row.results[name] = _parse(self.examples[name][0], value)
        row.seconds["total"] = total


def _returns_float(fn: Callable) -> bool:
    return fn.__annotations__.get("return") in (float, "float")


def _parse(fn: Callable, text: str) -> Any:
    """A result printed by another process, as the Python value ``fn`` returns."""
    return float(text) if _returns_float(fn) else int(text)


def _c_program(examples: dict[str, tuple[Callable, tuple]], repeat: int) -> str:
    """A C main that calls each example through demo.h and prints ``name value median_seconds``."""
    calls = []
    for name, (fn, args) in examples.items():
        ctype, fmt = ("double", "%.17g") if _returns_float(fn) else ("long long", "%lld")
        arglist = ", ".join(str(a) for a in args)
        calls.append(f"""
    {{
        double took[{repeat}];
        {ctype} value = 0;
        for (int r = 0; r < {repeat}; r++) {{
            double t0 = now();
            value = ({ctype}){name}({arglist});
            took[r] = now() - t0;
        }}
        if (demo_last_error()) {{ fprintf(stderr, "%s\\n", demo_last_error_message()); return 1; }}
        printf("{name} {fmt} %.9f\\n", value, median(took, {repeat}));
    }}""")
    return f"""#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include "demo.h"

static double now(void) {{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}}

static int cmp(const void *a, const void *b) {{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}}

static double median(double *v, int n) {{
    qsort(v, n, sizeof *v, cmp);
    return v[n / 2];
}}

int main(void) {{{"".join(calls)}
    return 0;
}}
"""


def _node_program(js_name: str, examples: dict[str, tuple[Callable, tuple]], repeat: int) -> str:
    runs = ",\n".join(f"  [{json.dumps(name)}, [{', '.join(repr(a) for a in args)}]]"
                      for name, (_, args) in examples.items())
    return f"""import load from "./{js_name}";
const mod = await load();
const out = {{}};
for (const [name, args] of [
{runs}
]) {{
  const times = [];
  let value;
  for (let r = 0; r < {repeat}; r++) {{
    const t0 = performance.now();
    value = mod[name](...args);
    times.push((performance.now() - t0) / 1000);
  }}
  times.sort((a, b) => a - b);
  out[name] = [typeof value === "bigint" ? value.toString() : value, times[Math.floor(times.length / 2)]];
}}
console.log(JSON.stringify(out));
"""


BACKENDS: list[tuple[str, str, bool]] = [
    ("CPython", "backend_cpython", False),
    ("JIT (Numba)", "backend_jit", False),
    ("AOT, in process", "backend_aot", False),
    ("C program + .so", "backend_c", False),
    ("wasm in wasmtime", "backend_wasmtime", False),
    ("wasm in Node", "backend_node", False),
    ("Nuitka executable", "backend_exe", True),
]
"""(row label, Demo method, only with --with-exe)."""


def run_demo(with_exe: bool = False, quick: bool = False, repeat: int = 3,
             console: Any = None) -> list[Row]:
    """Run every backend and return one row per backend (see the module docstring).

    Example:
        >>> rows = run_demo(quick=True)  # doctest: +SKIP
    """
    examples = dict(demo_examples.EXAMPLES)
    if quick:
        examples = {name: (fn, QUICK_ARGS[name]) for name, (fn, _) in examples.items()}
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="pyexec-demo-") as tmp:
        demo = Demo(Path(tmp), examples, repeat)
        for label, method, exe_only in BACKENDS:
            row = Row(label)
            rows.append(row)
            if exe_only and not with_exe:
                row.skipped = "pass --with-exe (takes a minute or more)"
                continue
            status = console.status(f"[bold]{label}[/]: compiling and running…") if console else None
            try:
                if status:
                    status.start()
                getattr(demo, method)(row)
            except Unavailable as exc:
                row.skipped = str(exc)
            except Exception as exc:  # a backend that fails is reported in its row, and the demo fails
                detail = exc.stderr if isinstance(exc, subprocess.CalledProcessError) and exc.stderr else ""
                row.failed = f"{type(exc).__name__}: {exc} {detail}".strip()
            finally:
                if status:
                    status.stop()
            if console:
                console.print(f"  {label}: {_row_state(row, rows[0])}", markup=False, overflow="ellipsis",
                              no_wrap=True)
    return rows


def _agrees(value: Any, reference: Any) -> bool:
    if isinstance(reference, bool):
        return bool(value) == reference
    return type(value) is type(reference) and value == reference


def _row_state(row: Row, reference: Row) -> str:
    if row.skipped:
        return f"skipped: {row.skipped}"
    if row.failed:
        return f"FAILED: {row.failed}"
    bad = [f"{n} = {v!r}" for n, v in row.results.items() if not _agrees(v, reference.results.get(n))]
    return "agrees with CPython" if not bad else f"DISAGREES: {', '.join(bad)}"


def render(rows: list[Row], examples: dict[str, tuple[Callable, tuple]], console: Any) -> bool:
    """Print the table; return True when every backend that ran agrees with CPython."""
    from rich.table import Table

    reference = rows[0]
    names = list(examples)
    table = Table(title="pyexec demo: speed-up over CPython (median of runs)")
    table.add_column("backend")
    for name in names:
        args = ", ".join(map(str, examples[name][1]))
        table.add_column(f"{name}\n({args})", justify="right")
    table.add_column("compile", justify="right")
    table.add_column("check", justify="center")
    ok = True
    notes = []
    for row in rows:
        state = _row_state(row, reference)
        if row.failed or state.startswith("DISAGREES"):
            ok = False
        if row is reference:
            cells = [f"{reference.seconds[n] * 1000:,.1f} ms" for n in names]
        elif "total" in row.seconds:  # the executable is timed as one process run
            cells = [f"all three: {row.seconds['total']:.2f} s", "(one process,", "start included)"]
        else:
            cells = [f"{reference.seconds[n] / max(row.seconds[n], 1e-9):,.1f}×" if n in row.seconds else "—"
                     for n in names]
        compile_s = f"{row.compile_seconds:.2f} s" if row.compile_seconds is not None else "—"
        mark = "✓" if state == "agrees with CPython" else ("–" if row.skipped else "✗")
        table.add_row(row.backend, *cells, compile_s, mark)
        if state != "agrees with CPython":
            notes.append(f"{row.backend}: {state}")
    console.print(table)
    results = ", ".join(f"{n} = {reference.results[n]!r}" for n in names)
    console.print(f"CPython's results: {results}. ✓ = the backend returned exactly these.")
    for note in notes:
        console.print(f"  {note}", markup=False)
    return ok


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "demo",
        help="compile an example set with every backend and check the results against CPython",
        description="Compile one example set (fibonacci, count_primes calling is_prime, a Mandelbrot float "
        "kernel) with every backend on this machine: the JIT, in-process AOT, a .so called from a freshly "
        "compiled C program, a .wasm in wasmtime and in Node (when installed) and, with --with-exe, a Nuitka "
        "executable. Every result must equal CPython's; the table shows speed-ups over CPython and compile "
        "times. Exit status 1 when a backend disagrees or fails.",
    )
    parser.add_argument("--with-exe", action="store_true", help="also build a Nuitka executable (a minute or more)")
    parser.add_argument("--quick", action="store_true", help="small inputs: checks agreement, times mean little")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per example, median reported (default 3)")
    parser.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    from rich.console import Console

    # Piped, rich would cut the table to 80 columns; a file or a CI log has room for the whole table.
    console = Console() if sys.stdout.isatty() else Console(width=160)
    console.print("[bold]pyexec demo[/]: fibonacci, count_primes (is_prime), mandelbrot_area with every backend")
    rows = run_demo(with_exe=args.with_exe, quick=args.quick, repeat=max(1, args.repeat), console=console)
    examples = dict(demo_examples.EXAMPLES) if not args.quick else {
        n: (fn, QUICK_ARGS[n]) for n, (fn, _) in demo_examples.EXAMPLES.items()}
    ok = render(rows, examples, console)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(argparse.Namespace(with_exe=False, quick=False, repeat=3)))
