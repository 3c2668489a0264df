"""Run every benchmark runner and write the report: docs/benchmarks/index.md and a PNG chart.

    python benchmarks/report.py                 everything (several minutes)
    python benchmarks/report.py --only native   one runner (by file stem), plus the headline
    python benchmarks/report.py --skip-runners  only the headline (the demo's kernels, every backend)

The headline is the demo's example set (fibonacci, count_primes, a Mandelbrot kernel) timed with
every backend against CPython in one run, as ratios (medians of repeats); the chart plots it. Each
runner in benchmarks/ (native, wasm, arrays, jit, memory) then runs as its own process, and its printed
table goes into the page verbatim, after a record of the machine and the versions measured.
This machine is shared and noisy: compare ratios measured in the same run, never absolute times
across runs.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "benchmarks"
RUNNERS = ["native", "wasm", "arrays", "jit", "memory"]
"""benchmarks/<name>.py, in the order the page shows them."""
DISTRIBUTIONS = ["numpy", "numba", "llvmlite", "wasmtime", "nuitka"]


def machine() -> list[str]:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    lines = [
        f"- date: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}",
        f"- machine: {platform.system()} {platform.machine()}, {cpu}, {os.cpu_count()} cores (shared)",
        f"- Python {platform.python_version()} ({platform.python_implementation()})",
    ]
    for dist in DISTRIBUTIONS:
        try:
            lines.append(f"- {dist} {importlib.metadata.version(dist)}")
        except importlib.metadata.PackageNotFoundError:
            lines.append(f"- {dist}: not installed")
    try:
        import llvmlite.binding as llvm

        lines.append(f"- LLVM {'.'.join(map(str, llvm.llvm_version_info))}")
    except ImportError:
        pass
    try:
        gcc = subprocess.run(["gcc", "--version"], capture_output=True, text=True).stdout.splitlines()[0]
        lines.append(f"- C compiler: {gcc}")
    except (OSError, IndexError):
        lines.append("- C compiler: none found")
    return lines


def headline(repeat: int) -> tuple[list[str], dict[str, dict[str, float]]]:
    """The demo's kernels with every backend: a Markdown table of speed-ups over CPython."""
    from pyexec.cli.demo import run_demo

    rows = run_demo(with_exe=False, repeat=repeat)
    reference = rows[0]
    names = list(reference.results)
    table = ["| backend | " + " | ".join(names) + " | compile |",
             "|---|" + "---:|" * len(names) + "---:|",
             "| CPython (time) | " + " | ".join(f"{reference.seconds[n] * 1000:,.1f} ms" for n in names) + " | — |"]
    ratios: dict[str, dict[str, float]] = {}
    for row in rows[1:]:
        if row.skipped and "--with-exe" in row.skipped:
            continue  # the executable's build takes minutes: benchmarks/jit.py --nuitka measures it
        if row.skipped or row.failed or not row.seconds:
            reason = row.skipped or row.failed
            table.append(f"| {row.backend} | " + " | ".join("—" for _ in names) + f" | {reason} |")
            continue
        ratios[row.backend] = {n: reference.seconds[n] / row.seconds[n] for n in names if n in row.seconds}
        compile_s = f"{row.compile_seconds:.2f} s" if row.compile_seconds is not None else "—"
        table.append(f"| {row.backend} | " + " | ".join(f"{ratios[row.backend][n]:,.1f}×" for n in names)
                     + f" | {compile_s} |")
    return table, ratios


def chart(ratios: dict[str, dict[str, float]], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    backends = list(ratios)
    kernels = sorted({k for r in ratios.values() for k in r})
    width = 0.8 / max(1, len(backends))
    fig, ax = plt.subplots(figsize=(9, 4.5), dpi=110)
    for i, backend in enumerate(backends):
        xs = [k + i * width for k in range(len(kernels))]
        ax.bar(xs, [ratios[backend].get(k, 0) for k in kernels], width, label=backend)
    ax.set_xticks([k + width * (len(backends) - 1) / 2 for k in range(len(kernels))], kernels)
    ax.set_ylabel("speed-up over CPython (×, median)")
    ax.set_yscale("log")
    ax.set_title("pyexec: the demo's kernels with every backend, one run")
    ax.legend(fontsize=8)
    ax.grid(axis="y", alpha=0.3)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)


RUNNER_ARGS = {"arrays": ["--cpu"]}
"""Arguments per runner: the array kernels are timed in process CPU time (steadier on a shared machine)."""
RUNNER_ENV = {"arrays": {"OPENBLAS_NUM_THREADS": "1"}}
"""Environment per runner: one BLAS thread, so CPU time compares with the single-threaded kernels."""


def run_runner(name: str) -> str:
    script = ROOT / "benchmarks" / f"{name}.py"
    if not script.exists():
        return f"(benchmarks/{name}.py does not exist)"
    started = time.perf_counter()
    result = subprocess.run([sys.executable, str(script), *RUNNER_ARGS.get(name, [])], capture_output=True,
                            text=True, cwd=ROOT, env={**os.environ, **RUNNER_ENV.get(name, {})})
    took = time.perf_counter() - started
    text = result.stdout.rstrip()
    if result.returncode != 0:
        text += f"\n\n(the runner exited with status {result.returncode})\n{result.stderr[-3000:]}"
    return f"{text}\n\n(ran in {took:.0f} s)"


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", action="append", choices=RUNNERS, help="run only these runners")
    parser.add_argument("--skip-runners", action="store_true", help="only the headline")
    parser.add_argument("--repeat", type=int, default=5, help="repeats per headline kernel (default 5)")
    args = parser.parse_args(argv)

    print("measuring the headline (the demo's kernels, every backend)…", flush=True)
    table, ratios = headline(args.repeat)
    chart(ratios, OUT / "speedups.png")
    page = [
        "# Benchmarks",
        "",
        "Measured by `nox -s bench` (`benchmarks/report.py`) on the machine below. Every figure is a ratio "
        "measured within one run (medians of repeats): the machine is shared and noisy, so absolute times "
        "from different runs do not compare.",
        "",
        "## Machine and versions",
        "",
        *machine(),
        "",
        "## Headline: the demo's kernels with every backend",
        "",
        "Speed-up over CPython of `fibonacci(30)`, `count_primes(300000)` (calling `is_prime`) and "
        "`mandelbrot_area(300, 200)`, each backend's result checked equal to CPython's "
        "(the `pyexec demo` table). Wasm in wasmtime includes the cost of a call from Python (a few µs). "
        "The Nuitka executable is left out here: its build takes minutes (`python benchmarks/jit.py --nuitka`; "
        "figures in [Executables](../backends/nuitka.md)).",
        "",
        *table,
        "",
        "![speed-ups](speedups.png)",
        "",
    ]
    runners = [] if args.skip_runners else (args.only or RUNNERS)
    for name in runners:
        print(f"running benchmarks/{name}.py…", flush=True)
        page += [f"## benchmarks/{name}.py", "", "```text", run_runner(name), "```", ""]
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "index.md").write_text("\n".join(page), encoding="utf-8")
    print(f"wrote {OUT / 'index.md'} and {OUT / 'speedups.png'}")
    print("\n".join(table))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
