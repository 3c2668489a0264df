"""Mutated .wasm files fed to the loader in child processes: WasmLoadError or a documented exception, never a crash.

The suite runs a few hundred mutations; ``PYEXEC_WASM_FUZZ=100000`` (or ``python
packages/wasm/tests/wasm_fuzz.py --count 100000``) runs the long campaign.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from wasm_fuzz import base_modules, case, fuzz


def test_mutations_are_deterministic_and_actually_change_the_module():
    bases = base_modules()
    first = [case(7, i, bases) for i in range(40)]
    assert first == [case(7, i, bases) for i in range(40)]
    assert sum(data not in bases.values() for _, data in first) >= 38
    kinds = {label.split("/")[1].split("+")[0] for label, _ in first}
    assert {"bitflip", "signature", "section"} <= kinds


def test_mutated_modules_never_crash_the_loader(tmp_path):
    count = int(os.environ.get("PYEXEC_WASM_FUZZ", "400"))
    result = fuzz(count, seed=1, batch=200, jobs=2, crash_dir=tmp_path)
    assert result["crashes"] == [], result["crashes"]
    assert result["failures"] == [], result["failures"][0]
    totals = result["totals"]
    assert totals["cases"] == count
    # the campaign reaches past validation: some mutants load and their functions run
    assert totals.get("loaded", 0) > 0 and totals.get("returned", 0) > 0
