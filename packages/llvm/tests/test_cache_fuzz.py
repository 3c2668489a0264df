"""Fuzz: mutated native-cache entries are a cache miss or the exact entry stored, never a crash or wrong code.

A few hundred cases by default; ``PYEXEC_CACHE_FUZZ_COUNT=100000`` for the big run (or run
``cache_fuzz.py`` directly). The cases run in a child process, so a crash fails this test instead
of ending the run.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

FUZZER = Path(__file__).with_name("cache_fuzz.py")


@pytest.mark.parametrize("seed", [1, 2])
def test_mutated_cache_entries_are_a_miss_or_the_exact_entry_never_a_crash_or_wrong_value(seed):
    count = int(os.environ.get("PYEXEC_CACHE_FUZZ_COUNT", "150"))
    proc = subprocess.run([sys.executable, str(FUZZER), str(count), "--seed", str(seed)],
                          capture_output=True, text=True, timeout=max(300, count // 50))
    assert proc.returncode == 0, f"exit status {proc.returncode}\n{proc.stderr[-3000:]}"
    report = json.loads(proc.stdout.strip().splitlines()[-1])
    assert report["cases"] == count
    assert report["miss"] + report.get("exact", 0) == count
    assert report["full"] >= 1  # some cases went through aot's whole load path
    assert len(report["kinds"]) >= 10  # every family of mutation was tried
