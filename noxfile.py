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
# The compat sessions take other Pythons from this machine (pyenv's, if it has them), never from a download.
os.environ.setdefault("UV_PYTHON_DOWNLOADS", "never")
_PYENV_BINS = sorted(Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")).glob("versions/3.1[0-9].*/bin"))
os.environ["PATH"] = os.pathsep.join([os.environ.get("PATH", ""), *map(str, _PYENV_BINS)])
nox.options.sessions = ["lint", "tests", "integration", "isolated", "docs"]
nox.options.reuse_existing_virtualenvs = True
# A machine without Python 3.12 or 3.13 skips their compat sessions, and nox says so; it does not fail.
nox.options.error_on_missing_interpreters = False


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
    """Install Debian packages for commands that tests need, only in CI or on an explicit opt-in.

    A developer's ``python3 dev.py test`` never changes their system: outside CI (``CI=true``) this
    installs nothing unless ``PYEXEC_INSTALL_SYSTEM_PACKAGES=1``, and the tests that need the command skip
    with the reason. Even then it never upgrades an installed package: when apt's dry run would upgrade
    anything, it installs nothing and says which packages it would have touched.
    """
    # A key is a command on PATH, or an absolute path to a file the package installs.
    missing = {cmd: pkg for cmd, pkg in commands_to_packages.items()
               if (Path(cmd).is_absolute() and not Path(cmd).is_file())
               or (not Path(cmd).is_absolute() and shutil.which(cmd) is None)}
    if not missing:
        return
    wanted = sorted(set(missing.values()))
    opted_in = os.environ.get("CI") == "true" or os.environ.get("PYEXEC_INSTALL_SYSTEM_PACKAGES") == "1"
    if not opted_in:
        session.warn(f"not installing Debian packages {wanted} (only in CI, or with "
                     "PYEXEC_INSTALL_SYSTEM_PACKAGES=1); the tests that need them skip")
        return
    if shutil.which("apt-get") is None or os.geteuid() != 0:
        session.warn(f"cannot install {wanted}: needs root and apt-get; the tests that need them skip")
        return
    env = {"DEBIAN_FRONTEND": "noninteractive"}
    session.run("apt-get", "update", "-qq", external=True)
    options = ["-y", "-qq", "--no-install-recommends", "--no-upgrade"]
    plan = session.run("apt-get", "install", "-s", *options, *wanted, external=True, env=env, silent=True)
    # apt's dry run prints "Inst NAME [OLD] (NEW ...)" for an upgrade, "Inst NAME (NEW ...)" for a new package.
    upgrades = [words[1] for words in map(str.split, (plan or "").splitlines())
                if len(words) > 2 and words[0] == "Inst" and words[2].startswith("[")]
    if upgrades:
        session.warn(f"not installing {wanted}: apt would upgrade installed packages {upgrades}; "
                     "the tests that need them skip")
        return
    session.run("apt-get", "install", *options, *wanted, external=True, env=env)


# --- sessions ------------------------------------------------------------------------------


@nox.session(python=PYTHON)
@nox.parametrize("package", PACKAGES)
def tests(session: nox.Session, package: str) -> None:
    """Run one package's tests with only that package, its siblings and its declared deps."""
    siblings, others = test_requirements(package)
    if package == "wasm":  # the linked libm's rebuild check reads glibc's sources (Debian's glibc-source)
        system_packages(session, {"/usr/src/glibc/glibc-2.36.tar.xz": "glibc-source"})
    install_editable(session, [*local_closure(package), *(p for p in siblings if p not in local_closure(package))])
    session.install(*others)
    session.run("pytest", "-q", str(PACKAGES_DIR / package / "tests"), *session.posargs)


OTHER_PYTHONS = ["3.12", "3.13"]
COMPAT_SMOKE = ["llvm", "memory", "wasm"]
"""The packages CI tests on every other Python: those that reach into CPython's internals or its C API."""
"""The Pythons besides PYTHON (3.11) that are tested; the floor is scripts/versions.py's REQUIRES_PYTHON."""


@nox.session(python=OTHER_PYTHONS)
@nox.parametrize("package", PACKAGES)
def compat(session: nox.Session, package: str) -> None:
    """One package's tests on another supported Python: ``nox -s "compat-3.12(package='llvm')"``."""
    tests(session, package)


@nox.session(python=PYTHON)
def integration(session: nox.Session) -> None:
    """Run integration_tests/ against the whole toolkit (the meta-package and every backend)."""
    system_packages(session, {"chromium": "chromium", "chromedriver": "chromium-driver"})
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
    """Everything CI checks, in order: lint, each package's tests, integration, isolated wheels, docs, and the
    packages that touch CPython's internals on the other supported Pythons."""
    # A parametrized session must be notified once per parameter: notify("tests") runs only the first.
    smoke = [f"compat-{v}(package='{p}')" for v in OTHER_PYTHONS for p in COMPAT_SMOKE]
    for name in ["lint", *(f"tests(package='{p}')" for p in PACKAGES), "integration", "isolated", "docs", *smoke]:
        session.notify(name)


@nox.session(python=False)
def bump(session: nox.Session) -> None:
    """Set one new version on every distribution and every sibling pin: ``nox -s bump -- 0.2.0``."""
    if len(session.posargs) != 1 or not re.fullmatch(r"\d+\.\d+\.\d+(\w+\d*)?", session.posargs[0]):
        session.error("usage: nox -s bump -- X.Y.Z")
    session.run(sys.executable, str(ROOT / "scripts" / "versions.py"), "set", session.posargs[0], external=True)
