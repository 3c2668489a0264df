"""``import pyexec.frontend`` stays light: no compiler, no NumPy, and its time is printed (not asserted)."""

from __future__ import annotations

import subprocess
import sys

PROBE = (
    "import sys, time\n"
    "t = time.perf_counter()\n"
    "import pyexec.frontend\n"
    "ms = (time.perf_counter() - t) * 1000\n"
    "heavy = sorted({m.split('.')[0] for m in sys.modules} & {'numba', 'llvmlite', 'numpy', 'wasmtime', 'nuitka'})\n"
    "print(','.join(heavy)); print(f'{ms:.1f}')\n"
)


def test_importing_the_frontend_loads_no_compiler_and_no_numpy() -> None:
    out = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, check=True).stdout.split("\n")
    assert out[0] == "", f"import pyexec.frontend loaded {out[0]}"
    print(f"import pyexec.frontend took {out[1]} ms")


def test_analysing_a_function_loads_no_compiler() -> None:
    code = (
        "import sys\nimport pyexec.frontend as fe\n"
        "fe.verify_module(fe.analyze_source('def f(x: int) -> int:\\n    return x + 1\\n'))\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'numba', 'llvmlite', 'wasmtime', 'nuitka'}))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
