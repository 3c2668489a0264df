"""Built executables, kept by the content they were built from, so an unchanged function is not rebuilt.

The key hashes the launcher (which holds the function's name and command line), the module's
name and source bytes (for a nested function, the generated module that holds its frozen
values), the Nuitka and Python versions and the Nuitka options. A change to
another module the function's module imports is not in the key: pass ``PYEXEC_CACHE_DIR``
to a fresh folder, or delete the cache folder, to force a rebuild then.

Trust model (the same as the native code cache's): the cache trusts only the user running pyexec.
The folder is created private (mode 0700); an existing one is used only if it is owned by the
current user, not writable by group or others, and every folder above it is owned by the user or
root and not writable by others unless sticky (``/tmp``). Otherwise a :class:`CacheWarning` names
the folder and the problem, and the executable is built in a private temporary folder without the
cache. Each cached executable has a ``.hmac`` file beside it: an HMAC-SHA256 of the key, the name
and the executable's bytes under a per-user secret key (``secret.key``, mode 0600, in the cache
folder). An executable is reused only if it is a regular file whose HMAC matches; a truncated,
replaced or foreign one is rebuilt. What is installed is the very bytes that were verified.
Windows skips the owner and mode checks (the profile's ACL keeps the default folder private).

Location: ``$PYEXEC_CACHE_DIR/executables`` if that variable is set, else
``$XDG_CACHE_HOME/pyexec/executables`` (``~/.cache/pyexec/executables`` by default;
``%LOCALAPPDATA%\\pyexec\\executables`` on Windows).

Example:
    >>> from pyexec.backends.nuitka.cache import cache_root
    >>> cache_root().name
    'executables'
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import stat
import sys
import tempfile
import threading
import warnings
from collections.abc import Sequence
from pathlib import Path

CACHE_VARIABLE = "PYEXEC_CACHE_DIR"
KEY_FORMAT = "pyexec-nuitka-cache-2"
KEY_FILE = "secret.key"
DIGEST_SUFFIX = ".hmac"
MAX_EXECUTABLE_BYTES = 4 * 1024 * 1024 * 1024
_KEY_BYTES = 32


class CacheWarning(UserWarning):
    """The cache folder is not safe to use (so the build runs without it); the message says why and what to do."""


def cache_root() -> Path:
    """The folder that holds cached executables (see the module docstring for how it is chosen)."""
    configured = os.environ.get(CACHE_VARIABLE)
    if configured:
        return Path(configured).expanduser() / "executables"
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA", Path.home() / "AppData" / "Local"))
    else:
        base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "pyexec" / "executables"


def cache_key(*, launcher: str, module_name: str, module_source: bytes, nuitka_version: str,
              nuitka_options: Sequence[str]) -> str:
    """A hex digest of everything the executable is built from.

    Example:
        >>> a = cache_key(launcher="x", module_name="m", module_source=b"1", nuitka_version="4", nuitka_options=[])
        >>> a == cache_key(launcher="x", module_name="m", module_source=b"2", nuitka_version="4", nuitka_options=[])
        False
    """
    digest = hashlib.sha256()
    for part in (KEY_FORMAT, sys.version, sys.platform, nuitka_version, module_name, launcher, *nuitka_options):
        digest.update(part.encode())
        digest.update(b"\0")
    digest.update(module_source)
    return digest.hexdigest()[:32]


# --- the folder and the secret (the rules of pyexec.backends.llvm.cache, which this package does not import) ---

_lock = threading.Lock()
_warned: set[tuple[str, str]] = set()


def _warn(directory: Path, problem: str) -> None:
    with _lock:
        if (str(directory), problem) in _warned:
            return
        _warned.add((str(directory), problem))
    warnings.warn(
        f"pyexec: not using the executable cache {directory}: {problem}; building without it. Make it private "
        "(chmod 700, owned by you) or set PYEXEC_CACHE_DIR to a directory of your own.",
        CacheWarning, stacklevel=4)


def _ownership_problem(path: Path, uid: int) -> str | None:
    st = os.lstat(path)
    if not stat.S_ISDIR(st.st_mode):
        return "it is not a directory"
    if st.st_uid != uid:
        return f"it is owned by another user (uid {st.st_uid})"
    if st.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        return f"others can write to it (mode {stat.S_IMODE(st.st_mode):o})"
    for parent in path.parents:
        pst = os.lstat(parent)
        if pst.st_uid not in (uid, 0):
            return f"the directory above it, {parent}, is owned by another user (uid {pst.st_uid})"
        if pst.st_mode & (stat.S_IWGRP | stat.S_IWOTH) and not pst.st_mode & stat.S_ISVTX:
            return f"others can replace it: {parent} is writable by others without the sticky bit"
    return None


def private_root(*, create: bool) -> Path | None:
    """:func:`cache_root` resolved, if the current user alone controls it; else None (with a :class:`CacheWarning`).

    Example:
        >>> private_root(create=False) is None or private_root(create=False).is_dir()
        True
    """
    directory = cache_root()
    try:
        if create:
            directory.parent.mkdir(parents=True, exist_ok=True)
            try:
                directory.mkdir(mode=0o700)
            except FileExistsError:
                pass
        resolved = directory.resolve(strict=True)
        if not hasattr(os, "getuid"):
            return resolved if resolved.is_dir() else None
        problem = _ownership_problem(resolved, os.getuid())
    except OSError:
        return None
    if problem:
        _warn(directory, problem)
        return None
    return resolved


def _read_regular(path: Path, max_bytes: int) -> tuple[bytes, os.stat_result] | None:
    """The bytes and status of ``path`` if it is a regular file of at most ``max_bytes`` (no symlink, FIFO, device)."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except OSError:
        return None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or st.st_size > max_bytes:
            return None
        with os.fdopen(fd, "rb", closefd=False) as f:
            data = f.read(max_bytes + 1)
        return (data, st) if len(data) <= max_bytes else None
    except OSError:
        return None
    finally:
        os.close(fd)


