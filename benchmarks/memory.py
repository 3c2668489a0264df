"""The memory manager measured side by side in one run: ours, the published seed's, and plain Python.

    python benchmarks/memory.py               ns per operation (medians), with ratios
    python benchmarks/memory.py --repeat 9    more repetitions
    python benchmarks/memory.py --no-seed     skip installing the published pyexec-compiler==0.1.1

The seed's allocator is the ``MemoryManager`` of the published ``pyexec-compiler==0.1.1``, installed with
uv into a throwaway virtual environment (its import name is read from the installed files) and timed in
a subprocess by the same timing code, in the same run. Ours (with and without its native paths) and
the seed's run alternately, one repetition each per round, so that load from other jobs on the machine
falls on all alike. Each figure is the CPU time of the timing process (wall time is inflated by other
jobs on a shared machine); the table gives the medians. If the seed cannot be installed, it says so.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

SEED_REQUIREMENT = "pyexec-compiler==0.1.1"
N = 100_000

TIMING_CODE = r"""
import gc, json, statistics, sys, time
from {module} import MemoryManager

N, REPEAT = {n}, {repeat}

def per_op(body):
    body(1000)  # warm-up: the seed's first calls compile its Numba functions
    times = []
    for _ in range(REPEAT):
        gc.disable()
        start = time.process_time()
        body(N)
        times.append(time.process_time() - start)
        gc.enable()
    return statistics.median(times) / N * 1e9

mm = MemoryManager(size=100 * 1024 * 1024{ctor_kwargs})
alloc, free = mm.alloc, mm.free

def alloc_free(n):
    for _ in range(n):
        ptr = mm.alloc(64)
        mm.free(ptr, 64)

def string_pair(n):
    for _ in range(n):
        ptr = mm.alloc_string("hello, world")
        mm.decref(ptr)

block = mm.alloc_string("shared")
def incref_decref(n):
    for _ in range(n):
        mm.incref(block)
        mm.decref(block)

class Empty:
    def alloc(self, size): return 8
    def free(self, ptr, size): pass
empty = Empty()
def floor(n):
    for _ in range(n):
        ptr = empty.alloc(64)
        empty.free(ptr, 64)

def python_list(n):
    for _ in range(n):
        obj = [0] * 8
        del obj

results = {{
    "alloc(64)+free pair": per_op(alloc_free),
    "alloc_string+decref pair": per_op(string_pair),
    "incref+decref pair": per_op(incref_decref),
}}
if "--baselines" in sys.argv:
    results["Python list [0]*8 create+drop"] = per_op(python_list)
    results["two empty method calls (floor)"] = per_op(floor)
print(json.dumps(results))
"""


def seed_python(venv: Path) -> tuple[Path | None, str]:
    """The seed venv's python and the module that holds its MemoryManager; installs it if needed."""
    python = venv / "bin" / "python"
    uv = shutil.which("uv")
    if not python.exists():
        if uv is None:
            return None, "uv is not on PATH"
        made = subprocess.run([uv, "venv", "-q", "--python", sys.executable, str(venv)], capture_output=True, text=True)
        if made.returncode:
            return None, f"uv venv failed: {made.stderr.strip()[-200:]}"
    installed = subprocess.run(
        [uv or "uv", "pip", "install", "-q", "--python", str(python), SEED_REQUIREMENT], capture_output=True, text=True
    )
    if installed.returncode:
        return None, f"cannot install {SEED_REQUIREMENT}: {installed.stderr.strip()[-300:]}"
    # The import name, from the installed files: the module that defines MemoryManager.
    records = list(venv.glob("lib/python*/site-packages/pyexec_compiler-*.dist-info/RECORD"))
    for line in records[0].read_text().splitlines() if records else []:
        path = line.split(",")[0]
        if path.endswith("memory.py") and "wasm" not in path:
            source = (records[0].parent.parent / path).read_text(errors="replace")
            if "class MemoryManager" in source:
                return python, path[: -len(".py")].replace("/", ".")
    return None, "the installed seed has no module defining MemoryManager"


def measure(
    python: str, module: str, repeat: int, baselines: bool, env: dict | None = None, ctor_kwargs: str = ""
) -> dict[str, float]:
    code = TIMING_CODE.format(module=module, n=N, repeat=repeat, ctor_kwargs=ctor_kwargs)
    args = [python, "-c", code] + (["--baselines"] if baselines else [])
    done = subprocess.run(args, capture_output=True, text=True, env=env, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="rounds (ours and the seed's, alternately)")
    parser.add_argument("--no-seed", action="store_true")
    parser.add_argument("--seed-venv", type=Path, default=Path(tempfile.gettempdir()) / "pyexec-seed-venv")
    options = parser.parse_args()

    seed_python_path, note = None, "skipped (--no-seed)"
    if not options.no_seed:
        seed_python_path, module = seed_python(options.seed_venv)
        note = f"not measured: {module}" if seed_python_path is None else f"{SEED_REQUIREMENT} ({module})"
    seed_env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}

    ours_runs: list[dict[str, float]] = []
    python_runs: list[dict[str, float]] = []
    seed_runs: list[dict[str, float]] = []
    for _ in range(options.repeat):
        ours_runs.append(measure(sys.executable, "pyexec.memory", 1, baselines=True))
        python_runs.append(
            measure(sys.executable, "pyexec.memory", 1, baselines=False, ctor_kwargs=", native_paths=False")
        )
        if seed_python_path is not None:
            seed_runs.append(measure(str(seed_python_path), module, 1, baselines=False, env=seed_env))

    def medians(runs: list[dict[str, float]]) -> dict[str, float]:
        return {name: statistics.median(run[name] for run in runs) for name in runs[0]} if runs else {}

    ours, python_paths, seed = medians(ours_runs), medians(python_runs), medians(seed_runs)

    print(f"pyexec memory manager: ns per operation, median of {options.repeat} interleaved rounds of {N:,}")
    print(f"pyexec-compiler 0.1.1, the original API: {note}\n")
    print(f"| {'operation':<34} | {'ours':>6} | {'ours, Python paths':>18} | {'0.1.1':>6} | {'0.1.1/ours':>10} |")
    print(f"|{'-' * 36}|{'-' * 8}|{'-' * 20}|{'-' * 8}|{'-' * 12}|")
    for name, value in ours.items():
        py = f"{python_paths[name]:>18.0f}" if name in python_paths else " " * 18
        if name in seed:
            print(f"| {name:<34} | {value:>6.0f} | {py} | {seed[name]:>6.0f} | {seed[name] / value:>9.1f}x |")
        else:
            print(f"| {name:<34} | {value:>6.0f} | {py} | {'':>6} | {'':>10} |")


if __name__ == "__main__":
    main()
