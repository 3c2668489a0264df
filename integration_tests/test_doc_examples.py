"""Every Python example in the README and the docs runs as written.

Each fenced ``python`` block of README.md and docs/**/*.md is one test: it runs in a fresh
interpreter, in a temporary directory (so files it writes land there), and must exit 0.
A block that is not meant to run on its own has no place in the docs: write it as a complete
example instead. Blocks in other languages (bash, c, js, text) are not run here.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
FENCE = re.compile(r"^```python[^\n]*\n(.*?)^```", re.M | re.S)


def python_blocks() -> list[pytest.param]:
    params = []
    for doc in [REPO / "README.md", *sorted((REPO / "docs").rglob("*.md"))]:
        text = doc.read_text(encoding="utf-8")
        for match in FENCE.finditer(text):
            line = text.count("\n", 0, match.start()) + 1
            rel = doc.relative_to(REPO)
            params.append(pytest.param(match.group(1), id=f"{rel}:{line}"))
    return params


@pytest.mark.parametrize("code", python_blocks())
def test_doc_example_runs(code: str, tmp_path: Path) -> None:
    script = tmp_path / "example.py"
    script.write_text(code, encoding="utf-8")
    result = subprocess.run([sys.executable, str(script)], cwd=tmp_path, capture_output=True, text=True,
                            timeout=600)
    assert result.returncode == 0, f"example failed:\n{code}\n--- stdout\n{result.stdout}\n--- stderr\n{result.stderr}"
