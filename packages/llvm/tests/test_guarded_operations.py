"""Guarded operations (division, modulo, shifts, casts, ``**``, math domains) inside loops, compiled at every
``-O`` in both overflow modes, against CPython: the optimiser must neither run one early nor reach one that Python
skips (issue 12: a hoisted ``urem`` killed the process with SIGFPE at -O1/-O2, and a rewritten loop exit reached a
``%`` that ``continue`` skipped, or looped forever).

The cases run in a child process (data/run_guarded_cases.py), so that a signal or a hang fails this test instead of
ending the run.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

RUNNER = Path(__file__).parent / "data" / "run_guarded_cases.py"


def test_guarded_operations_in_loops_match_cpython_at_every_opt_level_in_process():
    proc = subprocess.run([sys.executable, str(RUNNER), "aot"], capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, f"exit status {proc.returncode}\n{proc.stdout}\n{proc.stderr[-3000:]}"
    assert proc.stdout.strip() == "ok"
