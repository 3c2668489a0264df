"""The ``pyexec`` command on bad input: one clear line (file, problem, what to do), a non-zero status, no traceback;
and source files read exactly as CPython imports them (a UTF-8 BOM, a coding declaration)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

FUNC = "def add1(x: int) -> int:\n    return x + 1\n"


def pyexec(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pyexec.cli", *args], capture_output=True, text=True, cwd=cwd,
                          timeout=300)


def assert_clean_error(proc: subprocess.CompletedProcess, status: int, *fragments: str) -> None:
    assert proc.returncode == status, (proc.returncode, proc.stdout, proc.stderr)
    assert "Traceback" not in proc.stderr, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    for fragment in fragments:
        assert fragment in lines[0], lines[0]


@pytest.fixture
def source(tmp_path: Path) -> Path:
    path = tmp_path / "adders.py"
    path.write_text(FUNC)
    return path


# --- the output directory (native, wasm) ---


@pytest.mark.parametrize("target", ["native", "wasm"])
def test_output_path_that_is_a_file_is_a_one_line_error(tmp_path, source, target):
    blocker = tmp_path / "out"
    blocker.write_text("not a directory")
    proc = pyexec("build", str(source), "--target", target, "-o", str(blocker))
    assert_clean_error(proc, 1, f"cannot write to {blocker}", "exists and is not a directory", "-o")


def test_output_directory_below_a_file_is_a_one_line_error(tmp_path, source):
    (tmp_path / "file").write_text("x")
    output = tmp_path / "file" / "build"
    proc = pyexec("build", str(source), "--target", "native", "-o", str(output))
    assert_clean_error(proc, 1, f"cannot write to {output}", f"{tmp_path / 'file'} exists and is not a directory")


def test_output_file_blocked_by_a_directory_is_a_one_line_error(tmp_path, source):
    output = tmp_path / "build"
    (output / "adders.h").mkdir(parents=True)  # the header cannot be written over a directory
    proc = pyexec("build", str(source), "--target", "native", "-o", str(output))
    assert_clean_error(proc, 1, f"cannot write to {output}", "adders.h", "choose a writable directory with -o")


@pytest.fixture
def read_only_dir(tmp_path: Path) -> Path:
    if hasattr(os, "geteuid") and os.geteuid() != 0:
        path = tmp_path / "read-only"
        path.mkdir()
        path.chmod(0o555)
        yield path
        path.chmod(0o755)
    elif sys.platform.startswith("linux"):
        yield Path("/sys/pyexec-test-output")  # read-only even for root (no mode bits stop root elsewhere)
    else:
        pytest.skip("needs a non-root user or Linux's /sys for a directory that cannot be written")


def test_read_only_output_directory_is_a_one_line_error(read_only_dir, source):
    output = read_only_dir / "build" if read_only_dir.exists() else read_only_dir
    proc = pyexec("build", str(source), "--target", "native", "-o", str(output))
    assert_clean_error(proc, 1, f"cannot write to {output}", "choose a writable directory with -o")


# --- the input file ---


@pytest.mark.parametrize("target", ["native", "wasm", "exe"])
def test_directory_given_as_the_file_says_it_is_a_directory(tmp_path, target):
    proc = pyexec("build", str(tmp_path), "--target", target, "-f", "add1")
    assert_clean_error(proc, 2, f"{tmp_path} is a directory, not a Python file", "give the path of a .py file")


def test_directory_given_to_explain_says_it_is_a_directory(tmp_path):
    proc = pyexec("explain", f"{tmp_path}::add1", "--stage", "ir")
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert f"{tmp_path}:1:1: error: it is a directory, not a Python file" in proc.stderr


def test_missing_file_still_says_it_does_not_exist(tmp_path):
    proc = pyexec("build", str(tmp_path / "nope.py"), "--target", "native")
    assert_clean_error(proc, 2, "nope.py does not exist")


def test_syntax_error_in_the_module_for_exe_is_a_one_line_error(tmp_path):
    path = tmp_path / "broken.py"
    path.write_text("def add1(x: int) -> int:\n    return x +\n")
    proc = pyexec("build", str(path), "--target", "exe", "-f", "add1", "-o", str(tmp_path / "add1"))
    assert_clean_error(proc, 1, f"{path}:2:", "invalid Python syntax", "fix the syntax error")


def test_exception_in_the_modules_top_level_code_for_exe_is_a_one_line_error(tmp_path):
    path = tmp_path / "raising.py"
    path.write_text("import no_such_module_xyz\n" + FUNC)
    proc = pyexec("build", str(path), "--target", "exe", "-f", "add1", "-o", str(tmp_path / "add1"))
    assert_clean_error(proc, 1, f"importing {path} failed", "ModuleNotFoundError", "no_such_module_xyz")


def test_syntax_error_for_explain_ast_is_a_diagnostic_not_a_traceback(tmp_path):
    path = tmp_path / "broken.py"
    path.write_text("def add1(x: int) -> int:\n    return x +\n")
    proc = pyexec("explain", f"{path}::add1", "--stage", "ast")
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert f"{path}:2:" in proc.stderr and "invalid Python syntax" in proc.stderr


# --- sources read as CPython reads them ---

ENCODED_SOURCES = {
    "utf-8 with BOM": b"\xef\xbb\xbf" + FUNC.encode(),
    "latin-1 with coding declaration": "# -*- coding: latin-1 -*-\n# caf\u00e9\n".encode("latin-1") + FUNC.encode(),
    "CRLF line endings": FUNC.replace("\n", "\r\n").encode(),
}


@pytest.mark.parametrize("kind", sorted(ENCODED_SOURCES))
def test_source_that_cpython_imports_is_accepted(tmp_path, kind):
    path = tmp_path / "adders.py"
    path.write_bytes(ENCODED_SOURCES[kind])
    imported = subprocess.run([sys.executable, "-c", "import adders; print(adders.add1(20))"], cwd=tmp_path,
                              capture_output=True, text=True)
    assert imported.stdout == "21\n", imported.stderr  # CPython accepts it: so must we
    proc = pyexec("explain", f"{path}::add1", "--stage", "ir")
    assert proc.returncode == 0, proc.stderr
    assert "add1" in proc.stdout


def test_native_build_of_a_bom_file_with_a_coding_line_works(tmp_path):
    path = tmp_path / "adders.py"
    path.write_bytes(b"\xef\xbb\xbf# -*- coding: utf-8 -*-\n" + FUNC.encode())
    proc = pyexec("build", str(path), "--target", "native", "-o", str(tmp_path / "out"))
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "out" / "adders.h").is_file()


def test_source_that_is_not_valid_in_its_encoding_names_the_line_and_what_to_do(tmp_path):
    path = tmp_path / "adders.py"
    path.write_bytes(FUNC.encode() + "# caf\u00e9\n".encode("latin-1"))  # latin-1 bytes, no declaration
    proc = pyexec("build", str(path), "--target", "native", "-o", str(tmp_path / "out"))
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert f"{path}:3:1: error: it cannot be decoded" in proc.stderr and "not valid utf-8" in proc.stderr
    assert "coding: latin-1" in proc.stderr  # the hint says how to declare it


def test_unknown_coding_declaration_is_reported(tmp_path):
    path = tmp_path / "adders.py"
    path.write_bytes(b"# -*- coding: klingon -*-\n" + FUNC.encode())
    proc = pyexec("explain", f"{path}::add1", "--stage", "ir")
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert f"{path}:1:1: error: it cannot be decoded: unknown encoding: klingon" in proc.stderr
