"""Write docs/cli.md from the ``pyexec`` command's own help, so the reference cannot drift.

    python scripts/cli_reference.py          # rewrite docs/cli.md
    python scripts/cli_reference.py --check  # exit 1 if docs/cli.md is out of date

Example:
    >>> "pyexec build" in render()  # doctest: +SKIP
    True
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAGE = ROOT / "docs" / "cli.md"
COMMANDS = [[], ["build"], ["demo"], ["explain"]]

INTRO = """# Command line

The `pyexec` command comes with the meta-package (`pip install ./packages/*`); `python -m pyexec.cli`
is the same. This page is generated from the command's own `--help` by `scripts/cli_reference.py`
(a test checks that it is up to date).
"""


def help_text(args: list[str]) -> str:
    env = {**os.environ, "COLUMNS": "100", "NO_COLOR": "1"}
    result = subprocess.run([sys.executable, "-m", "pyexec.cli", *args, "--help"], capture_output=True,
                            text=True, env=env, check=True)
    return result.stdout.rstrip()


def render() -> str:
    parts = [INTRO]
    for args in COMMANDS:
        title = " ".join(["pyexec", *args])
        parts.append(f"## `{title}`\n\n```text\n{help_text(args)}\n```\n")
    return "\n".join(parts)


def main(argv: list[str]) -> int:
    text = render()
    if argv == ["--check"]:
        if PAGE.read_text(encoding="utf-8") != text:
            print(f"{PAGE} is out of date: run python scripts/cli_reference.py")
            return 1
        print(f"{PAGE} is up to date")
        return 0
    PAGE.write_text(text, encoding="utf-8")
    print(f"wrote {PAGE}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
