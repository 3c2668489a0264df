"""Every routine task of the pyexec monorepo is a nox session.

    nox -s tests            each package's tests, in its own venv with only its declared deps
    nox -s integration      the documented API end to end, across packages
    nox -s isolated         every wheel built, installed alone and imported
    nox -s lint             ruff
    nox -s docs             mkdocs build --strict
    nox -s demo             the project's main job: pyexec demo
    nox -s bench            benchmarks/ → docs/benchmarks/ (ratios table and chart)
    nox -s fuzz -- --minutes 30   random programs, CPython as oracle, against aot, wasm and jit (fuzz/)
    nox -s ci               everything CI needs, in order
    nox -s bump -- 0.2.0    one version for every distribution, pins included

Virtual environments are made with uv (much faster than virtualenv + pip on this 2-core machine).
"""

from __future__ import annotations

import os
import re
import shutil
import sys
from pathlib import Path

import nox

ROOT = Path(__file__).parent
PACKAGES_DIR = ROOT / "packages"
DIST_DIR = ROOT / "dist"
PYTHON = f"{sys.version_info.major}.{sys.version_info.minor}"

nox.options.default_venv_backend = "uv"
nox.options.sessions = ["lint", "tests", "integration", "isolated", "docs"]
nox.options.reuse_existing_virtualenvs = True


# --- the workspace as data (scripts/workspace.py) -------------------------------------------

sys.path.insert(0, str(ROOT / "scripts"))
from workspace import DIST_TO_PACKAGE, PACKAGES, local_closure, pyproject, requirement_name  # noqa: E402


def test_requirements(package: str, group: str = "test") -> tuple[list[str], list[str]]:
    """The package's ``[dependency-groups] <group>`` list, split into (sibling packages, others).

    A sibling named there (for example the meta-package ``pyexec``) is installed from this repository,
    never from PyPI, where ``pyexec`` is an unrelated project.
    """
    requirements = pyproject(package).get("dependency-groups", {}).get(group, ["pytest", "hypothesis"])
    siblings: list[str] = []
    for req in requirements:
        if requirement_name(req) in DIST_TO_PACKAGE:
            siblings += [p for p in local_closure(DIST_TO_PACKAGE[requirement_name(req)]) if p not in siblings]
    others = [r for r in requirements if requirement_name(r) not in DIST_TO_PACKAGE]
    return siblings, others


def install_editable(session: nox.Session, packages: list[str]) -> None:
    args: list[str] = []
    for pkg in packages:
        extras = pyproject(pkg)["project"].get("optional-dependencies", {})
        suffix = f"[{','.join(extras)}]" if extras else ""
        args += ["-e", f"{PACKAGES_DIR / pkg}{suffix}"]
    session.install(*args)


def system_packages(session: nox.Session, commands_to_packages: dict[str, str]) -> None:
    """Install Debian packages for commands that tests need, when missing (CI runs as root)."""
    missing = {cmd: pkg for cmd, pkg in commands_to_packages.items() if shutil.which(cmd) is None}
    if not missing:
        return
    if shutil.which("apt-get") is None or os.geteuid() != 0:
        wanted = sorted(set(missing.values()))
        session.warn(f"cannot install {wanted}: needs root and apt-get; the tests that need them skip")
        return
    session.run("apt-get", "update", "-qq", external=True)
    env = {"DEBIAN_FRONTEND": "noninteractive"}
    session.run("apt-get", "install", "-y", "-qq", *sorted(set(missing.values())), external=True, env=env)


# --- sessions ------------------------------------------------------------------------------


@nox.session(python=PYTHON)
@nox.parametrize("package", PACKAGES)
def tests(session: nox.Session, package: str) -> None:
    """Run one package's tests with only that package, its siblings and its declared deps."""
    siblings, others = test_requirements(package)
    install_editable(session, [*local_closure(package), *(p for p in siblings if p not in local_closure(package))])
    session.install(*others)
    session.run("pytest", "-q", str(PACKAGES_DIR / package / "tests"), *session.posargs)


@nox.session(python=PYTHON)
def integration(session: nox.Session) -> None:
    """Run integration_tests/ against the whole toolkit (the meta-package and every backend)."""
    system_packages(session, {"chromium": "chromium", "chromedriver": "chromium-driver", "wasm2wat": "wabt"})
    install_editable(session, local_closure("pyexec"))
    session.install(*test_requirements("pyexec", "integration")[1])
    session.run("pytest", "-q", str(ROOT / "integration_tests"), *session.posargs)


@nox.session(python=PYTHON)
def isolated(session: nox.Session) -> None:
    """Build every wheel; install each alone into a fresh venv; import its public names."""
    session.install("build", "uv")
    if DIST_DIR.exists():
        shutil.rmtree(DIST_DIR)
    for pkg in PACKAGES:
        session.run("uv", "build", "--wheel", "--quiet", "-o", str(DIST_DIR), str(PACKAGES_DIR / pkg))
    session.run("python", str(ROOT / "scripts" / "check_isolated.py"), str(DIST_DIR), *PACKAGES)


@nox.session(python=PYTHON)
def lint(session: nox.Session) -> None:
    """ruff over the whole tree."""
    session.install("ruff")
    session.run("ruff", "check", str(ROOT))


@nox.session(python=PYTHON)
def docs(session: nox.Session) -> None:
    """Build the documentation site strictly: a broken link or reference fails."""
    install_editable(session, local_closure("pyexec"))
    session.install("mkdocs", "mkdocs-material", "mkdocstrings[python]")
    session.run("mkdocs", "build", "--strict", "-f", str(ROOT / "mkdocs.yml"), "-d", str(ROOT / "site"),
                env={"NO_MKDOCS_2_WARNING": "1"})


@nox.session(python=PYTHON)
def demo(session: nox.Session) -> None:
    """The project's main job: ``pyexec demo`` with the whole toolkit installed."""
    install_editable(session, local_closure("pyexec"))
    session.run("pyexec", "demo", *session.posargs)


@nox.session(python=PYTHON)
def bench(session: nox.Session) -> None:
    """Run benchmarks/ and write docs/benchmarks/ (a Markdown table of ratios and a PNG chart)."""
    install_editable(session, local_closure("pyexec"))
    session.install("matplotlib", "numba", "scipy")
    session.run("python", str(ROOT / "benchmarks" / "report.py"), *session.posargs)


@nox.session(python=PYTHON)
def fuzz(session: nox.Session) -> None:
    """Differential fuzzing (fuzz/README.md): ``nox -s fuzz -- --minutes 30 --seed 1``."""
    install_editable(session, local_closure("pyexec"))
    session.install("pytest")
    session.run("python", "-m", "fuzz", *session.posargs, env={"PYTHONPATH": str(ROOT)})


@nox.session(python=False)
def ci(session: nox.Session) -> None:
    """Everything CI checks, in order: lint, each package's tests, integration, isolated wheels, docs."""
    # A parametrized session must be notified once per parameter: notify("tests") runs only the first.
    for name in ["lint", *(f"tests(package='{p}')" for p in PACKAGES), "integration", "isolated", "docs"]:
        session.notify(name)


@nox.session(python=False)
def bump(session: nox.Session) -> None:
    """Set one new version on every distribution and every sibling pin: ``nox -s bump -- 0.2.0``."""
    if len(session.posargs) != 1 or not re.fullmatch(r"\d+\.\d+\.\d+(\w+\d*)?", session.posargs[0]):
        session.error("usage: nox -s bump -- X.Y.Z")
    session.run(sys.executable, str(ROOT / "scripts" / "versions.py"), "set", session.posargs[0], external=True)
