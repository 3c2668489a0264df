"""The llvm package's guarded-operations-in-loops cases (packages/llvm/tests/data/guarded_in_loops.py), compiled to
wasm at every ``-O`` in both overflow modes and run in wasmtime, against CPython: the wasm path shares the lowering,
and LLVM's loop optimisations once reached a ``%`` that Python's ``continue`` skipped (issue 12). A child process
runs them, so that a hang fails this test instead of stalling the run.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

RUNNER = Path(__file__).resolve().parents[2] / "llvm" / "tests" / "data" / "run_guarded_cases.py"


@pytest.mark.skipif(not RUNNER.is_file(), reason="needs the repository's packages/llvm/tests/data (not installed)")
def test_guarded_operations_in_loops_match_cpython_at_every_opt_level_in_wasm():
    proc = subprocess.run([sys.executable, str(RUNNER), "wasm"], capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, f"exit status {proc.returncode}\n{proc.stdout}\n{proc.stderr[-3000:]}"
    assert proc.stdout.strip() == "ok"
