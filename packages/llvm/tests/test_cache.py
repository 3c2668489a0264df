"""The disk cache: a second process loads object code without compiling; bad entries are rebuilt."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

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


# --- the trust model: a private directory, authenticated entries, a key that follows the compiler ---

ADD1 = textwrap.dedent("""
    import sys, warnings
    sys.path.insert(0, {dir!r})
    from pyexec.backends.llvm import aot
    from {module} import add1
    f = aot(add1)
    print(f(20), f.from_cache)
""")


def _run_add1(tmp_path: Path, cache_dir: Path, body: str = "x + 1",
              module: str = "adders") -> subprocess.CompletedProcess:
    (tmp_path / f"{module}.py").write_text(f"def add1(x: int) -> int:\n    return {body}\n")
    script = tmp_path / f"run_{module}.py"
    script.write_text(ADD1.format(dir=str(tmp_path), module=module))
    environ = {**os.environ, "PYEXEC_CACHE_DIR": str(cache_dir)}
    environ.pop("PYEXEC_NO_CACHE", None)
    proc = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, env=environ, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return proc


def test_cache_directory_and_secret_key_are_created_private(tmp_path):
    cache_dir = tmp_path / "cache"
    assert _run_add1(tmp_path, cache_dir).stdout.split() == ["21", "False"]
    assert cache_dir.stat().st_mode & 0o777 == 0o700
    assert (cache_dir / cache.KEY_FILE).stat().st_mode & 0o777 == 0o600
    assert len((cache_dir / cache.KEY_FILE).read_bytes()) == 32


def test_entry_forged_without_the_secret_key_is_never_loaded(tmp_path):
    # The attack of issue 11: put the object code of `x + 20` under the key of `x + 1`.
    victim, attacker = tmp_path / "victim", tmp_path / "attacker"
    _run_add1(tmp_path, victim)
    _run_add1(tmp_path, attacker, body="x + 20", module="adders20")
    (entry,) = victim.glob("*.o")
    (evil,) = attacker.glob("*.o")
    evil_payload = evil.read_bytes().partition(b"\n")[2]
    # A header the attacker can compute: the right key, an HMAC under their own secret.
    attacker_key = (attacker / cache.KEY_FILE).read_bytes()
    entry.write_bytes(cache._header(attacker_key, entry.stem, evil_payload) + evil_payload)
    assert _run_add1(tmp_path, victim).stdout.split() == ["21", "False"]
    assert _run_add1(tmp_path, victim).stdout.split() == ["21", "True"]  # rewritten with our own entry


@pytest.mark.skipif(not hasattr(os, "getuid"), reason="owner and mode checks are POSIX (Windows relies on ACLs)")
def test_directory_others_can_write_is_refused_with_a_warning_and_the_function_still_works(tmp_path):
    cache_dir = tmp_path / "shared"
    cache_dir.mkdir()
    cache_dir.chmod(0o777)
    for _ in range(2):
        proc = _run_add1(tmp_path, cache_dir)
        assert proc.stdout.split() == ["21", "False"]
        assert "CacheWarning" in proc.stderr and "others can write to it (mode 777)" in proc.stderr
        assert str(cache_dir) in proc.stderr
    assert list(cache_dir.iterdir()) == []  # nothing read, nothing written


@pytest.mark.skipif(not hasattr(os, "getuid"), reason="owner and mode checks are POSIX (Windows relies on ACLs)")
def test_directory_owned_by_another_user_is_refused(tmp_path, monkeypatch):
    cache_dir = tmp_path / "theirs"
    cache_dir.mkdir(mode=0o700)
    monkeypatch.setenv("PYEXEC_CACHE_DIR", str(cache_dir))
    monkeypatch.setattr(cache, "_warned", set())
    real_uid = os.getuid()
    monkeypatch.setattr(os, "getuid", lambda: real_uid + 4242)  # as another user sees our directory
    with pytest.warns(cache.CacheWarning, match="owned by another user"):
        assert cache.store("abc", b"payload") is None
    assert cache.load("abc") is None
    assert list(cache_dir.iterdir()) == []


@pytest.mark.skipif(not hasattr(os, "getuid"), reason="owner and mode checks are POSIX (Windows relies on ACLs)")
def test_directory_inside_a_folder_others_can_write_without_sticky_bit_is_refused(tmp_path, monkeypatch):
    open_folder = tmp_path / "open"
    open_folder.mkdir()
    open_folder.chmod(0o777)  # anyone could rename our cache away and put theirs in its place
    monkeypatch.setenv("PYEXEC_CACHE_DIR", str(open_folder / "cache"))
    monkeypatch.setattr(cache, "_warned", set())
    with pytest.warns(cache.CacheWarning, match="without the sticky bit"):
        assert cache.store("abc", b"payload") is None
    open_folder.chmod(0o1777)  # like /tmp: others cannot touch what we own
    assert cache.store("abc", b"payload") is not None
    assert cache.load("abc") == b"payload"


@pytest.mark.skipif(not hasattr(os, "getuid"), reason="owner and mode checks are POSIX (Windows relies on ACLs)")
def test_secret_key_readable_by_others_turns_the_cache_off(tmp_path, monkeypatch):
    monkeypatch.setenv("PYEXEC_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(cache, "_warned", set())
    assert cache.store("abc", b"payload") is not None
    (tmp_path / "cache" / cache.KEY_FILE).chmod(0o644)
    with pytest.warns(cache.CacheWarning, match="secret.key is not private"):
        assert cache.load("abc") is None


def test_symlinked_cache_directory_is_checked_where_it_points(tmp_path, monkeypatch):
    real = tmp_path / "real"
    (tmp_path / "link").symlink_to(real, target_is_directory=True)
    real.mkdir(mode=0o700)
    monkeypatch.setenv("PYEXEC_CACHE_DIR", str(tmp_path / "link"))
    assert cache.store("abc", b"payload") == real / "abc.o"
    assert cache.load("abc") == b"payload"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs are POSIX")
@pytest.mark.parametrize("kind", ["fifo", "directory", "symlink", "empty", "header only"])
def test_entry_that_is_not_a_regular_file_with_a_body_is_a_miss_without_blocking(tmp_path, monkeypatch, kind):
    monkeypatch.setenv("PYEXEC_CACHE_DIR", str(tmp_path))
    good = cache.store("good", b"payload")
    path = tmp_path / "abc.o"
    if kind == "fifo":
        os.mkfifo(path)  # reading it without O_NONBLOCK would hang forever
    elif kind == "directory":
        path.mkdir()
    elif kind == "symlink":
        cache.store("abc", b"payload")
        path.unlink()
        path.symlink_to(good)
    elif kind == "empty":
        path.write_bytes(b"")
    else:
        path.write_bytes(good.read_bytes().partition(b"\n")[0] + b"\n")
    assert cache.load("abc") is None


def test_key_changes_when_a_compiler_source_file_changes(tmp_path, monkeypatch):
    compiler = tmp_path / "compiler"
    compiler.mkdir()
    (compiler / "module.py").write_text("A = 1\n")
    before = cache.fingerprint_files([compiler])
    (compiler / "module.py").write_text("A = 2\n")
    assert cache.fingerprint_files([compiler]) != before
    (compiler / "__pycache__").mkdir()
    (compiler / "__pycache__" / "module.cpython.pyc").write_bytes(b"x")
    assert cache.fingerprint_files([compiler]) == cache.fingerprint_files([compiler])

    from pyexec.frontend.ir import nodes as n

    keys = set()
    for fingerprint in ("compiler build 1", "compiler build 2"):
        monkeypatch.setattr(cache, "compiler_fingerprint", lambda fp=fingerprint: fp)
        keys.add(cache.cache_key(n.Module(), [], opt=2, overflow="check", target="x86_64"))
    assert len(keys) == 2


def test_compiler_fingerprint_covers_this_backends_own_source():
    import pyexec.backends.llvm.lowering.module as lowering

    package = Path(lowering.__file__).parent.parent
    assert cache.fingerprint_files([package]) != cache.fingerprint_files([package.parent])
    assert len(cache.compiler_fingerprint()) == 64


def test_failed_store_leaves_no_temporary_file(tmp_path, monkeypatch):
    monkeypatch.setenv("PYEXEC_CACHE_DIR", str(tmp_path))
    assert cache.store("first", b"payload") is not None  # the key file exists now

    def disk_full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", disk_full)
    assert cache.store("abc", b"payload") is None
    assert sorted(p.name for p in tmp_path.iterdir()) == ["first.o", cache.KEY_FILE]


def test_keys_that_are_not_hex_are_refused_before_touching_the_disk(tmp_path, monkeypatch):
    monkeypatch.setenv("PYEXEC_CACHE_DIR", str(tmp_path / "cache"))
    assert cache.store("../escape", b"payload") is None
    assert cache.load("../escape") is None
    assert not (tmp_path / "cache").exists() and not (tmp_path / "escape.o").exists()


def test_threads_racing_on_a_fresh_cache_agree_on_one_secret_and_every_entry(tmp_path, monkeypatch):
    import threading

    monkeypatch.setenv("PYEXEC_CACHE_DIR", str(tmp_path / "cache"))
    barrier = threading.Barrier(8)
    results: dict[int, bytes | None] = {}

    def worker(i: int) -> None:
        barrier.wait()
        cache.store(f"k{i % 2}", f"payload {i % 2}".encode())
        results[i] = cache.load(f"k{i % 2}")

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == {i: f"payload {i % 2}".encode() for i in range(8)}
    assert sorted(p.name for p in (tmp_path / "cache").iterdir()) == ["k0.o", "k1.o", cache.KEY_FILE]


def test_processes_racing_on_a_fresh_cache_all_compute_the_right_value(tmp_path):
    cache_dir = tmp_path / "cache"
    (tmp_path / "adders.py").write_text("def add1(x: int) -> int:\n    return x + 1\n")
    script = tmp_path / "run.py"
    script.write_text(ADD1.format(dir=str(tmp_path), module="adders"))
    environ = {**os.environ, "PYEXEC_CACHE_DIR": str(cache_dir)}
    environ.pop("PYEXEC_NO_CACHE", None)
    procs = [subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              env=environ) for _ in range(4)]
    outputs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0] * 4, outputs
    assert all(out.split()[0] == "21" for out, _ in outputs)
    assert sorted(p.name for p in cache_dir.iterdir() if p.suffix != ".o") == [cache.KEY_FILE]
    assert len(list(cache_dir.glob("*.o"))) == 1
    assert _run_add1(tmp_path, cache_dir).stdout.split() == ["21", "True"]


def test_a_key_linked_in_by_another_thread_between_two_looks_is_read_not_refused(tmp_path, monkeypatch):
    # the race CI once hit: our open finds no key, another thread links one in, then our second look sees a
    # file; it is a regular file, so it is read again (not refused as "not a regular file")
    import warnings

    directory = tmp_path / "cache"
    directory.mkdir(mode=0o700)
    key = os.urandom(32)
    real_open = cache._open_regular
    calls = []

    def open_then_race(path, max_bytes):
        calls.append(path)
        if len(calls) == 1:
            (directory / cache.KEY_FILE).write_bytes(key)
            os.chmod(directory / cache.KEY_FILE, 0o600)
            return None
        return real_open(path, max_bytes)

    monkeypatch.setattr(cache, "_open_regular", open_then_race)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert cache.secret_key(directory) == key
    assert len(calls) == 2
