"""``aot_compile``: one function and its module → a standalone executable, built by Nuitka (onefile).

Steps: locate the function's module (or, for a nested function, generate one that holds it with
its free variables frozen: :mod:`pyexec.backends.nuitka.frozen_function`); derive its command line;
generate the launcher; look the build up in the cache; check the prerequisites; run Nuitka; keep
the result in the cache; copy it to ``output``.

Example:
    >>> from pyexec.backends.nuitka import aot_compile
    >>> def greet(name: str) -> str:
    ...     return f"Hello, {name}!"
    >>> exe = aot_compile(greet, "greeter")  # doctest: +SKIP
    >>> # ./greeter Alice  →  Hello, Alice!
"""

from __future__ import annotations

import inspect
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pyexec.backends.nuitka.cache import cache_key, load_executable, private_root, store_executable, write_atomic
from pyexec.backends.nuitka.command_line import command_line_spec
from pyexec.backends.nuitka.errors import ExecutableBuildError, NuitkaBuildError
from pyexec.backends.nuitka.frozen_function import FrozenProgram, freeze_function, is_nested, python_function
from pyexec.backends.nuitka.function_target import FunctionTarget, locate_function
from pyexec.backends.nuitka.launcher import launcher_source
from pyexec.backends.nuitka.prerequisites import check_prerequisites

LOG_TAIL_LINES = 40
_ANSI = re.compile(r"\x1b\[[0-9;]*m")
LAUNCHER_NAME = "pyexec_launcher.py"
PYEXEC_COMPILERS = (
    "pyexec.backends", "pyexec.frontend", "pyexec.memory", "pyexec.wasm_memory", "pyexec.cli", "pyexec.mode",
    "pyexec.explanation", "pyexec.types.numba_support", "numba",
)
"""What stays out of an executable that contains ``pyexec.types``: pyexec's compilers and runtimes (and Numba)."""


def nuitka_version() -> str:
    """The installed Nuitka's version (part of the cache key)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("nuitka")
    except PackageNotFoundError:
        return "not installed"


def nuitka_options(target: FunctionTarget | FrozenProgram) -> list[str]:
    """The Nuitka options of every build (the launcher, output folder and name are added per build)."""
    if target.needs_scalar_types:
        # Frozen scalar types are pyexec.types' own objects (NumPy's casts): that part of pyexec goes in.
        keep_out = [f"--nofollow-import-to={name}" for name in PYEXEC_COMPILERS]
    else:
        # pyexec's compilers stay out: the launcher gives the module a small `pyexec` of its own.
        keep_out = ["--nofollow-import-to=pyexec"]
    return [
        "--onefile",
        f"--include-module={target.module_name}",
        *keep_out,
        # Link-time optimisation roughly doubles the C compile time for little gain in a launcher.
        "--lto=no",
        "--remove-output",
    ]


@dataclass(frozen=True)
class _Entry:
    """What the executable is built from: the module the launcher imports, and where it comes from."""

    target: FunctionTarget | FrozenProgram
    function: Callable[..., Any]
    module_source: bytes
    search_path: tuple[Path, ...]
    generated: bool
    """The module is generated (a frozen nested function) and written next to the launcher."""
    shown_name: str


def _entry(func: Callable[..., Any]) -> _Entry:
    original = inspect.unwrap(func) if callable(func) else func
    original = python_function(original) or original
    if is_nested(original):
        program = freeze_function(original)
        return _Entry(program, original, program.source.encode(), program.search_path, True,
                      f"{original.__qualname__} (frozen into {program.module_name})")
    target = locate_function(func)
    return _Entry(target, target.function, target.module_file.read_bytes(), (target.root,), False,
                  f"{target.module_name}.{target.function_name}")


def executable_path(output: str | os.PathLike[str], function_name: str) -> Path:
    """Where the executable goes: ``output`` (``.exe`` added on Windows), or ``output/<function>`` for a folder."""
    path = Path(output).expanduser()
    if path.is_dir():
        path = path / function_name
    if sys.platform == "win32" and path.suffix.lower() != ".exe":
        path = path.with_name(path.name + ".exe")
    return path.absolute()


def _say(show_progress: bool, message: str) -> None:
    if show_progress:
        print(f"pyexec: {message}", flush=True)


def run_nuitka(command: list[str], env: dict[str, str], cwd: Path, log_path: Path, show_progress: bool) -> None:
    """Run Nuitka, logging everything to ``log_path`` (and echoing it live with ``show_progress``)."""
    tail: deque[str] = deque(maxlen=LOG_TAIL_LINES)
    with log_path.open("w", encoding="utf-8") as log:
        log.write("$ " + " ".join(command) + "\n")
        process = subprocess.Popen(
            command, cwd=cwd, env=env, stdin=subprocess.DEVNULL,  # no prompt, so Nuitka never downloads
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, errors="replace", bufsize=1,
        )
        try:
            assert process.stdout is not None
            for line in process.stdout:
                log.write(line)
                tail.append(line)
                if show_progress:
                    sys.stdout.write(line)
                    sys.stdout.flush()
            returncode = process.wait()
        except BaseException:
            process.kill()
            process.wait()
            raise
    if returncode != 0:
        log_tail = _ANSI.sub("", "".join(tail)).rstrip()
        raise NuitkaBuildError(
            f"Nuitka failed (exit status {returncode}); the end of its log:\n{log_tail}\n(full log: {log_path})",
            returncode=returncode, log_tail=log_tail, log_path=str(log_path),
        )


def _install(data: bytes, destination: Path) -> None:
    """Write the executable's bytes (those that were verified, not a file that could change since) in place."""
    try:
        destination.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(destination, data, 0o755)
    except OSError as exc:
        raise ExecutableBuildError(f"cannot write the executable to {destination}: {exc.strerror or exc} "
                                   "(choose a writable path with the output argument)") from None


