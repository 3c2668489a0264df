"""Golden tests: each tests/golden/<case>.py, analysed as a module, prints exactly <case>.ir.

Regenerate after an intended change of the IR or its text form, then review the diff:

    .venv/bin/python -m pytest packages/frontend/tests/test_golden_ir.py --update-golden

A new case is a new ``.py`` file; run with ``--update-golden`` once to write its ``.ir``, and
check it by reading.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import pyexec.frontend as fe

GOLDEN = Path(__file__).parent / "golden"
CASES = sorted(p.stem for p in GOLDEN.glob("*.py"))


def test_there_are_at_least_40_golden_cases() -> None:
    assert len(CASES) >= 40


@pytest.mark.parametrize("case", CASES)
def test_printed_ir_matches_golden(case: str, update_golden: bool) -> None:
    source = (GOLDEN / f"{case}.py").read_text(encoding="utf-8")
    module = fe.analyze_source(source, f"{case}.py")
    fe.verify_module(module)
    printed = fe.print_module(module)
    expected_path = GOLDEN / f"{case}.ir"
    if update_golden or not expected_path.exists():
        if not update_golden:
            pytest.fail(f"{expected_path.name} is missing; run with --update-golden and review it")
        expected_path.write_text(printed, encoding="utf-8")
    assert printed == expected_path.read_text(encoding="utf-8")
