#!/usr/bin/env python3
"""The two commands of pyexec's README, and a door to every nox session.

    python3 dev.py demo        compile one example set with every backend and print the table
                               (its options follow: python3 dev.py demo --quick --with-exe)
    python3 dev.py test        run every check CI runs (nox -s ci)
    python3 dev.py -s NAME     any nox session (nox's own arguments pass through)

The first run makes ``.tools-venv/`` with nox and uv (from PyPI); nox then makes one uv venv
per session under ``.nox/``. Nothing is installed outside the repository.
"""

from __future__ import annotations

import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
TOOLS = ROOT / ".tools-venv"
TOOL_REQUIREMENTS = ["nox>=2025.2.9", "uv>=0.5"]
SHORTCUTS = {"demo": ["-s", "demo"], "test": ["-s", "ci"]}


def tools_python() -> Path:
    return TOOLS / ("Scripts" if os.name == "nt" else "bin") / ("python.exe" if os.name == "nt" else "python")


def ensure_tools() -> Path:
    python = tools_python()
    stamp = TOOLS / "requirements.txt"
    wanted = "\n".join(TOOL_REQUIREMENTS)
    if python.exists() and stamp.exists() and stamp.read_text() == wanted:
        return python
    print(f"dev.py: setting up {TOOLS.name}/ with {', '.join(TOOL_REQUIREMENTS)}", flush=True)
    venv.EnvBuilder(with_pip=True, clear=True).create(TOOLS)
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                    *TOOL_REQUIREMENTS], check=True)
    stamp.write_text(wanted)
    return python


def nox_arguments(argv: list[str]) -> list[str]:
    """nox's command line for dev.py's: a shortcut's own options become its session's posargs.

    Example: ``nox_arguments(["demo", "--with-exe"])`` -> ``["-s", "demo", "--", "--with-exe"]``.
    """
    if argv[0] not in SHORTCUTS:
        return argv
    rest = argv[1:]
    return SHORTCUTS[argv[0]] + (["--", *rest] if rest and rest[0] != "--" else rest)


def main(argv: list[str]) -> int:
    if sys.version_info < (3, 11):  # noqa: UP036 - dev.py may be run by any python3 on PATH
        print("pyexec needs Python 3.11 or newer (3.11 to 3.13 are tested)", file=sys.stderr)
        return 2
    if not argv or argv[0] in ("-h", "--help"):
        print(__doc__)
        return 0 if argv else 2
    nox_args = nox_arguments(argv)

    python = ensure_tools()
    env = dict(os.environ)
    # nox finds uv next to itself; put the tools venv first on PATH for the sessions' tools too.
    env["PATH"] = str(python.parent) + os.pathsep + env.get("PATH", "")
    return subprocess.run([str(python), "-m", "nox", "-f", str(ROOT / "noxfile.py"), *nox_args], env=env).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
