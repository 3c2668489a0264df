"""The monorepo as data: its packages, their distributions and sibling dependencies.

Used by the noxfile and the scripts next to this one, so the layout is read in one place.

Example:
    >>> from workspace import local_closure
    >>> local_closure("llvm")[:2]
    ['types', 'frontend']
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES_DIR = ROOT / "packages"
PACKAGES = sorted(p.name for p in PACKAGES_DIR.iterdir() if (p / "pyproject.toml").is_file())
META = "pyexec"


def pyproject(package: str) -> dict:
    """The parsed ``pyproject.toml`` of ``packages/<package>``."""
    return tomllib.loads((PACKAGES_DIR / package / "pyproject.toml").read_text())


def dist_name(package: str) -> str:
    return pyproject(package)["project"]["name"]


def requirement_name(requirement: str) -> str:
    """``"pyexec-jit[matmul]==0.1.0"`` → ``"pyexec-jit"``."""
    return re.split(r"[\s\[<>=!~;]", requirement, maxsplit=1)[0]


DIST_TO_PACKAGE = {dist_name(p): p for p in PACKAGES}


def sibling_requirements(package: str) -> list[str]:
    """The requirements of ``package`` that name another distribution of this repo."""
    return [r for r in pyproject(package)["project"].get("dependencies", []) if requirement_name(r) in DIST_TO_PACKAGE]


def local_closure(package: str) -> list[str]:
    """The package and every sibling it needs, dependencies first."""
    order: list[str] = []

    def visit(pkg: str) -> None:
        if pkg in order:
            return
        for req in sibling_requirements(pkg):
            visit(DIST_TO_PACKAGE[requirement_name(req)])
        order.append(pkg)

    visit(package)
    return order


def wheel_for(package: str, dist_dir: Path) -> Path:
    """The built wheel of ``package`` in ``dist_dir``."""
    stem = dist_name(package).replace("-", "_")
    version = pyproject(package)["project"]["version"]
    matches = sorted(dist_dir.glob(f"{stem}-{version}-*.whl"))
    if not matches:
        raise FileNotFoundError(f"no wheel for {dist_name(package)} {version} in {dist_dir}")
    return matches[-1]


def public_modules(package: str) -> list[str]:
    """The importable modules a package ships under the ``pyexec`` namespace.

    Regular packages (folders with ``__init__.py``) count once, by their top folder; namespace
    folders (``pyexec``, ``pyexec.backends``) are searched further, and their ``.py`` files count.
    The meta-package's ``pyexec`` is a regular package, and its direct submodules count too.
    Names starting with ``_`` are private and skipped.
    """
    found: list[str] = []

    def walk(folder: Path, dotted: str) -> None:
        regular = (folder / "__init__.py").is_file()
        if regular:
            found.append(dotted)
            if dotted != "pyexec":
                return
        for child in sorted(folder.iterdir()):
            if child.name.startswith(("_", ".")):
                continue
            if child.is_dir() and any(child.rglob("*.py")):
                walk(child, f"{dotted}.{child.name}")
            elif child.suffix == ".py":
                found.append(f"{dotted}.{child.stem}")

    top = PACKAGES_DIR / package / "src" / "pyexec"
    if top.is_dir():
        walk(top, "pyexec")
    return found