def write_atomic(path: Path, data: bytes, mode: int = 0o600) -> None:
    """Write ``path`` through a temporary file renamed into place; the temporary file never outlives the call."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name[:24]}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    finally:
        if os.path.lexists(tmp):
            os.unlink(tmp)


def secret_key(root: Path) -> bytes | None:
    """The per-user HMAC key kept in the private ``root`` (made on first use), or None if unusable."""
    path = root / KEY_FILE
    for _ in range(3):
        found = _read_regular(path, 4096)
        if found is not None:
            data, st = found
            if hasattr(os, "getuid") and (st.st_uid != os.getuid() or st.st_mode & 0o077):
                _warn(root, f"its {KEY_FILE} is not private to you (mode {stat.S_IMODE(st.st_mode):o})")
                return None
            if len(data) != _KEY_BYTES:
                _warn(root, f"its {KEY_FILE} is damaged (delete it to start a fresh cache)")
                return None
            return data
        try:
            kind = os.lstat(path).st_mode
        except FileNotFoundError:
            kind = None
        except OSError:
            return None
        if kind is not None:
            if stat.S_ISREG(kind):
                continue  # another thread or process linked the key in between our two looks: read it
            _warn(root, f"its {KEY_FILE} is not a regular file (delete it to start a fresh cache)")
            return None
        fd, tmp = tempfile.mkstemp(dir=root, prefix=".key.", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(secrets.token_bytes(_KEY_BYTES))
            try:
                os.link(tmp, path)  # a complete key appears at once; a concurrent build keeps the first
            except FileExistsError:
                pass
        except OSError:
            return None
        finally:
            if os.path.lexists(tmp):
                os.unlink(tmp)
    return None


def _mac(secret: bytes, key: str, name: str, data: bytes) -> str:
    mac = hmac.new(secret, f"{KEY_FORMAT}\0{key}\0{name}\0".encode(), hashlib.sha256)
    mac.update(data)
    return mac.hexdigest()


def _entry_names(key: str, name: str) -> bool:
    return key.isalnum() and bool(name) and "/" not in name and "\\" not in name and name not in (".", "..")


def load_executable(key: str, name: str) -> bytes | None:
    """The cached executable ``name`` built under ``key``, verified; None if absent, altered or the cache is unsafe.

    Example:
        >>> load_executable("0" * 32, "greet") is None  # nothing built under this key
        True
    """
    if not _entry_names(key, name):
        return None
    root = private_root(create=False)
    if root is None:
        return None
    found = _read_regular(root / key / name, MAX_EXECUTABLE_BYTES)
    digest = _read_regular(root / key / (name + DIGEST_SUFFIX), 256)
    if found is None or digest is None:
        return None
    secret = secret_key(root)
    if secret is None:
        return None
    if not hmac.compare_digest(digest[0].strip(), _mac(secret, key, name, found[0]).encode()):
        return None
    return found[0]


def store_executable(key: str, name: str, data: bytes) -> Path | None:
    """Keep ``data`` as the executable ``name`` built under ``key``; its path, or None if the cache is unusable."""
    if not _entry_names(key, name):
        return None
    root = private_root(create=True)
    if root is None:
        return None
    secret = secret_key(root)
    if secret is None:
        return None
    entry = root / key
    try:
        entry.mkdir(mode=0o700, exist_ok=True)
        # The executable first, its HMAC last: an entry interrupted in between is a miss, never a bad hit.
        write_atomic(entry / name, data, 0o700)
        write_atomic(entry / (name + DIGEST_SUFFIX), _mac(secret, key, name, data).encode() + b"\n")
    except OSError:
        return None
    return entry / name
