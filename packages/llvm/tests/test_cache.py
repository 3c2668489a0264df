"""The disk cache: a second process loads object code without compiling; bad entries are rebuilt."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

from pyexec.backends.llvm import cache

PROGRAM = textwrap.dedent("""
    import sys
    sys.path.insert(0, {dir!r})
    from kernels import total
    print(total(10), total.from_cache)
""")

KERNELS = textwrap.dedent("""
    from pyexec.backends.llvm import aot

    @aot
    def total(n: int) -> int:
        s = 0
        for i in range(n):
            s += i
        return s
""")


def _run(tmp_path: Path, cache_dir: Path, **env: str) -> str:
    (tmp_path / "kernels.py").write_text(KERNELS)
    script = tmp_path / "main.py"
    script.write_text(PROGRAM.format(dir=str(tmp_path)))
    environ = {**os.environ, "PYEXEC_CACHE_DIR": str(cache_dir), **env}
    environ.pop("PYEXEC_NO_CACHE", None) if "PYEXEC_NO_CACHE" not in env else None
    proc = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, env=environ, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.strip()


def test_second_process_loads_from_cache_without_compiling(tmp_path):
    cache_dir = tmp_path / "cache"
    assert _run(tmp_path, cache_dir) == "45 False"
    assert len(list(cache_dir.glob("*.o"))) == 1
    assert _run(tmp_path, cache_dir) == "45 True"


def test_corrupt_entry_is_ignored_and_rebuilt(tmp_path):
    cache_dir = tmp_path / "cache"
    _run(tmp_path, cache_dir)
    (entry,) = cache_dir.glob("*.o")
    data = bytearray(entry.read_bytes())
    data[-10:] = b"\0" * 10
    entry.write_bytes(bytes(data))
    assert _run(tmp_path, cache_dir) == "45 False"  # rebuilt, not loaded
    assert _run(tmp_path, cache_dir) == "45 True"


def test_foreign_file_under_an_entry_name_is_never_loaded(tmp_path):
    cache_dir = tmp_path / "cache"
    _run(tmp_path, cache_dir)
    (entry,) = cache_dir.glob("*.o")
    entry.write_bytes(b"\x7fELF not ours")
    assert _run(tmp_path, cache_dir) == "45 False"


def test_no_cache_env_var_disables_the_cache(tmp_path):
    cache_dir = tmp_path / "cache"
    assert _run(tmp_path, cache_dir, PYEXEC_NO_CACHE="1") == "45 False"
    assert not cache_dir.exists()


def test_store_is_atomic_and_load_checks_the_key(tmp_path, monkeypatch):
    monkeypatch.setenv("PYEXEC_CACHE_DIR", str(tmp_path))
    path = cache.store("abc", b"payload")
    assert path is not None and path.read_bytes().endswith(b"payload")
    assert cache.load("abc") == b"payload"
    assert cache.load("abd") is None
    path.rename(tmp_path / "abd.o")
    assert cache.load("abd") is None  # the header names the key it was written for
    assert not list(tmp_path.glob("*.tmp"))


def test_default_location_is_under_the_user_cache(monkeypatch):
    monkeypatch.delenv("PYEXEC_CACHE_DIR", raising=False)
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    assert cache.cache_dir() == Path.home() / ".cache" / "pyexec" / "native"
