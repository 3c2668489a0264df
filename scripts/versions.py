"""One version (and one Python floor) for every distribution: check that all agree, or set a new version.

    python scripts/versions.py check        # exit 1 and list the disagreements, if any
    python scripts/versions.py set 0.2.0    # every pyproject, every sibling pin, pyexec.__version__

Example:
    >>> from versions import disagreements
    >>> disagreements()
    []
"""

from __future__ import annotations

import re
import sys

from workspace import DIST_TO_PACKAGE, PACKAGES, PACKAGES_DIR, pyproject, requirement_name, sibling_requirements

REQUIRES_PYTHON = ">=3.11"
"""The one Python floor of every distribution (3.10 reached its end of life in October 2026); the noxfile's
PYTHON and OTHER_PYTHONS are the versions tested, 3.11 to 3.13."""
META_INIT = PACKAGES_DIR / "pyexec" / "src" / "pyexec" / "__init__.py"
VERSION_LINE = re.compile(r'^__version__ = "([^"]+)"$', re.M)


def versions() -> dict[str, str]:
    return {p: pyproject(p)["project"]["version"] for p in PACKAGES}


def disagreements() -> list[str]:
    """Every place whose version differs from the meta-package's."""
    expected = versions()["pyexec"]
    problems = [f"{p}: version {v} != {expected}" for p, v in versions().items() if v != expected]
    for pkg in PACKAGES:
        for req in sibling_requirements(pkg):
            pin = re.search(r"==\s*([^\s;,]+)", req)
            if pin is None:
                problems.append(f"{pkg}: sibling requirement {req!r} is not pinned with ==")
            elif pin.group(1) != expected:
                problems.append(f"{pkg}: pins {requirement_name(req)}=={pin.group(1)}, expected {expected}")
    floors = {p: pyproject(p)["project"].get("requires-python") for p in PACKAGES}
    problems += [f"{p}: requires-python {f!r} != {REQUIRES_PYTHON!r}"
                 for p, f in floors.items() if f != REQUIRES_PYTHON]
    found = VERSION_LINE.search(META_INIT.read_text())
    if found is None or found.group(1) != expected:
        problems.append(f"pyexec.__version__ is {found and found.group(1)!r}, expected {expected}")
    return problems


def set_version(new: str) -> None:
    """Write ``new`` into every pyproject (version and sibling pins) and ``pyexec.__version__``."""
    sibling = "|".join(re.escape(d) for d in DIST_TO_PACKAGE)
    for pkg in PACKAGES:
        path = PACKAGES_DIR / pkg / "pyproject.toml"
        text = re.sub(r'^version = "[^"]+"$', f'version = "{new}"', path.read_text(), count=1, flags=re.M)
        text = re.sub(rf'"((?:{sibling})(?:\[[^\]]*\])?)==[^";]+"', rf'"\1=={new}"', text)
        path.write_text(text)
    META_INIT.write_text(VERSION_LINE.sub(f'__version__ = "{new}"', META_INIT.read_text()))


def main(argv: list[str]) -> int:
    if argv[:1] == ["check"] and len(argv) == 1:
        problems = disagreements()
        for p in problems:
            print(p)
        print("versions agree" if not problems else f"{len(problems)} disagreement(s)")
        return 1 if problems else 0
    if argv[:1] == ["set"] and len(argv) == 2:
        set_version(argv[1])
        return main(["check"])
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