def aot_compile(func: Callable[..., Any], output: str | os.PathLike[str], show_progress: bool = False) -> Path:
    """Build a standalone executable that runs ``func`` (compiled with its module by Nuitka); return its path.

    Parameters become the executable's command line (see :mod:`pyexec.backends.nuitka.command_line`); a
    function without parameters reads ``sys.argv`` itself. A non-None result is printed; an exception
    prints its message and exits with status 1. An unchanged function and module reuse the cached build.
    A function defined inside another function is built from a generated module that holds its source
    and the values of its free variables at this moment (see :mod:`pyexec.backends.nuitka.frozen_function`).

    Example:
        >>> def greet(name: str) -> str:
        ...     return f"Hello, {name}!"
        >>> aot_compile(greet, "greeter", show_progress=True)  # doctest: +SKIP
        PosixPath('/home/me/greeter')
    """
    entry = _entry(func)
    target = entry.target
    spec = command_line_spec(entry.function)
    source = launcher_source(target.module_name, target.function_name, spec)
    destination = executable_path(output, target.function_name)
    options = nuitka_options(target)
    version = nuitka_version()
    # A frozen function's module source holds the values it froze, so they are part of the key.
    key = cache_key(launcher=source, module_name=target.module_name, module_source=entry.module_source,
                    nuitka_version=version, nuitka_options=options)
    built_name = target.function_name + (".exe" if sys.platform == "win32" else "")
    cached = load_executable(key, built_name)
    if cached is not None:
        _install(cached, destination)
        _say(show_progress, f"{destination} is up to date (cached build {key})")
        return destination

    env = check_prerequisites(dict(os.environ))
    env["NUITKA_UPDATE_CHECK"] = "never"  # no release check over the network
    root = private_root(create=True)  # None: an unsafe or unwritable cache, so build in a private temp folder
    log_dir = root if root is not None else Path(tempfile.mkdtemp(prefix="pyexec-nuitka-log-"))
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="build-", dir=root) as work_dir:  # removed even if the build fails
        work = Path(work_dir)
        launcher = work / LAUNCHER_NAME
        launcher.write_text(source, encoding="utf-8")
        folders = [str(folder) for folder in entry.search_path]
        if entry.generated:
            (work / f"{target.module_name}.py").write_bytes(entry.module_source)
            folders.insert(0, str(work))
        env["PYTHONPATH"] = os.pathsep.join(p for p in (*folders, env.get("PYTHONPATH", "")) if p)
        command = [sys.executable, "-m", "nuitka", *options, f"--output-dir={work / 'out'}",
                   f"--output-filename={built_name}", str(launcher)]
        _say(show_progress, f"building {destination.name} from {entry.shown_name} "
                            f"with Nuitka {version} (this takes a few minutes)")
        log_path = log_dir / f"{key}.log"
        run_nuitka(command, env, work, log_path, show_progress)
        built = work / "out" / built_name
        if not built.is_file():
            raise NuitkaBuildError(f"Nuitka reported success but {built} does not exist (log: {log_path})",
                                   returncode=0, log_tail="", log_path=str(log_path))
        data = built.read_bytes()
    if root is not None:
        store_executable(key, built_name, data)
    else:
        shutil.rmtree(log_dir, ignore_errors=True)  # kept only when the build fails, for its message
    _install(data, destination)
    size = destination.stat().st_size / 1e6
    _say(show_progress, f"built {destination} ({size:.1f} MB) in {time.perf_counter() - started:.0f} s")
    return destination
