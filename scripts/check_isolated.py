"""Install each built wheel alone into a fresh venv and import its public names.

    python scripts/check_isolated.py DIST_DIR PACKAGE...

For each package: a new uv venv gets the package's wheel and the wheels of the siblings it
depends on (never the meta-package unless it is the one checked), then a child Python imports
every public module and every name in its ``__all__``. Without the meta-package ``pyexec``
must be a namespace (``pyexec.__file__ is None``). Finally, no wheel but the meta's may contain
``pyexec/__init__.py``, and none may contain ``pyexec/backends/__init__.py``.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from workspace import META, local_closure, public_modules, wheel_for

CHILD = r"""
import importlib, json, sys
modules, meta = json.loads(sys.argv[1]), sys.argv[2] == "1"
import pyexec
if meta:
    assert pyexec.__file__ is not None, "the meta-package must provide pyexec/__init__.py"
    for name in pyexec.__all__:
        getattr(pyexec, name)
else:
    assert pyexec.__file__ is None, f"pyexec is not a namespace here: {pyexec.__file__}"
for name in modules:
    module = importlib.import_module(name)
    for attr in getattr(module, "__all__", []):
        getattr(module, attr)
print("imported", ", ".join(modules))
"""


def check_wheel_contents(dist_dir: Path, packages: list[str]) -> list[str]:
    problems = []
    for pkg in packages:
        names = zipfile.ZipFile(wheel_for(pkg, dist_dir)).namelist()
        if pkg != META and "pyexec/__init__.py" in names:
            problems.append(f"{pkg}: its wheel ships pyexec/__init__.py (only the meta-package may)")
        if "pyexec/backends/__init__.py" in names:
            problems.append(f"{pkg}: its wheel ships pyexec/backends/__init__.py (a namespace must not)")
        if not any(n.startswith("pyexec/") and n.endswith(".py") for n in names):
            problems.append(f"{pkg}: its wheel has no Python module under pyexec/")
    return problems


def check_alone(dist_dir: Path, package: str, workdir: Path) -> None:
    venv = workdir / f"venv-{package}"
    subprocess.run(["uv", "venv", "--quiet", "--python", sys.executable, str(venv)], check=True)
    python = venv / "bin" / "python"
    wheels = [str(wheel_for(p, dist_dir)) for p in local_closure(package)]
    subprocess.run(["uv", "pip", "install", "--quiet", "--python", str(python), *wheels], check=True)
    modules = public_modules(package)
    result = subprocess.run(
        [str(python), "-c", CHILD, json.dumps(modules), "1" if package == META else "0"],
        capture_output=True, text=True, cwd=workdir,
    )
    if result.returncode != 0:
        raise SystemExit(f"{package}: importing alone failed\n{result.stdout}{result.stderr}")
    print(f"{package}: alone with {[Path(w).name for w in wheels]}: {result.stdout.strip()}")


def main(argv: list[str]) -> int:
    dist_dir, packages = Path(argv[0]).resolve(), argv[1:]
    problems = check_wheel_contents(dist_dir, packages)
    for p in problems:
        print(p)
    if problems:
        return 1
    with tempfile.TemporaryDirectory(prefix="pyexec-isolated-") as tmp:
        for pkg in packages:
            check_alone(dist_dir, pkg, Path(tmp))
    print(f"{len(packages)} wheels installed alone and imported")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
